"""A wordlist change re-screens every draft still in review.

A wordlist decides what is blocked and what needs the top leader (003 §13, 002 §17): drafts routed
under the old lists may now need more sign-offs. review.admin validates, stores and audits the edit
(002 §25); these wrappers add the re-screen, queued after the edit commits so the jobs see it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import admin, workflow
from .db import on_commit
from .models import Draft, User, WordlistOverride


def save_override(session: Session, actor: User, name: str, content: str) -> WordlistOverride:
    override = admin.save_override(session, actor, name, content)
    rescreen_after_commit(session)
    return override


def reset_override(session: Session, actor: User, name: str) -> None:
    admin.reset_override(session, actor, name)
    rescreen_after_commit(session)


def rescreen_after_commit(session: Session) -> list[int]:
    """Queue a re-screen of every draft whose sign-offs a list change can make insufficient."""
    draft_ids = list(session.scalars(
        select(Draft.id).where(Draft.status.in_(workflow.RESCREEN_STATES)).order_by(Draft.id)))
    for draft_id in draft_ids:
        on_commit(session, "rescreen_draft", draft_id)
    return draft_ids
