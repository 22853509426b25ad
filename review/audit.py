"""The tamper-evident trail: every event hashes its content and its predecessor's hash.

001 四(三): 谁发布、谁审核、谁负责 — every decision is tied to a named person and kept.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from . import masks
from .db import utcnow
from .models import AuditEvent, User

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
    return hashlib.sha256(_canonical(event)).hexdigest()


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
    """Append one event in the caller's transaction, so the event and the change commit together."""
    _lock_chain(session)
    head = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    event = AuditEvent(
        seq=(head.seq + 1) if head else 1,
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor=actor.username if actor else "system",
        actor_role=actor.role if actor else "system",
        action=action,
        draft_id=draft_id,
        revision_hash=revision_hash,
        # 002 §19: what people typed is kept with its personal numbers masked.
        details=json.loads(json.dumps(masks.redact_details(details), ensure_ascii=False, default=str)),
        prev_hash=head.hash if head else GENESIS,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


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

    A chain alone cannot show that its newest events were cut off; `expect_head`, a head hash the
    auditor noted earlier (GET /api/v1/audit/verify returns it), must still be in the chain.
    """
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    seen_head = expect_head is None
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(1000):
        count += 1
        if event.seq != expected_seq:
            return Verification(False, count, prev_hash, event.seq, event.id,
                                f"序号不连续：应为 {expected_seq}，实为 {event.seq}（有事件被删除或插入）")
        if event.prev_hash != prev_hash:
            return Verification(False, count, prev_hash, event.seq, event.id,
                                "前一事件哈希不匹配（有事件被删除、插入或修改）")
        if event_hash(event) != event.hash:
            return Verification(False, count, prev_hash, event.seq, event.id, "事件内容与其哈希不符（事件被修改）")
        prev_hash = event.hash
        seen_head = seen_head or event.hash == expect_head
        expected_seq += 1
    if not seen_head:
        return Verification(False, count, prev_hash if count else None, expected_seq, None,
                            f"此前记录的链头 {expect_head[:12]}… 已不在链中（末尾事件被删除）")
    return Verification(True, count, prev_hash if count else None)


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
