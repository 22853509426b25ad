"""Every rule of the 三审 workflow (issue #7), through review.workflow with real screening."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from review import queue, workflow
from review.errors import Conflict, Forbidden, InvalidInput
from review.models import Publication, SignOff, WordlistOverride

from .workflow_helpers import (
    BLOCKED, FIXED, GENERAL, GENERAL_EDIT, IMPORTANT, OVERRIDE_REASON, actions, approve_all, create, current_hash,
    decide, edit, events, publish, rt, state, submit, submitted, withdraw,
)

__all__ = ["rt"]  # the fixture, re-exported for pytest


# ---------------------------------------------------------------- routing by sensitivity


def test_general_draft_goes_to_editor_then_dept_head_then_publishes(rt, people):
    p = people
    draft_id = submitted(rt, p["editor"])
    shown = state(rt, draft_id)
    assert (shown["status"], shown["sensitivity"], shown["route"], shown["current_tier"]) == (
        "in_review", "general", ["editor", "dept_head"], "editor")
    assert decide(rt, p["editor2"], draft_id)["current_tier"] == "dept_head"
    assert decide(rt, p["head"], draft_id)["status"] == "approved"
    publication = publish(rt, p["editor"], draft_id)
    assert state(rt, draft_id)["status"] == "published"
    assert publication.content_hash == shown["revision"]["hash"]


def test_important_draft_also_needs_the_top_leader(rt, people):
    p = people
    draft_id = submitted(rt, p["editor"], IMPORTANT)
    shown = state(rt, draft_id)
    assert (shown["sensitivity"], shown["route"]) == ("important", ["editor", "dept_head", "leader"])
    approve_all(rt, draft_id, p["editor2"], p["head"])
    assert state(rt, draft_id)["current_tier"] == "leader"
    with pytest.raises(Conflict, match="未签批"):
        publish(rt, p["editor"], draft_id)
    assert decide(rt, p["leader"], draft_id)["status"] == "approved"


def test_tiers_sign_in_order(rt, people):
    draft_id = submitted(rt, people["editor"], IMPORTANT)
    for early in ("head", "leader"):
        with pytest.raises(Conflict, match="尚未轮到"):
            decide(rt, people[early], draft_id)
    assert not any(s["decision"] for s in state(rt, draft_id)["signoffs"])


@pytest.mark.parametrize("tier_signers, sees, hidden", [
    ((), {"editor2"}, {"editor", "head", "leader", "outsider", "otherhead", "auditor", "admin"}),
    (("editor2",), {"head"}, {"editor", "editor2", "leader", "outsider", "otherhead", "auditor", "admin"}),
    (("editor2", "head"), {"leader"}, {"editor", "editor2", "head", "outsider", "otherhead", "auditor", "admin"}),
])
def test_queue_shows_each_draft_only_to_the_tier_whose_turn_it_is(rt, people, tier_signers, sees, hidden):
    draft_id = submitted(rt, people["editor"], IMPORTANT)
    approve_all(rt, draft_id, *(people[n] for n in tier_signers))
    with rt.db.session() as s:
        for name in sees | hidden:
            queued = [d.id for d in queue.waiting_for(s, people[name])]
            assert (draft_id in queued) == (name in sees), name


def test_dept_heads_see_only_their_own_departments_drafts(rt, people):
    ours = submitted(rt, people["editor"])
    theirs = submitted(rt, people["outsider"])
    with rt.db.session() as s:
        other_editor = people["editor2"]
        assert [d.id for d in queue.waiting_for(s, other_editor)] == [ours]
    approve_all(rt, ours, people["editor2"])
    with rt.db.session() as s:
        assert [d.id for d in queue.waiting_for(s, people["head"])] == [ours]
        assert theirs not in [d.id for d in queue.waiting_for(s, people["otherhead"])]
    with pytest.raises(Forbidden):
        decide(rt, people["otherhead"], ours)


# ---------------------------------------------------------------- separation of duties


def test_author_signs_no_tier_of_their_own_draft(rt, people):
    # The department head writes; the editor tier is signed by an editor, the head tier by nobody but a deputy.
    draft_id = submitted(rt, people["head"])
    with pytest.raises(Forbidden, match="作者"):
        decide(rt, people["head"], draft_id)
    decide(rt, people["editor"], draft_id)
    with pytest.raises(Forbidden, match="作者"):
        decide(rt, people["head"], draft_id)
    with rt.db.session() as s:
        assert queue.waiting_for(s, people["head"]) == []


def test_one_person_signs_at_most_one_tier_of_a_revision(rt, people):
    from datetime import timedelta

    from review import admin
    from review.models import Draft, User

    with rt.db.session() as s:
        head = s.get(User, people["head"].id)
        admin.update_user(s, people["admin"], head, deputy=s.get(User, people["editor2"].id))
    draft_id = submitted(rt, people["editor"])
    decide(rt, people["editor2"], draft_id)
    with rt.db.session() as s:  # the head sat on it: editor2 could stand in, but already signed a tier
        s.get(Draft, draft_id).tier_since = workflow.utcnow() - timedelta(days=30)
    with pytest.raises(Forbidden, match="只能签批一个环节"):
        decide(rt, people["editor2"], draft_id)
    with rt.db.session() as s:
        assert queue.waiting_for(s, people["editor2"]) == []


def test_the_schema_refuses_a_second_tier_by_the_same_person(rt, people):
    draft_id = submitted(rt, people["editor"])
    decide(rt, people["editor2"], draft_id)
    with rt.db.session() as s:
        first = s.scalar(select(SignOff))
        values = {c: getattr(first, c) for c in ("draft_id", "revision_id", "revision_hash", "round", "user_id")}
    for tier, user in (("dept_head", people["editor2"].id), ("editor", people["head"].id)):
        with pytest.raises(IntegrityError):
            with rt.db.session() as s:
                s.add(SignOff(**{**values, "tier": tier, "user_id": user, "decision": "approve"}))


# ---------------------------------------------------------------- bound to the exact revision


def test_a_stale_revision_hash_is_refused(rt, people):
    draft_id = submitted(rt, people["editor"])
    with pytest.raises(Conflict, match="最新版本"):
        decide(rt, people["editor2"], draft_id, revision_hash="0" * 64)
    with pytest.raises(InvalidInput, match="revision_hash"):
        with rt.db.session() as s:
            workflow.decide(s, people["editor2"], draft_id, "approve", "", "")
    assert state(rt, draft_id)["signoffs"] == []


def test_an_edit_voids_every_signoff_rescreens_and_restarts_the_route(rt, people):
    p = people
    draft_id = submitted(rt, p["editor"], IMPORTANT)
    old_hash = current_hash(rt, draft_id)
    approve_all(rt, draft_id, p["editor2"], p["head"])
    edit(rt, p["editor"], draft_id, (IMPORTANT[0], IMPORTANT[1] + "请提前安排。"))
    shown = state(rt, draft_id)
    assert shown["revision"]["number"] == 2 and shown["revision"]["hash"] != old_hash
    assert (shown["status"], shown["current_tier"]) == ("in_review", "editor")
    assert [s["revision_hash"] for s in shown["signoffs"]] == [old_hash, old_hash]  # kept, but void
    with rt.db.session() as s:
        draft = workflow.get_draft(s, draft_id)
        assert workflow.round_signoffs(s, draft) == []
        assert workflow.missing_tiers(s, draft) == ["editor", "dept_head", "leader"]
    with pytest.raises(Conflict, match="最新版本"):
        decide(rt, p["leader"], draft_id, revision_hash=old_hash)
    # The same people sign the new text again, in order.
    assert approve_all(rt, draft_id, p["editor2"], p["head"], p["leader"])["status"] == "approved"
    assert actions(rt, draft_id).count("screened") == 2


def test_editing_an_approved_draft_takes_it_back_to_review(rt, people):
    draft_id = submitted(rt, people["editor"])
    approve_all(rt, draft_id, people["editor2"], people["head"])
    edit(rt, people["editor"], draft_id)
    assert state(rt, draft_id)["status"] == "in_review"
    with pytest.raises(Conflict):
        publish(rt, people["editor"], draft_id)


def test_only_the_author_edits_and_each_edit_is_a_new_immutable_revision(rt, people):
    draft_id = create(rt, people["editor"])
    with pytest.raises(Forbidden):
        edit(rt, people["editor2"], draft_id)
    edit(rt, people["editor"], draft_id)
    edit(rt, people["editor"], draft_id, GENERAL)
    with rt.db.session() as s:
        revisions = workflow.revisions(s, workflow.get_draft(s, draft_id))
    assert [(r.number, r.body) for r in revisions] == [(1, GENERAL[1]), (2, GENERAL_EDIT[1]), (3, GENERAL[1])]
    assert revisions[0].content_hash == revisions[2].content_hash != revisions[1].content_hash


# ---------------------------------------------------------------- reject


def test_reject_requires_a_comment_in_code_and_in_the_schema(rt, people):
    draft_id = submitted(rt, people["editor"])
    for comment in ("", "   ", None):
        with pytest.raises(InvalidInput, match="意见"):
            decide(rt, people["editor2"], draft_id, "reject", comment)
    with rt.db.session() as s:
        revision = workflow.current_revision(s, workflow.get_draft(s, draft_id))
        values = dict(draft_id=draft_id, revision_id=revision.id, revision_hash=revision.content_hash, round=1)
    with pytest.raises(IntegrityError):
        with rt.db.session() as s:
            s.add(SignOff(**values, tier="editor", decision="reject", comment="", user_id=people["editor2"].id))


def test_rejected_draft_goes_back_to_the_author_who_edits_and_resubmits(rt, people):
    p = people
    draft_id = submitted(rt, p["editor"])
    decide(rt, p["editor2"], draft_id)
    shown = decide(rt, p["head"], draft_id, "reject", "第二段时间有误，请核实。")
    assert shown["status"] == "returned" and "第二段时间有误" in shown["note"]
    assert shown["signoffs"][-1]["comment"] == "第二段时间有误，请核实。"
    with pytest.raises(Conflict, match="修改后再提交"):
        submit(rt, p["editor"], draft_id)  # the same text was refused: edit first
    edit(rt, p["editor"], draft_id)
    assert submit(rt, p["editor"], draft_id) == "in_review"
    assert state(rt, draft_id)["current_tier"] == "editor"


def test_bad_decisions_are_bad_input(rt, people):
    draft_id = submitted(rt, people["editor"])
    for decision in ("approved", "", None, 1):
        with pytest.raises(InvalidInput):
            decide(rt, people["editor2"], draft_id, decision)
    with pytest.raises(InvalidInput):
        decide(rt, people["editor2"], draft_id, "approve", comment=["x"])


# ---------------------------------------------------------------- blocked and the override


def test_blocked_draft_returns_and_an_override_needs_all_three_tiers(rt, people):
    p = people
    draft_id = submitted(rt, p["editor"], BLOCKED)
    shown = state(rt, draft_id)
    assert (shown["status"], shown["sensitivity"], shown["route"]) == ("returned", "blocked", [])
    assert any(f["action"] == "block" for f in shown["findings"])
    with pytest.raises(InvalidInput, match="理由"):
        submit(rt, p["editor"], draft_id, "太短")
    assert submit(rt, p["editor"], draft_id, OVERRIDE_REASON) == "in_review"
    shown = state(rt, draft_id)
    assert shown["route"] == ["editor", "dept_head", "leader"]
    # Every reviewer sees the reason and the findings.
    assert shown["override_reason"] == OVERRIDE_REASON and any(f["action"] == "block" for f in shown["findings"])
    assert "override_routed" in actions(rt, draft_id)
    approve_all(rt, draft_id, p["editor2"], p["head"])
    with pytest.raises(Conflict):
        publish(rt, p["editor"], draft_id)
    approve_all(rt, draft_id, p["leader"])
    publish(rt, p["editor"], draft_id)


def test_override_needs_three_tiers_even_when_the_policy_file_asks_for_fewer(rt, people):
    policy = '[routes]\ngeneral = ["editor"]\nimportant = ["editor", "dept_head"]\nblocked = ["editor"]\n'
    with rt.db.session() as s:
        s.add(WordlistOverride(name="policy.toml", content=policy, updated_by_id=people["admin"].id, updated_at=FIXED))
    draft_id = submitted(rt, people["editor"], BLOCKED)
    submit(rt, people["editor"], draft_id, OVERRIDE_REASON)
    assert state(rt, draft_id)["route"] == ["editor", "dept_head", "leader"]
    assert state(rt, submitted(rt, people["editor"]))["route"] == ["editor"]  # the policy file is used otherwise


def test_an_edit_drops_the_override_reason_written_for_the_old_text(rt, people):
    draft_id = submitted(rt, people["editor"], BLOCKED)
    submit(rt, people["editor"], draft_id, OVERRIDE_REASON)
    edit(rt, people["editor"], draft_id, (BLOCKED[0], BLOCKED[1] + "补充说明。"))
    shown = state(rt, draft_id)
    assert (shown["status"], shown["override_reason"]) == ("returned", None)


# ---------------------------------------------------------------- publish, withdraw


def test_publish_records_exactly_what_was_published(rt, people, config):
    p = people
    draft_id = submitted(rt, p["editor"])
    approve_all(rt, draft_id, p["editor2"], p["head"])
    publication = publish(rt, p["head"], draft_id)
    published_hash = current_hash(rt, draft_id)
    with rt.db.session() as s:
        row = s.get(Publication, publication.id)
        assert (row.payload["title"], row.payload["body"]) == GENERAL
        assert row.payload["content_hash"] == row.content_hash == published_hash
        assert [(x["tier"], x["user"]) for x in row.payload["signoffs"]] == [("editor", "editor2"), ("dept_head", "head")]
        assert row.published_by_id == p["head"].id and row.adapter == "outbox"
        assert row.delivery.startswith("outbox:")
    exported = json.loads((config.publish_export_dir / row.delivery.split(":", 1)[1]).read_text(encoding="utf-8"))
    assert exported["body"] == GENERAL[1] and exported["content_hash"] == row.content_hash
    published = events(rt, draft_id, "published")[0]
    assert published.revision_hash == row.content_hash and published.actor == "head"
    with pytest.raises(Conflict):
        publish(rt, p["head"], draft_id)


def test_publish_is_refused_to_people_outside_the_department(rt, people):
    draft_id = submitted(rt, people["editor"])
    approve_all(rt, draft_id, people["editor2"], people["head"])
    for name in ("outsider", "otherhead", "auditor", "admin"):
        with pytest.raises(Forbidden):
            publish(rt, people[name], draft_id)


def test_author_withdraws_and_a_withdrawn_draft_goes_nowhere(rt, people):
    draft_id = submitted(rt, people["editor"])
    with pytest.raises(Forbidden):
        withdraw(rt, people["editor2"], draft_id)
    withdraw(rt, people["editor"], draft_id)
    assert state(rt, draft_id)["status"] == "withdrawn"
    with pytest.raises(Conflict):
        decide(rt, people["editor2"], draft_id)
    with pytest.raises(Conflict):
        submit(rt, people["editor"], draft_id)


def test_screening_that_keeps_failing_hands_the_draft_back(rt, people, monkeypatch):
    from review import jobs

    def broken(*args):
        raise RuntimeError("model file missing")

    monkeypatch.setattr(jobs, "run_screen", broken)
    draft_id = submitted(rt, people["editor"])
    shown = state(rt, draft_id)
    assert shown["status"] == "returned" and "自动审查未能完成" in shown["note"]
    assert "screening_failed" in actions(rt, draft_id)
    monkeypatch.undo()
    assert submit(rt, people["editor"], draft_id) == "in_review"  # not refused by a reviewer: resubmit as is


def test_a_retried_screening_job_changes_nothing(rt, people):
    from review import jobs

    draft_id = submitted(rt, people["editor"])
    before = actions(rt, draft_id)
    with rt.db.session() as s:
        revision_id = workflow.get_draft(s, draft_id).current_revision_id
    assert jobs.screen_revision(rt, revision_id) == "stale"
    assert actions(rt, draft_id) == before


def test_every_transition_is_audited_with_the_revision_hash(rt, people):
    p = people
    draft_id = submitted(rt, p["editor"])
    h1 = current_hash(rt, draft_id)
    decide(rt, p["editor2"], draft_id, "reject", "请补充开放时间。")
    edit(rt, p["editor"], draft_id)
    h2 = current_hash(rt, draft_id)
    submit(rt, p["editor"], draft_id)
    approve_all(rt, draft_id, p["editor2"], p["head"])
    publish(rt, p["editor"], draft_id)
    trail = [(e.action, e.actor, e.revision_hash) for e in events(rt, draft_id)]
    assert trail == [
        ("draft_created", "editor", h1), ("submitted", "editor", h1), ("screening_started", "editor", h1),
        ("screened", "system", h1), ("routed", "system", h1), ("rejected", "editor2", h1),
        ("draft_edited", "editor", h2), ("submitted", "editor", h2), ("screening_started", "editor", h2),
        ("screened", "system", h2), ("routed", "system", h2), ("approved", "editor2", h2),
        ("approved", "head", h2), ("approved_all_tiers", "system", h2), ("published", "editor", h2),
        ("publication_delivered", "system", h2),
    ]


def test_urgent_draft_gets_the_one_hour_deadline_when_marked_in_review(rt, people):
    draft_id = submitted(rt, people["editor"])
    routine = state(rt, draft_id)["deadline_at"]
    edit(rt, people["editor"], draft_id, GENERAL, urgent=True)
    shown = state(rt, draft_id)
    from datetime import datetime

    deadline = datetime.fromisoformat(shown["deadline_at"])
    assert shown["urgent"] and deadline < datetime.fromisoformat(routine)
    assert abs((deadline - workflow.utcnow()).total_seconds() - 3600) < 60


def test_refused_actions_change_nothing(rt, people):
    draft_id = submitted(rt, people["editor"])
    with rt.db.session() as s:
        before = s.execute(text("SELECT version, status, current_tier FROM draft WHERE id = :i"), {"i": draft_id}).one()
    attempts = [lambda: decide(rt, people["leader"], draft_id), lambda: decide(rt, people["auditor"], draft_id),
                lambda: publish(rt, people["editor"], draft_id), lambda: edit(rt, people["head"], draft_id)]
    for attempt in attempts:
        with pytest.raises((Conflict, Forbidden)):
            attempt()
    with rt.db.session() as s:
        after = s.execute(text("SELECT version, status, current_tier FROM draft WHERE id = :i"), {"i": draft_id}).one()
    assert tuple(before) == tuple(after)


def test_changing_what_is_published_besides_the_text_voids_the_signoffs(rt, people):
    draft_id = submitted(rt, people["editor"])
    approve_all(rt, draft_id, people["editor2"], people["head"])
    edit(rt, people["editor"], draft_id, GENERAL, urgent=True)  # only the clock changes: sign-offs stand
    assert state(rt, draft_id)["status"] == "approved"
    edit(rt, people["editor"], draft_id, GENERAL, repost={"source": "某自媒体账号"})
    shown = state(rt, draft_id)
    assert (shown["status"], shown["current_tier"], shown["repost"]["source"]) == ("in_review", "editor", "某自媒体账号")
    assert "转载信息" in shown["note"]
    with pytest.raises(Conflict):
        publish(rt, people["editor"], draft_id)
    changed = events(rt, draft_id, "draft_options_changed")[-1]
    assert changed.details["changed"] == ["repost"]


def test_the_transition_table_is_the_only_way_a_status_changes():
    from review.models import STATUSES, Draft

    events = {event for _, event in workflow.TRANSITIONS}
    assert {s for s, _ in workflow.TRANSITIONS} | set(workflow.TRANSITIONS.values()) <= set(STATUSES)
    # Nothing leaves published or withdrawn.
    assert not [key for key in workflow.TRANSITIONS if key[0] in ("published", "withdrawn")]
    for status in STATUSES:
        for event in events:
            draft = Draft(status=status)
            if (status, event) in workflow.TRANSITIONS:
                workflow._move(draft, event)
                assert draft.status == workflow.TRANSITIONS[(status, event)]
            else:
                with pytest.raises(Conflict):
                    workflow._move(draft, event)
                assert draft.status == status
