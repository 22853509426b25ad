"""The leader roster: administrators edit it, `review roster import` loads a CSV, screening reads it.

Every change is one audited transaction (002 §25) and re-screens the drafts in review (the same
machinery as a wordlist edit): a title that changed today makes yesterday's approval stale.
Publishing checks the draft against the roster of that moment (`check_before_publish`).
"""
from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers.leaders import LeaderRules, RosterEntry
from classifiers.text import Field

from . import admin, audit
from .errors import Conflict, InvalidInput, NotFound
from .db import utcnow
from .models import Draft, LeaderRoster, Revision, ScreeningResult, SignOff, User

CSV_COLUMNS = ("name", "title", "rank", "unit", "valid_from", "valid_to")


def rows(session: Session) -> list[LeaderRoster]:
    return list(session.scalars(select(LeaderRoster).order_by(LeaderRoster.unit, LeaderRoster.rank, LeaderRoster.name)))


def entries(session: Session) -> tuple[RosterEntry, ...]:
    """The roster as the classifiers take it: plain data."""
    return tuple(RosterEntry(r.name, r.title, r.rank, r.unit, r.valid_from, r.valid_to) for r in rows(session))


def _date(value: str | date | None, label: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{label}“{value}”不是日期（格式：2026-01-31）") from None


def clean(name: str, title: str, rank, unit: str, valid_from, valid_to) -> dict:
    """Validated field values, or InvalidInput naming what is wrong."""
    name, title, unit = (name or "").strip(), (title or "").strip(), (unit or "").strip()
    if not name or not title:
        raise InvalidInput("姓名和职务不能为空")
    try:
        rank = int(str(rank).strip())
    except ValueError:
        raise InvalidInput(f"排序“{rank}”不是正整数") from None
    if rank < 1:
        raise InvalidInput("排序须为正整数（1 排最前）")
    start, end = _date(valid_from, "任职起始日期"), _date(valid_to, "任职截止日期")
    if start and end and start > end:
        raise InvalidInput("任职截止日期早于起始日期")
    return {"name": name, "title": title, "rank": rank, "unit": unit, "valid_from": start, "valid_to": end}


def _snapshot(row: LeaderRoster) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k in CSV_COLUMNS if (v := getattr(row, k)) is not None}


def _same_term(session: Session, values: dict) -> LeaderRoster | None:
    return session.scalar(select(LeaderRoster).where(
        LeaderRoster.name == values["name"], LeaderRoster.title == values["title"], LeaderRoster.unit == values["unit"]))


def _assign(row: LeaderRoster, values: dict, actor: User) -> None:
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_by_id, row.updated_at = actor.id, utcnow()


def _duplicate(session: Session, values: dict, row_id: int | None = None) -> None:
    other = _same_term(session, values)
    if other is not None and other.id != row_id:
        raise Conflict(f"名单中已有{values['unit']}{values['title']}{values['name']}")


def add(session: Session, actor: User, **fields) -> LeaderRoster:
    admin._require_admin(actor)
    values = clean(**fields)
    _duplicate(session, values)
    row = LeaderRoster(**values, updated_by_id=actor.id, updated_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor, "roster_added", roster_id=row.id, entry=_snapshot(row))
    admin.rescreen_after_commit(session, "领导名单已修改")
    return row


def update(session: Session, actor: User, row_id: int, **fields) -> LeaderRoster:
    admin._require_admin(actor)
    row = _row(session, row_id)
    values = clean(**fields)
    _duplicate(session, values, row.id)
    before = _snapshot(row)
    _assign(row, values, actor)
    session.flush()
    if _snapshot(row) != before:
        audit.record(session, actor, "roster_updated", roster_id=row.id, old=before, new=_snapshot(row))
        admin.rescreen_after_commit(session, "领导名单已修改")
    return row


def remove(session: Session, actor: User, row_id: int) -> None:
    admin._require_admin(actor)
    row = _row(session, row_id)
    audit.record(session, actor, "roster_removed", roster_id=row.id, entry=_snapshot(row))
    session.delete(row)
    session.flush()
    admin.rescreen_after_commit(session, "领导名单已修改")


def _row(session: Session, row_id) -> LeaderRoster:
    row = session.get(LeaderRoster, int(row_id)) if str(row_id).isdigit() else None
    if row is None:
        raise NotFound("名单中没有这一条")
    return row


def import_csv(session: Session, actor: User, text: str) -> tuple[int, int]:
    """Add or update rows by (name, title, unit) from a CSV with the header CSV_COLUMNS.
    Every line is checked first: one bad line and nothing is saved. Returns (added, updated)."""
    admin._require_admin(actor)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("name", "title", "rank") if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(f"CSV 缺少列：{', '.join(missing)}（表头应为 {','.join(CSV_COLUMNS)}）")
    parsed = []
    for lineno, record in enumerate(reader, 2):
        try:
            parsed.append(clean(**{c: record.get(c) or "" for c in CSV_COLUMNS}))
        except InvalidInput as exc:
            raise InvalidInput(f"第 {lineno} 行：{exc.message}") from None
    added = updated = 0
    for values in parsed:
        row = _same_term(session, values)
        if row is None:
            session.add(LeaderRoster(**values, updated_by_id=actor.id, updated_at=utcnow()))
            added += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            _assign(row, values, actor)
            updated += 1
    session.flush()
    audit.record(session, actor, "roster_imported", added=added, updated=updated, lines=len(parsed))
    if added or updated:
        admin.rescreen_after_commit(session, "领导名单已导入")
    return added, updated


def _issues(rules: LeaderRules, revision: Revision) -> list[tuple[str, str, str]]:
    found = []
    for fld in (Field("title", revision.title), Field("body", revision.body)):
        for issue in rules.find(fld.normalized):
            found.append((fld.name, fld.original_text(issue.start, issue.end), issue.message))
    return found


def check_before_publish(session: Session, draft: Draft, revision: Revision) -> None:
    """Refuse to publish when the roster of this moment finds a leader mistake the signers did not see
    (a title that changed after they signed). Mistakes their screening already showed were signed
    knowingly (a leader finding escalates to the top leader) and do not stop publication."""
    roster = entries(session)
    if not roster:
        return
    current = _issues(LeaderRules(roster, date.today()), revision)
    if not current:
        return
    last_signed = session.scalar(select(SignOff.created_at).where(
        SignOff.revision_id == revision.id, SignOff.round == draft.round).order_by(SignOff.created_at.desc()).limit(1))
    seen = set()
    for result in session.scalars(select(ScreeningResult).where(ScreeningResult.revision_id == revision.id)):
        if last_signed is None or result.created_at <= last_signed:
            seen.update((f["field"], f["text"], f["message"]) for f in result.findings
                        if f.get("check") == "expression" and f.get("category") == "leader")
    new = [issue for issue in current if issue not in seen]
    if new:
        raise Conflict("按当前领导名单复核，稿件中的领导姓名、职务或排序有误，不能发布：" + "；".join(m for _f, _t, m in new)
                       + "请修改稿件后重新提交审签。")
