"""Triggers that refuse UPDATE and DELETE on the audit trail, in PostgreSQL and SQLite.

Installed by migration 0004. Whoever can drop a trigger can still rewrite rows, which is why the
chain is keyed and its head kept outside the database (review.audit); the triggers stop mistakes,
scripts and an application account that has no DDL rights.
"""
from __future__ import annotations

from sqlalchemy import text

MESSAGE = "audit_event is append-only"

_POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]
_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]


def install(connection) -> None:
    for statement in _POSTGRESQL if connection.dialect.name == "postgresql" else _SQLITE:
        connection.execute(text(statement))


def remove(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event"))
        connection.execute(text("DROP FUNCTION IF EXISTS audit_event_append_only()"))
    else:
        connection.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
        connection.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
