"""Deadlines: urgent first reports within the hour, others in office (working) days."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA = ZoneInfo("Asia/Shanghai")
# 004 6.3.2.3: major incidents are first reported on Weibo within 1 hour.
URGENT_DEADLINE = timedelta(hours=1)
# An urgent draft gives each tier this long before its deputies may sign in its place.
URGENT_TIER_LIMIT = timedelta(minutes=20)
# Routine drafts: each tier has one working day; the whole route three.
ROUTINE_WORKING_DAYS = 3
ROUTINE_TIER_WORKING_DAYS = 1
OFFICE_CLOSES = time(18, 0)


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # the calendar package covers a fixed range of years
        return day.weekday() < 5


def add_working_days(start: datetime, days: int) -> datetime:
    """End of office hours (China time) on the `days`-th working day after `start`."""
    local = start.astimezone(CHINA)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, OFFICE_CLOSES, CHINA).astimezone(timezone.utc)


def draft_deadline(submitted_at: datetime, urgent: bool) -> datetime:
    if urgent:
        return submitted_at + URGENT_DEADLINE
    return add_working_days(submitted_at, ROUTINE_WORKING_DAYS)


def tier_overdue_at(tier_since: datetime, urgent: bool) -> datetime:
    if urgent:
        return tier_since + URGENT_TIER_LIMIT
    return add_working_days(tier_since, ROUTINE_TIER_WORKING_DAYS)
