"""RQ entry points, queued by dotted name. Each takes ids, runs a review job, lets failures raise."""
from __future__ import annotations

from review import jobs

from .context import runtime


def screen_revision(revision_id: int) -> str:
    return jobs.screen_revision(runtime(), revision_id)


def rescreen_draft(draft_id: int) -> str:
    return jobs.rescreen_draft(runtime(), draft_id)


def deliver_publication(publication_id: int) -> str:
    return jobs.deliver_publication(runtime(), publication_id)


def patrol_published(run_id: int) -> str:
    return jobs.patrol_published(runtime(), run_id)


def import_feed(feed_id: int) -> str:
    return jobs.import_feed(runtime(), feed_id)


def import_feeds() -> dict[int, str]:
    """The scheduled import of news feeds into the originals library; idempotent."""
    return jobs.import_feeds(runtime())


def send_message(message_id: int) -> str:
    return jobs.send_message(runtime(), message_id)


def check_deadlines() -> int:
    return jobs.check_deadlines(runtime())


def on_screening_failure(job, connection, exc_type, exc_value, tb) -> None:
    """RQ calls this after every failed attempt; act only when no retry is left."""
    if job.retries_left:
        return
    jobs.screening_failed(runtime(), job.args[0], f"{exc_type.__name__}: {exc_value}")
