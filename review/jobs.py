"""Background work as plain functions of (runtime, ids). workers/jobs.py wraps them for RQ; with no
Redis the runtime calls them inline after commit. Each is idempotent: running it twice is harmless.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select

from . import audit, delivery, notify, originals, patrol, publishing, workflow
from .db import utcnow
from .models import Draft, OutboundMessage, PatrolRun, Publication
from .originals import OriginalFeed
from .screening import screen_revision as run_screen


def screen_revision(runtime, revision_id: int) -> str:
    result = run_screen(runtime.db, runtime.screeners, revision_id, ("screening",))
    if isinstance(result, str):
        return result
    with runtime.db.session() as session:
        draft = workflow.apply_screening(session, revision_id, result)
        return draft.status


def rescreen_draft(runtime, draft_id: int) -> str:
    """Screen a draft in review again with the current wordlists and models.

    Returns "restarted" (its route started again), "unchanged" or "skipped" (no longer in review).
    """
    with runtime.db.read_session() as session:
        draft = session.get(Draft, draft_id)
        if draft is None or draft.status not in workflow.RESCREEN_STATES:
            return "skipped"
        revision_id, round_before = draft.current_revision_id, draft.round
    result = run_screen(runtime.db, runtime.screeners, revision_id, workflow.RESCREEN_STATES)
    if isinstance(result, str):
        return "skipped"
    with runtime.db.session() as session:
        draft = workflow.apply_screening(session, revision_id, result, rescreen=True)
        return "restarted" if draft.round != round_before else "unchanged"


def screening_failed(runtime, revision_id: int, error: str) -> None:
    with runtime.db.session() as session:
        workflow.screening_failed(session, revision_id, error)


def deliver_publication(runtime, publication_id: int) -> str:
    with runtime.db.session() as session:
        # Locked: two workers running the same job never both deliver.
        publication = session.scalar(
            select(Publication).where(Publication.id == publication_id).with_for_update(of=Publication))
        if publication is None:
            return "missing"
        if not publication.delivery:
            delivery = publishing.deliver(publication, runtime.config.publish_export_dir)
            publication.delivery = delivery.reference[:200]
            publication.read_back = delivery.read_back
            audit.record(session, None, "publication_delivered", draft_id=publication.draft_id,
                         revision_hash=publication.content_hash, publication_id=publication.id,
                         adapter=publication.adapter, delivery=publication.delivery)
            publishing.check_delivered(session, publication, delivery.delivered, delivery.problem)
        return publication.delivery


def patrol_published(runtime, run_id: int) -> str:
    """One patrol run: each published post of the period screened again, one transaction each."""
    with runtime.db.session() as session:
        run = session.get(PatrolRun, run_id)
        if run is None or run.status != "running":
            return "skipped"
        ids = patrol.plan(session, run, runtime.config.patrol_days)
    for publication_id in ids:
        with runtime.db.read_session() as session:
            revision_id = session.get(Publication, publication_id).revision_id
        # A published draft is never edited again: its current revision is the published one.
        result = run_screen(runtime.db, runtime.screeners, revision_id, ("published",))
        with runtime.db.session() as session:
            run = session.get(PatrolRun, run_id)
            patrol.review_publication(session, run, session.get(Publication, publication_id),
                                      None if isinstance(result, str) else result)
    with runtime.db.session() as session:
        run = session.get(PatrolRun, run_id)
        patrol.finish(session, run)
        return f"{run.flagged}/{run.done}"


def import_feed(runtime, feed_id: int) -> str:
    """One feed now (an administrator's 立即导入). A fetch failure is kept on the feed row, then raised."""
    with runtime.db.session() as session:
        if session.get(OriginalFeed, feed_id) is None:
            return "missing"
    return str(originals.import_feed(runtime.db, feed_id))


def import_feeds(runtime) -> dict[int, str]:
    """The scheduled import of every active feed."""
    return originals.import_feeds(runtime.db)


def send_message(runtime, message_id: int) -> str:
    """One e-mail or robot post. A failure is recorded on the row, then raised so RQ retries it."""
    with runtime.db.session() as session:
        message = session.scalar(select(OutboundMessage).where(OutboundMessage.id == message_id)
                                 .with_for_update(of=OutboundMessage))
        if message is None or message.status == "sent":
            return "skipped"
        message.attempts += 1
        try:
            delivery.send(message, runtime.config.smtp_url, runtime.config.mail_from)
        except delivery.DeliveryFailed as exc:
            failure = exc
            message.last_error = str(exc)[:500]
            message.status = "pending" if message.attempts <= len(runtime.config.retry_intervals) else "failed"
        else:
            failure = None
            message.status, message.sent_at, message.last_error = "sent", utcnow(), None
    if failure is not None:
        raise failure
    return "sent"


def check_deadlines(runtime) -> int:
    """Urgent drafts near or past their deadline: reminders and escalation (every maintenance tick)."""
    with runtime.db.session() as session:
        return notify.check_deadlines(session)


@dataclass(frozen=True)
class JobSpec:
    """How a job runs when it is queued: its time limit, whether RQ retries it, and what runs after
    each failed attempt."""

    function: Callable
    timeout: int | None = None  # seconds; None: the configured screening timeout
    retried: bool = True
    on_failure: str | None = None


# Every job by name, in one place: Runtime queues and runs them from here, and so does `review rescreen`.
JOBS = {
    "screen_revision": JobSpec(screen_revision, on_failure="workers.jobs.on_screening_failure"),
    "rescreen_draft": JobSpec(rescreen_draft),
    "deliver_publication": JobSpec(deliver_publication),
    # A patrol screens every post of its period in one job, resuming where a failed attempt stopped.
    "patrol_published": JobSpec(patrol_published, timeout=3600),
    # Fetches have their own timeouts; a failed import is on the feed row, and the next scheduled run
    # is its retry.
    "import_feed": JobSpec(import_feed, timeout=600, retried=False),
    "import_feeds": JobSpec(import_feeds, timeout=600, retried=False),
    "send_message": JobSpec(send_message),
    "check_deadlines": JobSpec(check_deadlines, retried=False),  # runs again within the minute
}
