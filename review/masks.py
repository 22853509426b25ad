"""Personal data in drafts (000 §17, 002 §19, §29): open masks, and texts shown with masks applied.

Screening marks each value to de-identify as a `mask` finding. Before any tier approves, each one
is resolved: the author accepts the de-identified text (a new revision, screened again), or a
reviewer keeps the value with a reason from KEEP_REASONS (a MaskResolution bound to the revision
hash). Wherever a text is shown to anyone but its author at work — diffs, history, audit details,
notifications — it is shown masked, and a stored screening result keeps the span, not the value.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers import redact_numbers

from .models import MaskResolution, Revision, ScreeningResult

# Audit details that hold free text a person typed; their numbers are masked before they are kept.
FREE_TEXT_DETAILS = ("title", "comment", "reason", "override_reason", "note", "closing_note", "error")


def finding_key(finding: dict) -> str:
    return f"{finding['field']}:{finding['start']}:{finding['end']}:{finding['category']}"


def strip_masked_values(findings: list[dict], deidentified: dict | None) -> list[dict]:
    """Findings as stored: a mask finding keeps its span and shows the masked value, never the raw one."""
    stripped = []
    for finding in findings:
        if finding.get("action") == "mask":
            start, end = finding["start"], finding["end"]
            masked = (deidentified or {}).get(finding["field"], "")[start:end]
            finding = {k: v for k, v in finding.items() if k != "evidence"}
            finding["text"] = masked if len(masked) == end - start else "*" * (end - start)
        stripped.append(finding)
    return stripped


def mask_findings(screening: ScreeningResult | None) -> list[dict]:
    return [f for f in (screening.findings if screening else []) if f.get("action") == "mask"]


def resolutions(session: Session, revision: Revision) -> list[MaskResolution]:
    return list(session.scalars(
        select(MaskResolution).where(MaskResolution.revision_id == revision.id,
                                     MaskResolution.revision_hash == revision.content_hash)
        .order_by(MaskResolution.id)))


def open_masks(session: Session, revision: Revision, screening: ScreeningResult | None) -> list[dict]:
    """Mask findings of this revision's screening that nobody resolved."""
    return unresolved(mask_findings(screening), resolutions(session, revision))


def unresolved(findings: list[dict], kept: list[MaskResolution]) -> list[dict]:
    keys = {r.finding_key for r in kept}
    return [f for f in findings if finding_key(f) not in keys]


def describe(findings: list[dict]) -> str:
    return "、".join(f"“{f['text']}”（{'标题' if f['field'] == 'title' else '正文'}）" for f in findings)


def masked_text(revision: Revision, screening: ScreeningResult | None) -> tuple[str, str]:
    """(title, body) with every masked value hidden; offsets are unchanged (masks keep length).

    The screening's de-identified text is exactly that when it belongs to this revision; a
    revision not screened yet has at least its numbers masked."""
    if screening is not None and screening.revision_id == revision.id and screening.deidentified:
        return screening.deidentified.get("title", revision.title), screening.deidentified.get("body", revision.body)
    return redact_numbers(revision.title), redact_numbers(revision.body)


def deidentified_for_open(revision: Revision, screening: ScreeningResult, open_findings: list[dict]) -> tuple[str, str]:
    """The revision's text with only the still-open masks applied: values a reviewer kept stay."""
    texts = {"title": revision.title, "body": revision.body}
    masked = masked_text(revision, screening)
    masked = {"title": masked[0], "body": masked[1]}
    for finding in sorted(open_findings, key=lambda f: f["start"], reverse=True):
        fld, start, end = finding["field"], finding["start"], finding["end"]
        texts[fld] = texts[fld][:start] + masked[fld][start:end] + texts[fld][end:]
    return texts["title"], texts["body"]


def redact_details(details: dict) -> dict:
    return {k: redact_numbers(v) if k in FREE_TEXT_DETAILS and isinstance(v, str) else v for k, v in details.items()}
