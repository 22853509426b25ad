"""Per-job cost of RQ's SimpleWorker against the forking Worker, with the screener preloaded.

    python benchmarks/worker_overhead.py [--redis redis://127.0.0.1:6379/14] [--jobs 200]

Prints ms per job for a no-op job and for a full screening job (2,000-character draft), per
worker class. This is the measurement behind `review worker` using SimpleWorker.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redis import Redis  # noqa: E402
from rq import Queue, SimpleWorker, Worker  # noqa: E402

from classifiers import default_screener  # noqa: E402

DRAFT = ("市人民政府新闻办公室今天举行新闻发布会，介绍今年以来全市经济运行情况。"
         "会上，市统计局负责人表示，全市地区生产总值同比增长百分之五点二，消费市场持续回暖。") * 20


def noop() -> None:
    return None


def screen_draft() -> str:
    return default_screener().screen("经济运行情况发布会", DRAFT[:2000])["sensitivity"]


def measure(redis: Redis, worker_class, job: str, count: int) -> float:
    queue = Queue("bench-overhead", connection=redis)
    queue.empty()
    for _ in range(count):
        queue.enqueue(f"benchmarks.worker_overhead.{job}", result_ttl=0)
    started = time.perf_counter()
    worker_class([queue], connection=redis).work(burst=True, logging_level="ERROR")
    return (time.perf_counter() - started) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--jobs", type=int, default=200)
    args = parser.parse_args()
    redis = Redis.from_url(args.redis)
    screen_draft()  # preload jieba and every model once, in the parent, as `review worker` does
    print(f"{'worker':14} {'no-op ms/job':>13} {'screening ms/job':>17}")
    for worker_class in (SimpleWorker, Worker):
        noop_ms = measure(redis, worker_class, "noop", args.jobs)
        screen_ms = measure(redis, worker_class, "screen_draft", args.jobs)
        print(f"{worker_class.__name__:14} {noop_ms:13.1f} {screen_ms:17.1f}")


if __name__ == "__main__":
    main()
