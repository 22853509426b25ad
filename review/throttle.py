"""Counting failed logins per key (a client, an account from a client) within a window.

In Redis when the runtime has one (shared by every web process, expires by itself), else in the
database. Keys are opaque strings built by review.accounts.login.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime, utcnow


class LoginFailure(Base):
    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Throttle:
    def __init__(self, redis=None, window: timedelta = timedelta(minutes=15)):
        self.redis = redis
        self.window = window

    def failures(self, session: Session, key: str) -> int:
        if self.redis is not None:
            return int(self.redis.get(self._redis_key(key)) or 0)
        return session.scalar(select(func.count()).select_from(LoginFailure)
                              .where(LoginFailure.key == key, LoginFailure.at > utcnow() - self.window))

    def record(self, session: Session, key: str) -> None:
        if self.redis is not None:
            with self.redis.pipeline() as pipe:
                pipe.incr(self._redis_key(key))
                pipe.expire(self._redis_key(key), int(self.window.total_seconds()))
                pipe.execute()
            return
        session.add(LoginFailure(key=key, at=utcnow()))
        # Old rows are of no use to anyone: each failure sweeps what is past the window.
        session.execute(delete(LoginFailure).where(LoginFailure.at <= utcnow() - self.window))

    def clear(self, session: Session, key: str) -> None:
        if self.redis is not None:
            self.redis.delete(self._redis_key(key))
            return
        session.execute(delete(LoginFailure).where(LoginFailure.key == key))

    @staticmethod
    def _redis_key(key: str) -> str:
        return f"sanshen:login-failures:{key}"
