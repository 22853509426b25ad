"""`review worker`: a SimpleWorker with every model preloaded, a heartbeat and a maintenance thread.

SimpleWorker runs jobs in the worker process itself. Measured on this machine class
(../shared/MEASUREMENTS.md): ~3 ms overhead per job against ~40 ms for the forking Worker,
whose copy-on-write children touch the preloaded models. Job timeouts still apply (SIGALRM in
the main thread). A thread keeps the worker's heartbeat key alive while it lives, whatever job
runs; the maintenance thread runs the watchdog (review.recovery), which queues again within a
minute the jobs of a worker whose heartbeat stopped, or that an emptied Redis lost.
"""
from __future__ import annotations

import logging
import threading

from rq import SimpleWorker

from review import recovery
from review.originals import FEED_IMPORT_EVERY_SECONDS

from .context import runtime

log = logging.getLogger(__name__)


def preload() -> None:
    rt = runtime()
    with rt.db.session() as session:
        rt.screeners.get(session).screen("预热", "加载分词词典与模型。")


def maintenance_tick() -> None:
    rt = runtime()
    # One watchdog pass per period across all workers.
    if rt.redis.set("sanshen:watchdog", "1", nx=True, ex=recovery.WATCHDOG_SECONDS - 1):
        recovery.recover_lost_jobs(rt)
    # Urgent deadlines: every worker may check; each alert is sent once (DeadlineAlert's unique key).
    rt.dispatch("check_deadlines")
    # One feed import per period across all workers: whoever sets the key first queues it.
    if rt.redis.set("sanshen:feeds-scheduled", "1", nx=True, ex=FEED_IMPORT_EVERY_SECONDS):
        rt.dispatch("import_feeds")


def _every(seconds: float, action, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        try:
            action()
        except Exception:  # keep the loop alive; the next round tries again
            log.exception("%s failed", action.__name__)


def run(burst: bool = False, name: str | None = None) -> bool:
    rt = runtime()
    if rt.redis is None:
        raise SystemExit("REDIS_URL 未设置：没有 Redis 时任务在 Web 进程内同步执行，无需启动 worker")
    preload()
    worker = SimpleWorker([rt.queue()], connection=rt.redis, name=name)
    stop = threading.Event()

    def heartbeat():
        recovery.beat(rt.redis, worker.name)

    heartbeat()
    threading.Thread(target=_every, args=(recovery.HEARTBEAT_SECONDS, heartbeat, stop), daemon=True).start()
    if not burst:
        threading.Thread(target=_every, args=(recovery.WATCHDOG_SECONDS, maintenance_tick, stop), daemon=True).start()
    recovery.recover_lost_jobs(rt)
    try:
        return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        stop.set()
