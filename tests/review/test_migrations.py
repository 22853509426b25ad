"""Data migrations: rows written by an older schema come out right on the newest one."""
from __future__ import annotations

import sqlalchemy as sa

from review import schema
from review.db import Database

RAW_ID = "110101199003078515"


def _old_screening(connection) -> None:
    """A department, a user, a draft, a revision and a screening as schema 0001 stored them."""
    now = "2026-01-01 00:00:00.000000"
    connection.execute(sa.text("INSERT INTO department (id, name, created_at) VALUES (1, '宣传科', :now)"), {"now": now})
    connection.execute(sa.text(
        "INSERT INTO user_account (id, username, name, role, department_id, password_hash, active, "
        "must_change_password, failed_logins, created_at) VALUES (1, 'editor', '编辑', 'editor', 1, 'x', 1, 0, 0, :now)"),
        {"now": now})
    connection.execute(sa.text(
        "INSERT INTO draft (id, author_id, department_id, status, route, urgent, disclosure, created_at, updated_at, "
        "round, version) VALUES (1, 1, 1, 'in_review', '[]', 0, 0, :now, :now, 1, 1)"), {"now": now})
    body = f"身份证号{RAW_ID}。"
    connection.execute(sa.text(
        "INSERT INTO revision (id, draft_id, number, title, body, content_hash, author_id, created_at) "
        "VALUES (1, 1, 1, '标题', :body, :hash, 1, :now)"), {"body": body, "hash": "0" * 64, "now": now})
    findings = [
        {"check": "pii", "category": "id_card", "field": "body", "start": 4, "end": 22, "text": RAW_ID, "score": 0.95,
         "action": "mask", "message": "身份证号码", "evidence": [RAW_ID]},
        {"check": "prohibited", "category": "gambling", "field": "title", "start": 0, "end": 2, "text": "标题",
         "score": 1.0, "action": "block", "message": "赌博"},
    ]
    screening = sa.table("screening_result", *(sa.column(c) for c in ("id", "revision_id", "sensitivity", "created_at")),
                         sa.column("route", sa.JSON), sa.column("findings", sa.JSON),
                         sa.column("deidentified", sa.JSON), sa.column("versions", sa.JSON))
    connection.execute(screening.insert().values(
        id=1, revision_id=1, sensitivity="blocked", route=[], findings=findings, created_at=now, versions={},
        deidentified={"title": "标题", "body": "身份证号110101********8515。"}))


def test_old_screenings_lose_their_raw_values_and_gain_finding_rows(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        schema.upgrade(db, "0001")
        with db.engine.begin() as connection:
            _old_screening(connection)
        schema.upgrade(db)
        with db.engine.connect() as connection:
            stored = connection.execute(sa.text("SELECT findings FROM screening_result")).scalar_one()
            rows = connection.execute(sa.text(
                'SELECT "check", category, field, span_start, span_end, action FROM finding ORDER BY id')).all()
        assert RAW_ID not in stored and "110101********8515" in stored and "evidence" not in stored
        assert [tuple(r) for r in rows] == [("pii", "id_card", "body", 4, 22, "mask"),
                                            ("prohibited", "gambling", "title", 0, 2, "block")]
        assert schema.drift(db) == []
    finally:
        db.dispose()
