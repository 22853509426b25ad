"""review.trail: the integrity cache verifies appended events only, and never hides tampering for long."""
from sqlalchemy import delete, update

from review import audit, audit_guard, trail
from review.models import AuditEvent


def _events(session, n):
    for i in range(n):
        audit.record(session, None, "test_event", n=i)
    session.commit()  # the head is anchored outside the database when events commit


def test_appended_events_are_verified_without_a_full_walk(session, monkeypatch):
    _events(session, 5)
    cache = trail.IntegrityCache(ttl=3600)
    result, _ = cache.verify(session)
    assert result.ok and result.events == 5
    walks = []
    monkeypatch.setattr(audit, "verify", lambda s: walks.append(1))
    _events(session, 3)
    result, _ = cache.verify(session)
    assert result.ok and result.events == 8 and walks == []
    assert result.head == session.query(AuditEvent).order_by(AuditEvent.seq.desc()).first().hash


def test_tampered_new_event_is_named_by_a_full_walk(session):
    _events(session, 5)
    cache = trail.IntegrityCache(ttl=3600)
    assert cache.verify(session)[0].ok
    _events(session, 2)
    audit_guard.remove(session.connection())  # the trail refuses UPDATE and DELETE otherwise
    session.execute(update(AuditEvent).where(AuditEvent.seq == 7).values(actor="mallory"))
    result, _ = cache.verify(session)
    assert not result.ok and result.first_bad_seq == 7


def test_deleted_old_event_forces_a_full_walk_at_once(session):
    _events(session, 5)
    cache = trail.IntegrityCache(ttl=3600)
    assert cache.verify(session)[0].ok
    audit_guard.remove(session.connection())  # the trail refuses UPDATE and DELETE otherwise
    session.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
    _events(session, 1)
    result, _ = cache.verify(session)
    assert not result.ok and result.first_bad_seq == 3


def test_edited_old_event_is_found_once_the_ttl_passes(session):
    _events(session, 5)
    cache = trail.IntegrityCache(ttl=0)
    assert cache.verify(session)[0].ok
    audit_guard.remove(session.connection())  # the trail refuses UPDATE and DELETE otherwise
    session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="mallory"))
    result, _ = cache.verify(session)
    assert not result.ok and result.first_bad_seq == 2


def test_count_is_capped_but_paging_goes_on(session, monkeypatch):
    monkeypatch.setattr(trail, "COUNT_CAP", 20)
    _events(session, 30)
    page = trail.page(session, trail.TrailFilter(action="test_event"), 1, size=10)
    assert page.capped and page.total == 20 and page.has_next
    last = trail.page(session, trail.TrailFilter(action="test_event"), 3, size=10)
    assert [e.details["n"] for e in last.events] == list(range(9, -1, -1))
