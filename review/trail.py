"""The auditor's view of the trail: filters across events and the drafts they concern, one page
at a time, and a cached chain verification (001 四(三): who approved what, when, on which text).

Filters on department, channel, state and finding category reach the draft through
AuditEvent.draft_id; each is a semi-join (`draft_id IN (…)`), so the event table is still read
newest-first through its primary key and one page costs the same with 10 or 100,000 events.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from . import audit
from .models import AuditEvent, Draft, FindingRow, Revision, ScreeningResult

PAGE_SIZE = 50


@dataclass
class TrailFilter:
    actor: str | None = None
    action: str | None = None
    draft_id: int | None = None
    department_id: int | None = None
    channel_id: int | None = None
    status: str | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, query, *, for_count: bool = False):
        if self.actor:
            query = query.where(AuditEvent.actor == self.actor)
        if self.action:
            query = query.where(AuditEvent.action == self.action)
        if self.draft_id is not None:
            query = query.where(AuditEvent.draft_id == self.draft_id)
        if self.since:
            query = query.where(AuditEvent.at >= self.since)
        if self.until:
            query = query.where(AuditEvent.at < self.until)
        conditions = []
        if self.department_id is not None:
            conditions.append(Draft.department_id == self.department_id)
        if self.channel_id is not None:
            conditions.append(Draft.channel_id == self.channel_id)
        if self.status:
            conditions.append(Draft.status == self.status)
        if conditions:
            # Counting all matches is fastest driven from the drafts (IN); fetching the newest page
            # is fastest walking events newest-first and probing each one's draft (EXISTS).
            if for_count:
                query = query.where(AuditEvent.draft_id.in_(select(Draft.id).where(*conditions)))
            else:
                query = query.where(exists().where(Draft.id == AuditEvent.draft_id, *conditions))
        if self.category:
            flagged = drafts_with_category(self.category)
            if for_count:
                query = query.where(AuditEvent.draft_id.in_(flagged))
            else:
                query = query.where(exists(flagged.where(Revision.draft_id == AuditEvent.draft_id)))
        return query


def drafts_with_category(category: str):
    """Drafts any revision of which screening flagged with `category`."""
    return (select(Revision.draft_id)
            .join(ScreeningResult, ScreeningResult.revision_id == Revision.id)
            .join(FindingRow, FindingRow.screening_id == ScreeningResult.id)
            .where(FindingRow.category == category))


# Counting stops here: past it the page says "more than", as exact totals of a large trail cost
# more than the page itself. Exports are not capped.
COUNT_CAP = 10_000


@dataclass
class Page:
    events: list[AuditEvent]
    total: int
    number: int
    size: int
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages or (self.capped and len(self.events) == self.size)


def page(session: Session, filters: TrailFilter, number: int = 1, size: int = PAGE_SIZE) -> Page:
    number = max(1, number)
    matching = filters.apply(select(AuditEvent.id), for_count=True).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(matching)) or 0
    # Newest first by time, then seq: with a date range the planner can walk the `at` index in
    # order instead of sorting every event in the range (events are appended in time order).
    events = session.scalars(
        filters.apply(select(AuditEvent)).order_by(AuditEvent.at.desc(), AuditEvent.seq.desc())
        .limit(size).offset((number - 1) * size)
    ).all()
    return Page(list(events), min(total, COUNT_CAP), number, size, capped=total > COUNT_CAP)


def all_events(session: Session, filters: TrailFilter):
    """Every matching event oldest first, streamed (exports)."""
    return session.scalars(filters.apply(select(AuditEvent)).order_by(AuditEvent.seq).execution_options(yield_per=1000))


@dataclass
class _Cached:
    count: int
    last_seq: int | None
    head: str | None
    result: audit.Verification
    checked_at: float  # last time anything was checked
    walked_at: float  # last time the whole chain was walked


@dataclass
class IntegrityCache:
    """Walking the whole chain reads and hashes every event (seconds at 100,000 events), pages ask
    often, and the chain mostly grows at its end. So: a full walk at most every `ttl` seconds;
    in between, only events appended since the last check are verified against the known head.
    An edit to an old row (which leaves the head alone) is found by the next full walk, at most
    `ttl` seconds later; a deleted old row changes the count and forces a full walk at once.
    """

    ttl: float = 60.0
    _cached: _Cached | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def verify(self, session: Session, *, fresh: bool = False) -> tuple[audit.Verification, float]:
        count, last_seq = session.execute(select(func.count(AuditEvent.id), func.max(AuditEvent.seq))).one()
        head = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))
        now = time.time()
        with self._lock:
            cached = self._cached
        if not fresh and cached and cached.result.ok and now - cached.walked_at < self.ttl:
            if (count, last_seq, head) == (cached.count, cached.last_seq, cached.head):
                return cached.result, cached.checked_at
            tail = self._tail(session, cached, count)
            if tail is not None:
                with self._lock:
                    self._cached = _Cached(count, last_seq, head, tail, now, cached.walked_at)
                return tail, now
        result = audit.verify(session)
        with self._lock:
            self._cached = _Cached(count, last_seq, head, result, now, now)
        return result, now

    @staticmethod
    def _tail(session: Session, cached: _Cached, count: int) -> audit.Verification | None:
        """Verify only the events after the cached head, with the same checks as audit.verify.
        None when the tail does not explain the new count (rows vanished): walk everything."""
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > (cached.last_seq or 0)).order_by(AuditEvent.seq)
        ).all()
        if cached.count + len(events) != count:
            return None
        prev_hash, expected = cached.head or audit.GENESIS, (cached.last_seq or 0) + 1
        for n, event in enumerate(events, cached.count + 1):
            if event.seq != expected or event.prev_hash != prev_hash or audit.event_hash(event) != event.hash:
                return None  # let the full walk name the problem in audit.verify's words
            prev_hash, expected = event.hash, expected + 1
        return audit.Verification(True, count, prev_hash if count else None)
