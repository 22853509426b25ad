"""The originals library for repost tracing: JSONL import and news feeds."""
from __future__ import annotations

import click

from .. import originals
from . import cli
from .common import domain_errors, open_runtime


@cli.group("originals", help="转载原文库（用于追溯转载来源、发现未注明来源的复制）。")
def originals_group():
    pass


@originals_group.command("import", help="从 JSONL 文件导入原文（每行 title、body、source、url、published_at）；全部成功或全部不导入。")
@click.argument("path", type=click.Path(dir_okay=False))
@domain_errors
def import_cmd(path):
    result = originals.import_jsonl(open_runtime().db, path)
    click.echo(f"导入完成：{result}")


@originals_group.command("feed-add", help="新增定时导入的订阅（RSS、Atom 或 JSON Feed）；也可在网页“系统管理 › 原文订阅”中管理。")
@click.argument("url")
@click.option("--source", default="", help="条目未注明来源时使用的来源名称")
@domain_errors
def feed_add(url, source):
    with open_runtime().db.session() as session:
        feed = originals.add_feed(session, url, source)
    click.echo(f"已新增订阅 {feed.url}（id {feed.id}）")


@originals_group.command("feeds", help="列出订阅及最近一次导入结果。")
def feed_list():
    with open_runtime().db.session() as session:
        feeds = originals.list_feeds(session)
    for f in feeds:
        state = "启用" if f.active else "停用"
        last = f.last_fetched_at.isoformat(timespec="seconds") if f.last_fetched_at else "从未"
        click.echo(f"{f.id}\t{state}\t{f.url}\t{f.source}\t最近 {last}：新增 {f.last_added}，更新 {f.last_updated}"
                   + (f"，问题：{f.last_error}" if f.last_error else ""))


@originals_group.command("fetch", help="立即导入所有启用的订阅（worker 也会定时执行）。")
@domain_errors
def fetch_cmd():
    try:
        outcome = originals.import_feeds(open_runtime().db)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    for feed_id, text in outcome.items():
        click.echo(f"订阅 {feed_id}：{text}")


@originals_group.command("stats", help="原文库篇数与版本。")
def stats_cmd():
    with open_runtime().db.session() as session:
        version = originals.library_version(session)
    click.echo(f"原文库共 {version.split(':')[0]} 篇，版本 {version}")
