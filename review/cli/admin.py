"""Database, departments, users and tokens."""
from __future__ import annotations

import sys

import click

from .. import accounts, schema
from ..db import utcnow
from ..models import ROLES
from . import cli
from .common import domain_errors, open_runtime


@cli.group(help="数据库结构。")
def db():
    pass


@db.command("upgrade", help="迁移数据库到最新结构。")
def db_upgrade():
    runtime = open_runtime()
    schema.upgrade(runtime.db)
    click.echo("数据库已迁移到最新结构")


@cli.group(help="部门。")
def dept():
    pass


@dept.command("add", help="新增部门。")
@click.argument("name")
@domain_errors
def dept_add(name):
    with open_runtime().db.session() as session:
        department = accounts.add_department(session, name)
    click.echo(f"已新增部门 {department.name}（id {department.id}）")


@cli.group(help="用户。")
def user():
    pass


@user.command("add", help="新增用户；密码从标准输入读取（--password-stdin）或交互输入。")
@click.argument("username")
@click.option("--name", required=True, help="姓名")
@click.option("--role", required=True, type=click.Choice(ROLES), help="角色")
@click.option("--department", help="所属部门名称")
@click.option("--email", help="电子邮箱（接收审签通知）")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码")
@domain_errors
def user_add(username, name, role, department, email, password_stdin):
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt=True)
    with open_runtime().db.session() as session:
        dept_row = accounts.department_by_name(session, department) if department else None
        created = accounts.add_user(session, username, name, role, password, dept_row, email=email)
    click.echo(f"已新增用户 {created.username}（{created.role_label}）")


@user.command("set", help="修改用户的角色、部门、启用状态或代理人；以 --by 指定的管理员身份记入审计。")
@click.argument("username")
@click.option("--by", "by", required=True, help="执行修改的管理员用户名")
@click.option("--role", type=click.Choice(ROLES), help="新角色")
@click.option("--department", help="所属部门名称（空字符串表示不属于任何部门）")
@click.option("--active/--inactive", default=None, help="启用或停用账号")
@click.option("--deputy", help="代理人用户名（空字符串表示取消）")
@click.option("--email", help="电子邮箱（空字符串表示取消）")
@domain_errors
def user_set(username, by, role, department, active, deputy, email):
    from .. import admin

    options = {}
    with open_runtime().db.session() as session:
        actor = accounts.user_by_username(session, by)
        target = accounts.user_by_username(session, username)
        if role is not None:
            options["role"] = role
        if department is not None:
            options["department"] = accounts.department_by_name(session, department) if department else None
        if active is not None:
            options["active"] = active
        if deputy is not None:
            options["deputy"] = accounts.user_by_username(session, deputy) if deputy else None
        if email is not None:
            options["email"] = email
        if not options:
            raise click.UsageError("没有要修改的内容：请给出 --role、--department、--active/--inactive、--deputy 或 --email")
        admin.update_user(session, actor, target, **options)
    click.echo(f"已修改用户 {username}")


@cli.group(help="API 令牌。")
def token():
    pass


@token.command("create", help="为用户创建 API 令牌并打印（只显示这一次）。")
@click.argument("username")
@click.option("--days", default=accounts.TOKEN_DAYS, show_default=True, type=click.IntRange(min=1),
              help="有效天数")
@click.option("--no-expiry", is_flag=True, help="永不过期（不建议）")
@domain_errors
def token_create(username, days, no_expiry):
    with open_runtime().db.session() as session:
        value = accounts.create_token(session, accounts.user_by_username(session, username),
                                      days=None if no_expiry else days)
    click.echo(value)


@token.command("list", help="列出用户的 API 令牌（编号、创建时间、到期时间、状态）；令牌本身不可再查看。")
@click.argument("username")
@domain_errors
def token_list(username):
    now = utcnow()
    with open_runtime().db.session() as session:
        rows = accounts.tokens_of(session, accounts.user_by_username(session, username))
        for row in rows:
            if row.revoked:
                state = "已吊销"
            elif row.expires_at is not None and row.expires_at <= now:
                state = "已过期"
            else:
                state = "有效"
            expires = row.expires_at.isoformat(timespec="seconds") if row.expires_at else "永不过期"
            click.echo(f"{row.id}\t{row.created_at.isoformat(timespec='seconds')}\t{expires}\t{state}")
    if not rows:
        click.echo(f"用户 {username} 没有令牌")


@token.command("revoke", help="吊销用户的一个令牌（按编号）或全部令牌（--all）。")
@click.argument("username")
@click.argument("token_id", required=False, type=click.IntRange(min=1))
@click.option("--all", "revoke_all", is_flag=True, help="吊销该用户的全部令牌")
@domain_errors
def token_revoke(username, token_id, revoke_all):
    if (token_id is None) == (not revoke_all):
        raise click.UsageError("请给出令牌编号，或使用 --all（二者选一）")
    with open_runtime().db.session() as session:
        count = accounts.revoke_tokens(session, accounts.user_by_username(session, username), token_id=token_id)
    click.echo(f"已吊销 {count} 个令牌")
