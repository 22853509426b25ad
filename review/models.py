"""Typed SQLAlchemy 2.0 models. Constraints live in the schema, not only in code."""
from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, UTCDateTime, utcnow

ROLES = ("editor", "dept_head", "leader", "auditor", "admin")
ROLE_LABELS = {"editor": "编辑", "dept_head": "部门负责人", "leader": "主要领导", "auditor": "审计员", "admin": "管理员"}
# Scripts name platforms by code (`review channel add … --platform weibo`); pages show the label.
PLATFORM_CODES = {"weibo": "微博", "wechat": "微信公众号", "app": "移动客户端", "web": "网站", "other": "其他"}
PLATFORMS = tuple(PLATFORM_CODES.values())
STATUSES = ("draft", "screening", "in_review", "approved", "published", "returned", "withdrawn")
TIERS = ("editor", "dept_head", "leader")
DECISIONS = ("approve", "reject")
# 002 §19, §29: a reviewer may keep a personal value in a published text only for one of these.
KEEP_REASONS = {
    "consent": "当事人书面同意公开",
    "official_duty": "公职人员履职信息",
    "disciplinary": "惩戒公示依法公开",
    "false_positive": "非个人信息（误报）",
}
VERIFICATIONS = ("pending", "verified", "mismatch", "unverified", "failed")
RECTIFICATION_SOURCES = ("patrol", "post_review", "mismatch")
OUTBOUND_CHANNELS = ("email", "robot")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Department(Base):
    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The department's group robot (企业微信 / 钉钉 webhook): its review events are posted there.
    robot_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="ck_user_role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # 004 7.1: credentials change when staff change; a new account changes its password first.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who takes over this user's tier when a deadline passes (urgent drafts escalate to deputies).
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Where notifications are e-mailed (when SMTP_URL is set); None: in-app only.
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sessions carry the version they were signed in with; logout, a password change or deactivation
    # moves it on, so every earlier session cookie (a copied one too) stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    department: Mapped[Department | None] = relationship(lazy="joined")

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


class ApiToken(Base):
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256; the token itself is shown once
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class Channel(Base):
    __tablename__ = "channel"
    __table_args__ = (
        CheckConstraint(_in("platform", PLATFORMS), name="ck_channel_platform"),
        UniqueConstraint("platform", "name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    # Where published posts go: "outbox" (table + JSON export) or "webhook" with webhook_url.
    adapter: Mapped[str] = mapped_column(String(16), default="outbox")
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")


class Draft(Base):
    __tablename__ = "draft"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="ck_draft_status"),
        Index("ix_draft_status_tier", "status", "current_tier"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id"))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # Cached pointer to the newest revision; every decision is checked against it under a row lock.
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revision.id", use_alter=True, name="fk_draft_current_revision")
    )
    sensitivity: Mapped[str | None] = mapped_column(String(16))
    route: Mapped[list] = mapped_column(JSON, default=list)
    current_tier: Mapped[str | None] = mapped_column(String(16))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 002 §19: disciplinary notices and mandatory disclosures keep personal names.
    disclosure: Mapped[bool] = mapped_column(Boolean, default=False)
    repost: Mapped[dict | None] = mapped_column(JSON)
    override_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)  # why the draft last changed route or came back
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    tier_since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the current tier's turn began
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Each submission (or restart after a sensitivity rise) starts a new round of sign-offs.
    round: Mapped[int] = mapped_column(Integer, default=0)
    # Optimistic lock: a concurrent transition that read an older version fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")
    channel: Mapped[Channel | None] = relationship(lazy="joined")
    current_revision: Mapped["Revision | None"] = relationship(foreign_keys=[current_revision_id], post_update=True)

    __mapper_args__ = {"version_id_col": version}


def content_hash(title: str, body: str) -> str:
    # Length-prefixed so that moving text between title and body changes the hash.
    data = f"{len(title)}:{title}\n{body}".encode("utf-8")
    return hashlib.sha256(data).hexdigest()


