"""The whole permission matrix: role × state × action, as tables.

403 answers who the actor is (never allowed on this draft); 409 answers when they ask (allowed in
principle, not in this state or not at this tier yet). A refused action changes nothing.
The draft is an important one (editor → dept_head → leader) written by "editor" of 宣传科;
"editor3" signs the editor tier when a state needs it, so every person below is still unused.
"""
from __future__ import annotations

import pytest
from sqlalchemy import text

from review import accounts, admin, queue, views, workflow
from review.errors import Conflict, Forbidden

from .workflow_helpers import BLOCKED, GENERAL_EDIT, IMPORTANT, PASSWORD_FREE, create, decide, edit, publish, rt, submit, withdraw

__all__ = ["rt"]

ROLES = ("author", "editor2", "head", "leader", "auditor", "admin", "outsider", "otherhead")
STATES = ("draft", "screening", "at_editor", "at_dept_head", "at_leader", "approved", "published", "rejected",
          "blocked", "withdrawn")
OK, NO, LATE = "ok", 403, 409


def _row(**cells):
    """One table row: a cell for every role, 403 unless given."""
    return {role: cells.get(role, NO) for role in ROLES}


def _author_only(allowed_states):
    return {s: _row(author=OK if s in allowed_states else LATE) for s in STATES}


def _signer(state_ok: dict[str, str]):
    """Decisions: the author, auditors, admins and other departments never; the rest only at their tier."""
    return {s: _row(author=NO, editor2=OK if state_ok.get("editor2") == s else LATE,
                    head=OK if state_ok.get("head") == s else LATE,
                    leader=OK if state_ok.get("leader") == s else LATE) for s in STATES}


TURNS = {"editor2": "at_editor", "head": "at_dept_head", "leader": "at_leader"}
MATRIX = {
    "edit": _author_only({"draft", "screening", "at_editor", "at_dept_head", "at_leader", "approved", "rejected",
                          "blocked"}),
    "submit": _author_only({"draft", "blocked"}),  # a rejected text must be edited before it goes back
    "withdraw": _author_only({"draft", "screening", "at_editor", "at_dept_head", "at_leader", "approved",
                              "rejected", "blocked"}),
    "approve": _signer(TURNS),
    "reject": _signer(TURNS),
    "publish": {s: _row(**{r: OK if s == "approved" else LATE for r in ("author", "editor2", "head", "leader")})
                for s in STATES},
}


@pytest.fixture
def cast(rt, people):
    with rt.db.session() as s:
        dept = accounts.department_by_name(s, "宣传科")
        editor3 = accounts.add_user(s, "editor3", "Editor3", "editor", PASSWORD_FREE, dept)
    return {**{r: people[r] for r in ROLES if r in people}, "author": people["editor"], "editor3": editor3}


def _draft_in(rt, cast, state: str) -> int:
    author = cast["author"]
    if state == "blocked":
        draft_id = create(rt, author, BLOCKED)
        submit(rt, author, draft_id)
        return draft_id
    draft_id = create(rt, author, IMPORTANT)
    if state == "draft":
        return draft_id
    if state == "screening":
        # No worker picks the job up: the draft waits in screening.
        rt.db.sessions.kw["info"] = {"dispatch": lambda *args: None}
        try:
            submit(rt, author, draft_id)
        finally:
            rt.db.sessions.kw["info"] = {"dispatch": rt.dispatch}
        return draft_id
    submit(rt, author, draft_id)
    steps = {"at_editor": [], "at_dept_head": ["editor3"], "at_leader": ["editor3", "head"],
             "approved": ["editor3", "head", "leader"], "published": ["editor3", "head", "leader"],
             "rejected": [], "withdrawn": []}[state]
    for name in steps:
        decide(rt, cast[name], draft_id)
    if state == "published":
        publish(rt, author, draft_id)
    if state == "rejected":
        decide(rt, cast["editor3"], draft_id, "reject", "数据有误，请核实。")
    if state == "withdrawn":
        withdraw(rt, author, draft_id)
    return draft_id


