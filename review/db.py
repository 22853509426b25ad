"""Engine and session handling; the same code on SQLite and PostgreSQL."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import DateTime, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from .validation import check_row, parse_id


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Always timezone-aware UTC in Python, whatever the database keeps (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


def make_engine(url: str, *, for_writes: bool = True) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # pysqlite must not issue BEGIN itself: writers BEGIN IMMEDIATE so they queue for the lock
            # instead of failing to upgrade a read lock; readers (WAL) never block them.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if for_writes else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def get_by_id(session: Session, model, value, error: Exception):
    """The row whose id a form or request gave (an int, a string or junk); raise `error` if none."""
    number = parse_id(value)
    row = session.get(model, number) if number is not None else None
    if row is None:
        raise error
    return row


def on_commit(session: Session, job: str, *args) -> None:
    """Run job `job` (see review.jobs) once this session's transaction has committed."""
    session.info.setdefault("after_commit", []).append((job, args))


@event.listens_for(Session, "before_flush")
def _check_rows(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        check_row(obj)


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    pending = session.info.pop("after_commit", [])
    dispatch = session.info.get("dispatch")
    for job, args in pending:
        if dispatch is None:
            raise RuntimeError(f"job {job} has nowhere to run: this Database has no dispatcher")
        dispatch(job, *args)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("after_commit", None)


class Database:
    def __init__(self, url: str, dispatch=None):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info={"dispatch": dispatch})
        # Pages read through their own engine so a long render never holds SQLite's write lock.
        self.read_engine = make_engine(url, for_writes=False) if url.startswith("sqlite") else self.engine
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def session(self):
        """One unit of work: commit on success, roll back on any error."""
        session: Session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read_session(self):
        """Reads only, through the read engine: on SQLite no write lock is taken, so writers never
        wait for it. Rolled back at the end; anything written here is an error."""
        session: Session = self.read_sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self):
        self.engine.dispose()
        self.read_engine.dispose()
