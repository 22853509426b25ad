"""Shared pieces of the workflow tests: texts of known sensitivity and one-line actions.

Screening runs through the real classifiers. Texts below are "certainly general" under the shipped
lists; important and blocked texts use made-up terms that only the test wordlist overrides contain,
so the tests do not depend on what other checks or lists decide (and they exercise the overrides
path administrators use).
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from review import views, workflow
from review.models import AuditEvent, WordlistOverride
from review.screening import ScreenerCache
from tests.conftest import channel_of

GENERAL = ("社区图书馆周末开放", "本周六上午九点，社区图书馆照常开放阅览，欢迎居民前来借阅图书。")
GENERAL_EDIT = ("社区图书馆周末开放", "本周六上午九点至下午五点，社区图书馆照常开放阅览，欢迎居民前来借阅图书。")
IMPORTANT_TERM = "青岚湖联防演练"
BLOCKED_TERM = "紫垣禁发测试词"
IMPORTANT = ("社区通知", f"街道将于周五举行{IMPORTANT_TERM}，请居民配合。")
BLOCKED = ("社区通知", f"文中出现{BLOCKED_TERM}，应当拦截。")
PASSWORD_FREE = "Test-password-2026"  # the conftest password, for extra users
OVERRIDE_REASON = "该词为本地地名，经核实不属于禁止发布内容，申请人工复核。"

IMPORTANT_FILE = (
    "@name 测试重要信息\n@action escalate\n@rule 002 §17\n"
    "@message 测试用重要信息，依据 002 §17 须经主要领导审定签发。\n" + IMPORTANT_TERM + "\n"
)
BLOCKED_FILE = (
    "@name 测试禁止内容\n@action block\n@rule 003 §13\n"
    "@message 测试用禁止发布内容（003 §13）。\n" + BLOCKED_TERM + "\n"
)
# A fixed timestamp keeps the screener cache key stable across tests, so the screener loads once.
FIXED = datetime(2026, 1, 1, tzinfo=timezone.utc)
_SCREENERS = ScreenerCache()


def install_test_terms(rt, admin, *, important: str = IMPORTANT_FILE, blocked: str = BLOCKED_FILE) -> None:
    with rt.db.session() as s:
        s.add(WordlistOverride(name="sensitive/zz_test.txt", content=important, updated_by_id=admin.id, updated_at=FIXED))
        s.add(WordlistOverride(name="prohibited/zz_test.txt", content=blocked, updated_by_id=admin.id, updated_at=FIXED))


@pytest.fixture
def rt(runtime, people):
    """The runtime with the shared screener and the test terms installed."""
    runtime.screeners = _SCREENERS
    install_test_terms(runtime, people["admin"])
    return runtime


def create(rt, author, text=GENERAL, **options) -> int:
    options.setdefault("channel_id", channel_of(rt, author))
    with rt.db.session() as s:
        return workflow.create_draft(s, author, *text, **options).id


def submit(rt, author, draft_id, override_reason=None) -> str:
    with rt.db.session() as s:
        workflow.submit(s, author, draft_id, override_reason)
    return state(rt, draft_id)["status"]


def submitted(rt, author, text=GENERAL, **options) -> int:
    draft_id = create(rt, author, text, **options)
    submit(rt, author, draft_id)
    return draft_id


def edit(rt, author, draft_id, text=GENERAL_EDIT, **options):
    with rt.db.session() as s:
        workflow.edit_draft(s, author, draft_id, *text, **options)


def state(rt, draft_id) -> dict:
    with rt.db.session() as s:
        return views.draft_view(s, draft_id).to_dict()


def current_hash(rt, draft_id) -> str:
    return state(rt, draft_id)["revision"]["hash"]


def decide(rt, user, draft_id, decision="approve", comment="", revision_hash=None) -> dict:
    revision_hash = revision_hash or current_hash(rt, draft_id)
    with rt.db.session() as s:
        workflow.decide(s, user, draft_id, decision, comment, revision_hash)
    return state(rt, draft_id)


def approve_all(rt, draft_id, *signers) -> dict:
    result = None
    for signer in signers:
        result = decide(rt, signer, draft_id)
    return result


def publish(rt, user, draft_id):
    with rt.db.session() as s:
        return workflow.publish(s, user, draft_id)


def withdraw(rt, user, draft_id):
    with rt.db.session() as s:
        workflow.withdraw(s, user, draft_id)


def events(rt, draft_id=None, action=None) -> list[AuditEvent]:
    with rt.db.session() as s:
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if draft_id is not None:
            query = query.where(AuditEvent.draft_id == draft_id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(s.scalars(query))


def actions(rt, draft_id) -> list[str]:
    return [e.action for e in events(rt, draft_id)]
