"""Deadlines: urgent drafts (突发/应急) within the hour and escalating to deputies; office days otherwise."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from review import accounts, admin, deadlines, queue, workflow
from review.errors import Conflict
from review.models import Draft, User

from .workflow_helpers import IMPORTANT, PASSWORD_FREE, decide, events, rt, state, submitted

__all__ = ["rt"]
CST = deadlines.CHINA


def _cst(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


@pytest.mark.parametrize("start, days, due", [
    # 2024 National Day: 1–7 October off; the 8th is the first working day.
    (_cst(2024, 9, 30, 9), 1, _cst(2024, 10, 8, 18)),
    (_cst(2024, 9, 30, 9), 3, _cst(2024, 10, 10, 18)),
    # Sunday 29 September 2024 was a working day (调休): a plain weekday count would skip it.
    (_cst(2024, 9, 27, 10), 1, _cst(2024, 9, 29, 18)),
    # An ordinary week: Friday to Monday.
    (_cst(2024, 11, 15, 16), 1, _cst(2024, 11, 18, 18)),
    # Late at night in China is still the same China date, whatever the UTC date says.
    (datetime(2024, 11, 14, 17, tzinfo=timezone.utc), 1, _cst(2024, 11, 18, 18)),
])
def test_office_days_come_from_the_chinese_working_day_calendar(start, days, due):
    assert deadlines.add_working_days(start, days) == due
    assert deadlines.add_working_days(start, days).tzinfo == timezone.utc


def test_outside_the_calendars_years_weekends_are_the_fallback():
    assert deadlines.is_working_day(datetime(2099, 1, 5).date()) is True   # a Monday
    assert deadlines.is_working_day(datetime(2099, 1, 4).date()) is False  # a Sunday


def test_urgent_draft_shows_its_one_hour_first_report_deadline(rt, people):
    # 004 6.3.2.3: major incidents are first reported within 1 hour.
    before = workflow.utcnow()
    shown = state(rt, submitted(rt, people["editor"], urgent=True))
    deadline = datetime.fromisoformat(shown["deadline_at"])
    assert shown["urgent"] and before + timedelta(hours=1) <= deadline <= workflow.utcnow() + timedelta(hours=1)


def test_routine_draft_deadline_is_three_office_days(rt, people):
    before = workflow.utcnow()
    shown = state(rt, submitted(rt, people["editor"]))
    deadline = datetime.fromisoformat(shown["deadline_at"])
    assert deadlines.add_working_days(before, 3) <= deadline <= deadlines.add_working_days(workflow.utcnow(), 3)
    assert deadline - before > timedelta(days=2)


@pytest.fixture
def vice(rt, people):
    """Deputy of the department head (and of the leader): an editor who signs nothing else here."""
    with rt.db.session() as s:
        vice = accounts.add_user(s, "vice", "Vice", "editor", PASSWORD_FREE, accounts.department_by_name(s, "宣传科"))
        acting_admin = s.get(User, people["admin"].id)
        admin.update_user(s, acting_admin, s.get(User, people["head"].id), deputy=vice)
        admin.update_user(s, acting_admin, s.get(User, people["leader"].id), deputy=vice)
    return vice


def _tier_began(rt, draft_id, ago: timedelta):
    with rt.db.session() as s:
        s.get(Draft, draft_id).tier_since = workflow.utcnow() - ago


def _queued(rt, user) -> list[int]:
    with rt.db.session() as s:
        return [d.id for d in queue.waiting_for(s, user)]


def test_an_urgent_draft_a_tier_sits_on_escalates_to_its_deputy(rt, people, vice):
    draft_id = submitted(rt, people["editor"], urgent=True)
    decide(rt, people["editor2"], draft_id)
    assert draft_id not in _queued(rt, vice)
    with pytest.raises(Conflict, match="尚未超时"):
        decide(rt, vice, draft_id)
    _tier_began(rt, draft_id, deadlines.URGENT_TIER_LIMIT + timedelta(minutes=1))
    assert draft_id in _queued(rt, vice) and draft_id in _queued(rt, people["head"])
    shown = decide(rt, vice, draft_id)
    assert shown["status"] == "approved"
    assert [(s["user"], s["as_deputy"]) for s in shown["signoffs"]] == [("editor2", False), ("vice", True)]
    signed = events(rt, draft_id, "approved")[-1]
    assert (signed.actor, signed.details["as_deputy"], signed.details["tier"]) == ("vice", True, "dept_head")


def test_the_leader_tier_escalates_too(rt, people, vice):
    draft_id = submitted(rt, people["editor"], IMPORTANT, urgent=True)
    decide(rt, people["editor2"], draft_id)
    decide(rt, people["head"], draft_id)
    _tier_began(rt, draft_id, timedelta(hours=2))
    assert decide(rt, vice, draft_id)["status"] == "approved"


def test_a_routine_draft_escalates_only_after_a_working_day(rt, people, vice):
    draft_id = submitted(rt, people["editor"])
    decide(rt, people["editor2"], draft_id)
    _tier_began(rt, draft_id, deadlines.URGENT_TIER_LIMIT + timedelta(minutes=1))
    assert draft_id not in _queued(rt, vice)  # the urgent limit does not apply
    _tier_began(rt, draft_id, timedelta(days=12))  # more than one working day, whatever the holidays
    assert draft_id in _queued(rt, vice)
    decide(rt, vice, draft_id)


def test_a_deputy_never_signs_two_tiers_nor_their_principals_own_draft_as_author(rt, people, vice):
    draft_id = submitted(rt, people["editor"], urgent=True)
    decide(rt, vice, draft_id)  # vice is an editor of the department: signs the editor tier directly
    _tier_began(rt, draft_id, timedelta(hours=1))
    assert draft_id not in _queued(rt, vice)
    with pytest.raises(Exception) as refused:
        decide(rt, vice, draft_id)
    assert refused.value.status == 403
    own = submitted(rt, vice, urgent=True)
    _tier_began(rt, own, timedelta(hours=1))
    assert own not in _queued(rt, vice)
