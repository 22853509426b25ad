"""`review worker`: a SimpleWorker with every model preloaded, plus a maintenance thread.

SimpleWorker runs jobs in the worker process itself. Measured on this machine class
(../shared/MEASUREMENTS.md): ~3 ms overhead per job against ~40 ms for the forking Worker,
whose copy-on-write children touch the preloaded models. Job timeouts still apply (SIGALRM in
the main thread); a crashed worker's job is found abandoned by RQ and retried, and the
maintenance thread re-queues any draft left in screening.
"""
from __future__ import annotations

import logging
import threading

from rq import SimpleWorker

from review.originals import FEED_IMPORT_EVERY_SECONDS

from .context import runtime

log = logging.getLogger(__name__)
MAINTENANCE_SECONDS = 60


def preload() -> None:
    rt = runtime()
    with rt.db.session() as session:
        rt.screeners.get(session).screen("预热", "加载分词词典与模型。")


def maintenance_tick() -> None:
    rt = runtime()
    rt.requeue_stale_screening()
    # Urgent deadlines: every worker may check; each alert is sent once (DeadlineAlert's unique key).
    rt.dispatch("check_deadlines")
    # One feed import per period across all workers: whoever sets the key first queues it.
    if rt.redis.set("sanshen:feeds-scheduled", "1", nx=True, ex=FEED_IMPORT_EVERY_SECONDS):
        rt.dispatch("import_feeds")


def _maintenance(stop: threading.Event) -> None:
    while not stop.wait(MAINTENANCE_SECONDS):
        try:
            maintenance_tick()
        except Exception:  # keep the loop alive; the next tick tries again
            log.exception("maintenance tick failed")


def run(burst: bool = False, name: str | None = None) -> bool:
    rt = runtime()
    if rt.redis is None:
        raise SystemExit("REDIS_URL 未设置：没有 Redis 时任务在 Web 进程内同步执行，无需启动 worker")
    preload()
    stop = threading.Event()
    if not burst:
        threading.Thread(target=_maintenance, args=(stop,), daemon=True).start()
    rt.requeue_stale_screening()
    worker = SimpleWorker([rt.queue()], connection=rt.redis, name=name)
    try:
        return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        stop.set()
