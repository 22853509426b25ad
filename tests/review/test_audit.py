"""The tamper-evident trail: what is recorded, the keyed chain, and tampering done directly in SQL
(by someone who first dropped the append-only triggers, as a database administrator could)."""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from datetime import timezone

import pytest
from sqlalchemy import select, text

from review import admin, audit, audit_guard
from review.config import audit_key
from review.models import AuditEvent, User

from .workflow_helpers import (
    BLOCKED, OVERRIDE_REASON, approve_all, current_hash, decide, edit, events, publish, rt, submit,
    submitted, withdraw, create,
)

__all__ = ["rt"]


def _busy_trail(rt, people):
    """A trail with every kind of event in it; returns the published draft's id."""
    p = people
    draft_id = submitted(rt, p["editor"])
    decide(rt, p["editor2"], draft_id, "reject", "请补充开放时间。")
    edit(rt, p["editor"], draft_id)
    submit(rt, p["editor"], draft_id)
    approve_all(rt, draft_id, p["editor2"], p["head"])
    publish(rt, p["editor"], draft_id)
    blocked = submitted(rt, p["editor"], BLOCKED)
    submit(rt, p["editor"], blocked, OVERRIDE_REASON)
    withdraw(rt, p["editor"], blocked)
    with rt.db.session() as s:
        admin.update_user(s, p["admin"], s.get(User, p["head"].id), deputy=s.get(User, p["editor2"].id))
        shipped, _ = admin.wordlist_text(s, "sensitive/personnel.txt")
        admin.save_override(s, s.get(User, p["admin"].id), "sensitive/personnel.txt", shipped + "星澜书院\n")
    return draft_id


def test_every_state_change_decision_override_edit_login_permission_and_wordlist_change_is_audited(rt, people, web):
    _busy_trail(rt, people)
    web.login("auditor")
    web.post("/logout")
    recorded = {e.action for e in events(rt)}
    for action in ("user_added", "draft_created", "submitted", "screening_started", "screened", "routed", "rejected",
                   "returned", "draft_edited", "approved", "approved_all_tiers", "published", "override_routed",
                   "withdrawn", "user_updated", "wordlist_saved", "login", "logout"):
        assert action in recorded, action
    for event in events(rt):
        assert event.at.tzinfo is not None and event.at.utcoffset() == timezone.utc.utcoffset(None)
        assert event.actor and event.actor_role
    decisions = events(rt, action="approved")
    assert all(e.revision_hash and e.actor_role in ("editor", "dept_head") for e in decisions)
    permission = events(rt, action="user_updated")[0]
    assert (permission.actor, permission.details["changes"]["deputy"]) == ("admin", [None, "editor2"])
    wordlist = events(rt, action="wordlist_saved")[0]
    assert wordlist.actor == "admin" and "星澜书院" in wordlist.details["added"]


def test_each_event_hashes_its_content_and_its_predecessor(rt, people):
    _busy_trail(rt, people)
    trail = events(rt)
    assert trail[0].prev_hash == audit.GENESIS
    for before, event in zip(trail, trail[1:]):
        assert event.seq == before.seq + 1 and event.prev_hash == before.hash
    for event in trail:
        assert event.hash == hmac.new(audit_key(), audit._canonical(event), hashlib.sha256).hexdigest()
        assert event.hash != hashlib.sha256(audit._canonical(event)).hexdigest()  # keyed, not a plain hash
    with rt.db.session() as s:
        result = audit.verify(s)
    assert (result.ok, result.events, result.head) == (True, len(trail), trail[-1].hash)


def _verify(rt, **kw):
    with rt.db.session() as s:
        return audit.verify(s, **kw)


def _sql(rt, statement, **params):
    with rt.db.engine.begin() as conn:
        audit_guard.remove(conn)
        conn.execute(text(statement), params)


@pytest.mark.parametrize("column, value", [
    ("actor", "someone_else"), ("revision_hash", "f" * 64), ("action", "approved"), ("actor_role", "leader"),
])
def test_an_update_in_the_database_is_found_and_named(rt, people, column, value):
    _busy_trail(rt, people)
    _sql(rt, f"UPDATE audit_event SET {column} = :v WHERE seq = 7", v=value)
    result = _verify(rt)
    assert not result.ok and result.first_bad_seq == 7 and "修改" in result.problem


