"""What a process needs to do work: config, database, screener cache and a job dispatcher.

The web app and every worker build one Runtime. Jobs are queued by dotted name
(`workers.jobs.<name>`) so the web side never imports worker code; with no REDIS_URL they run
inline, right after the transaction that asked for them commits.
"""
from __future__ import annotations

import logging
import traceback
from datetime import timedelta

from sqlalchemy import select

from . import jobs
from .config import Config
from .db import Database, utcnow
from .models import Draft
from .screening import ScreenerCache

log = logging.getLogger(__name__)

QUEUE = "sanshen"
FEED_JOBS = ("import_feed", "import_feeds")
FEED_JOB_TIMEOUT_SECONDS = 600
# A patrol screens every post of its period in one job, resuming where a failed attempt stopped.
PATROL_JOB_TIMEOUT_SECONDS = 3600


class Runtime:
    def __init__(self, config: Config):
        self.config = config
        self.db = Database(config.database_url, dispatch=self.dispatch)
        self.screeners = ScreenerCache()
        self.redis = None
        if config.redis_url:
            from redis import Redis

            self.redis = Redis.from_url(config.redis_url)
        else:
            log.warning("REDIS_URL is not set: background jobs run in-process, synchronously")

    def queue(self):
        from rq import Queue

        return Queue(QUEUE, connection=self.redis)

    def dispatch(self, job: str, *args) -> None:
        if self.redis is not None:
            self._enqueue(job, *args)
        else:
            self.run_inline(job, *args)

    def _enqueue(self, job: str, *args) -> None:
        from rq import Callback, Retry

        if job in FEED_JOBS:
            # Fetches have their own timeouts; a failed import is on the feed row, and the next
            # scheduled run is its retry.
            options = {"job_timeout": FEED_JOB_TIMEOUT_SECONDS}
        elif job == "patrol_published":
            options = {"job_timeout": PATROL_JOB_TIMEOUT_SECONDS,
                       "retry": Retry(max=len(self.config.retry_intervals), interval=list(self.config.retry_intervals))}
        else:
            options = {"job_timeout": self.config.screening_timeout_seconds,
                       "retry": Retry(max=len(self.config.retry_intervals), interval=list(self.config.retry_intervals))}
        if job == "screen_revision":
            options["on_failure"] = Callback("workers.jobs.on_screening_failure")
        self.queue().enqueue(
            f"workers.jobs.{job}",
            *args,
            job_id=f"{job}-{'-'.join(map(str, args))}-{utcnow().timestamp():.0f}",
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            **options,
        )

    def run_inline(self, job: str, *args):
        try:
            return getattr(jobs, job)(self, *args)
        except Exception as exc:
            log.exception("inline job %s%s failed", job, args)
            if job == "screen_revision":
                jobs.screening_failed(self, args[0], "".join(traceback.format_exception_only(exc)).strip())
            return None

    def requeue_stale_screening(self, older_than: timedelta | None = None) -> int:
        """A draft never stays in screening forever: re-queue any whose job was lost."""
        older_than = older_than or timedelta(seconds=self.config.screening_timeout_seconds * 5)
        with self.db.session() as session:
            drafts = session.scalars(
                select(Draft).where(Draft.status == "screening", Draft.updated_at < utcnow() - older_than)
            ).all()
            stale = [d.current_revision_id for d in drafts]
            for draft in drafts:
                draft.updated_at = utcnow()  # wait a full period before trying again
        for revision_id in stale:
            log.warning("revision %s has been in screening too long; queueing it again", revision_id)
            self.dispatch("screen_revision", revision_id)
        return len(stale)
