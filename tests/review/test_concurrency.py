"""Races with real concurrent transactions (PostgreSQL; the locked cases also run on SQLite): threads, each with its own session.

Two reviewers deciding at once, or a decision racing an edit, never produce a double sign-off or a
sign-off on a voided revision. With the row lock, the loser waits and is refused by the checks;
with the lock taken away, the schema (unique sign-off per revision/round/tier and per person, the
draft's version column) refuses it, and the refusal is a clean Conflict (HTTP 409).
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from review import accounts, audit, workflow
from review.errors import Conflict, ReviewError
from review.models import AuditEvent, Publication, SignOff
from tests.conftest import channel_of

from .workflow_helpers import GENERAL_EDIT, PASSWORD_FREE, approve_all, current_hash, rt, state, submitted

__all__ = ["rt"]

TIMEOUT = 30


@pytest.fixture
def postgresql_only(db):
    # SQLite serializes whole write transactions (BEGIN IMMEDIATE), so there is no race without the lock.
    if db.engine.dialect.name != "postgresql":
        pytest.skip("races without the row lock need PostgreSQL: run with DATABASE_URL=postgresql://…")


@pytest.fixture
def editor3(rt, people):
    with rt.db.session() as s:
        return accounts.add_user(s, "editor3", "Editor3", "editor", PASSWORD_FREE,
                                 accounts.department_by_name(s, "宣传科"))


def race(*calls):
    """Run each call in its own thread with its own session, released together by a barrier."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT)
    outcomes: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            outcomes[i] = call()
        except Exception as exc:  # collected, asserted by the test
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 2)
        assert not t.is_alive(), "a transaction hung"
    return outcomes


def _decide(rt, user, draft_id, revision_hash, decision="approve"):
    def call():
        with rt.db.session() as s:
            workflow.decide(s, user, draft_id, decision, "" if decision == "approve" else "不同意。", revision_hash)
        return "ok"
    return call


def _edit(rt, user, draft_id):
    def call():
        with rt.db.session() as s:
            workflow.edit_draft(s, user, draft_id, *GENERAL_EDIT)
        return "ok"
    return call


def _signoffs(rt, draft_id):
    with rt.db.session() as s:
        return list(s.scalars(select(SignOff).where(SignOff.draft_id == draft_id)))


def _one_ok_one_conflict(outcomes):
    assert sorted(map(type, outcomes), key=str) == sorted([str, Conflict], key=str), outcomes
    refused = next(o for o in outcomes if isinstance(o, ReviewError))
    assert refused.status == 409 and refused.message


@pytest.fixture
def unlocked(monkeypatch):
    """Take the row lock away and hold both transactions after their checks, before any write.

    Both have then read the same draft and passed every check; only the schema stands between them.
    """
    original_get, original_round = workflow.get_draft, workflow.round_signoffs
    barrier = threading.Barrier(2, timeout=TIMEOUT)

    def get_draft(session, draft_id, *, lock=False):
        return original_get(session, draft_id, lock=False)

    def round_signoffs(session, draft):
        found = original_round(session, draft)
        if threading.current_thread() is not threading.main_thread():
            barrier.wait()
        return found

    monkeypatch.setattr(workflow, "get_draft", get_draft)
    monkeypatch.setattr(workflow, "round_signoffs", round_signoffs)
    return barrier


def test_two_reviewers_approving_the_same_tier_at_once_land_one_signoff(rt, people, editor3):
    draft_id = submitted(rt, people["editor"])
    h = current_hash(rt, draft_id)
    outcomes = race(_decide(rt, people["editor2"], draft_id, h), _decide(rt, editor3, draft_id, h))
    _one_ok_one_conflict(outcomes)
    assert [s.tier for s in _signoffs(rt, draft_id)] == ["editor"]
    assert state(rt, draft_id)["current_tier"] == "dept_head"


