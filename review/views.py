"""What a page or the API shows about one draft, read in one place."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import masks, workflow
from .models import Draft, MaskResolution, Revision, ScreeningResult, SignOff


@dataclass
class DraftView:
    """Everything a page or the API shows about one draft."""

    draft: Draft
    revision: Revision
    screening: ScreeningResult | None
    signoffs: list[SignOff]
    open_masks: list[dict]
    kept: list[MaskResolution]

    def to_dict(self) -> dict:
        d, r, s = self.draft, self.revision, self.screening
        return {
            "id": d.id,
            "title": r.title,
            "body": r.body,
            "status": d.status,
            "sensitivity": d.sensitivity,
            "route": d.route,
            "current_tier": d.current_tier,
            "urgent": d.urgent,
            "deadline_at": d.deadline_at.isoformat() if d.deadline_at else None,
            "disclosure": d.disclosure,
            "repost": d.repost,
            "override_reason": d.override_reason,
            "note": d.note,
            "channel": d.channel.name if d.channel else None,
            "author": d.author.username,
            "revision": {"number": r.number, "hash": r.content_hash},
            "findings": s.findings if s else [],
            "deidentified": s.deidentified if s else None,
            "open_masks": self.open_masks,
            "kept_personal_data": [
                {"finding": k.finding_key, "category": k.category, "reason": k.reason, "reason_label": k.reason_label,
                 "note": k.note, "user": k.user.username, "name": k.user.name, "at": k.created_at.isoformat()}
                for k in self.kept
            ],
            "signoffs": [
                {"tier": x.tier, "user": x.user.username, "name": x.user.name, "decision": x.decision,
                 "comment": x.comment, "at": x.created_at.isoformat(), "revision_hash": x.revision_hash,
                 "as_deputy": x.as_deputy}
                for x in self.signoffs
            ],
        }


def draft_view(session: Session, draft_id: int) -> DraftView:
    return draft_views(session, [workflow.get_draft(session, draft_id)])[0]


def draft_views(session: Session, drafts: list[Draft]) -> list[DraftView]:
    """Views of many drafts in four queries, however many there are (the API's queue)."""
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
    kept: dict[int, list[MaskResolution]] = {i: [] for i in revision_ids}
    for resolution in session.scalars(select(MaskResolution).where(MaskResolution.revision_id.in_(revision_ids))
                                      .order_by(MaskResolution.id)):
        if resolution.revision_hash == revisions[resolution.revision_id].content_hash:
            kept[resolution.revision_id].append(resolution)
    views = []
    for draft in drafts:
        revision, screening = revisions[draft.current_revision_id], screenings.get(draft.current_revision_id)
        resolved = kept[revision.id]
        views.append(DraftView(draft, revision, screening, signoffs[draft.id],
                               masks.unresolved(masks.mask_findings(screening), resolved), resolved))
    return views
