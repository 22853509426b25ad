"""The leader roster: admin edits and CSV import are audited and re-screen drafts in review;
publishing checks against the roster of that moment."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from review import roster
from review.errors import Conflict, InvalidInput
from review.models import AuditEvent, LeaderRoster, User

from .workflow_helpers import actions, approve_all, decide, publish, rt, state, submitted

__all__ = ["rt"]
MEETING = ("县政府常务会议", "县长李明华主持召开县政府常务会议，研究春耕生产工作。")
CSV = "name,title,rank,unit,valid_from,valid_to\n王建国,县委书记,1,县委,2021-06-01,\n李明华,县长,2,县委,2021-07-01,\n"


def _admin(s, people) -> User:
    return s.get(User, people["admin"].id)


def _add(rt, people, **fields):
    with rt.db.session() as s:
        return roster.add(s, _admin(s, people), **{"unit": "县委", "valid_from": "", "valid_to": "", **fields}).id


def test_a_roster_edit_rescreens_a_draft_in_review_and_restarts_its_route(rt, people):
    draft_id = submitted(rt, people["editor"], MEETING)
    decide(rt, people["editor2"], draft_id)
    assert state(rt, draft_id)["sensitivity"] == "general"
    _add(rt, people, name="李明华", title="副县长", rank=3)  # the roster says he is deputy
    shown = state(rt, draft_id)
    leader = [f for f in shown["findings"] if f["check"] == "expression" and f["category"] == "leader"]
    assert [(f["text"], f["action"], f["details"]["suggestion"]) for f in leader] == [("县长", "escalate", "副县长")]
    assert shown["sensitivity"] == "important" and shown["current_tier"] == "editor"
    assert "rescreened" in actions(rt, draft_id) and "route_restarted" in actions(rt, draft_id)


def test_roster_changes_are_audited(rt, people):
    row_id = _add(rt, people, name="李明华", title="县长", rank=2)
    with rt.db.session() as s:
        roster.update(s, _admin(s, people), row_id, name="李明华", title="县长", rank=1, unit="县委",
                      valid_from="2021-07-01", valid_to="")
        roster.remove(s, _admin(s, people), row_id)
    with rt.db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action.like("roster_%")).order_by(AuditEvent.seq)).all()
        assert [e.action for e in events] == ["roster_added", "roster_updated", "roster_removed"]
        assert events[1].details["old"]["rank"] == 2 and events[1].details["new"]["rank"] == 1
        assert all(e.actor == "admin" for e in events)


@pytest.mark.parametrize("fields, message", [
    ({"name": "", "title": "县长", "rank": 1}, "姓名和职务"),
    ({"name": "李明华", "title": "县长", "rank": "一"}, "排序"),
    ({"name": "李明华", "title": "县长", "rank": 1, "valid_from": "2026-02-30"}, "不是日期"),
    ({"name": "李明华", "title": "县长", "rank": 1, "valid_from": "2026-02-01", "valid_to": "2025-01-01"}, "早于"),
])
def test_bad_roster_entries_are_refused(rt, people, fields, message):
    with pytest.raises(InvalidInput, match=message):
        _add(rt, people, **fields)


def test_only_an_administrator_edits_the_roster(rt, people):
    from review.errors import Forbidden

    with rt.db.session() as s, pytest.raises(Forbidden):
        roster.add(s, s.get(User, people["editor"].id), name="李明华", title="县长", rank=1, unit="", valid_from="",
                   valid_to="")


def test_publishing_refuses_a_title_that_ended_after_the_sign_off(rt, people):
    _add(rt, people, name="李明华", title="县长", rank=2)
    draft_id = submitted(rt, people["editor"], MEETING)
    approve_all(rt, draft_id, people["editor2"], people["head"])
    # His term ends yesterday: no edit re-screened the draft, the date simply passed.
    with rt.db.session() as s:
        s.scalar(select(LeaderRoster)).valid_to = date.today() - timedelta(days=1)
    with pytest.raises(Conflict, match="按当前领导名单复核.*不再担任县长"):
        publish(rt, people["editor"], draft_id)
    assert state(rt, draft_id)["status"] == "approved"


def test_publishing_is_not_stopped_by_a_leader_finding_the_signers_saw(rt, people):
    _add(rt, people, name="李明华", title="副县长", rank=3)
    draft_id = submitted(rt, people["editor"], MEETING)
    assert state(rt, draft_id)["sensitivity"] == "important"
    approve_all(rt, draft_id, people["editor2"], people["head"], people["leader"])
    publish(rt, people["editor"], draft_id)
    assert state(rt, draft_id)["status"] == "published"


def test_cli_import_adds_updates_and_audits(rt, people, review_cli, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(CSV, encoding="utf-8")
    result = review_cli("roster", "import", str(path), "--by", "admin")
    assert result.exit_code == 0, result.output
    assert "新增 2 条" in result.output
    path.write_text(CSV.replace("李明华,县长,2", "李明华,县长,3"), encoding="utf-8")
    assert "新增 0 条，更新 1 条" in review_cli("roster", "import", str(path), "--by", "admin").output
    with rt.db.session() as s:
        assert [(e.name, e.rank) for e in roster.entries(s)] == [("王建国", 1), ("李明华", 3)]
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "roster_imported").order_by(AuditEvent.seq.desc())
                        .limit(1)).details["updated"] == 1


def test_cli_import_with_a_bad_line_saves_nothing(rt, people, review_cli, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(CSV + "赵刚,副县长,x,县委,,\n", encoding="utf-8")
    result = review_cli("roster", "import", str(path), "--by", "admin")
    assert result.exit_code == 1 and "第 4 行" in result.output
    with rt.db.session() as s:
        assert roster.entries(s) == ()


def test_admin_page_adds_a_roster_entry(web):
    web.login("admin")
    page = web.get("/admin/roster")
    assert "领导名单" in page.get_data(as_text=True)
    response = web.post("/admin/roster", {"unit": "县委", "rank": "2", "title": "县长", "name": "李明华",
                                          "valid_from": "2021-07-01", "valid_to": ""})
    assert response.status_code == 302
    assert "李明华" in web.get("/admin/roster").get_data(as_text=True)
    bad = web.post("/admin/roster", {"unit": "县委", "rank": "0", "title": "县长", "name": "李明华"})
    assert bad.status_code == 400 and "排序须为正整数" in bad.get_data(as_text=True)
