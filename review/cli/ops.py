"""Running the service: web server, worker, demo data, re-screening and the audit chain."""
from __future__ import annotations

import json
import os
import sys
import time

import click
from sqlalchemy import select

from .. import audit, demo, patrol, schema, workflow
from ..models import Draft
from . import cli
from .common import open_runtime


@cli.command(help="用 gunicorn（多进程、多线程）运行 Web 应用。")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
# Measured with benchmarks/load.py (docs/security.md): threaded workers, one process per core, beat
# sync workers at the same concurrency, since a request mostly waits on PostgreSQL.
@click.option("--workers", "processes", default=max(2, os.cpu_count() or 1), show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="每个进程的线程数")
def serve(host, port, processes, threads):
    args = [sys.executable, "-m", "gunicorn", "--workers", str(processes), "--worker-class", "gthread",
            "--threads", str(threads), "--bind", f"{host}:{port}", "--access-logfile", "-", "webui:create_app()"]
    os.execvp(args[0], args)


@cli.command(help="运行 RQ worker（预加载分词词典与模型）。")
@click.option("--burst", is_flag=True, help="处理完队列中的任务后退出")
@click.option("--name", help="worker 名称")
def worker(burst, name):
    from workers.worker import run

    run(burst=burst, name=name)


@cli.command(help="突发稿件时限提醒：距 1 小时时限 30 分钟时提醒当前环节，超时后通知代理人和上一级（004 6.3.2.3）。"
                  "有 worker 时由 worker 每分钟执行；没有 Redis 时用 --every 60 常驻运行。")
@click.option("--every", type=int, help="每隔多少秒检查一次（不给则只检查一次）")
def deadlines(every):
    runtime = open_runtime()
    while True:
        sent = runtime.run_inline("check_deadlines")
        if not every:
            click.echo(f"已发出 {sent or 0} 条时限提醒")
            return
        time.sleep(every)


@cli.command("demo", help="载入演示数据（部门、渠道、各角色用户、稿件）。")
@click.option("--if-empty", is_flag=True, help="数据库已有用户时什么也不做")
def demo_cmd(if_empty):
    runtime = open_runtime()
    schema.upgrade(runtime.db)
    with runtime.db.session() as session:
        if not demo.is_empty(session):
            if not if_empty:
                raise click.ClickException("数据库中已有用户，不再载入演示数据")
            click.echo("数据库中已有数据，未重复载入演示数据。")
        else:
            demo.load(session)
    click.echo(f"演示账号（密码均为 {demo.DEMO_PASSWORD}，首次载入后如已修改以修改后为准）：")
    for username, name, role, _ in demo.DEMO_USERS:
        click.echo(f"  {username:10} {name}  {role}")


@cli.command(help="词库或模型更新后，重新审查所有审核中（含已签发待发布）的稿件；敏感级别升高的按新路由重新审签。"
                  "同时对近期已发布的内容发起错敏信息巡查。")
@click.option("--wait/--no-wait", default=True, help="等待 worker 完成并显示进度")
@click.option("--patrol/--no-patrol", "with_patrol", default=True, help="同时巡查近期已发布的内容")
def rescreen(wait, with_patrol):
    runtime = open_runtime()
    if with_patrol:
        with runtime.db.session() as session:
            patrol.start(session, "词库或模型更新后重新审查")
        click.echo("已发起已发布内容巡查，进度见数据统计页")
    with runtime.db.session() as session:
        draft_ids = session.scalars(
            select(Draft.id).where(Draft.status.in_(workflow.RESCREEN_STATES)).order_by(Draft.id)).all()
    if not draft_ids:
        click.echo("没有审核中的稿件")
        return
    if runtime.redis is None:
        outcomes = []
        with click.progressbar(draft_ids, label="重新审查") as bar:
            for draft_id in bar:
                outcomes.append(runtime.run_inline("rescreen_draft", draft_id))
        _summary(len(draft_ids), outcomes, [d for d, o in zip(draft_ids, outcomes) if o is None])
        return
    # Through the workers, which hold the loaded models; one job per draft so they spread out.
    jobs = [runtime.enqueue("rescreen_draft", draft_id) for draft_id in draft_ids]
    click.echo(f"已提交 {len(jobs)} 个重新审查任务")
    if not wait:
        return
    with click.progressbar(length=len(jobs), label="重新审查") as bar:
        done = 0
        while done < len(jobs):
            finished = sum(j.get_status(refresh=True) in ("finished", "failed", "stopped", "canceled") for j in jobs)
            bar.update(finished - done)
            done = finished
            if done < len(jobs):
                time.sleep(0.2)
    failed = [j.args[0] for j in jobs if j.get_status() != "finished"]
    _summary(len(jobs), [j.return_value() for j in jobs], failed)


def _summary(total: int, outcomes: list, failed: list[int]) -> None:
    restarted = sum(o == "restarted" for o in outcomes)
    click.echo(f"已重新审查 {total - len(failed)} 篇稿件，其中 {restarted} 篇敏感级别升高，已按新路由重新审签")
    if failed:
        raise click.ClickException(f"{len(failed)} 篇稿件重新审查失败：{failed}")


@cli.group("audit", help="审计链。")
def audit_group():
    pass


@audit_group.command("verify", help="校验审计链；发现篡改时以非零状态退出，并指出第一个异常事件。")
@click.option("--head", "expect_head", help="此前记录的链头哈希：它必须仍在链中（可发现末尾事件被删除）")
def audit_verify(expect_head):
    with open_runtime().db.session() as session:
        result = audit.verify(session, expect_head=expect_head)
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    if not result.ok:
        where = f"（id {result.first_bad_id}）" if result.first_bad_id is not None else ""
        click.echo(f"审计链校验失败：第 {result.first_bad_seq} 号事件{where}：{result.problem}", err=True)
        sys.exit(2)
