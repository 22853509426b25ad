"""In-app notifications: one row per person told, written in the same transaction as the event.

Messages name drafts by number and masked title, never a raw personal value (002 §19).
"""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .db import utcnow
from .models import Draft, Notification, SignOff, User


def notify(session: Session, users, kind: str, message: str, draft_id: int | None = None) -> int:
    recipients = {u.id: u for u in users if u is not None and u.active}
    for user_id in sorted(recipients):
        session.add(Notification(user_id=user_id, draft_id=draft_id, kind=kind, message=message))
    return len(recipients)


def approvers(session: Session, draft: Draft) -> list[User]:
    """Everyone who approved the current revision in the current round."""
    return list(session.scalars(
        select(User).join(SignOff, SignOff.user_id == User.id)
        .where(SignOff.revision_id == draft.current_revision_id, SignOff.round == draft.round,
               SignOff.decision == "approve")))


def department_heads(session: Session, department_id: int) -> list[User]:
    return list(session.scalars(
        select(User).where(User.role == "dept_head", User.department_id == department_id, User.active.is_(True))))


def unread_count(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def recent(session: Session, user: User, limit: int = 50) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id)
                                .order_by(Notification.id.desc()).limit(limit)))


def mark_read(session: Session, user: User) -> None:
    session.execute(update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                    .values(read_at=utcnow()))