class Revision(Base):
    """Immutable: an edit is a new revision, never an update."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class ScreeningResult(Base):
    __tablename__ = "screening_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), index=True)
    sensitivity: Mapped[str] = mapped_column(String(16))
    route: Mapped[list] = mapped_column(JSON)
    findings: Mapped[list] = mapped_column(JSON)
    deidentified: Mapped[dict] = mapped_column(JSON)
    versions: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rows: Mapped[list["FindingRow"]] = relationship(cascade="all, delete-orphan")

    @classmethod
    def of(cls, revision_id: int, result: dict, findings: list[dict]) -> "ScreeningResult":
        """A result as stored: `findings` as given (values already masked), and one row per finding."""
        return cls(revision_id=revision_id, sensitivity=result["sensitivity"], route=list(result["route"]),
                   findings=findings, deidentified=result["deidentified"], versions=result["versions"],
                   rows=[FindingRow.of(f) for f in findings])


class FindingRow(Base):
    """One finding of a screening as a row, so the trail and the dashboard query findings in SQL."""

    __tablename__ = "finding"
    __table_args__ = (Index("ix_finding_category_action", "category", "action"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screening_result.id"), index=True)
    check: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(8))
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))

    @classmethod
    def of(cls, finding: dict) -> "FindingRow":
        return cls(check=finding["check"], category=finding["category"], field=finding["field"],
                   span_start=finding["start"], span_end=finding["end"], action=finding["action"])


class SignOff(Base):
    __tablename__ = "sign_off"
    __table_args__ = (
        # One decision per tier of a revision, and one tier per person of a revision: even two
        # reviewers clicking at the same moment cannot both land.
        UniqueConstraint("revision_id", "round", "tier", name="uq_signoff_revision_tier"),
        UniqueConstraint("revision_id", "round", "user_id", name="uq_signoff_revision_user"),
        CheckConstraint(_in("tier", TIERS), name="ck_signoff_tier"),
        CheckConstraint(_in("decision", DECISIONS), name="ck_signoff_decision"),
        CheckConstraint("decision = 'approve' OR length(comment) > 0", name="ck_signoff_reject_comment"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    revision_hash: Mapped[str] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # Set when the signer was a deputy standing in after a deadline passed.
    as_deputy: Mapped[bool] = mapped_column(Boolean, default=False)
    # 004 6.3.2.3: a leader published an urgent draft before the lower tiers signed (紧急发布).
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    revision: Mapped[Revision] = relationship()


class MaskResolution(Base):
    """A reviewer kept one personal value of one revision in the text, with the reason (002 §19)."""

    __tablename__ = "mask_resolution"
    __table_args__ = (
        UniqueConstraint("revision_id", "finding_key", name="uq_mask_resolution_finding"),
        CheckConstraint(_in("reason", KEEP_REASONS), name="ck_mask_resolution_reason"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    revision_hash: Mapped[str] = mapped_column(String(64))
    finding_key: Mapped[str] = mapped_column(String(80))  # field:start:end:category of the mask finding
    category: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def reason_label(self) -> str:
        return KEEP_REASONS[self.reason]


class PostReview(Base):
    """A lower tier's review after an emergency publication (事后补审, 004 6.3.2.3)."""

    __tablename__ = "post_review"
    __table_args__ = (
        UniqueConstraint("draft_id", "revision_id", "tier", name="uq_post_review_tier"),
        CheckConstraint(_in("tier", TIERS), name="ck_post_review_tier"),
        CheckConstraint(f"decision IS NULL OR {_in('decision', DECISIONS)}", name="ck_post_review_decision"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    revision_hash: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(16))
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")


class Publication(Base):
    """What exactly went out, where and by whom; also the outbox the default adapter writes."""

    __tablename__ = "publication"
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), unique=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id"))
    adapter: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    published_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivery: Mapped[str] = mapped_column(String(200), default="")  # export path or webhook response
    # What the channel reports it delivered, compared with the approved revision's hash.
    delivered_hash: Mapped[str | None] = mapped_column(String(64))
    read_back: Mapped[str | None] = mapped_column(String(500))  # where the delivered text can be read again
    verification: Mapped[str] = mapped_column(String(16), default="pending")
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    emergency_reason: Mapped[str | None] = mapped_column(Text)

    published_by: Mapped[User] = relationship(lazy="joined")
    channel: Mapped[Channel | None] = relationship(lazy="joined")


