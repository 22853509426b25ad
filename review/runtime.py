"""What a process needs to do work: config, database, screener cache and a job dispatcher.

The web app and every worker build one Runtime. Jobs are queued by dotted name
(`workers.jobs.<name>`) so the web side never imports worker code; with no REDIS_URL they run
inline, right after the transaction that asked for them commits.
"""
from __future__ import annotations

import logging
import traceback

from . import jobs, recovery
from .config import Config
from .db import Database, utcnow
from .screening import ScreenerCache

log = logging.getLogger(__name__)

QUEUE = "sanshen"


class Runtime:
    def __init__(self, config: Config):
        self.config = config
        self.db = Database(config.database_url, dispatch=self.dispatch)
        self.screeners = ScreenerCache()
        self.redis = None
        if config.redis_url:
            from redis import Redis

            # A Redis that is down must fail a request fast, not hang it.
            self.redis = Redis.from_url(config.redis_url, socket_connect_timeout=2)
        else:
            log.warning("REDIS_URL is not set: background jobs run in-process, synchronously")

    def queue(self):
        from rq import Queue

        return Queue(QUEUE, connection=self.redis)

    def dispatch(self, job: str, *args) -> None:
        """Queue a job after its transaction committed. If Redis cannot take it, the committed work is
        kept and the caller still succeeds: the watchdog (review.recovery) queues it once Redis is back."""
        if self.redis is None:
            self.run_inline(job, *args)
            return
        try:
            self.enqueue(job, *args)
        except Exception:  # the transaction has committed: never turn that into an error answer
            log.exception("could not queue %s%s; the watchdog will queue it again", job, args)

    def enqueue(self, job: str, *args):
        """Queue one job on Redis with its spec from jobs.JOBS; returns the RQ job."""
        from rq import Callback, Retry

        spec = jobs.JOBS[job]
        options = {"job_timeout": spec.timeout or self.config.screening_timeout_seconds}
        if spec.retried:
            options["retry"] = Retry(max=len(self.config.retry_intervals), interval=list(self.config.retry_intervals))
        if spec.on_failure:
            options["on_failure"] = Callback(spec.on_failure)
        job_id = f"{job}-{'-'.join(map(str, args))}-{utcnow().timestamp() * 1e6:.0f}"
        queued = self.queue().enqueue(
            f"workers.jobs.{job}",
            *args,
            job_id=job_id,
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            **options,
        )
        if job in recovery.TRACKED_JOBS:
            self.redis.set(recovery.job_key(job, args[0]), job_id, ex=7 * 24 * 3600)
        return queued

    def run_inline(self, job: str, *args):
        try:
            return jobs.JOBS[job].function(self, *args)
        except Exception as exc:
            log.exception("inline job %s%s failed", job, args)
            if job == "screen_revision":
                jobs.screening_failed(self, args[0], "".join(traceback.format_exception_only(exc)).strip())
            return None
