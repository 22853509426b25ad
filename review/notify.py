"""Who is told what: one place decides the recipients of every review event; channels deliver.

Every notification is an in-app row (the count in the navigation, the /notifications page), written
in the same transaction as the event. A recipient with an e-mail address also gets an e-mail, and a
department with a group robot (企业微信 / 钉钉 webhook) gets one post per event: those are
OutboundMessage rows that review.delivery sends from a job queued after commit, with retries.

Messages name drafts by number and masked title, never a raw personal value (002 §19).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import masks
from .db import on_commit, utcnow
from .labels import TIER_LABELS
from .models import TIERS, DeadlineAlert, Department, Draft, Notification, OutboundMessage, SignOff, User

# Subjects of e-mails and robot posts, and the labels of the notification page.
KIND_LABELS = {
    "tier_reached": "待您审签",
    "returned": "稿件被退回",
    "approved": "稿件已签发待发布",
    "published": "稿件已发布",
    "deadline_soon": "突发稿件即将超时",
    "deadline_missed": "突发稿件已超时",
    "publication_mismatch": "发布核验未通过",
    "rectification": "整改通知",
    "post_review": "事后补审",
}
# 004 6.3.2.3: an urgent draft is first reported within the hour; warn this long before it runs out.
REMIND_BEFORE = timedelta(minutes=30)


def notify(session: Session, users, kind: str, message: str, draft_id: int | None = None,
           department: Department | None = None) -> int:
    """Tell each active user in-app (and by e-mail when they have an address); post once to the
    department's robot when it has one. Returns the number of people told."""
    recipients = {u.id: u for u in users if u is not None and u.active}
    subject = f"【三审】{KIND_LABELS.get(kind, '通知')}"
    outbound = []
    for user_id in sorted(recipients):
        session.add(Notification(user_id=user_id, draft_id=draft_id, kind=kind, message=message))
        if recipients[user_id].email:
            outbound.append(OutboundMessage(channel="email", address=recipients[user_id].email, kind=kind,
                                            subject=subject, body=message, draft_id=draft_id))
    if department is not None and department.robot_url:
        outbound.append(OutboundMessage(channel="robot", address=department.robot_url, kind=kind,
                                        subject=subject, body=message, draft_id=draft_id))
    if outbound:
        session.add_all(outbound)
        session.flush()
        for row in outbound:
            on_commit(session, "send_message", row.id)
    return len(recipients)


# ---------------------------------------------------------------- review events


def draft_moved(session: Session, draft: Draft) -> None:
    """After a transition: the next signers when the draft reaches a tier, the author when it comes
    back or goes out."""
    title = _title(draft)
    if draft.status == "in_review" and draft.current_tier:
        tier = _tier_label(draft.current_tier)
        urgent = "【突发】" if draft.urgent else ""
        notify(session, tier_signers(session, draft, draft.current_tier), "tier_reached",
               f"{urgent}稿件 #{draft.id}《{title}》已到“{tier}”环节，待您审签。", draft.id, draft.department)
    elif draft.status == "returned":
        notify(session, [draft.author], "returned",
               f"您的稿件 #{draft.id}《{title}》已退回：{draft.note or '请查看稿件'}", draft.id)
    elif draft.status == "approved":
        notify(session, [draft.author], "approved",
               f"您的稿件 #{draft.id}《{title}》各环节已签批同意，可以发布。", draft.id)
    elif draft.status == "published":
        notify(session, [draft.author], "published", f"您的稿件 #{draft.id}《{title}》已发布。", draft.id,
               draft.department)


def tier_signers(session: Session, draft: Draft, tier: str) -> list[User]:
    """Everyone who may sign this tier of the draft now (its author never)."""
    # workflow calls this module from its transitions; who may sign stays workflow's rule.
    from .workflow import eligible_for_tier

    users = session.scalars(select(User).where(User.active.is_(True), User.role == tier).order_by(User.id)).all()
    return [u for u in users if u.id != draft.author_id and eligible_for_tier(draft, u, tier)]


