"""Page render times for the review queue and the audit trail with 10,000 drafts in the database.

    python benchmarks/page_render.py                      # temporary SQLite file
    python benchmarks/page_render.py --drafts 10000 --runs 200 --database-url postgresql://…

On PostgreSQL the tables are ANALYZEd after seeding, as autovacuum would do on a live system.
Seeds departments, people, channels and N drafts with revisions, screening results, sign-offs
and a valid hash-chained audit trail (written directly in bulk: going through workflow would
take minutes and measure the seeding, not the pages). Then renders each page `--runs` times
through the Flask test client (the whole request: routing, queries, template; no network) and
prints p50/p95/max in milliseconds. The target (issue #8) is p95 < 100 ms for /queue and /audit.
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text  # noqa: E402

from review import audit, schema  # noqa: E402
from review.accounts import hash_password  # noqa: E402
from review.config import Config, normalize_database_url  # noqa: E402
from review.models import (  # noqa: E402
    AuditEvent, Channel, Department, Draft, Publication, Revision, ScreeningResult, SignOff, User, content_hash,
)

PASSWORD = "Bench-password-2026"
STATES = [("published", 0.78), ("in_review", 0.06), ("returned", 0.05), ("draft", 0.05), ("approved", 0.03),
          ("withdrawn", 0.03)]
FINDINGS = [
    {"check": "pii", "category": "mobile", "action": "mask", "text": "13812345678"},
    {"check": "sensitive_topic", "category": "disaster", "action": "escalate", "text": "暴雨"},
    {"check": "prohibited", "category": "gambling", "action": "block", "text": "网络赌博"},
    {"check": "ad", "category": "commercial", "action": "block", "text": "限时特惠"},
]


class Chain:
    """Appends audit events with the same hashing as review.audit, without a query per event."""

    def __init__(self):
        self.seq = 0
        self.prev = audit.GENESIS
        self.rows: list[AuditEvent] = []

    def add(self, at, actor: User | None, action, draft_id=None, revision_hash=None, **details):
        self.seq += 1
        event = AuditEvent(seq=self.seq, at=at, actor_id=actor.id if actor else None,
                           actor=actor.username if actor else "system", actor_role=actor.role if actor else "system",
                           action=action, draft_id=draft_id, revision_hash=revision_hash, details=details,
                           prev_hash=self.prev)
        event.hash = audit.event_hash(event)
        self.prev = event.hash
        self.rows.append(event)


def seed(db, n_drafts: int, rng: random.Random) -> dict:
    start = datetime.now(timezone.utc) - timedelta(days=90)
    password = hash_password(PASSWORD)
    with db.session() as s:
        departments = [Department(name=f"部门{i:02d}", created_at=start) for i in range(10)]
        s.add_all(departments)
        s.flush()
        users = []
        for d, dept in enumerate(departments):
            for k in range(3):
                users.append(User(username=f"ed{d}_{k}", name=f"编辑{d}-{k}", role="editor", department_id=dept.id,
                                  password_hash=password))
            users.append(User(username=f"head{d}", name=f"负责人{d}", role="dept_head", department_id=dept.id,
                              password_hash=password))
        users += [User(username=f"leader{i}", name=f"领导{i}", role="leader", password_hash=password) for i in range(2)]
        users.append(User(username="auditor", name="审计员", role="auditor", password_hash=password))
        s.add_all(users)
        channels = [Channel(name=f"政务发布{d.id}", platform=p, department_id=d.id)
                    for d in departments for p in ("微博", "微信公众号")]
        s.add_all(channels)
        s.flush()
        editors = {d.id: [u for u in users if u.role == "editor" and u.department_id == d.id] for d in departments}
        heads = {u.department_id: u for u in users if u.role == "dept_head"}
        leaders = [u for u in users if u.role == "leader"]
        chain = Chain()
        states = [st for st, _ in STATES]
        weights = [w for _, w in STATES]

        for i in range(n_drafts):
            at = start + timedelta(seconds=i * 90 * 86400 / n_drafts)
            dept = departments[i % len(departments)]
            author, reviewer = rng.sample(editors[dept.id], 2)
            channel = channels[(i % len(departments)) * 2 + i % 2]
            status = rng.choices(states, weights)[0]
            urgent = rng.random() < 0.1
            picked = [f for f in FINDINGS if rng.random() < 0.08]
            important = any(f["action"] == "escalate" for f in picked) or urgent
            route = ["editor", "dept_head"] + (["leader"] if important else [])
            draft = Draft(author_id=author.id, department_id=dept.id, channel_id=channel.id, status=status,
                          urgent=urgent, route=route if status not in ("draft",) else [], round=1,
                          sensitivity="important" if important else "general", created_at=at, updated_at=at,
                          deadline_at=at + (timedelta(hours=1) if urgent else timedelta(days=3)))
            s.add(draft)
            s.flush()
            revisions = []
            for number in range(1, 3 if rng.random() < 0.3 else 2):
                title = f"第{i}号稿件：关于做好第{number}批民生事项公开的通知"
                body = f"各单位：现将第{i}号事项通知如下。" + "请按要求认真落实，及时反馈进展情况。" * 20
                revision = Revision(draft_id=draft.id, number=number, title=title, body=body,
                                    content_hash=content_hash(title, body), author_id=author.id,
                                    created_at=at + timedelta(minutes=number))
                revisions.append(revision)
            s.add_all(revisions)
            s.flush()
            current = revisions[-1]
            draft.current_revision_id = current.id
            findings = [{**f, "field": "body", "start": 0, "end": len(f["text"]), "score": 0.9, "message": "…"}
                        for f in picked]
            if status != "draft":
                s.add(ScreeningResult(revision_id=current.id, sensitivity=draft.sensitivity, route=route,
                                      findings=findings, deidentified={"title": current.title, "body": current.body},
                                      versions={}, created_at=at + timedelta(minutes=3)))
            h = current.content_hash
            chain.add(at, author, "draft_created", draft.id, h, title=current.title, urgent=urgent)
            if status == "draft":
                continue
            chain.add(at + timedelta(minutes=2), author, "submitted", draft.id, h, urgent=urgent)
            chain.add(at + timedelta(minutes=2), author, "screening_started", draft.id, h, round=1)
            chain.add(at + timedelta(minutes=3), None, "screened", draft.id, h, sensitivity=draft.sensitivity,
                      findings=len(findings))
            chain.add(at + timedelta(minutes=3), None, "routed", draft.id, h, route=route)
            signers = {"editor": reviewer, "dept_head": heads[dept.id], "leader": rng.choice(leaders)}
            done = {"published": len(route), "approved": len(route), "withdrawn": rng.randrange(len(route)),
                    "returned": rng.randrange(len(route)), "in_review": rng.randrange(len(route))}[status]
            t = at + timedelta(minutes=3)
            for tier in route[:done]:
                t += timedelta(minutes=rng.randrange(5, 600))
                s.add(SignOff(draft_id=draft.id, revision_id=current.id, revision_hash=h, round=1, tier=tier,
                              decision="approve", comment="同意", user_id=signers[tier].id, created_at=t))
                chain.add(t, signers[tier], "approved", draft.id, h, tier=tier, comment="同意")
            draft.tier_since = t
            if status == "in_review":
                draft.current_tier = route[done]
            elif status == "returned":
                tier = route[done]
                t += timedelta(minutes=30)
                s.add(SignOff(draft_id=draft.id, revision_id=current.id, revision_hash=h, round=1, tier=tier,
                              decision="reject", comment="请修改", user_id=signers[tier].id, created_at=t))
                chain.add(t, signers[tier], "rejected", draft.id, h, tier=tier, comment="请修改")
            elif status == "withdrawn":
                chain.add(t + timedelta(minutes=5), author, "withdrawn", draft.id, h)
            elif status in ("approved", "published"):
                chain.add(t, None, "approved_all_tiers", draft.id, h, route=route)
            if status == "published":
                t += timedelta(minutes=10)
                draft.published_at = t
                s.add(Publication(draft_id=draft.id, revision_id=current.id, channel_id=channel.id, adapter="outbox",
                                  payload={"draft_id": draft.id}, content_hash=h, published_by_id=author.id,
                                  published_at=t, delivery="outbox:bench"))
                chain.add(t, author, "published", draft.id, h, channel=channel.name)
            if i % 500 == 499:
                s.flush()
        s.add_all(chain.rows)
        return {"events": chain.seq, "head": heads[departments[0].id].username, "editor": editors[departments[0].id][0].username,
                "leader": leaders[0].username, "department": departments[3].id, "channel": channels[4].id}


def measure(client, path: str, runs: int) -> list[float]:
    client.get(path)  # warm caches (templates, screener-free path)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def login(app, username):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drafts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)

    from webui import create_app

    tmp = tempfile.mkdtemp(prefix="sanshen-bench-")
    url = normalize_database_url(args.database_url) if args.database_url else f"sqlite:///{tmp}/bench.db"
    config = Config.from_env(environ={"INSTANCE_PATH": f"{tmp}/instance", "DATABASE_URL": url})
    app = create_app(config)
    db = app.extensions["runtime"].db
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    schema.upgrade(db)
    t = time.perf_counter()
    info = seed(db, args.drafts, random.Random(args.seed))
    print(f"seeded {args.drafts} drafts, {info['events']} audit events in {time.perf_counter() - t:.1f}s ({url.split(':')[0]})")
    if db.engine.dialect.name == "postgresql":
        # A live database has planner statistics (autovacuum); a bulk-loaded one does not yet, and
        # PostgreSQL would then guess that 39 drafts are published and pick a hash join.
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    with db.session() as s:
        counts = {m.__tablename__: s.scalar(select(text("count(*)")).select_from(m)) for m in (Draft, Revision, SignOff)}
        in_review = s.scalar(select(text("count(*)")).select_from(Draft).where(Draft.status == "in_review"))
    print(f"rows: {counts}; in review: {in_review}")

    cases = [
        ("queue (department head)", info["head"], "/queue"),
        ("queue (editor)", info["editor"], "/queue"),
        ("queue (leader)", info["leader"], "/queue"),
        ("audit trail, page 1", "auditor", "/audit"),
        ("audit trail, page 100", "auditor", "/audit?page=100"),
        ("audit, status=published", "auditor", "/audit?status=published"),
        ("audit, department", "auditor", f"/audit?department={info['department']}"),
        ("audit, channel + dates", "auditor", f"/audit?channel={info['channel']}&since=2000-01-01&until=2100-01-01"),
        ("audit, category=mobile", "auditor", "/audit?category=mobile"),
        ("audit, person", "auditor", f"/audit?actor={info['head']}"),
    ]
    print(f"\n{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}   (n={args.runs})")
    worst = {}
    for label, user, path in cases:
        times = measure(login(app, user), path, args.runs)
        p95 = percentile(times, 0.95)
        worst[label] = p95
        print(f"{label:32} {statistics.median(times):8.1f} {p95:8.1f} {max(times):8.1f}")
    client = login(app, "auditor")
    t = time.perf_counter()
    client.get("/audit/integrity?fresh=1")
    print(f"\nfull hash-chain verification (/audit/integrity?fresh=1, {info['events']} events): "
          f"{(time.perf_counter() - t) * 1000:.0f} ms (loaded after the trail page, cached 60 s)")
    print("\nreproduce: python benchmarks/page_render.py --drafts %d --runs %d%s" % (
        args.drafts, args.runs, f" --database-url {args.database_url}" if args.database_url else ""))
    db.dispose()
    ok = all(v < 100 for v in worst.values())
    print("p95 < 100 ms for every page:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