def test_an_update_of_the_details_is_found(rt, people):
    _busy_trail(rt, people)
    bad = events(rt, action="rejected")[0]
    cast = "CAST(:v AS JSON)" if rt.db.engine.dialect.name == "postgresql" else ":v"
    _sql(rt, f"UPDATE audit_event SET details = {cast} WHERE seq = :s",
         v=json.dumps({**bad.details, "comment": "同意"}, ensure_ascii=False), s=bad.seq)
    result = _verify(rt)
    assert not result.ok and result.first_bad_seq == bad.seq


def test_an_update_that_also_rewrites_the_hash_breaks_the_next_link(rt, people):
    _busy_trail(rt, people)
    with rt.db.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.seq == 7))
        event.actor = "someone_else"
        forged = audit.event_hash(event)  # with the key: what even a key holder cannot hide
        s.rollback()
    _sql(rt, "UPDATE audit_event SET actor = 'someone_else', hash = :h WHERE seq = 7", h=forged)
    result = _verify(rt)
    assert not result.ok and result.first_bad_seq == 8 and "前一事件" in result.problem


def test_a_delete_in_the_database_is_found_and_the_next_event_named(rt, people):
    _busy_trail(rt, people)
    _sql(rt, "DELETE FROM audit_event WHERE seq = 5")
    result = _verify(rt)
    assert not result.ok and result.first_bad_seq == 6 and "删除" in result.problem


def test_a_delete_with_renumbering_is_found(rt, people):
    _busy_trail(rt, people)
    _sql(rt, "DELETE FROM audit_event WHERE seq = 5")
    last = events(rt)[-1].seq
    for seq in range(6, last + 1):
        _sql(rt, "UPDATE audit_event SET seq = :n WHERE seq = :o", n=seq - 1, o=seq)
    result = _verify(rt)
    assert not result.ok and result.first_bad_seq == 5 and "前一事件" in result.problem


def test_cutting_off_the_newest_events_is_found_against_a_noted_head(rt, people, tmp_path, monkeypatch):
    _busy_trail(rt, people)
    noted = _verify(rt).head
    last = events(rt)[-1].seq
    _sql(rt, "DELETE FROM audit_event WHERE seq >= :s", s=last - 2)
    monkeypatch.setenv("AUDIT_HEAD_FILE", str(tmp_path / "elsewhere.json"))  # as if the head file were lost too
    result = _verify(rt, expect_head=noted)
    assert not result.ok and "链头" in result.problem


def test_cutting_off_the_newest_events_is_found_by_the_head_file_alone(rt, people):
    _busy_trail(rt, people)
    last = events(rt)[-1].seq
    _sql(rt, "DELETE FROM audit_event WHERE seq >= :s", s=last - 2)
    result = _verify(rt)
    assert not result.ok and result.first_bad_seq == last and "末尾事件" in result.problem


def test_the_trail_refuses_update_and_delete(rt, people):
    _busy_trail(rt, people)
    for statement in ("UPDATE audit_event SET actor = 'x' WHERE seq = 3", "DELETE FROM audit_event WHERE seq = 3"):
        with pytest.raises(Exception, match="append-only"), rt.db.engine.begin() as conn:
            conn.execute(text(statement))
    assert _verify(rt).ok


def _insert(rt, **overrides):
    head = events(rt)[-1]
    row = dict(seq=head.seq + 1, at=head.at.replace(tzinfo=None).isoformat(sep=" "), actor_id=None, actor="leader",
               actor_role="leader", action="approved", draft_id=head.draft_id, revision_hash="a" * 64, details="{}",
               prev_hash=head.hash, hash="b" * 64)
    row.update(overrides)
    columns = ", ".join(row)
    _sql(rt, f"INSERT INTO audit_event ({columns}) VALUES ({', '.join(':' + c for c in row)})", **row)
    return row


def test_an_insert_at_the_end_is_found(rt, people):
    _busy_trail(rt, people)
    row = _insert(rt)
    result = _verify(rt)
    assert not result.ok and result.first_bad_seq == row["seq"]


