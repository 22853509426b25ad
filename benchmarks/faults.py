"""Fault injection with real processes: a worker killed (SIGKILL) in the middle of a screening job, and
Redis emptied after a submit. Prints how long the draft stayed in screening after the fault.

    python benchmarks/faults.py [--database-url postgresql://…/sanshen_x]   # default: a temporary SQLite file

Loopback only; starts a private redis-server and `review worker` processes and ends them all. The
killed job is made long with a large draft (about 200,000 characters) so the kill lands mid-job.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redis import Redis  # noqa: E402
from rq.job import Job  # noqa: E402
from sqlalchemy import text  # noqa: E402

from review import accounts, recovery, schema, workflow  # noqa: E402
from review.config import Config  # noqa: E402
from review.models import Draft, User  # noqa: E402
from review.runtime import Runtime  # noqa: E402

PARAGRAPH = "本周六上午九点，社区图书馆照常开放阅览，欢迎居民前来借阅图书。请携带读者证，遵守阅览秩序。"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(runtime, draft_id) -> str:
    with runtime.db.session() as s:
        return s.get(Draft, draft_id).status


def _submit(runtime, author_id, body) -> tuple[int, int]:
    with runtime.db.session() as s:
        author = s.get(User, author_id)
        draft = workflow.create_draft(s, author, "社区图书馆周末开放", body)
        workflow.submit(s, author, draft.id)
        return draft.id, draft.current_revision_id


def _wait(predicate, seconds: float, step: float = 0.05) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > seconds:
            raise SystemExit(f"gave up after {seconds} s")
        time.sleep(step)
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sanshen-faults-"))
    redis_port = _free_port()
    processes = [subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        env = {"INSTANCE_PATH": str(tmp), "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/faults.db",
               "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "AUDIT_KEY": "faults-benchmark-key"}
        os.environ.update(env)
        runtime = Runtime(Config.from_env())
        redis = Redis(port=redis_port)
        _wait(lambda: _ping(redis), 10)
        if runtime.db.engine.dialect.name == "postgresql":
            with runtime.db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        schema.upgrade(runtime.db)
        with runtime.db.session() as s:
            dept = accounts.add_department(s, "宣传科")
            author_id = accounts.add_user(s, "author", "author", "editor", "Faults-bench-2026!", dept).id

        def worker(name):
            process = subprocess.Popen([sys.executable, "-m", "review", "worker", "--name", name],
                                       env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            processes.append(process)
            return process

        first = worker("fault-1")
        warm_id, _ = _submit(runtime, author_id, PARAGRAPH)
        _wait(lambda: _status(runtime, warm_id) != "screening", 120)

        # 1. SIGKILL mid-job.
        draft_id, revision_id = _submit(runtime, author_id, PARAGRAPH * 4000)
        job_id = redis.get(recovery.job_key("screen_revision", revision_id)).decode()
        _wait(lambda: Job.fetch(job_id, connection=redis).get_status() == "started", 30, 0.01)
        time.sleep(0.3)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = time.monotonic()
        worker("fault-2")
        _wait(lambda: _status(runtime, draft_id) != "screening", 300, 0.2)
        print(f"worker killed mid-job: the draft left screening {time.monotonic() - killed_at:.1f} s after the kill "
              f"(status {_status(runtime, draft_id)})")

        # 2. Redis emptied while a job waits (no worker running to take it).
        for process in processes[2:]:
            process.terminate()
            process.wait(15)
        draft_id, _ = _submit(runtime, author_id, PARAGRAPH)
        redis.flushall()
        emptied_at = time.monotonic()
        worker("fault-3")
        _wait(lambda: _status(runtime, draft_id) != "screening", 300, 0.2)
        print(f"Redis emptied after submit: the draft left screening {time.monotonic() - emptied_at:.1f} s later "
              f"(status {_status(runtime, draft_id)}; includes the worker's start-up)")
        runtime.db.dispose()
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def _ping(redis) -> bool:
    try:
        return redis.ping()
    except Exception:
        return False


if __name__ == "__main__":
    main()
