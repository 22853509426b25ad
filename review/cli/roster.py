"""`review roster …`: the leader roster the expression check compares names and titles against."""
from __future__ import annotations

from pathlib import Path

import click

from .. import accounts, roster
from . import cli
from .common import domain_errors, open_runtime


@cli.group("roster", help="领导名单（姓名、职务、排序、单位、任职起止）：文字关核对领导姓名、职务和排序。")
def roster_group():
    pass


@roster_group.command("import", help="从 CSV 导入领导名单（表头：name,title,rank,unit,valid_from,valid_to；"
                                     "按姓名+职务+单位新增或更新）；有一行出错则全部不导入。导入后重新审查在审稿件。")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "by", required=True, help="执行导入的管理员用户名（记入审计）")
@domain_errors
def import_cmd(path: Path, by: str):
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} 不是 UTF-8 编码的文本") from None
    with open_runtime().db.session() as session:
        added, updated = roster.import_csv(session, accounts.user_by_username(session, by), text)
    click.echo(f"已导入：新增 {added} 条，更新 {updated} 条")


@roster_group.command("list", help="列出领导名单。")
def list_cmd():
    with open_runtime().db.session() as session:
        for row in roster.rows(session):
            click.echo("\t".join(str(v or "") for v in (row.unit, row.rank, row.title, row.name, row.valid_from, row.valid_to)))