def test_approve_and_reject_racing_land_exactly_one_decision(rt, people, editor3):
    draft_id = submitted(rt, people["editor"])
    h = current_hash(rt, draft_id)
    outcomes = race(_decide(rt, people["editor2"], draft_id, h), _decide(rt, editor3, draft_id, h, "reject"))
    _one_ok_one_conflict(outcomes)
    (signoff,) = _signoffs(rt, draft_id)
    assert state(rt, draft_id)["status"] == ("in_review" if signoff.decision == "approve" else "returned")


@pytest.mark.usefixtures("postgresql_only")
def test_without_the_row_lock_the_schema_refuses_the_second_signoff(rt, people, editor3, unlocked):
    draft_id = submitted(rt, people["editor"])
    h = current_hash(rt, draft_id)
    outcomes = race(_decide(rt, people["editor2"], draft_id, h), _decide(rt, editor3, draft_id, h))
    _one_ok_one_conflict(outcomes)
    refused = next(o for o in outcomes if isinstance(o, Conflict))
    # Refused by the database, not by a check: the cause is the IntegrityError or the version check.
    assert type(refused.__cause__).__name__ in ("IntegrityError", "StaleDataError")
    assert len(_signoffs(rt, draft_id)) == 1


def test_a_double_click_lands_one_signoff(rt, people):
    draft_id = submitted(rt, people["editor"])
    h = current_hash(rt, draft_id)
    outcomes = race(_decide(rt, people["editor2"], draft_id, h), _decide(rt, people["editor2"], draft_id, h))
    _one_ok_one_conflict(outcomes)
    assert len(_signoffs(rt, draft_id)) == 1


def test_a_decision_racing_an_edit_never_signs_the_voided_revision(rt, people):
    draft_id = submitted(rt, people["editor"])
    h = current_hash(rt, draft_id)
    outcomes = race(_decide(rt, people["editor2"], draft_id, h), _edit(rt, people["editor"], draft_id))
    assert outcomes[1] == "ok"  # the author's edit always goes through
    signoffs = _signoffs(rt, draft_id)
    if outcomes[0] == "ok":  # the decision came first: it signed the text it saw, which the edit then voided
        assert [s.revision_hash for s in signoffs] == [h]
    else:
        assert isinstance(outcomes[0], Conflict) and outcomes[0].status == 409 and signoffs == []
    shown = state(rt, draft_id)
    assert shown["revision"]["hash"] != h and (shown["status"], shown["current_tier"]) == ("in_review", "editor")
    with rt.db.session() as s:
        assert workflow.round_signoffs(s, workflow.get_draft(s, draft_id)) == []


@pytest.mark.usefixtures("postgresql_only")
def test_without_the_row_lock_a_decision_after_an_edit_is_refused_by_the_version_check(rt, people, monkeypatch):
    draft_id = submitted(rt, people["editor"])
    h = current_hash(rt, draft_id)
    checked, edited = threading.Event(), threading.Event()
    original_get, original_round = workflow.get_draft, workflow.round_signoffs

    def round_signoffs(session, draft):
        found = original_round(session, draft)
        if threading.current_thread() is not threading.main_thread():
            checked.set()
            assert edited.wait(TIMEOUT)  # the edit commits between this decision's checks and its writes
        return found

    monkeypatch.setattr(workflow, "get_draft", lambda s, i, *, lock=False: original_get(s, i, lock=False))
    monkeypatch.setattr(workflow, "round_signoffs", round_signoffs)
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(_catch(_decide(rt, people["editor2"], draft_id, h))))
    thread.start()
    assert checked.wait(TIMEOUT)
    monkeypatch.setattr(workflow, "round_signoffs", original_round)
    _edit(rt, people["editor"], draft_id)()
    edited.set()
    thread.join(TIMEOUT)
    (refused,) = outcome
    assert isinstance(refused, Conflict) and type(refused.__cause__).__name__ in ("StaleDataError", "IntegrityError")
    assert _signoffs(rt, draft_id) == []


def _catch(call):
    try:
        return call()
    except Exception as exc:
        return exc


