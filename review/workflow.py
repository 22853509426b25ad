"""The 三审 state machine: one function per action that checks, changes and audits in one transaction.

States (002 §17 三审制、先审后发):
    draft ─submit→ screening ─(screened)→ in_review ─(every tier approves)→ approved ─publish→ published
    screening blocked, or a reviewer rejects → returned ─(edit / submit)→ screening …
    the author may withdraw any draft not yet published.
Every action locks the draft row first, so two reviewers deciding at once, or a decision racing an
edit, are serialized; the unique constraints on SignOff and the draft's version column make the
database refuse whatever slips past a check.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from classifiers import redact_numbers

from . import audit, deadlines, integrity, masks, notify, roster
from .db import get_by_id, on_commit, utcnow
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .labels import SENSITIVITY_LABELS, STATUS_LABELS, TIER_LABELS
from .models import (
    DECISIONS,
    KEEP_REASONS,
    TIERS,
    Channel,
    Draft,
    MaskResolution,
    Publication,
    Revision,
    ScreeningResult,
    SignOff,
    User,
    content_hash,
)
from .validation import check_text

TITLE_MAX = 200
NOTE_MAX = 500
BODY_MAX = 1_000_000
# Comments, reasons and repost fields are copied into the audit trail: bounded, not megabytes.
COMMENT_MAX = 2000
REPOST_FIELD_MAX = 500
AUTHOR_ROLES = ("editor", "dept_head", "leader")
REPOST_FIELDS = ("source", "original_author", "original_title", "original_url", "original_published_at")
SENSITIVITY_RANK = {"general": 0, "important": 1, "blocked": 2}
# Drafts whose sign-offs a wordlist or model change can make insufficient: they are screened again.
RESCREEN_STATES = ("in_review", "approved")

IN_WORKFLOW = ("screening", "in_review", "approved")
# The state machine, in one table: (state, event) -> the next state. Every status change goes
# through `_move`, so a transition missing here cannot happen, whatever a caller checked before.
TRANSITIONS = {
    ("draft", "submit"): "screening",
    ("returned", "submit"): "screening",
    ("draft", "edit"): "draft",
    ("returned", "edit"): "returned",
    # An edit, or a change of what would be published with the text, voids the sign-offs.
    **{(state, "edit"): "screening" for state in IN_WORKFLOW},
    ("screening", "route"): "in_review",
    # A re-screening that raised the sensitivity starts the route again (or returns the draft).
    ("in_review", "route"): "in_review",
    ("approved", "route"): "in_review",
    **{(state, "block"): "returned" for state in IN_WORKFLOW},
    ("screening", "fail"): "returned",
    ("in_review", "approve"): "in_review",
    ("in_review", "approve_last"): "approved",
    ("in_review", "reject"): "returned",
    ("approved", "publish"): "published",
    # 004 6.3.2.3: a leader publishes an urgent draft before the lower tiers sign (review/emergency.py).
    ("in_review", "emergency_publish"): "published",
    **{(state, "withdraw"): "withdrawn" for state in ("draft", "returned", *IN_WORKFLOW)},
}


# ---------------------------------------------------------------- lookups


def get_draft(session: Session, draft_id: int, *, lock: bool = False) -> Draft:
    query = select(Draft).where(Draft.id == draft_id)
    if lock:
        query = query.with_for_update(of=Draft)
    draft = session.scalar(query)
    if draft is None:
        raise NotFound(f"稿件 {draft_id} 不存在")
    return draft


def may_read(draft: Draft, user: User) -> bool:
    """Who sees a draft, its history and its sheet: its department, its author, leaders, auditors and
    administrators (002 §25: operation permissions)."""
    return (user.role in ("auditor", "admin", "leader") or draft.author_id == user.id
            or user.department_id == draft.department_id)


def require_may_read(draft: Draft, user: User) -> None:
    if not may_read(draft, user):
        raise Forbidden("您无权查看此稿件")


def current_revision(session: Session, draft: Draft) -> Revision:
    return session.get(Revision, draft.current_revision_id)


def latest_screening(session: Session, revision_id: int) -> ScreeningResult | None:
    return session.scalar(
        select(ScreeningResult).where(ScreeningResult.revision_id == revision_id).order_by(ScreeningResult.id.desc()).limit(1)
    )


def round_signoffs(session: Session, draft: Draft) -> list[SignOff]:
    """Sign-offs that count: on the current revision, in the current round."""
    return list(session.scalars(
        select(SignOff).where(SignOff.revision_id == draft.current_revision_id, SignOff.round == draft.round).order_by(SignOff.id)
    ))


def all_signoffs(session: Session, draft: Draft) -> list[SignOff]:
    return list(session.scalars(select(SignOff).where(SignOff.draft_id == draft.id).order_by(SignOff.id)))


def publication_of(session: Session, draft: Draft) -> Publication | None:
    return session.scalar(select(Publication).where(Publication.draft_id == draft.id))


def revisions(session: Session, draft: Draft) -> list[Revision]:
    return list(session.scalars(select(Revision).where(Revision.draft_id == draft.id).order_by(Revision.number)))


# ---------------------------------------------------------------- validation


def _require_state(draft: Draft, event: str) -> None:
    if (draft.status, event) not in TRANSITIONS:
        raise Conflict(f"稿件当前状态为“{STATUS_LABELS[draft.status]}”，不能执行此操作")


def _move(draft: Draft, event: str) -> None:
    _require_state(draft, event)
    draft.status = TRANSITIONS[(draft.status, event)]


def _clean_text(title: str, body: str) -> tuple[str, str]:
    if not isinstance(title, str) or not isinstance(body, str):
        raise InvalidInput("标题和正文必须是文本")
    title = title.strip()
    if not title:
        raise InvalidInput("标题不能为空")
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"标题不能超过 {TITLE_MAX} 个字符")
    if len(body) > BODY_MAX:
        raise InvalidInput(f"正文不能超过 {BODY_MAX} 个字符")
    return title, body.replace("\r\n", "\n")


def clean_repost(repost) -> dict | None:
    if repost in (None, "", {}):
        return None
    if not isinstance(repost, dict):
        raise InvalidInput("转载信息格式错误")
    unknown = set(repost) - set(REPOST_FIELDS)
    if unknown:
        raise InvalidInput(f"转载信息包含未知字段：{', '.join(sorted(unknown))}")
    values = {k: "" if repost.get(k) is None else repost[k] for k in REPOST_FIELDS}
    cleaned = {k: check_text(v, "转载信息的各项", REPOST_FIELD_MAX).strip() for k, v in values.items()}
    return cleaned if any(cleaned.values()) else None


def _require_author(draft: Draft, actor: User) -> None:
    if draft.author_id != actor.id:
        raise Forbidden("只有稿件作者可以执行此操作")


# ---------------------------------------------------------------- editing


def create_draft(
    session: Session,
    author: User,
    title: str,
    body: str,
    *,
    channel_id: int | None = None,
    urgent: bool = False,
    disclosure: bool = False,
    repost: dict | None = None,
) -> Draft:
    if author.role not in AUTHOR_ROLES:
        raise Forbidden("只有编辑、部门负责人或领导可以撰写稿件")
    title, body = _clean_text(title, body)
    channel = _channel(session, channel_id)
    department_id = author.department_id or (channel.department_id if channel else None)
    if department_id is None:
        raise InvalidInput("请选择发布渠道")
    _require_own_channel(channel, department_id)
    draft = Draft(
        author_id=author.id,
        department_id=department_id,
        channel_id=channel.id if channel else None,
        status="draft",
        urgent=bool(urgent),
        disclosure=bool(disclosure),
        repost=clean_repost(repost),
        route=[],
    )
    session.add(draft)
    session.flush()
    revision = _add_revision(session, draft, author, title, body)
    audit.record(session, author, "draft_created", draft_id=draft.id, revision_hash=revision.content_hash,
                 title=title, urgent=draft.urgent)
    return draft


def _channel(session: Session, channel_id) -> Channel | None:
    if channel_id in (None, ""):
        return None
    return get_by_id(session, Channel, channel_id, InvalidInput("发布渠道不存在"))


def _require_own_channel(channel: Channel | None, department_id: int) -> None:
    """A department drafts, signs and publishes only on its own accounts (002 §25: who operates what)."""
    if channel is not None and channel.department_id != department_id:
        raise Forbidden(f"渠道“{channel.platform} · {channel.name}”属于{channel.department.name}，本部门不能在该渠道发布")


def _require_channel(draft: Draft) -> None:
    if draft.channel is None:
        raise InvalidInput("请先选择发布渠道：稿件须明确发布到哪个政务新媒体账号")
    _require_own_channel(draft.channel, draft.department_id)


def _add_revision(session: Session, draft: Draft, author: User, title: str, body: str) -> Revision:
    number = (current_revision(session, draft).number + 1) if draft.current_revision_id else 1
    revision = Revision(draft_id=draft.id, number=number, title=title, body=body,
                        content_hash=content_hash(title, body), author_id=author.id)
    session.add(revision)
    session.flush()
    draft.current_revision = revision
    draft.current_revision_id = revision.id
    return revision


def edit_draft(
    session: Session,
    actor: User,
    draft_id: int,
    title: str,
    body: str,
    *,
    channel_id=None,
    urgent: bool | None = None,
    disclosure: bool | None = None,
    repost=...,
) -> Draft:
    """A new immutable revision; in review it voids every sign-off and starts screening again."""
    draft = get_draft(session, draft_id, lock=True)
    _require_author(draft, actor)
    _require_state(draft, "edit")
    title, body = _clean_text(title, body)
    # What goes out besides the text: reviewers approved these too (004 6.3.1.4: a repost's source).
    published_as = {"channel": draft.channel_id, "disclosure": draft.disclosure, "repost": draft.repost}
    was_urgent = draft.urgent
    if channel_id is not None:
        channel = _channel(session, channel_id)
        _require_own_channel(channel, draft.department_id)
        draft.channel, draft.channel_id = channel, (channel.id if channel else None)
    if urgent is not None and bool(urgent) != draft.urgent:
        draft.urgent = bool(urgent)
        if draft.status in ("screening", "in_review", "approved"):
            # 004 6.3.2.3: marking a draft urgent starts its one-hour clock now.
            draft.deadline_at = deadlines.draft_deadline(utcnow(), draft.urgent)
    if disclosure is not None:
        draft.disclosure = bool(disclosure)
    if repost is not ...:
        draft.repost = clean_repost(repost)
    now_as = {"channel": draft.channel_id, "disclosure": draft.disclosure, "repost": draft.repost}
    changed = [k for k in published_as if published_as[k] != now_as[k]]
    previous = current_revision(session, draft)
    if (title, body) == (previous.title, previous.body):
        if changed or draft.urgent != was_urgent:
            audit.record(session, actor, "draft_options_changed", draft_id=draft.id,
                         revision_hash=previous.content_hash, changed=changed, urgent=draft.urgent)
        if changed and draft.status in ("screening", "in_review", "approved"):
            # The text is the same but what would be published is not: screen and sign again.
            _start_screening(session, draft, actor, "edit", reason="稿件的发布渠道、转载信息或公开属性已修改，原有签批作废，重新审查")
        return draft
    revision = _add_revision(session, draft, actor, title, body)
    # An override justified the findings of the old text; the new text needs its own.
    draft.override_reason = None
    audit.record(session, actor, "draft_edited", draft_id=draft.id, revision_hash=revision.content_hash,
                 revision=revision.number, previous_hash=previous.content_hash)
    if draft.status in ("screening", "in_review", "approved"):
        # Sign-offs are bound to the old revision's hash, so they no longer count.
        _start_screening(session, draft, actor, "edit", reason="稿件已修改，原有签批作废，重新审查")
    return draft


# ---------------------------------------------------------------- submission and screening


def submit(session: Session, actor: User, draft_id: int, override_reason: str | None = None) -> Draft:
    draft = get_draft(session, draft_id, lock=True)
    _require_author(draft, actor)
    _require_state(draft, "submit")
    if override_reason is not None:
        check_text(override_reason, "override_reason", COMMENT_MAX)
    override_reason = (override_reason or "").strip() or None
    if override_reason and len(override_reason) < 10:
        raise InvalidInput("申请人工复核的理由至少 10 个字")
    draft.override_reason = override_reason
    revision = current_revision(session, draft)
    if not revision.body.strip():
        raise InvalidInput("正文为空，不能提交")
    _require_channel(draft)
    rejected = session.scalar(select(SignOff).where(SignOff.revision_id == revision.id, SignOff.decision == "reject")
                              .limit(1))
    if rejected is not None:
        # A reviewer refused exactly this text: the author edits before asking again.
        raise Conflict(f"此版本已被{TIER_LABELS[rejected.tier]}退回，请根据意见修改后再提交")
    draft.deadline_at = deadlines.draft_deadline(utcnow(), draft.urgent)
    audit.record(session, actor, "submitted", draft_id=draft.id, revision_hash=revision.content_hash,
                 override_reason=override_reason, urgent=draft.urgent, deadline_at=draft.deadline_at)
    _start_screening(session, draft, actor, "submit")
    return draft


def _start_screening(session: Session, draft: Draft, actor: User | None, event: str, reason: str | None = None) -> None:
    _move(draft, event)
    draft.round += 1
    draft.current_tier = None
    draft.note = reason
    revision_id = draft.current_revision_id
    audit.record(session, actor, "screening_started", draft_id=draft.id,
                 revision_hash=current_revision(session, draft).content_hash, round=draft.round, reason=reason)
    # The job must see the committed revision, so it is queued only after commit.
    on_commit(session, "screen_revision", revision_id)


def apply_screening(session: Session, revision_id: int, result: dict, *, rescreen: bool = False) -> Draft | None:
    """Store a screening result and move the draft on. Idempotent; a stale result moves nothing."""
    revision = session.get(Revision, revision_id)
    if revision is None:
        raise NotFound(f"修订 {revision_id} 不存在")
    draft = get_draft(session, revision.draft_id, lock=True)
    # Screening ran with no lock held (screening.screen_revision): under the lock, apply only if
    # the revision is still current and the draft still waits for it. Anything else is a stale
    # result (the author edited, withdrew, or a retried job already applied it): discarded.
    if draft.current_revision_id != revision_id or draft.status not in (RESCREEN_STATES if rescreen else ("screening",)):
        return draft
    previous = latest_screening(session, revision_id)
    stored = ScreeningResult.of(revision_id, result, masks.strip_masked_values(result["findings"], result["deidentified"]))
    session.add(stored)
    session.flush()
    if rescreen:
        return _after_rescreen(session, draft, previous, stored)
    audit.record(session, None, "screened", draft_id=draft.id, revision_hash=revision.content_hash,
                 sensitivity=stored.sensitivity, findings=len(stored.findings), versions=stored.versions)
    _route(session, draft, stored)
    return draft


def _route(session: Session, draft: Draft, screening: ScreeningResult, reason: str | None = None) -> None:
    revision_hash = current_revision(session, draft).content_hash
    draft.sensitivity = screening.sensitivity
    if screening.sensitivity == "blocked" and not draft.override_reason:
        _move(draft, "block")
        draft.route = []
        draft.current_tier = None
        draft.note = (f"{reason}；" if reason else "") + "自动审查发现禁止发布的内容，请修改，或填写理由申请人工复核"
        audit.record(session, None, "returned", draft_id=draft.id, revision_hash=revision_hash, reason="blocked")
        notify.draft_moved(session, draft)
        return
    if screening.sensitivity == "blocked":
        # A human overrides the machine only with every tier signing, whatever policy.toml says.
        draft.route = list(TIERS)
        audit.record(session, None, "override_routed", draft_id=draft.id, revision_hash=revision_hash,
                     override_reason=draft.override_reason,
                     findings=[f.get("category") for f in screening.findings if f.get("action") == "block"])
    else:
        draft.route = list(screening.route)
    _move(draft, "route")
    draft.current_tier = draft.route[0]
    draft.tier_since = utcnow()
    audit.record(session, None, "routed", draft_id=draft.id, revision_hash=revision_hash, route=draft.route,
                 sensitivity=screening.sensitivity, override=screening.sensitivity == "blocked")
    notify.draft_moved(session, draft)


def _after_rescreen(session, draft: Draft, previous: ScreeningResult | None, stored: ScreeningResult) -> Draft:
    old = draft.sensitivity or (previous.sensitivity if previous else "general")
    revision_hash = current_revision(session, draft).content_hash
    audit.record(session, None, "rescreened", draft_id=draft.id, revision_hash=revision_hash,
                 old_sensitivity=old, new_sensitivity=stored.sensitivity, versions=stored.versions)
    if draft.status not in RESCREEN_STATES or SENSITIVITY_RANK[stored.sensitivity] <= SENSITIVITY_RANK[old]:
        return draft
    # The old route was too short for what the text now is: every tier signs again on the new one.
    draft.round += 1
    reason = (f"词库或模型更新后重新审查，敏感级别由“{SENSITIVITY_LABELS[old]}”升为"
              f"“{SENSITIVITY_LABELS[stored.sensitivity]}”，原有签批作废，按新路由重新审签")
    draft.note = reason
    audit.record(session, None, "route_restarted", draft_id=draft.id, revision_hash=revision_hash, reason=reason,
                 old_route=draft.route)
    _route(session, draft, stored, reason)
    return draft


def screening_failed(session: Session, revision_id: int, error: str) -> None:
    """After the last retry: hand the draft back rather than leave it in screening forever."""
    revision = session.get(Revision, revision_id)
    if revision is None:
        return
    draft = get_draft(session, revision.draft_id, lock=True)
    if draft.status != "screening" or draft.current_revision_id != revision_id:
        return
    _move(draft, "fail")
    draft.note = "自动审查未能完成，请稍后重新提交；如多次失败请联系管理员"
    audit.record(session, None, "screening_failed", draft_id=draft.id, revision_hash=revision.content_hash,
                 error=error[:500])
    notify.draft_moved(session, draft)


# ---------------------------------------------------------------- sign-off


def eligible_for_tier(draft: Draft, user: User, tier: str) -> bool:
    """Whose turn it is: editors of the department, its head, or a top leader."""
    if not user.active:
        return False
    if tier == "editor":
        return user.role == "editor" and user.department_id == draft.department_id
    if tier == "dept_head":
        return user.role == "dept_head" and user.department_id == draft.department_id
    if tier == "leader":
        return user.role == "leader"
    return False


def tier_overdue(draft: Draft) -> bool:
    return draft.tier_since is not None and utcnow() > deadlines.tier_overdue_at(draft.tier_since, draft.urgent)


def signer_tiers(session: Session, draft: Draft, user: User) -> dict[str, bool]:
    """The tiers of this draft the user may ever sign, each mapped to "only as a deputy".

    Who the user is, not whether it is their turn: the author signs nothing of their own draft.
    """
    if user.id == draft.author_id or not user.active or user.role not in TIERS:
        return {}
    principals = session.scalars(select(User).where(User.deputy_id == user.id, User.active.is_(True))).all()
    tiers = {}
    for tier in draft.route or TIERS:
        if eligible_for_tier(draft, user, tier):
            tiers[tier] = False
        elif any(eligible_for_tier(draft, p, tier) for p in principals):
            tiers[tier] = True
    return tiers


def can_sign(session: Session, draft: Draft, user: User) -> tuple[bool, bool]:
    """(may sign the current tier now, signs as a deputy)."""
    if draft.status != "in_review" or draft.current_tier is None:
        return False, False
    tiers = signer_tiers(session, draft, user)
    if draft.current_tier not in tiers:
        return False, False
    if any(s.user_id == user.id for s in round_signoffs(session, draft)):
        return False, False  # one person signs at most one tier of a revision
    as_deputy = tiers[draft.current_tier]
    if as_deputy and not tier_overdue(draft):
        return False, False
    return True, as_deputy


@contextmanager
def _refused_by_database(message: str):
    """Whatever slips past the checks (no row lock, a racing writer) the schema refuses: 409."""
    try:
        yield
    except (IntegrityError, StaleDataError) as exc:
        raise Conflict(message) from exc


def decide(session: Session, actor: User, draft_id: int, decision: str, comment: str, revision_hash: str) -> Draft:
    """One tier's decision on the exact revision the reviewer read (revision_hash).

    403 answers who the actor is (author, not a signer of this draft, a second tier of the same
    revision); 409 answers when they ask (wrong state, stale text, not or no longer their tier).
    """
    if decision not in DECISIONS:
        raise InvalidInput("decision 必须是 approve 或 reject")
    if comment is None:
        comment = ""
    check_text(comment, "comment", COMMENT_MAX)
    # 002 §19: a comment is kept, shown and published with its personal numbers masked.
    comment = redact_numbers(comment.strip())
    if decision == "reject" and not comment:
        raise InvalidInput("退回必须填写意见")
    if not revision_hash or not isinstance(revision_hash, str):
        raise InvalidInput("缺少 revision_hash：签批必须针对确定的稿件版本")
    draft = get_draft(session, draft_id, lock=True)
    if actor.id == draft.author_id:
        raise Forbidden("作者不能审签自己的稿件")
    tiers = signer_tiers(session, draft, actor)
    if not tiers:
        raise Forbidden("您不是此稿件的审签人")
    _require_state(draft, decision)
    revision = current_revision(session, draft)
    if revision_hash != revision.content_hash:
        raise Conflict("稿件已被修改，您看到的不是最新版本，请刷新后重新审阅")
    if decision == "approve":
        require_masks_resolved(session, revision, "签批同意")
    tier = draft.current_tier
    signed = round_signoffs(session, draft)
    mine = next((s for s in signed if s.user_id == actor.id), None)
    if tier not in tiers:
        if mine is not None:
            raise Conflict(f"您已签批本版本的“{TIER_LABELS[mine.tier]}”环节")
        done = next((s for s in signed if s.tier in tiers), None)
        if done is not None:
            raise Conflict(f"“{TIER_LABELS[done.tier]}”环节已由{done.user.name}签批，"
                           f"当前环节为“{TIER_LABELS[tier]}”")
        raise Conflict(f"当前环节为“{TIER_LABELS[tier]}”，尚未轮到您签批")
    if mine is not None:
        raise Forbidden(f"同一人对同一版本只能签批一个环节，您已签批“{TIER_LABELS[mine.tier]}”")
    as_deputy = tiers[tier]
    if as_deputy and not tier_overdue(draft):
        raise Conflict(f"“{TIER_LABELS[tier]}”环节尚未超时，代理人暂不能签批")
    with _refused_by_database("该环节已有人签批或稿件刚被修改，请刷新后重试"):
        session.add(SignOff(draft_id=draft.id, revision_id=revision.id, revision_hash=revision.content_hash,
                            round=draft.round, tier=tier, decision=decision, comment=comment, user_id=actor.id,
                            as_deputy=as_deputy))
        audit.record(session, actor, "approved" if decision == "approve" else "rejected", draft_id=draft.id,
                     revision_hash=revision.content_hash, tier=tier, comment=comment, as_deputy=as_deputy)
        if decision == "reject":
            _move(draft, "reject")
            draft.current_tier = None
            draft.note = f"{TIER_LABELS[tier]}退回：{comment}"
        else:
            position = draft.route.index(tier)
            if position + 1 < len(draft.route):
                draft.current_tier = draft.route[position + 1]
                draft.tier_since = utcnow()
            else:
                draft.current_tier = None
                _move(draft, "approve_last")
                audit.record(session, None, "approved_all_tiers", draft_id=draft.id,
                             revision_hash=revision.content_hash, route=draft.route)
        session.flush()  # the unique constraints and the version check speak here
    notify.draft_moved(session, draft)
    return draft


def missing_tiers(session: Session, draft: Draft) -> list[str]:
    approved = {s.tier for s in round_signoffs(session, draft) if s.decision == "approve"}
    return [t for t in draft.route if t not in approved]


# ---------------------------------------------------------------- publish and withdraw


def may_publish(draft: Draft, user: User) -> bool:
    if user.role == "leader" or user.id == draft.author_id:
        return True
    return user.role in ("editor", "dept_head") and user.department_id == draft.department_id


def publish(session: Session, actor: User, draft_id: int) -> Publication:
    """先审后发: only when every tier of the route approved the current revision."""
    draft = get_draft(session, draft_id, lock=True)
    if not may_publish(draft, actor):
        raise Forbidden("您无权发布此稿件")
    missing = missing_tiers(session, draft)
    if draft.status == "in_review":
        raise Conflict("尚有环节未签批，不能发布：" + "、".join(TIER_LABELS[t] for t in missing))
    _require_state(draft, "publish")
    if not draft.route or missing:
        raise Conflict("尚有环节未签批，不能发布：" + "、".join(TIER_LABELS[t] for t in missing))
    return publish_revision(session, actor, draft)


def publish_revision(session: Session, actor: User, draft: Draft, emergency_reason: str | None = None) -> Publication:
    """Send the current revision of a locked draft out: its channel, its resolved masks, its sign-offs."""
    _require_channel(draft)
    revision = current_revision(session, draft)
    roster.check_before_publish(session, draft, revision)  # the roster of this moment, not of the sign-off
    require_masks_resolved(session, revision, "发布")
    screening = latest_screening(session, revision.id)
    signoffs = round_signoffs(session, draft)
    kept = masks.resolutions(session, revision)
    payload = {
        "draft_id": draft.id,
        "channel": {"id": draft.channel.id, "name": draft.channel.name, "platform": draft.channel.platform},
        "title": revision.title,
        "body": revision.body,
        "content_hash": revision.content_hash,
        "repost": draft.repost,
        "signoffs": [{"tier": s.tier, "user": s.user.username, "name": s.user.name, "at": s.created_at.isoformat(),
                      "comment": redact_numbers(s.comment), "emergency": s.emergency} for s in signoffs],
        # 002 §19: every personal value still in the text, and why it may be published.
        "kept_personal_data": [{"finding": r.finding_key, "category": r.category, "reason": r.reason_label,
                                "by": r.user.name} for r in kept],
        "sensitivity": screening.sensitivity if screening else None,
        "emergency": emergency_reason is not None,
    }
    now = utcnow()
    publication = Publication(draft_id=draft.id, revision_id=revision.id, channel_id=draft.channel_id,
                              adapter=draft.channel.adapter, payload=payload, content_hash=revision.content_hash,
                              published_by_id=actor.id, published_at=now, emergency=emergency_reason is not None,
                              emergency_reason=emergency_reason)
    session.add(publication)
    _move(draft, "emergency_publish" if emergency_reason is not None else "publish")
    draft.current_tier = None
    draft.published_at = now
    with _refused_by_database("稿件已发布或刚被修改，请刷新后重试"):
        session.flush()
    audit.record(session, actor, "published", draft_id=draft.id, revision_hash=revision.content_hash,
                 publication_id=publication.id, channel=draft.channel.name, emergency=publication.emergency,
                 payload_hash=integrity.payload_digest(payload))
    on_commit(session, "deliver_publication", publication.id)
    notify.draft_moved(session, draft)
    return publication


# ---------------------------------------------------------------- personal data (002 §19)


def require_masks_resolved(session: Session, revision: Revision, action: str) -> None:
    open_findings = masks.open_masks(session, revision, latest_screening(session, revision.id))
    if open_findings:
        raise Conflict(f"尚有 {len(open_findings)} 处个人信息未处理，不能{action}：{masks.describe(open_findings)}。"
                       "请作者采用去标识化文本，或由审核人注明保留理由（002 §19）", open_findings=open_findings)


def keep_masked_value(session: Session, actor: User, draft_id: int, revision_hash: str, finding_key: str,
                      reason: str, note: str) -> MaskResolution:
    """A reviewer keeps one personal value of the revision they read, for a recorded reason."""
    if reason not in KEEP_REASONS:
        raise InvalidInput("保留理由须为：" + "、".join(KEEP_REASONS.values()))
    if not isinstance(note, str) or not note.strip():
        raise InvalidInput("请填写保留说明（如同意书编号、公示依据）")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"保留说明不能超过 {NOTE_MAX} 个字")
    if not isinstance(finding_key, str) or not isinstance(revision_hash, str):
        raise InvalidInput("缺少要处理的个人信息或稿件版本")
    draft = get_draft(session, draft_id, lock=True)
    if actor.id == draft.author_id:
        raise Forbidden("作者不能为自己的稿件保留个人信息：请采用去标识化文本或修改稿件")
    if not signer_tiers(session, draft, actor):
        raise Forbidden("只有此稿件的审签人可以决定保留个人信息")
    if draft.status not in ("in_review", "approved"):
        raise Conflict(f"稿件当前状态为“{STATUS_LABELS[draft.status]}”，不能处理个人信息")
    revision = current_revision(session, draft)
    if revision_hash != revision.content_hash:
        raise Conflict("稿件已被修改，您看到的不是最新版本，请刷新后重新处理")
    open_findings = masks.open_masks(session, revision, latest_screening(session, revision.id))
    finding = next((f for f in open_findings if masks.finding_key(f) == finding_key), None)
    if finding is None:
        raise Conflict("该处个人信息已处理或已不在本版本中，请刷新")
    resolution = MaskResolution(draft_id=draft.id, revision_id=revision.id, revision_hash=revision.content_hash,
                                finding_key=finding_key, category=finding["category"], reason=reason, note=note,
                                user_id=actor.id)
    with _refused_by_database("该处个人信息刚被他人处理，请刷新"):
        session.add(resolution)
        session.flush()
    audit.record(session, actor, "personal_data_kept", draft_id=draft.id, revision_hash=revision.content_hash,
                 finding=finding_key, category=finding["category"], value=finding["text"],
                 keep_reason=KEEP_REASONS[reason], note=note)
    return resolution


def accept_deidentified(session: Session, actor: User, draft_id: int, revision_hash: str) -> Draft:
    """The author takes the de-identified text of every open mask: a new revision, screened again."""
    draft = get_draft(session, draft_id, lock=True)
    _require_author(draft, actor)
    revision = current_revision(session, draft)
    if revision_hash != revision.content_hash:
        raise Conflict("稿件已被修改，请刷新后重试")
    screening = latest_screening(session, revision.id)
    open_findings = masks.open_masks(session, revision, screening)
    if not open_findings:
        raise Conflict("本版本没有待去标识化的个人信息")
    title, body = masks.deidentified_for_open(revision, screening, open_findings)
    kept = masks.resolutions(session, revision)
    draft = edit_draft(session, actor, draft_id, title, body)
    new = current_revision(session, draft)
    # Masks keep every offset, so a value a reviewer kept is at the same place in the new text,
    # which differs from the one they read only by the masks the system applied.
    for resolution in kept:
        session.add(MaskResolution(draft_id=draft.id, revision_id=new.id, revision_hash=new.content_hash,
                                   finding_key=resolution.finding_key, category=resolution.category,
                                   reason=resolution.reason, note=resolution.note, user_id=resolution.user_id))
    audit.record(session, actor, "deidentified_accepted", draft_id=draft.id, revision_hash=new.content_hash,
                 previous_hash=revision.content_hash, masked=[masks.finding_key(f) for f in open_findings],
                 kept_carried=[r.finding_key for r in kept])
    return draft


def withdraw(session: Session, actor: User, draft_id: int) -> Draft:
    draft = get_draft(session, draft_id, lock=True)
    _require_author(draft, actor)
    _move(draft, "withdraw")
    draft.current_tier = None
    audit.record(session, actor, "withdrawn", draft_id=draft.id,
                 revision_hash=current_revision(session, draft).content_hash)
    return draft


# ---------------------------------------------------------------- lists


def my_drafts(session: Session, user: User) -> list[Draft]:
    return list(session.scalars(select(Draft).where(Draft.author_id == user.id).order_by(Draft.updated_at.desc())))
