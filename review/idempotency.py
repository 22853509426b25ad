"""Idempotency keys (the API's `Idempotency-Key` header) on create and submit: a client that lost
the answer (a timeout, a killed web worker) sends the same request again and gets the same draft,
not a second one. The key is stored in the action's own transaction, so it exists exactly when the
action committed.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime, utcnow
from .errors import Conflict, InvalidInput
from .models import User

KEY = re.compile(r"[\x21-\x7e]{1,100}")  # printable ASCII, as clients generate (UUIDs and the like)


class IdempotencyKey(Base):
    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_user_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    key: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the request it answered
    draft_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def check_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise InvalidInput("Idempotency-Key 须为 1–100 个可打印 ASCII 字符")
    return key


def fingerprint(action: str, request: dict) -> str:
    data = json.dumps({"action": action, **request}, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def replay(session: Session, user: User, key: str, action: str, request_fingerprint: str) -> int | None:
    """The draft an earlier request with this key acted on, or None if the key is new."""
    row = session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user.id, IdempotencyKey.key == key))
    if row is None:
        return None
    if row.action != action or row.fingerprint != request_fingerprint:
        raise Conflict("此 Idempotency-Key 已用于另一个不同的请求，请为新请求使用新的键")
    return row.draft_id


def remember(session: Session, user: User, key: str, action: str, request_fingerprint: str, draft_id: int) -> None:
    session.add(IdempotencyKey(user_id=user.id, key=key, action=action, fingerprint=request_fingerprint,
                               draft_id=draft_id))
    try:
        session.flush()
    except IntegrityError as exc:  # the same key, sent twice at once: one wins, the other retries
        raise Conflict("使用同一 Idempotency-Key 的请求正在处理，请稍后重试") from exc
