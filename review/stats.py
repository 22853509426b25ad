"""Numbers for the dashboard: where drafts wait, how long each tier takes, what screening blocks,
and which accounts have gone quiet (002 §18: accounts update at least every 7 days)."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import patrol, publishing
from .db import utcnow
from .deadlines import CHINA
from .models import TIERS, AuditEvent, Channel, Draft, FindingRow, Publication, Rectification, ScreeningResult, SignOff

QUIET_DAYS = 7  # 002 §18
OUTCOMES = ("published", "returned", "withdrawn")
OUTCOME_EVENTS = {"published": "published", "returned": "returned", "rejected": "returned",
                  "screening_failed": "returned", "withdrawn": "withdrawn"}


@dataclass
class TierTime:
    tier: str
    count: int
    median_hours: float
    mean_hours: float


@dataclass
class QuietChannel:
    channel: Channel
    last_published: datetime | None
    days: int | None  # None: never published


def pending_per_tier(session: Session) -> dict[str, dict[str, int]]:
    rows = session.execute(
        select(Draft.current_tier, Draft.urgent, func.count(Draft.id))
        .where(Draft.status == "in_review").group_by(Draft.current_tier, Draft.urgent)
    ).all()
    out = {tier: {"total": 0, "urgent": 0} for tier in TIERS}
    for tier, urgent, count in rows:
        if tier in out:
            out[tier]["total"] += count
            if urgent:
                out[tier]["urgent"] += count
    return out


def tier_durations(session: Session, since: datetime) -> list[tuple[str, datetime, float]]:
    """(tier, signed at, hours) for every sign-off since `since`: how long the tier held the draft,
    from the moment it reached the tier (routing for the first tier, the previous sign-off for the
    others) to the sign-off."""
    signoffs = session.execute(
        select(SignOff.draft_id, SignOff.round, SignOff.tier, SignOff.created_at)
        .where(SignOff.created_at >= since).order_by(SignOff.draft_id, SignOff.round, SignOff.created_at)
    ).all()
    if not signoffs:
        return []
    drafts = {s.draft_id for s in signoffs}
    routed: dict[int, list[datetime]] = defaultdict(list)
    for draft_id, at in session.execute(
        select(AuditEvent.draft_id, AuditEvent.at)
        .where(AuditEvent.action.in_(("routed", "route_restarted")), AuditEvent.at >= since - timedelta(days=60))
        .order_by(AuditEvent.at)
    ):
        if draft_id in drafts:
            routed[draft_id].append(at)
    durations = []
    previous: tuple | None = None
    for s in signoffs:
        key = (s.draft_id, s.round)
        if previous is not None and previous[0] == key:
            start = previous[1]
        else:
            earlier = [at for at in routed.get(s.draft_id, []) if at <= s.created_at]
            start = earlier[-1] if earlier else None
        if start is not None:
            durations.append((s.tier, s.created_at, (s.created_at - start).total_seconds() / 3600))
        previous = (key, s.created_at)
    return durations


def time_per_tier(session: Session, since: datetime) -> list[TierTime]:
    hours: dict[str, list[float]] = defaultdict(list)
    for tier, _, h in tier_durations(session, since):
        hours[tier].append(h)
    return [TierTime(t, len(hours[t]), round(statistics.median(hours[t]), 2) if hours[t] else 0.0,
                     round(statistics.fmean(hours[t]), 2) if hours[t] else 0.0) for t in TIERS]


def _days(since: datetime, now: datetime) -> list[date]:
    first, last = since.astimezone(CHINA).date(), now.astimezone(CHINA).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def outcomes_per_day(session: Session, since: datetime, now: datetime | None = None) -> list[dict]:
    """Per China day: drafts published, returned (blocked by screening or rejected by a tier), withdrawn."""
    counts: dict[date, Counter] = defaultdict(Counter)
    for action, at in session.execute(select(AuditEvent.action, AuditEvent.at)
                                      .where(AuditEvent.action.in_(OUTCOME_EVENTS), AuditEvent.at >= since)):
        counts[at.astimezone(CHINA).date()][OUTCOME_EVENTS[action]] += 1
    return [{"day": day, "total": sum(counts[day].values()), **{o: counts[day][o] for o in OUTCOMES}}
            for day in _days(since, now or utcnow())]


def tier_time_per_day(session: Session, since: datetime, now: datetime | None = None) -> list[dict]:
    """Per China day: the median hours each tier took over the sign-offs of that day (None: no sign-off)."""
    hours: dict[tuple[date, str], list[float]] = defaultdict(list)
    for tier, at, h in tier_durations(session, since):
        hours[(at.astimezone(CHINA).date(), tier)].append(h)
    return [{"day": day, **{t: (statistics.median(hours[(day, t)]) if hours[(day, t)] else None) for t in TIERS}}
            for day in _days(since, now or utcnow())]


def blocked_by_category(session: Session, since: datetime) -> dict:
    """Of the screenings in the period, how many were blocked, and which categories blocked them."""
    in_period = ScreeningResult.created_at >= since
    total = session.scalar(select(func.count()).select_from(ScreeningResult).where(in_period)) or 0
    blocked = session.scalar(select(func.count()).select_from(ScreeningResult)
                             .where(in_period, ScreeningResult.sensitivity == "blocked")) or 0
    # A screening blocked by two findings of one category counts once for it.
    per_screening = (select(FindingRow.screening_id, FindingRow.check, FindingRow.category).distinct()
                     .join(ScreeningResult, ScreeningResult.id == FindingRow.screening_id)
                     .where(in_period, ScreeningResult.sensitivity == "blocked", FindingRow.action == "block")
                     .subquery())
    counts = session.execute(select(per_screening.c.check, per_screening.c.category, func.count())
                             .group_by(per_screening.c.check, per_screening.c.category)
                             .order_by(func.count().desc(), per_screening.c.category)).all()
    return {
        "total": total,
        "blocked": blocked,
        "share": blocked / total if total else 0.0,
        "categories": [{"check": c, "category": k, "count": n, "share": n / blocked if blocked else 0.0}
                       for c, k, n in counts],
    }


def quiet_channels(session: Session, now: datetime | None = None, days: int = QUIET_DAYS) -> list[QuietChannel]:
    now = now or utcnow()
    last = dict(session.execute(
        select(Publication.channel_id, func.max(Publication.published_at)).group_by(Publication.channel_id)
    ).all())
    quiet = []
    for channel in session.scalars(select(Channel).order_by(Channel.platform, Channel.name)):
        at = last.get(channel.id)
        if at is None or now - at >= timedelta(days=days):
            quiet.append(QuietChannel(channel, at, (now - at).days if at else None))
    return quiet


def dashboard(session: Session, days: int = 30) -> dict:
    since = utcnow() - timedelta(days=days)
    return {
        "days": days,
        "pending": pending_per_tier(session),
        "tier_times": time_per_tier(session, since),
        "outcomes": outcomes_per_day(session, since),
        "tier_trend": tier_time_per_day(session, since),
        "blocked": blocked_by_category(session, since),
        "quiet": quiet_channels(session),
        # Publication safety: what went out differs from what was signed, open 整改, the latest patrol.
        "mismatches": publishing.mismatches(session),
        "open_rectifications": session.scalar(
            select(func.count()).select_from(Rectification).where(Rectification.status == "open")) or 0,
        "patrol": patrol.latest(session),
    }
