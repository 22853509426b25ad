"""The review queue in one query: what waits for this person's signature, urgent first.

workflow.queue_for asks workflow.can_sign draft by draft, a query or two each; with thousands of
drafts in review that is too slow for a leader's phone. This module answers the same question in
SQL. The rule itself stays workflow's: tests/review/test_queue.py checks both agree draft by draft.
"""
from __future__ import annotations

from sqlalchemy import and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from . import workflow
from .models import Draft, Revision, ScreeningResult, SignOff, User


def _eligible(user: User):
    """SQL form of workflow.eligible_for_tier for the draft's current tier."""
    if user.role in ("editor", "dept_head"):
        return and_(Draft.current_tier == user.role, Draft.department_id == user.department_id)
    if user.role == "leader":
        return Draft.current_tier == "leader"
    return false()


def waiting_for(session: Session, user: User, limit: int | None = None) -> list[Draft]:
    signed_already = exists().where(
        SignOff.draft_id == Draft.id,
        SignOff.revision_id == Draft.current_revision_id,
        SignOff.round == Draft.round,
        SignOff.user_id == user.id,
    )
    # People who named this user as their deputy: their drafts may become this user's once overdue.
    principals = session.scalars(select(User).where(User.deputy_id == user.id, User.active.is_(True))).all()
    as_deputy = [_eligible(p) for p in principals]
    query = (
        select(Draft)
        .where(Draft.status == "in_review", Draft.current_tier.is_not(None), Draft.author_id != user.id,
               ~signed_already, or_(_eligible(user), *as_deputy))
        .options(joinedload(Draft.current_revision))
        .order_by(Draft.urgent.desc(), case((Draft.deadline_at.is_(None), 1), else_=0), Draft.deadline_at, Draft.id)
    )
    drafts = []
    for draft in session.scalars(query).unique():
        if not workflow.eligible_for_tier(draft, user, draft.current_tier):
            # Here only through a deputy clause: the tier must be overdue (deadline rule in workflow).
            if not workflow.tier_overdue(draft):
                continue
        drafts.append(draft)
        if limit and len(drafts) >= limit:
            break
    return drafts


def views(session: Session, drafts: list[Draft]) -> list[workflow.DraftView]:
    """workflow.view for many drafts in three queries, not four per draft (the API's queue)."""
    if not drafts:
        return []
    revision_ids = [d.current_revision_id for d in drafts]
    revisions = {r.id: r for r in session.scalars(select(Revision).where(Revision.id.in_(revision_ids)))}
    newest = (select(func.max(ScreeningResult.id)).where(ScreeningResult.revision_id.in_(revision_ids))
              .group_by(ScreeningResult.revision_id))
    screenings = {r.revision_id: r for r in session.scalars(select(ScreeningResult).where(ScreeningResult.id.in_(newest)))}
    signoffs: dict[int, list[SignOff]] = {d.id: [] for d in drafts}
    for signoff in session.scalars(select(SignOff).where(SignOff.draft_id.in_(list(signoffs))).order_by(SignOff.id)):
        signoffs[signoff.draft_id].append(signoff)
    return [workflow.DraftView(d, revisions[d.current_revision_id], screenings.get(d.current_revision_id),
                               signoffs[d.id]) for d in drafts]