def _do(rt, action: str, user, draft_id: int):
    if action == "edit":
        edit(rt, user, draft_id, GENERAL_EDIT)
    elif action == "submit":
        submit(rt, user, draft_id, "该词为本地地名，经核实不属于禁止发布内容。")
    elif action == "withdraw":
        withdraw(rt, user, draft_id)
    elif action == "approve":
        decide(rt, user, draft_id)
    elif action == "reject":
        decide(rt, user, draft_id, "reject", "不同意发布。")
    elif action == "publish":
        publish(rt, user, draft_id)


def _snapshot(rt, draft_id):
    with rt.db.session() as s:
        draft = s.execute(text("SELECT status, current_tier, version, round FROM draft WHERE id = :i"), {"i": draft_id}).one()
        signoffs = s.execute(text("SELECT count(*) FROM sign_off WHERE draft_id = :i"), {"i": draft_id}).scalar()
    return tuple(draft), signoffs


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(rt, cast, action, state):
    expected = MATRIX[action][state]
    draft_id = _draft_in(rt, cast, state)
    before = _snapshot(rt, draft_id)
    # Refusals first, all on the same draft: each must leave it exactly as it was.
    for role in ROLES:
        if expected[role] == OK:
            continue
        error = Forbidden if expected[role] == NO else Conflict
        with pytest.raises(error) as refused:
            _do(rt, action, cast[role], draft_id)
        assert refused.value.status == expected[role], (role, refused.value.message)
        assert _snapshot(rt, draft_id) == before, role
    for role in ROLES:
        if expected[role] == OK:
            fresh = _draft_in(rt, cast, state)
            _do(rt, action, cast[role], fresh)


def test_matrix_covers_every_role_state_and_action():
    assert {(a, s, r) for a in MATRIX for s in MATRIX[a] for r in MATRIX[a][s]} == {
        (a, s, r) for a in MATRIX for s in STATES for r in ROLES}
    # Nobody but the author ever edits, submits or withdraws; auditors and admins never sign or publish.
    for action in ("edit", "submit", "withdraw"):
        assert all(MATRIX[action][s][r] == NO for s in STATES for r in ROLES if r != "author")
    for action in ("approve", "reject", "publish"):
        assert all(MATRIX[action][s][r] == NO for s in STATES for r in ("auditor", "admin", "outsider", "otherhead"))


@pytest.mark.parametrize("role, allowed", [
    ("editor", True), ("dept_head", True), ("leader", True), ("auditor", False), ("admin", False),
])
def test_who_may_write_drafts(rt, people, role, allowed):
    from review.models import Channel

    with rt.db.session() as s:
        channel = Channel(name="宣传科微博", platform="微博", department_id=accounts.department_by_name(s, "宣传科").id)
        s.add(channel)
    user = next(u for u in people.values() if u.role == role)
    if allowed:
        # A leader belongs to no department: the channel says whose draft it is.
        assert create(rt, user, channel_id=channel.id) > 0
    else:
        with pytest.raises(Forbidden):
            create(rt, user, channel_id=channel.id)


def test_a_deactivated_reviewer_signs_nothing(rt, people):
    draft_id = create(rt, people["editor"])
    submit(rt, people["editor"], draft_id)
    with rt.db.session() as s:
        user = s.get(type(people["editor2"]), people["editor2"].id)
        admin.update_user(s, people["admin"], user, active=False)
        inactive = user
    with pytest.raises(Forbidden):
        decide(rt, inactive, draft_id)
    with rt.db.session() as s:
        assert queue.waiting_for(s, inactive) == []



def test_queue_views_take_a_fixed_number_of_queries_and_agree_with_view(rt, people):
    """The API's queue builds its items in four queries, whatever their number."""
    from sqlalchemy import event

    from .workflow_helpers import submitted

    ids = [submitted(rt, people["editor"]) for _ in range(6)]
    decide(rt, people["editor2"], ids[0], "approve")
    with rt.db.session() as s:
        drafts = [workflow.get_draft(s, i) for i in ids]
        statements = []

        def count(*_):
            statements.append(1)

        event.listen(s.get_bind(), "before_cursor_execute", count)
        batched = [v.to_dict() for v in views.draft_views(s, drafts)]
        event.remove(s.get_bind(), "before_cursor_execute", count)
        assert len(statements) == 4
        assert batched == [views.draft_view(s, i).to_dict() for i in ids]
