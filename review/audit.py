"""The tamper-evident trail: every event carries an HMAC of its content and its predecessor's hash.

001 四(三): 谁发布、谁审核、谁负责 — every decision is tied to a named person and kept.

Three layers, each for what the one before cannot see:
- the chain is keyed (HMAC-SHA256, key outside the database: review.config.audit_key), so someone who
  can write the database cannot append, rewrite or re-link events with hashes that verify;
- the head (last seq and hash) is written, signed with the same key, to a file outside the database
  after every commit that appended, so cutting off the newest events or dropping the table shows;
- triggers refuse UPDATE and DELETE (review.audit_guard), and review.integrity checks the rows the
  审签单 is built from against the events that created them.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import event as orm_event
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from . import integrity, masks
from .config import audit_head_path, audit_key
from .db import utcnow
from .models import AuditEvent, User

log = logging.getLogger(__name__)
GENESIS = "0" * 64


def _fields(event: AuditEvent) -> dict:
    """Everything the hash covers."""
    return {
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "actor_role": event.actor_role,
        "action": event.action,
        "draft_id": event.draft_id,
        "revision_hash": event.revision_hash,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }


def _canonical(event: AuditEvent) -> bytes:
    return json.dumps(_fields(event), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def event_hash(event: AuditEvent) -> str:
    return hmac.new(audit_key(), _canonical(event), hashlib.sha256).hexdigest()


def _lock_chain(session: Session) -> None:
    """Serialize appenders on PostgreSQL (SQLite writers are serialized by BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(8151)"))


def record(
    session: Session,
    actor: User | None,
    action: str,
    *,
    draft_id: int | None = None,
    revision_hash: str | None = None,
    **details,
) -> AuditEvent:
    """One event in the caller's transaction, so the event and the change commit together.

    The event is chained (seq, time, previous hash, HMAC) and written just before the commit: the
    chain lock serializes every writer, so it is taken for the append and the commit only, not for
    the whole action.
    """
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor=actor.username if actor else "system",
        actor_role=actor.role if actor else "system",
        action=action,
        draft_id=draft_id,
        revision_hash=revision_hash,
        # 002 §19: what people typed is kept with its personal numbers masked.
        details=json.loads(json.dumps(masks.redact_details(details), ensure_ascii=False, default=str)),
    )
    session.info.setdefault("audit_pending", []).append(event)
    return event


@orm_event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    pending = session.info.pop("audit_pending", None)
    if not pending:
        return
    _lock_chain(session)
    head = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS)
    for event in pending:
        seq += 1
        event.seq, event.at, event.prev_hash = seq, utcnow(), prev_hash
        event.hash = prev_hash = event_hash(event)
        session.add(event)
    session.flush()
    session.info["audit_head"] = (seq, prev_hash)


# ---------------------------------------------------------------- the head, outside the database


def _head_signature(seq: int, head_hash: str) -> str:
    return hmac.new(audit_key(), f"audit-head:{seq}:{head_hash}".encode(), hashlib.sha256).hexdigest()


def read_head(path: Path | None = None) -> dict | None:
    """The anchored head {seq, hash, signature}, or None when there is no head file."""
    path = path or audit_head_path()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        return {}


def write_head(seq: int, head_hash: str, path: Path | None = None) -> None:
    """Anchor the head; processes race here, so under a file lock and only ever forwards."""
    path = path or audit_head_path()
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_head(path) or {}
        if isinstance(current.get("seq"), int) and current["seq"] >= seq:
            return
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"seq": seq, "hash": head_hash, "signature": _head_signature(seq, head_hash),
                                   "at": utcnow().isoformat()}), encoding="utf-8")
        os.replace(tmp, path)


@orm_event.listens_for(Session, "after_commit")
def _anchor_head(session: Session) -> None:
    head = session.info.pop("audit_head", None)
    if head is None:
        return
    try:
        write_head(*head)
    except OSError:  # the events are committed; the next append anchors a newer head
        log.exception("could not write the audit head file %s", audit_head_path())


