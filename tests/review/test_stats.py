"""review.stats: the dashboard's numbers from a few known drafts."""
from datetime import timedelta

from sqlalchemy import update

from review import audit_guard, stats
from review.db import utcnow
from review.models import AuditEvent, Channel, SignOff
from tests.review.workflow_helpers import (  # noqa: F401  (rt is a fixture)
    BLOCKED, approve_all, publish, rt, submitted,
)


def _ours(quiet):
    """Quiet channels of this test, leaving out the accounts every test department has (conftest)."""
    return [q for q in quiet if not q.channel.name.endswith("测试号")]


def test_pending_time_blocked_and_quiet_channels(rt, people):
    with rt.db.session() as s:
        busy = Channel(name="常更号", platform="微博", department_id=people["editor"].department_id)
        quiet = Channel(name="沉默号", platform="微信公众号", department_id=people["editor"].department_id)
        s.add_all([busy, quiet])
    published = submitted(rt, people["editor"], channel_id=busy.id)
    approve_all(rt, published, people["editor2"], people["head"])
    publish(rt, people["editor"], published)
    submitted(rt, people["editor"], urgent=True)
    submitted(rt, people["editor"], BLOCKED)

    # Make the first tier take exactly two hours and the second one hour.
    with rt.db.session() as s:
        routed_at = utcnow() - timedelta(hours=5)
        audit_guard.remove(s.connection())  # the trail refuses UPDATE and DELETE otherwise
        s.execute(update(AuditEvent).where(AuditEvent.draft_id == published, AuditEvent.action == "routed")
                  .values(at=routed_at))
        s.execute(update(SignOff).where(SignOff.draft_id == published, SignOff.tier == "editor")
                  .values(created_at=routed_at + timedelta(hours=2)))
        s.execute(update(SignOff).where(SignOff.draft_id == published, SignOff.tier == "dept_head")
                  .values(created_at=routed_at + timedelta(hours=3)))
        data = stats.dashboard(s, days=30)

    assert data["pending"]["editor"] == {"total": 1, "urgent": 1}
    times = {t.tier: t for t in data["tier_times"]}
    assert times["editor"].median_hours == 2.0 and times["dept_head"].median_hours == 1.0
    assert times["leader"].count == 0
    assert data["blocked"]["total"] == 3 and data["blocked"]["blocked"] == 1
    assert [c["category"] for c in data["blocked"]["categories"]] == ["zz_test"]
    assert [q.channel.name for q in _ours(data["quiet"])] == ["沉默号"]
    assert _ours(data["quiet"])[0].days is None


def test_a_channel_quiet_for_seven_days_is_listed(rt, people):
    with rt.db.session() as s:
        channel = Channel(name="七天号", platform="微博", department_id=people["editor"].department_id)
        s.add(channel)
    draft = submitted(rt, people["editor"], channel_id=channel.id)
    approve_all(rt, draft, people["editor2"], people["head"])
    publish(rt, people["editor"], draft)
    with rt.db.session() as s:
        assert _ours(stats.quiet_channels(s)) == []
        later = _ours(stats.quiet_channels(s, now=utcnow() + timedelta(days=7, minutes=1)))
        assert [(q.channel.name, q.days) for q in later] == [("七天号", 7)]