def deputies_of(session: Session, users: list[User]) -> list[User]:
    ids = {u.deputy_id for u in users if u.deputy_id}
    return list(session.scalars(select(User).where(User.id.in_(ids)))) if ids else []


def check_deadlines(session: Session, now: datetime | None = None) -> int:
    """Urgent drafts waiting for a signature: the tier is reminded 30 minutes before the one-hour
    deadline (004 6.3.2.3); once it has passed, the deputies and the next tier up are told.

    Each alert is sent once per round (DeadlineAlert's unique key), so running this every minute,
    on every worker, is harmless. Returns the number of alerts sent.
    """
    now = now or utcnow()
    drafts = session.scalars(select(Draft).where(Draft.status == "in_review", Draft.urgent.is_(True),
                                                 Draft.deadline_at.is_not(None), Draft.current_tier.is_not(None),
                                                 Draft.deadline_at <= now + REMIND_BEFORE)).all()
    sent = 0
    for draft in drafts:
        stage = "missed" if now >= draft.deadline_at else "soon"
        if not _first_alert(session, draft, stage):
            continue
        signers = tier_signers(session, draft, draft.current_tier)
        tier, title = _tier_label(draft.current_tier), _title(draft)
        if stage == "soon":
            minutes = max(1, int((draft.deadline_at - now).total_seconds() // 60))
            notify(session, signers, "deadline_soon",
                   f"【突发】稿件 #{draft.id}《{title}》距 1 小时首发时限还有 {minutes} 分钟，"
                   f"仍在“{tier}”环节待签（004 6.3.2.3）。", draft.id, draft.department)
        else:
            position = TIERS.index(draft.current_tier)
            above = tier_signers(session, draft, TIERS[position + 1]) if position + 1 < len(TIERS) else []
            notify(session, [*deputies_of(session, signers), *above, *signers], "deadline_missed",
                   f"【突发】稿件 #{draft.id}《{title}》已超过 1 小时首发时限，仍在“{tier}”环节未签。"
                   "请代理人或上一级尽快处理（004 6.3.2.3）。", draft.id, draft.department)
        sent += 1
    return sent


def _first_alert(session: Session, draft: Draft, stage: str) -> bool:
    already = session.scalar(select(DeadlineAlert.id).where(DeadlineAlert.draft_id == draft.id,
                                                            DeadlineAlert.round == draft.round,
                                                            DeadlineAlert.stage == stage))
    if already is not None:
        return False
    try:
        with session.begin_nested():
            session.add(DeadlineAlert(draft_id=draft.id, round=draft.round, stage=stage))
    except IntegrityError:
        return False  # another worker sent it a moment ago
    return True


def _title(draft: Draft) -> str:
    from .workflow import latest_screening

    revision = draft.current_revision
    title, _ = masks.masked_text(revision, latest_screening(Session.object_session(draft), revision.id))
    return title if len(title) <= 40 else title[:39] + "…"


def _tier_label(tier: str) -> str:
    return TIER_LABELS[tier]


# ---------------------------------------------------------------- recipients used by other modules


def approvers(session: Session, draft: Draft) -> list[User]:
    """Everyone who approved the current revision in the current round."""
    return list(session.scalars(
        select(User).join(SignOff, SignOff.user_id == User.id)
        .where(SignOff.revision_id == draft.current_revision_id, SignOff.round == draft.round,
               SignOff.decision == "approve")))


def department_heads(session: Session, department_id: int) -> list[User]:
    return list(session.scalars(
        select(User).where(User.role == "dept_head", User.department_id == department_id, User.active.is_(True))))


# ---------------------------------------------------------------- the in-app centre


def unread_count(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def recent(session: Session, user: User, limit: int = 50) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id)
                                .order_by(Notification.id.desc()).limit(limit)))


def mark_read(session: Session, user: User) -> None:
    session.execute(update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                    .values(read_at=utcnow()))