@orm_event.listens_for(Session, "after_rollback")
def _forget_head(session: Session) -> None:
    session.info.pop("audit_pending", None)
    session.info.pop("audit_head", None)


@dataclass
class Verification:
    ok: bool
    events: int
    head: str | None
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    problem: str = ""

    def to_dict(self) -> dict:
        data = {"ok": self.ok, "events": self.events, "head": self.head}
        if not self.ok:
            data.update(first_bad_seq=self.first_bad_seq, first_bad_id=self.first_bad_id, problem=self.problem)
        return data


def verify(session: Session, expect_head: str | None = None) -> Verification:
    """Walk the chain in order; name the first event that was changed, removed or inserted.

    Then the anchored head file must name an event still in the chain (else the newest events or the
    whole table were removed), `expect_head` (a head an auditor noted) likewise, and the sign-offs,
    drafts, revisions and publications must agree with their events (review.integrity).
    """
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    index = integrity.EventIndex()
    seen_head = expect_head is None
    anchored = read_head()
    anchored_hash = None
    try:
        for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(1000):
            count += 1
            if event.seq != expected_seq:
                return Verification(False, count, prev_hash, event.seq, event.id,
                                    f"序号不连续：应为 {expected_seq}，实为 {event.seq}（有事件被删除或插入）")
            if event.prev_hash != prev_hash:
                return Verification(False, count, prev_hash, event.seq, event.id,
                                    "前一事件哈希不匹配（有事件被删除、插入或修改）")
            if event_hash(event) != event.hash:
                return Verification(False, count, prev_hash, event.seq, event.id,
                                    "事件内容与其密钥哈希不符（事件被修改或伪造）")
            if anchored and event.seq == anchored.get("seq"):
                anchored_hash = event.hash
            index.add(event)
            prev_hash = event.hash
            seen_head = seen_head or event.hash == expect_head
            expected_seq += 1
    except DBAPIError:
        session.rollback()
        return Verification(False, 0, None, None, None, "审计表不存在或无法读取（整表被删除？）")
    head = prev_hash if count else None
    problem = _anchor_problem(anchored, anchored_hash, count)
    if problem:
        return Verification(False, count, head, anchored.get("seq") if anchored else None, None, problem)
    if not seen_head:
        return Verification(False, count, head, expected_seq, None,
                            f"此前记录的链头 {expect_head[:12]}… 已不在链中（末尾事件被删除）")
    problems = integrity.mismatches(session, index)
    if problems:
        return Verification(False, count, head, None, None, "业务记录与审计事件不符：" + "；".join(problems))
    return Verification(True, count, head)


def _anchor_problem(anchored: dict | None, anchored_hash: str | None, count: int) -> str | None:
    if anchored is None:
        return None if count == 0 else f"链头文件 {audit_head_path()} 缺失，无法确认末尾事件未被删除"
    seq, head_hash = anchored.get("seq"), anchored.get("hash")
    if not isinstance(seq, int) or not isinstance(head_hash, str) or not hmac.compare_digest(
            str(anchored.get("signature", "")), _head_signature(seq, head_hash)):
        return "链头文件签名无效（链头文件被改写）"
    if seq > count:
        return f"链头文件记录到第 {seq} 号事件，库中只有 {count} 个（末尾事件或整表被删除）"
    if anchored_hash != head_hash:
        return f"第 {seq} 号事件与链头文件记录的哈希不符（链被改写）"
    return None


def events(
    session: Session,
    *,
    draft_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
):
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if draft_id is not None:
        query = query.where(AuditEvent.draft_id == draft_id)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if action:
        query = query.where(AuditEvent.action == action)
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    if limit:
        query = query.limit(limit)
    return session.scalars(query).all()


def event_dict(event: AuditEvent) -> dict:
    return {**_fields(event), "hash": event.hash}
