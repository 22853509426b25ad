"""整改 tasks: a published post that its channel's department must correct or take down.

Opened by the patrol of published posts (a new block or escalate finding), by a failed delivery
check, or by a lower tier's negative review after an emergency publication; closed by the
department head with a note saying what was done. Each step is audited.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, deadlines, notify
from .db import get_by_id, utcnow
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .models import Draft, Publication, Rectification, User

# A post that should not be online is corrected by the end of the next working day.
RECTIFY_WORKING_DAYS = 1
SOURCE_LABELS = {"patrol": "已发布内容巡查", "post_review": "事后补审", "mismatch": "发布核验"}
NOTE_MAX = 1000


def open_task(session: Session, publication: Publication, source: str, summary: str, findings: list[dict]) -> Rectification:
    draft = session.get(Draft, publication.draft_id)
    department_id = publication.channel.department_id if publication.channel else draft.department_id
    task = Rectification(draft_id=draft.id, publication_id=publication.id, department_id=department_id,
                         source=source, summary=summary, findings=findings,
                         deadline_at=deadlines.add_working_days(utcnow(), RECTIFY_WORKING_DAYS))
    session.add(task)
    session.flush()
    audit.record(session, None, "rectification_opened", draft_id=draft.id, revision_hash=publication.content_hash,
                 rectification_id=task.id, source=source, reason=summary, deadline_at=task.deadline_at)
    notify.notify(session, notify.department_heads(session, department_id), "rectification",
                  f"整改通知（{SOURCE_LABELS[source]}）：{summary}", draft.id)
    return task


def close_task(session: Session, actor: User, task_id, note: str) -> Rectification:
    task = get_by_id(session, Rectification, task_id, NotFound("整改任务不存在"))
    if not may_close(task, actor):
        raise Forbidden("只有该渠道所属部门的负责人可以办结整改任务")
    if task.status != "open":
        raise Conflict("该整改任务已办结")
    if not isinstance(note, str) or len(note.strip()) < 4:
        raise InvalidInput("请写明整改情况（至少 4 个字），如“已删除原帖并发布更正”")
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"整改情况不能超过 {NOTE_MAX} 个字")
    task.status, task.closed_by_id, task.closed_at, task.closing_note = "done", actor.id, utcnow(), note.strip()
    audit.record(session, actor, "rectification_closed", draft_id=task.draft_id, rectification_id=task.id,
                 closing_note=task.closing_note)
    return task


def may_close(task: Rectification, user: User) -> bool:
    return user.active and user.role == "dept_head" and user.department_id == task.department_id


def tasks(session: Session, user: User, *, open_only: bool = False) -> list[Rectification]:
    """What a user may see: their department's tasks; leaders, auditors and administrators see all."""
    query = select(Rectification).order_by(Rectification.status.desc(), Rectification.deadline_at)
    if user.role not in ("leader", "auditor", "admin"):
        query = query.where(Rectification.department_id == user.department_id)
    if open_only:
        query = query.where(Rectification.status == "open")
    return list(session.scalars(query))
