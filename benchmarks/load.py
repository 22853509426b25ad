"""Mixed API load on loopback against gunicorn + RQ worker, PostgreSQL + Redis: requests/s, latency
percentiles and submit→screened latency at several concurrency levels.

    python benchmarks/load.py --database-url postgresql://postgres@127.0.0.1/sanshen_load \\
        [--worker-class gthread --workers 2 --threads 4] [--levels 1,8,32] [--seconds 20]

Loopback only (the server binds 127.0.0.1), bounded per level by --seconds and --max-requests, and
stops by itself: every process it starts (gunicorn, RQ workers, a private redis-server when no
--redis-url is given) is ended when it finishes or fails. THE DATABASE IS EMPTIED FIRST: its name
must start with "sanshen_" and it must be your own.

Each client thread repeats one cycle of five requests, as an editor of a department would work
with a colleague reviewing: create a draft, submit it, read it, read the colleague's queue, and the
colleague approves the first draft waiting there (a 409 when another thread took it first counts
as an answered request, not an error). submit→screened is measured from the audit trail
(`submitted` to `screened` event times, both written by the server).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text  # noqa: E402

from review import accounts, schema  # noqa: E402
from review.config import normalize_database_url  # noqa: E402
from review.db import Database  # noqa: E402
from review.models import AuditEvent, Channel  # noqa: E402

PASSWORD = "Load-bench-2026!"
TITLE = "社区图书馆周末开放"
BODY = "本周六上午九点，社区图书馆照常开放阅览，欢迎居民前来借阅图书。请携带读者证，遵守阅览秩序。"
AUTHORS = 8  # editor accounts taking turns as authors; each has a reviewing colleague


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answered on port {port} within {seconds} s")


def _reset_and_seed(url: str) -> dict[str, str]:
    """An empty, migrated database with two editors per pair, a channel, and API tokens."""
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    schema.upgrade(db)
    tokens = {}
    with db.session() as s:
        dept = accounts.add_department(s, "宣传科")
        s.add(Channel(name="政务微博", platform="微博", department_id=dept.id))
        for i in range(AUTHORS):
            for name in (f"author{i}", f"reviewer{i}"):
                user = accounts.add_user(s, name, name, "editor", PASSWORD, dept)
                tokens[name] = accounts.create_token(s, user)
    db.dispose()
    return tokens


class Client:
    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.conn = None

    def call(self, method: str, path: str, body=None, token=None):
        headers = {"Authorization": f"Bearer {token or self.token}"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request(method, f"/api/v1{path}", body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, payload, time.perf_counter() - start
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn = None  # the server closed a kept-alive connection: reconnect once
                if attempt == 2:
                    return 0, b"", time.perf_counter() - start


def _cycle(client: Client, reviewer_token: str, record) -> None:
    status, payload, took = client.call("POST", "/drafts", {"title": TITLE, "body": BODY, "channel": 1})
    record("create", status, took)
    if status != 201:
        return
    draft_id = json.loads(payload)["id"]
    record("submit", *client.call("POST", f"/drafts/{draft_id}/submit")[::2])
    record("get", *client.call("GET", f"/drafts/{draft_id}")[::2])
    status, payload, took = client.call("GET", "/queue", token=reviewer_token)
    record("queue", status, took)
    items = json.loads(payload)["items"] if status == 200 else []
    if items:
        item = items[0]
        record("decide", *client.call("POST", f"/drafts/{item['id']}/decision",
                                      {"decision": "approve", "revision_hash": item["revision"]["hash"]},
                                      token=reviewer_token)[::2])


def run_level(port: int, tokens: dict, concurrency: int, seconds: float, max_requests: int) -> dict:
    lock = threading.Lock()
    samples: list[tuple[str, int, float]] = []
    stop = threading.Event()

    def record(kind, status, took):
        with lock:
            samples.append((kind, status, took))
            if len(samples) >= max_requests:
                stop.set()

    def worker(n):
        pair = n % AUTHORS
        client = Client(port, tokens[f"author{pair}"])
        while not stop.is_set():
            _cycle(client, tokens[f"reviewer{pair}"], record)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(60)
    elapsed = time.perf_counter() - started
    latencies = sorted(took for _, _, took in samples)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {
        "concurrency": concurrency, "requests": len(samples), "seconds": elapsed, "rps": len(samples) / elapsed,
        "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99),
        "errors": sum(1 for _, status, _ in samples if status == 0 or status >= 500),
        "conflicts": sum(1 for _, status, _ in samples if status == 409),
        "by_kind": {k: statistics.median([t for kind, _, t in samples if kind == k]) * 1000
                    for k in {kind for kind, _, _ in samples}},
    }


def screening_latency(url: str, since_seq: int) -> list[float]:
    """Seconds from each `submitted` event to its draft's next `screened` event, after since_seq."""
    db = Database(url)
    with db.session() as s:
        rows = s.execute(select(AuditEvent.draft_id, AuditEvent.action, AuditEvent.at)
                         .where(AuditEvent.seq > since_seq, AuditEvent.action.in_(("submitted", "screened")))
                         .order_by(AuditEvent.seq)).all()
    db.dispose()
    submitted, waits = {}, []
    for draft_id, action, at in rows:
        if action == "submitted":
            submitted[draft_id] = at
        elif draft_id in submitted:
            waits.append((at - submitted.pop(draft_id)).total_seconds())
    return sorted(waits)


