"""Jobs lost to a dead worker, a Redis that was down or restarted empty, are found and run again
within a minute — not after the ten-minute stale timeout.

Every queued screening or delivery job is tracked under a Redis key naming its RQ job; every worker
keeps a heartbeat key alive from a thread of its own (HEARTBEAT_TTL). The watchdog, run by one
worker's maintenance loop at a time, looks at each draft still in screening and each undelivered
publication: if its job is neither waiting nor running on a worker with a live heartbeat, the job
is queued again. Jobs are idempotent, so a job that was only slow and runs twice does no harm.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from . import jobs
from .db import utcnow
from .models import Draft, Publication

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5
HEARTBEAT_TTL = 15  # three missed beats and the worker counts as dead
WATCHDOG_SECONDS = 10
GRACE = timedelta(seconds=10)  # between commit and enqueue a job is briefly untracked
MAX_RECOVERIES = 3  # a job that kills its worker every time is not queued forever
TRACKED_JOBS = ("screen_revision", "deliver_publication")
_WAITING = ("queued", "deferred", "scheduled", "created")


def job_key(job: str, arg) -> str:
    return f"sanshen:job:{job}:{arg}"


def alive_key(worker_name: str) -> str:
    return f"sanshen:worker-alive:{worker_name}"


def beat(redis, worker_name: str) -> None:
    redis.set(alive_key(worker_name), "1", ex=HEARTBEAT_TTL)


def job_alive(redis, job_id: str) -> bool:
    """Waiting in the queue, or running on a worker whose heartbeat is fresh."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(job_id, connection=redis)
    except NoSuchJobError:
        return False
    status = job.get_status()
    if status in _WAITING:
        return True
    if status == "started":
        return bool(job.worker_name) and bool(redis.exists(alive_key(job.worker_name)))
    return False  # finished, failed or stopped while its draft still waits: its outcome was lost


def recover_lost_jobs(runtime) -> list[tuple[str, int]]:
    """Queue again every tracked job whose work is not done and whose job is not alive."""
    before = utcnow() - GRACE
    with runtime.db.session() as session:
        pending = [("screen_revision", r) for r in session.scalars(
            select(Draft.current_revision_id).where(Draft.status == "screening", Draft.updated_at < before))]
        pending += [("deliver_publication", p) for p in session.scalars(
            select(Publication.id).where(Publication.delivery == "", Publication.published_at < before))]
    recovered = []
    for job, arg in pending:
        job_id = runtime.redis.get(job_key(job, arg))
        if job_id is not None and job_alive(runtime.redis, job_id.decode()):
            continue
        attempts_key = f"sanshen:recovered:{job}:{arg}"
        attempts = runtime.redis.incr(attempts_key)
        runtime.redis.expire(attempts_key, 24 * 3600)
        if attempts > MAX_RECOVERIES:
            if job == "screen_revision" and attempts == MAX_RECOVERIES + 1:
                jobs.screening_failed(runtime, arg, f"审查任务 {MAX_RECOVERIES} 次随 worker 退出或队列丢失而未完成")
            continue
        log.warning("%s(%s) has no live job (worker died or Redis lost it); queueing it again", job, arg)
        runtime.dispatch(job, arg)
        recovered.append((job, arg))
    return recovered