def test_an_insert_in_the_middle_is_found(rt, people):
    _busy_trail(rt, people)
    last = events(rt)[-1].seq
    for seq in range(last, 4, -1):  # make room after event 4, from the end so seq stays unique
        _sql(rt, "UPDATE audit_event SET seq = :n WHERE seq = :o", n=seq + 1, o=seq)
    # prev_hash is unique, so the forged row cannot even claim event 4 as its predecessor.
    _insert(rt, seq=5, prev_hash="d" * 64, hash="c" * 64)
    result = _verify(rt)
    assert not result.ok and result.first_bad_seq == 5


def test_an_insert_before_the_first_event_is_found(rt, people):
    _busy_trail(rt, people)
    _insert(rt, seq=0, prev_hash=audit.GENESIS[:-1] + "1")
    result = _verify(rt)
    assert not result.ok and result.first_bad_seq == 0


@pytest.fixture
def cli_run(review_cli):
    return review_cli


def test_review_audit_verify_exits_non_zero_and_names_the_first_bad_event(rt, people, cli_run):
    _busy_trail(rt, people)
    good = cli_run("audit", "verify")
    assert good.exit_code == 0, good.output
    assert json.loads(good.stdout)["ok"] is True
    head = json.loads(good.stdout)["head"]
    _sql(rt, "UPDATE audit_event SET actor = 'x' WHERE seq = 9")
    bad = cli_run("audit", "verify")
    assert bad.exit_code == 2
    assert json.loads(bad.stdout)["first_bad_seq"] == 9
    assert "第 9 号事件" in bad.stderr


def test_review_audit_verify_with_a_noted_head_finds_a_cut_tail(rt, people, cli_run):
    _busy_trail(rt, people)
    head = json.loads(cli_run("audit", "verify").stdout)["head"]
    assert cli_run("audit", "verify", "--head", head).exit_code == 0
    _sql(rt, "DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)")
    result = cli_run("audit", "verify", "--head", head)
    assert result.exit_code == 2 and "链头" in result.stderr


def test_auditors_export_the_filtered_trail_as_csv_and_json(rt, people, web):
    draft_id = _busy_trail(rt, people)
    client = web.login("auditor")
    as_json = client.get(f"/audit/export.json?draft_id={draft_id}")
    assert as_json.status_code == 200
    rows = json.loads(as_json.get_data(as_text=True))
    expected = [audit.event_dict(e) for e in events(rt, draft_id)]
    assert rows == json.loads(json.dumps(expected, ensure_ascii=False))
    as_csv = client.get(f"/audit/export.csv?draft_id={draft_id}&action=approved")
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["actor"] for r in table] == ["editor2", "head"]
    assert all(r["revision_hash"] == current_hash(rt, draft_id) for r in table)
    assert json.loads(table[0]["details"])["tier"] == "editor"
    for forbidden in ("editor", "head"):
        assert web.login(forbidden).get("/audit/export.json").status_code == 403


def test_for_a_published_post_the_trail_shows_who_approved_which_text(rt, people):
    draft_id = _busy_trail(rt, people)
    with rt.db.session() as s:
        from review import workflow
        from review.models import Publication, Revision

        publication = s.scalar(select(Publication).where(Publication.draft_id == draft_id))
        published = s.get(Revision, publication.revision_id)
        by_hash = {r.content_hash: r for r in workflow.revisions(s, workflow.get_draft(s, draft_id))}
    trail = events(rt, draft_id)
    approvals = [(e.actor, e.details["tier"]) for e in trail
                 if e.action == "approved" and e.revision_hash == publication.content_hash]
    assert approvals == [("editor2", "editor"), ("head", "dept_head")]
    rejected = next(e for e in trail if e.action == "rejected")
    assert rejected.revision_hash != publication.content_hash  # the refusal was of the earlier text
    assert by_hash[publication.content_hash].body == published.body == publication.payload["body"]
    assert [(e.action, e.revision_hash) for e in trail[-2:]] == [
        ("published", publication.content_hash), ("publication_delivered", publication.content_hash)]


def test_audit_events_can_only_be_appended_through_record(rt, people):
    create(rt, people["editor"])
    with rt.db.session() as s:
        first = audit.record(s, people["admin"], "test_event", note="一")
        second = audit.record(s, None, "test_event", note="二")
    assert second.prev_hash == first.hash and second.seq == first.seq + 1
    assert (second.actor, second.actor_role) == ("system", "system")
    assert _verify(rt).ok