def _head_seq(url: str) -> int:
    db = Database(url)
    with db.session() as s:
        seq = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0
    db.dispose()
    return seq


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", help="default: a private redis-server on a free port")
    parser.add_argument("--worker-class", default="gthread", choices=("sync", "gthread"))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gthread worker")
    parser.add_argument("--rq-workers", type=int, default=1)
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=20, help="per level")
    parser.add_argument("--max-requests", type=int, default=6000, help="per level")
    args = parser.parse_args()
    url = normalize_database_url(args.database_url)
    if not url.rsplit("/", 1)[-1].startswith("sanshen_"):
        raise SystemExit("the database is emptied first: give your own database whose name starts with sanshen_")

    processes: list[subprocess.Popen] = []
    tmp = Path(tempfile.mkdtemp(prefix="sanshen-load-"))
    try:
        redis_url = args.redis_url
        if redis_url is None:
            redis_port = _free_port()
            processes.append(subprocess.Popen(
                [shutil.which("redis-server") or "redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            _wait_for_port(redis_port, 10)
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "INSTANCE_PATH": str(tmp / "instance"),
               "AUDIT_KEY": os.environ.get("AUDIT_KEY", "load-benchmark-key")}
        os.environ.update({k: env[k] for k in ("INSTANCE_PATH", "AUDIT_KEY")})
        tokens = _reset_and_seed(url)
        port = _free_port()
        gunicorn = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                    "--worker-class", args.worker_class, "--log-level", "warning"]
        if args.worker_class == "gthread":
            gunicorn += ["--threads", str(args.threads)]
        gunicorn.append("webui:create_app()")
        processes.append(subprocess.Popen(gunicorn, env=env, cwd=Path(__file__).resolve().parent.parent))
        for n in range(args.rq_workers):
            processes.append(subprocess.Popen([sys.executable, "-m", "review", "worker", "--name", f"load-{n}"],
                                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _wait_for_port(port, 60)
        warm = Client(port, tokens["author0"])  # until a submitted draft comes back screened
        status, payload, _ = warm.call("POST", "/drafts", {"title": TITLE, "body": BODY, "channel": 1})
        draft_id = json.loads(payload)["id"]
        warm.call("POST", f"/drafts/{draft_id}/submit")
        deadline = time.monotonic() + 120
        while json.loads(warm.call("GET", f"/drafts/{draft_id}")[1])["status"] == "screening":
            if time.monotonic() > deadline:
                raise SystemExit("the RQ worker did not screen a draft within 120 s")
            time.sleep(0.2)

        config = (f"gunicorn {args.worker_class} × {args.workers}"
                  + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
                  + f", {args.rq_workers} RQ worker(s), PostgreSQL + Redis, loopback")
        print(config)
        print("| concurrency | requests | req/s | p50 ms | p95 ms | p99 ms | 5xx/failed | 409 | submit→screened p50 / p95 ms |")
        print("|---|---|---|---|---|---|---|---|---|")
        for level in (int(x) for x in args.levels.split(",")):
            since = _head_seq(url)
            result = run_level(port, tokens, level, args.seconds, args.max_requests)
            time.sleep(1)  # let the worker finish what was submitted last
            waits = screening_latency(url, since)
            screened = (f"{waits[len(waits) // 2] * 1000:.0f} / {waits[min(len(waits) - 1, int(0.95 * len(waits)))] * 1000:.0f}"
                        if waits else "–")
            print(f"| {level} | {result['requests']} | {result['rps']:.1f} | {result['p50']:.0f} | {result['p95']:.0f} | "
                  f"{result['p99']:.0f} | {result['errors']} | {result['conflicts']} | {screened} |", flush=True)
            print("    median ms by request: " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(result["by_kind"].items())),
                  flush=True)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
