"""The rows the 审签单 is built from, checked against the audit events that created them.

A chain proves its events were not changed; this proves the tables they describe were not changed
either: each sign-off has its approved/rejected event (same person, tier, decision, comment, text),
each draft is in the state its last state-changing event left it in and at the revision its last
edit names, each revision's text still hashes to what was recorded, and each publication's payload
to the digest its `published` event carries.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from .labels import STATUS_LABELS
from .models import Draft, Publication, Revision, SignOff, content_hash

# The state each action leaves a draft in. A new action that moves a draft belongs here.
STATUS_AFTER = {
    "draft_created": "draft", "screening_started": "screening", "routed": "in_review", "returned": "returned",
    "rejected": "returned", "approved_all_tiers": "approved", "published": "published", "withdrawn": "withdrawn",
    "screening_failed": "returned", "emergency_published": "published",
}
# Actions that make a new revision the draft's current one. A new such action belongs here.
REVISION_ACTIONS = ("draft_created", "draft_edited")
MAX_REPORTED = 5


def payload_digest(payload: dict) -> str:
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


class EventIndex:
    """What the checks need from the trail, gathered while the chain is walked once."""

    def __init__(self):
        self.status: dict[int, str] = {}
        self.revisions: set[tuple[int, str]] = set()
        self.current_hash: dict[int, str] = {}
        self.signoffs: Counter = Counter()
        self.published: dict[int, tuple] = {}

    def add(self, event) -> None:
        draft_id, details = event.draft_id, event.details or {}
        if draft_id is None:
            return
        if event.action in STATUS_AFTER:
            self.status[draft_id] = STATUS_AFTER[event.action]
        if event.action in REVISION_ACTIONS:
            self.revisions.add((draft_id, event.revision_hash))
            self.current_hash[draft_id] = event.revision_hash
        if event.action == "emergency_published":  # the leader's sign-off of the emergency lane
            self.signoffs[_signoff_key(draft_id, event.revision_hash, "leader", "approve", details.get("comment", ""),
                                       event.actor_id, False)] += 1
        if event.action in ("approved", "rejected"):
            self.signoffs[_signoff_key(draft_id, event.revision_hash, details.get("tier"),
                                       "approve" if event.action == "approved" else "reject",
                                       details.get("comment", ""), event.actor_id, details.get("as_deputy", False))] += 1
        if event.action == "published":
            self.published[details.get("publication_id")] = (draft_id, event.revision_hash, event.actor_id,
                                                             details.get("payload_hash"))


def _signoff_key(draft_id, revision_hash, tier, decision, comment, user_id, as_deputy) -> tuple:
    return (draft_id, revision_hash, tier, decision, comment, user_id, bool(as_deputy))


def mismatches(session: Session, index: EventIndex) -> list[str]:
    """Each row that disagrees with the trail, described in Chinese (at most MAX_REPORTED, then a count)."""
    problems: list[str] = []
    rows = Counter(_signoff_key(s.draft_id, s.revision_hash, s.tier, s.decision, s.comment, s.user_id, s.as_deputy)
                   for s in session.scalars(select(SignOff)))
    for key in (rows - index.signoffs):
        problems.append(f"稿件 {key[0]} 的一条签批（{key[2]}，{key[3]}）没有与之相符的审计事件（签批记录被修改或伪造）")
    for key in (index.signoffs - rows):
        problems.append(f"稿件 {key[0]} 的审计事件记载的一条签批（{key[2]}，{key[3]}）在签批表中不存在或已被修改")
    revision_hashes = {}
    for revision in session.scalars(select(Revision)):
        revision_hashes[revision.id] = revision.content_hash
        if content_hash(revision.title, revision.body) != revision.content_hash:
            problems.append(f"稿件 {revision.draft_id} 第 {revision.number} 版的标题或正文与其哈希不符（文本被修改）")
        elif (revision.draft_id, revision.content_hash) not in index.revisions:
            problems.append(f"稿件 {revision.draft_id} 第 {revision.number} 版没有对应的审计事件（文本被替换）")
    for draft in session.scalars(select(Draft)):
        expected = index.status.get(draft.id)
        if expected is not None and draft.status != expected:
            problems.append(f"稿件 {draft.id} 的状态为“{STATUS_LABELS.get(draft.status, draft.status)}”，"
                            f"审计事件表明应为“{STATUS_LABELS[expected]}”")
        recorded = index.current_hash.get(draft.id)
        if recorded is not None and revision_hashes.get(draft.current_revision_id) != recorded:
            problems.append(f"稿件 {draft.id} 的当前版本与审计事件记载的最新版本不符")
    for publication in session.scalars(select(Publication)):
        event = index.published.get(publication.id)
        actual = (publication.draft_id, publication.content_hash, publication.published_by_id,
                  payload_digest(publication.payload))
        if event is None:
            problems.append(f"发布记录 {publication.id}（稿件 {publication.draft_id}）没有对应的发布审计事件")
        elif event != actual:
            problems.append(f"发布记录 {publication.id}（稿件 {publication.draft_id}）的内容、版本或发布人"
                            "与发布审计事件不符（发布内容被修改）")
    if len(problems) > MAX_REPORTED:
        problems = problems[:MAX_REPORTED] + [f"等共 {len(problems)} 处"]
    return problems
