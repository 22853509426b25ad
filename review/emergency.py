"""The emergency lane (004 6.3.2.3: a major incident is first reported within one hour).

A top leader may publish an urgent draft before the lower tiers have signed, with a reason. The
leader's decision is a sign-off marked `emergency`; every tier of the route that had not approved
gets a post-review (事后补审) with a deadline, and a negative post-review opens a 整改 task. Nobody
else can skip a tier, and the lane never bypasses a block or an unresolved personal value.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers import redact_numbers

from . import audit, deadlines, notify, rectification, workflow
from .db import utcnow
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .labels import STATUS_LABELS, TIER_LABELS
from .models import DECISIONS, Publication, PostReview, SignOff, User
from .validation import check_text

REASON_MIN = 10
REASON_MAX = 1000
POST_REVIEW_WORKING_DAYS = 1


def may_use(draft, user: User) -> bool:
    return (user.active and user.role == "leader" and user.id != draft.author_id and draft.urgent
            and draft.status == "in_review")


def emergency_publish(session: Session, actor: User, draft_id: int, reason: str, revision_hash: str) -> Publication:
    if actor.role != "leader" or not actor.active:
        raise Forbidden("只有主要领导可以紧急发布")
    if not isinstance(reason, str) or len(reason.strip()) < REASON_MIN:
        raise InvalidInput(f"紧急发布须写明理由（至少 {REASON_MIN} 个字）")
    check_text(reason, "理由", REASON_MAX)
    reason = redact_numbers(reason.strip())
    draft = workflow.get_draft(session, draft_id, lock=True)
    if actor.id == draft.author_id:
        raise Forbidden("作者不能紧急发布自己的稿件")
    if not draft.urgent:
        raise Conflict("只有标记为“突发”的稿件可以走紧急发布（004 6.3.2.3）")
    if draft.status != "in_review":
        raise Conflict(f"稿件当前状态为“{STATUS_LABELS[draft.status]}”，不能紧急发布")
    if draft.sensitivity == "blocked":
        raise Conflict("自动审查发现禁止发布的内容，不能紧急发布")
    revision = workflow.current_revision(session, draft)
    if revision_hash != revision.content_hash:
        raise Conflict("稿件已被修改，您看到的不是最新版本，请刷新后重新审阅")
    workflow.require_masks_resolved(session, revision, "紧急发布")
    approved = {s.tier for s in workflow.round_signoffs(session, draft) if s.decision == "approve"}
    pending = [t for t in draft.route if t != "leader" and t not in approved]
    signoff = SignOff(draft_id=draft.id, revision_id=revision.id, revision_hash=revision.content_hash,
                      round=draft.round, tier="leader", decision="approve", comment=f"紧急发布：{reason}",
                      user_id=actor.id, emergency=True)
    session.add(signoff)
    deadline = deadlines.add_working_days(utcnow(), POST_REVIEW_WORKING_DAYS)
    for tier in pending:
        session.add(PostReview(draft_id=draft.id, revision_id=revision.id, revision_hash=revision.content_hash,
                               tier=tier, deadline_at=deadline))
    publication = workflow.publish_revision(session, actor, draft, emergency_reason=reason)
    audit.record(session, actor, "emergency_published", draft_id=draft.id, revision_hash=revision.content_hash,
                 reason=reason, comment=signoff.comment, post_review=pending, publication_id=publication.id)
    for tier in pending:
        notify.notify(session, notify.tier_signers(session, draft, tier), "post_review",
                      f"稿件 #{draft.id} 已由{actor.name}紧急发布，请在时限内完成{TIER_LABELS[tier]}的事后补审。",
                      draft.id)
    return publication


def post_reviews(session: Session, draft_id: int) -> list[PostReview]:
    return list(session.scalars(select(PostReview).where(PostReview.draft_id == draft_id).order_by(PostReview.id)))


def waiting_for(session: Session, user: User) -> list[PostReview]:
    """Post-reviews this user may do now."""
    rows = session.scalars(select(PostReview).where(PostReview.decision.is_(None), PostReview.tier == user.role)
                           .order_by(PostReview.deadline_at)).all()
    return [r for r in rows if may_post_review(session, r, user)]


def may_post_review(session: Session, row: PostReview, user: User) -> bool:
    draft = workflow.get_draft(session, row.draft_id)
    return (row.decision is None and user.id != draft.author_id
            and workflow.eligible_for_tier(draft, user, row.tier))


def post_review(session: Session, actor: User, post_review_id, decision: str, comment: str) -> PostReview:
    if decision not in DECISIONS:
        raise InvalidInput("decision 必须是 approve 或 reject")
    comment = (comment or "").strip() if isinstance(comment, str) or comment is None else None
    if comment is None:
        raise InvalidInput("comment 必须是文本")
    if decision == "reject" and not comment:
        raise InvalidInput("补审不同意时必须写明意见")
    if len(comment) > REASON_MAX:
        raise InvalidInput(f"意见不能超过 {REASON_MAX} 个字")
    row = session.scalar(select(PostReview).where(PostReview.id == _id(post_review_id)).with_for_update(of=PostReview))
    if row is None:
        raise NotFound("补审任务不存在")
    draft = workflow.get_draft(session, row.draft_id, lock=True)
    if actor.id == draft.author_id:
        raise Forbidden("作者不能补审自己的稿件")
    if not workflow.eligible_for_tier(draft, actor, row.tier):
        raise Forbidden(f"您不是“{TIER_LABELS[row.tier]}”环节的补审人")
    if row.decision is not None:
        raise Conflict(f"“{TIER_LABELS[row.tier]}”环节已由{row.user.name}补审")
    row.decision, row.comment, row.user_id, row.decided_at = decision, comment, actor.id, utcnow()
    session.flush()
    session.expire(row, ["user"])  # loaded again from user_id, in this session
    audit.record(session, actor, "post_reviewed", draft_id=draft.id, revision_hash=row.revision_hash, tier=row.tier,
                 decision=decision, comment=comment)
    if decision == "reject":
        publication = session.scalar(select(Publication).where(Publication.draft_id == draft.id))
        rectification.open_task(session, publication, "post_review",
                                f"稿件 #{draft.id} 事后补审（{TIER_LABELS[row.tier]}）不同意：{comment}", [])
    return row


def _id(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit() or len(str(value)) > 9:
        raise NotFound("补审任务不存在")
    return int(value)