class Notification(Base):
    """An in-app message to one user about one draft."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id"))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboundMessage(Base):
    """One notification on its way out by e-mail or group robot; a job sends it and records the outcome."""

    __tablename__ = "outbound_message"
    __table_args__ = (
        CheckConstraint(_in("channel", OUTBOUND_CHANNELS), name="ck_outbound_channel"),
        CheckConstraint(_in("status", ("pending", "sent", "failed")), name="ck_outbound_status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(500))  # an e-mail address or the robot's URL
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id"))
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeadlineAlert(Base):
    """An urgent draft's reminder or escalation, sent once per round (the unique key makes it once)."""

    __tablename__ = "deadline_alert"
    __table_args__ = (
        UniqueConstraint("draft_id", "round", "stage", name="uq_deadline_alert"),
        CheckConstraint(_in("stage", ("soon", "missed")), name="ck_deadline_alert_stage"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"))
    round: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rectification(Base):
    """整改: a published post that must be corrected or taken down by its channel's department."""

    __tablename__ = "rectification"
    __table_args__ = (
        CheckConstraint(_in("source", RECTIFICATION_SOURCES), name="ck_rectification_source"),
        CheckConstraint(_in("status", ("open", "done")), name="ck_rectification_status"),
        Index("ix_rectification_status", "status", "department_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), index=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    source: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(8), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_note: Mapped[str | None] = mapped_column(Text)

    department: Mapped[Department] = relationship(lazy="joined")
    closed_by: Mapped[User | None] = relationship(lazy="joined")


class PatrolRun(Base):
    """One background re-screening of recently published posts (错敏信息巡查)."""

    __tablename__ = "patrol_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # fixed when the job starts
    status: Mapped[str] = mapped_column(String(8), default="running")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Append-only, hash-chained: each row hashes its content and the previous row's hash."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[str] = mapped_column(String(64), index=True)  # username, or "system"
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40), index=True)
    draft_id: Mapped[int | None] = mapped_column(Integer, index=True)
    revision_hash: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    # Unique: two writers that read the same head cannot both append; one retries.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class WordlistOverride(Base):
    """An administrator's edited copy of a file under wordlists/; workers pick it up by version."""

    __tablename__ = "wordlist_override"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    content: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LeaderRoster(Base):
    """One term of one leader (name, title, unit, from/to): the roster the expression check's
    leader rules compare names and titles against. Edited by administrators, audited."""

    __tablename__ = "leader_roster"
    __table_args__ = (
        UniqueConstraint("name", "title", "unit", name="uq_leader_roster_term"),
        CheckConstraint("rank >= 1", name="ck_leader_roster_rank"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to", name="ck_leader_roster_dates"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(100))
    rank: Mapped[int] = mapped_column(Integer)  # 1 = first in protocol order
    unit: Mapped[str] = mapped_column(String(100), default="")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)  # inclusive; empty = in office
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


SUGGESTION_DECISIONS = ("applied", "dismissed")


class SuggestionDecision(Base):
    """What the author did with one suggestion of the expression check on a revision: applied (the
    text of `new_revision_id` carries it) or dismissed. Kept with the revision it was made on."""

    __tablename__ = "suggestion_decision"
    __table_args__ = (CheckConstraint(_in("decision", SUGGESTION_DECISIONS), name="ck_suggestion_decision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), index=True)
    field: Mapped[str] = mapped_column(String(8))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(200))
    suggestion: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(16))
    new_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
