"""The tamper probe of issue #21, replayed: each tamper done directly in the database (or to the head
file) by someone without the audit key, then `review audit verify`'s check run alone.

    python benchmarks/audit_tamper.py

Prints a Markdown table (tamper, what was done, detected, what verify said); docs/workflow.md
carries its output. Each tamper runs on a fresh SQLite database in a temporary folder, with the
append-only triggers dropped first (as a database administrator could). tests/review/test_tamper.py
runs the same probe and requires every row detected.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text  # noqa: E402

from review import accounts, audit, audit_guard, schema, workflow  # noqa: E402
from review.config import Config  # noqa: E402
from review.models import AuditEvent, Channel, Publication, Revision, User, content_hash  # noqa: E402
from review.runtime import Runtime  # noqa: E402
from review.screening import ScreenerCache  # noqa: E402

PASSWORD = "Probe-pass-2026!"
TEXT = ("社区图书馆周末开放", "本周六上午九点，社区图书馆照常开放阅览，欢迎居民前来借阅图书。")
_SCREENERS = ScreenerCache()


def _sha256_rehash(conn, row) -> str:
    """What a forger without the key computes: the plain SHA-256 of the canonical event."""
    fields = {k: row[k] for k in ("seq", "actor_id", "actor", "actor_role", "action", "draft_id", "revision_hash",
                                  "prev_hash")}
    fields["details"] = json.loads(row["details"]) if isinstance(row["details"], str) else row["details"]
    fields["at"] = str(row["at"])
    data = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _rows(conn) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM audit_event ORDER BY seq"))]


def forged_append(conn, ids):
    head = _rows(conn)[-1]
    row = {**head, "id": head["id"] + 1, "seq": head["seq"] + 1, "actor": "leader", "actor_role": "leader",
           "action": "approved", "details": json.dumps({"tier": "leader", "comment": "同意"}), "prev_hash": head["hash"]}
    row["hash"] = _sha256_rehash(conn, row)
    conn.execute(text(f"INSERT INTO audit_event ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})"), row)


def rewritten_middle(conn, ids):
    rows = _rows(conn)
    middle = len(rows) // 2
    rows[middle]["actor"] = "someone_else"
    prev = rows[middle - 1]["hash"]
    for row in rows[middle:]:  # re-link everything after it, as the old unkeyed chain allowed
        row["prev_hash"] = prev
        row["hash"] = prev = _sha256_rehash(conn, row)
    conn.execute(text("UPDATE audit_event SET prev_hash = 'x' || id, hash = 'y' || id WHERE seq >= :s"),
                 {"s": rows[middle]["seq"]})  # unique columns: clear first, then write the new chain
    for row in rows[middle:]:
        conn.execute(text("UPDATE audit_event SET actor = :actor, prev_hash = :prev_hash, hash = :hash WHERE id = :id"),
                     row)


def truncated_tail(conn, ids):
    last = _rows(conn)[-1]["seq"]
    conn.execute(text("DELETE FROM audit_event WHERE seq > :s"), {"s": last - 3})


def dropped_table(conn, ids):
    conn.execute(text("DROP TABLE audit_event"))


def tampered_sign_off(conn, ids):
    conn.execute(text("UPDATE sign_off SET comment = '同意发布（已核实）' WHERE draft_id = :d"), {"d": ids["published"]})


def draft_status(conn, ids):
    conn.execute(text("UPDATE draft SET status = 'approved', current_tier = NULL WHERE id = :d"),
                 {"d": ids["in_review"]})


def published_body(conn, ids):
    title, body = TEXT[0], TEXT[1] + "另：详情请加微信咨询。"
    conn.execute(text("UPDATE revision SET body = :b, content_hash = :h WHERE draft_id = :d"),
                 {"b": body, "h": content_hash(title, body), "d": ids["published"]})


def publication_payload(conn, ids):
    payload = json.loads(conn.execute(text("SELECT payload FROM publication")).scalar_one())
    payload["body"] += "另：详情请加微信咨询。"
    conn.execute(text("UPDATE publication SET payload = :p"), {"p": json.dumps(payload, ensure_ascii=False)})


def rewritten_head_file(conn, ids):
    """Cut the tail and rewrite the head file to match it (without the key, the signature cannot follow)."""
    truncated_tail(conn, ids)
    rows = _rows(conn)
    path = Path(os.environ["AUDIT_HEAD_FILE"])
    head = json.loads(path.read_text())
    path.write_text(json.dumps({**head, "seq": rows[-1]["seq"], "hash": rows[-1]["hash"]}))


TAMPERS = [
    ("forged append", "INSERT a leader's approval at the end, hash recomputed (SHA-256)", forged_append),
    ("rewritten middle", "UPDATE an event's actor and re-link every later event (SHA-256)", rewritten_middle),
    ("truncated tail", "DELETE the newest 3 events", truncated_tail),
    ("dropped table", "DROP TABLE audit_event", dropped_table),
    ("tampered sign_off", "UPDATE sign_off SET comment of the published draft", tampered_sign_off),
    ("draft status", "UPDATE draft SET status = 'approved' (was in review)", draft_status),
    ("published body", "UPDATE revision SET body and a recomputed content_hash", published_body),
    ("publication payload", "UPDATE publication SET payload (body changed)", publication_payload),
    ("rewritten head file", "truncate the tail and rewrite the head file to match", rewritten_head_file),
]


@contextmanager
def _environment(folder: Path):
    saved = {k: os.environ.get(k) for k in ("AUDIT_KEY", "AUDIT_HEAD_FILE")}
    os.environ["AUDIT_HEAD_FILE"] = str(folder / "audit_head.json")
    os.environ.setdefault("AUDIT_KEY", "probe-audit-key")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _scenario(folder: Path) -> tuple[Runtime, dict]:
    """A published draft (two tiers signed) and a draft in review, on a fresh database."""
    runtime = Runtime(Config.from_env(environ={"INSTANCE_PATH": str(folder), "DATABASE_URL": f"sqlite:///{folder}/db"}))
    runtime.screeners = _SCREENERS
    schema.upgrade(runtime.db)
    with runtime.db.session() as s:
        dept = accounts.add_department(s, "宣传科")
        people = {name: accounts.add_user(s, name, name, role, PASSWORD, dept)
                  for name, role in (("editor", "editor"), ("editor2", "editor"), ("head", "dept_head"))}
        s.add(Channel(name="政务微博", platform="微博", department_id=dept.id))
    ids = {}
    with runtime.db.session() as s:
        editor = s.scalar(select(User).where(User.username == "editor"))
        ids["published"] = workflow.create_draft(s, editor, *TEXT, channel_id=1).id
        ids["in_review"] = workflow.create_draft(s, editor, *TEXT, channel_id=1).id
    for draft_id in ids.values():
        with runtime.db.session() as s:
            workflow.submit(s, s.get(User, people["editor"].id), draft_id)
    for signer in ("editor2", "head"):
        with runtime.db.session() as s:
            draft = workflow.get_draft(s, ids["published"])
            workflow.decide(s, s.get(User, people[signer].id), draft.id, "approve", "",
                            s.get(Revision, draft.current_revision_id).content_hash)
    with runtime.db.session() as s:
        workflow.publish(s, s.get(User, people["editor"].id), ids["published"])
    return runtime, ids


def run_probe() -> list[dict]:
    rows = []
    for name, done, tamper in TAMPERS:
        with tempfile.TemporaryDirectory() as tmp, _environment(Path(tmp)):
            runtime, ids = _scenario(Path(tmp))
            with runtime.db.session() as s:
                before = audit.verify(s)
                assert before.ok and s.scalar(select(Publication)) is not None, before
            with runtime.db.engine.begin() as conn:
                audit_guard.remove(conn)
                tamper(conn, ids)
            with runtime.db.session() as s:
                after = audit.verify(s)
            runtime.db.dispose()
        rows.append({"tamper": name, "done": done, "detected": not after.ok, "problem": after.problem,
                     "events": before.events, "seq": after.first_bad_seq})
    return rows


def main() -> None:
    logging.getLogger("review.runtime").setLevel(logging.ERROR)  # "no REDIS_URL" once per scenario
    rows = run_probe()
    print("| tamper | what was done (no audit key) | detected by `review audit verify` alone | what it said |")
    print("|---|---|---|---|")
    for row in rows:
        said = row["problem"] if len(row["problem"]) < 120 else row["problem"][:117] + "…"
        print(f"| {row['tamper']} | {row['done']} | {'yes' if row['detected'] else 'NO'} | {said} |")
    print(f"\n{sum(r['detected'] for r in rows)} of {len(rows)} detected "
          f"(trail of {rows[0]['events']} events before each tamper)")


if __name__ == "__main__":
    main()
