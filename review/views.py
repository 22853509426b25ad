"""What a page or the API shows about one draft, read in one place."""
from __future__ import annotations

from dataclasses import dataclass

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
    draft = workflow.get_draft(session, draft_id)
    revision = workflow.current_revision(session, draft)
    screening = workflow.latest_screening(session, revision.id)
    return DraftView(draft, revision, screening, workflow.all_signoffs(session, draft),
                     masks.open_masks(session, revision, screening), masks.resolutions(session, revision))
