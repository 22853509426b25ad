"""Administrators' commands: permission changes from the command line are audited like any other."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from review import accounts, audit
from review.errors import NotAuthenticated
from review.models import AuditEvent, User


@pytest.fixture
def run(review_cli):
    return review_cli


def _user(runtime, username) -> User:
    with runtime.db.session() as s:
        return s.scalar(select(User).where(User.username == username))


def _last_event(runtime) -> AuditEvent:
    with runtime.db.session() as s:
        return s.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))


def test_user_set_changes_role_department_and_deputy_with_an_audit_event(runtime, people, run):
    result = run("user", "set", "editor2", "--by", "admin", "--role", "dept_head", "--department", "办公室",
                 "--deputy", "editor")
    assert result.exit_code == 0, result.output
    changed = _user(runtime, "editor2")
    assert (changed.role, changed.department.name, changed.deputy_id) == ("dept_head", "办公室", people["editor"].id)
    event = _last_event(runtime)
    assert (event.action, event.actor, event.actor_role) == ("user_updated", "admin", "admin")
    assert event.details["changes"] == {"role": ["editor", "dept_head"], "department": ["宣传科", "办公室"],
                                        "deputy": [None, "editor"]}
    with runtime.db.session() as s:
        assert audit.verify(s).ok


def test_deactivating_a_user_revokes_their_api_tokens_for_good(runtime, people, run):
    with runtime.db.session() as s:
        token = accounts.create_token(s, s.get(User, people["editor2"].id))
    assert run("user", "set", "editor2", "--by", "admin", "--inactive").exit_code == 0
    with runtime.db.session() as s, pytest.raises(NotAuthenticated):
        accounts.user_for_token(s, token)
    assert _last_event(runtime).details["changes"] == {"active": [True, False]}
    assert run("user", "set", "editor2", "--by", "admin", "--active").exit_code == 0
    with runtime.db.session() as s, pytest.raises(NotAuthenticated):
        accounts.user_for_token(s, token)  # reactivating does not revive old tokens


@pytest.mark.parametrize("args, message", [
    (["user", "set", "editor2", "--by", "editor", "--role", "leader"], "管理员"),
    (["user", "set", "editor2", "--by", "admin", "--department", "不存在"], "不存在"),
    (["user", "set", "nobody", "--by", "admin", "--role", "leader"], "不存在"),
    (["user", "set", "editor2", "--by", "admin", "--department", ""], "必须属于一个部门"),
    (["user", "set", "editor2", "--by", "admin", "--deputy", "editor2"], "本人"),
    (["user", "set", "admin", "--by", "admin", "--inactive"], "不能停用自己"),
])
def test_user_set_refuses_and_changes_nothing(runtime, people, run, args, message):
    before = _last_event(runtime).seq
    result = run(*args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert _last_event(runtime).seq == before
    assert _user(runtime, "editor2").role == "editor"


def test_user_set_needs_something_to_change(people, run):
    result = run("user", "set", "editor2", "--by", "admin")
    assert result.exit_code == 2 and "没有要修改的内容" in result.output


def test_token_create_is_audited(runtime, people, run):
    result = run("token", "create", "editor")
    assert result.exit_code == 0
    with runtime.db.session() as s:
        assert accounts.user_for_token(s, result.output.strip()).username == "editor"
    assert (_last_event(runtime).action, _last_event(runtime).details["user"]) == ("token_created", "editor")
