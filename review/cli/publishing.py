"""Channels, the check of what was published, and the patrol of published posts."""
from __future__ import annotations

import json
import sys

import click
from .. import accounts, admin, patrol, publishing
from ..admin import all_channels, channel_dict
from ..models import PLATFORM_CODES
from . import cli
from .common import domain_errors, open_runtime


@cli.group(help="发布渠道（政务新媒体账号）。")
def channel():
    pass


@channel.command("add", help="新增发布渠道；渠道属于一个部门，只有该部门能在此渠道发稿。")
@click.argument("name")
@click.option("--platform", required=True, type=click.Choice(list(PLATFORM_CODES)), help="平台")
@click.option("--department", required=True, help="所属部门名称")
@click.option("--webhook-url", help="以 webhook 方式推送到此地址（默认写入发布导出目录）")
@domain_errors
def channel_add(name, platform, department, webhook_url):
    with open_runtime().db.session() as session:
        dept_row = accounts.department_by_name(session, department)
        created = admin.add_channel(session, None, name, PLATFORM_CODES[platform], dept_row.id,
                                    "webhook" if webhook_url else "outbox", webhook_url or "")
        click.echo(json.dumps(channel_dict(created), ensure_ascii=False))


@channel.command("list", help="列出发布渠道（JSON，每行一个）。")
def channel_list():
    with open_runtime().db.session() as session:
        for row in all_channels(session):
            click.echo(json.dumps(channel_dict(row), ensure_ascii=False))


@cli.group(help="已发布内容。")
def publications():
    pass


@publications.command("verify", help="回读每条已发布内容并与签发版本的内容哈希比对；有不一致时以非零状态退出。")
def publications_verify():
    runtime = open_runtime()
    with runtime.db.session() as session:
        outcomes = publishing.verify_all(session, runtime.config.publish_export_dir)
        counts: dict[str, int] = {}
        for publication, status in outcomes:
            counts[status] = counts.get(status, 0) + 1
            if status in ("mismatch", "failed"):
                click.echo(f"稿件 #{publication.draft_id}（发布 {publication.id}）：发布内容与签发版本不一致"
                           f"（{publication.delivery}）", err=True)
    click.echo(json.dumps({"checked": len(outcomes), **counts}, ensure_ascii=False))
    if counts.get("mismatch") or counts.get("failed"):
        sys.exit(2)


@cli.command("patrol", help="错敏信息巡查：按现行词库和模型重新审查近期已发布的内容（天数由 PATROL_DAYS 设定，默认 90）。")
@domain_errors
def patrol_command():
    runtime = open_runtime()
    with runtime.db.session() as session:
        run_id = patrol.start(session, "手动发起巡查").id
    with runtime.db.session() as session:
        run = session.get(patrol.PatrolRun, run_id)
        click.echo(f"巡查 #{run.id}：{'已交给 worker 执行' if runtime.redis else '已完成'}，"
                   f"已查 {run.done}/{run.total} 篇，发现问题 {run.flagged} 篇")
