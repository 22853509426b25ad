"""The operator's commands: clear messages and non-zero exits on bad input, nothing saved half-way."""
import pytest
from sqlalchemy import func, select

from review.models import ApiToken, Department, User

STRONG = "Strong-pass-2026"


@pytest.fixture
def run(review_cli):
    return review_cli


def count(db, model):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_help_lists_every_command(run):
    out = run("--help").output
    for command in ("db", "dept", "user", "token", "serve", "worker", "demo", "screen", "audit", "rescreen"):
        assert command in out


def test_db_upgrade_is_repeatable(run):
    assert run("db", "upgrade").exit_code == 0
    assert run("db", "upgrade").exit_code == 0


def test_user_add_with_password_from_stdin_and_token(run, db):
    assert run("dept", "add", "宣传科").exit_code == 0
    result = run("user", "add", "wang", "--name", "王小编", "--role", "editor", "--department", "宣传科",
                 "--password-stdin", input=STRONG + "\n")
    assert result.exit_code == 0, result.output
    token = run("token", "create", "wang")
    assert token.exit_code == 0 and len(token.output.strip()) >= 40
    assert count(db, ApiToken) == 1


@pytest.mark.parametrize("args, stdin, message", [
    (["user", "add", "x!", "--name", "某", "--role", "editor", "--department", "宣传科", "--password-stdin"], STRONG, "用户名"),
    (["user", "add", "wang", "--name", "王", "--role", "editor", "--department", "不存在", "--password-stdin"], STRONG, "部门“不存在”不存在"),
    (["user", "add", "wang", "--name", "王", "--role", "editor", "--password-stdin"], STRONG, "必须属于一个部门"),
    (["user", "add", "wang", "--name", "王", "--role", "editor", "--department", "宣传科", "--password-stdin"], "short", "密码至少"),
    (["user", "add", "wang", "--name", "王", "--role", "boss", "--password-stdin"], STRONG, "boss"),
    (["user", "add", "wang", "--name", " ", "--role", "auditor", "--password-stdin"], STRONG, "姓名不能为空"),
])
def test_user_add_refuses_bad_input_and_saves_nothing(run, db, args, stdin, message):
    run("dept", "add", "宣传科")
    result = run(*args, input=stdin + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert count(db, User) == 0


def test_duplicate_department_and_user_are_refused(run, db):
    assert run("dept", "add", "宣传科").exit_code == 0
    again = run("dept", "add", "宣传科")
    assert again.exit_code == 1 and "已存在" in again.output
    assert run("dept", "add", "  ").exit_code == 1
    run("user", "add", "wang", "--name", "王", "--role", "auditor", "--password-stdin", input=STRONG + "\n")
    dup = run("user", "add", "WANG", "--name", "王", "--role", "auditor", "--password-stdin", input=STRONG + "\n")
    assert dup.exit_code == 1 and "已存在" in dup.output
    assert count(db, Department) == 1 and count(db, User) == 1


def test_token_for_unknown_user_is_refused(run, db):
    result = run("token", "create", "nobody")
    assert result.exit_code == 1 and "不存在" in result.output
    assert count(db, ApiToken) == 0


def test_demo_loads_once(run, db):
    first = run("demo", "--if-empty")
    assert first.exit_code == 0 and "editor" in first.output
    users = count(db, User)
    assert run("demo", "--if-empty").exit_code == 0
    assert count(db, User) == users
    assert run("demo").exit_code != 0


def test_worker_without_redis_explains_itself(run):
    result = run("worker", "--burst")
    assert result.exit_code != 0
    assert "REDIS_URL" in str(result.exception) or "REDIS_URL" in result.output