def test_two_publishers_at_once_publish_once(rt, people):
    draft_id = submitted(rt, people["editor"])
    approve_all(rt, draft_id, people["editor2"], people["head"])

    def publish(user):
        def call():
            with rt.db.session() as s:
                workflow.publish(s, user, draft_id)
            return "ok"
        return call

    _one_ok_one_conflict(race(publish(people["editor"]), publish(people["head"])))
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Publication)) == 1


def test_concurrent_audit_appends_keep_one_unbroken_chain(rt, people):
    def append(n):
        def call():
            for i in range(10):
                with rt.db.session() as s:
                    audit.record(s, None, "test_event", writer=n, i=i)
            return "ok"
        return call

    assert race(*(append(n) for n in range(4))) == ["ok"] * 4
    with rt.db.session() as s:
        result = audit.verify(s)
        assert result.ok, result.problem
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test_event")) == 40


def test_the_api_maps_a_lost_race_to_409(app, people):
    from sqlalchemy import select as _select

    from review.models import User

    runtime = app.extensions["runtime"]
    with runtime.db.session() as s:
        editor3 = accounts.add_user(s, "editor3", "Editor3", "editor", PASSWORD_FREE, accounts.department_by_name(s, "宣传科"))
        tokens = {u: accounts.create_token(s, s.scalar(_select(User).where(User.username == u)))
                  for u in ("editor", "editor2", "editor3")}
    client = app.test_client()
    auth = {u: {"Authorization": f"Bearer {t}"} for u, t in tokens.items()}
    draft = client.post("/api/v1/drafts", json={"title": "社区图书馆周末开放", "body": "本周六上午九点，社区图书馆照常开放阅览。",
                                                "channel": channel_of(runtime, people["editor"])},
                        headers=auth["editor"]).get_json()
    submitted_ = client.post(f"/api/v1/drafts/{draft['id']}/submit", json={}, headers=auth["editor"]).get_json()
    body = {"decision": "approve", "comment": "", "revision_hash": submitted_["revision"]["hash"]}

    def post(user):
        def call():
            response = app.test_client().post(f"/api/v1/drafts/{draft['id']}/decision", json=body, headers=auth[user])
            return response.status_code, response.get_json()
        return call

    outcomes = race(post("editor2"), post("editor3"))
    assert sorted(code for code, _ in outcomes) == [200, 409], outcomes
    refused = next(b for code, b in outcomes if code == 409)
    assert refused["error"] == "conflict" and refused["message"]
    assert editor3 is not None


def test_keeping_a_value_while_the_author_edits_never_leaves_an_approved_revision_with_open_masks(rt, people):
    """002 §19: a mask resolved on one revision never counts for the next one, however the two interleave."""
    from review.models import MaskResolution
    from review.masks import finding_key, open_masks

    from .test_publication_safety import PERSONAL

    for attempt in range(4):
        draft_id = submitted(rt, people["editor"], PERSONAL)
        seen = state(rt, draft_id)
        read_hash = seen["revision"]["hash"]

        def keep_all_then_approve():
            with rt.db.session() as s:
                for finding in seen["open_masks"]:
                    workflow.keep_masked_value(s, people["editor2"], draft_id, read_hash, finding_key(finding),
                                               "consent", "当事人书面同意")
            with rt.db.session() as s:
                workflow.decide(s, people["editor2"], draft_id, "approve", "", read_hash)
            return "ok"

        def edit():
            with rt.db.session() as s:
                workflow.edit_draft(s, people["editor"], draft_id, PERSONAL[0], PERSONAL[1] + f"（第{attempt}次补充）")
            return "ok"

        outcomes = race(keep_all_then_approve, edit)
        assert all(o == "ok" or isinstance(o, Conflict) for o in outcomes), outcomes
        with rt.db.session() as s:
            for signoff in s.scalars(select(SignOff).where(SignOff.draft_id == draft_id, SignOff.decision == "approve")):
                revision = signoff.revision
                assert signoff.revision_hash == revision.content_hash
                assert open_masks(s, revision, workflow.latest_screening(s, revision.id)) == []
                kept = s.scalars(select(MaskResolution).where(MaskResolution.revision_id == revision.id)).all()
                assert {k.revision_hash for k in kept} == {revision.content_hash}
