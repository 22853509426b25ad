"""One-click fixes from the expression check (文字关): apply a suggestion, all of them, or dismiss one.

Applying edits the text through workflow.edit_draft (a new revision, screened again, sign-offs
voided like any edit); every applied or dismissed suggestion is stored with the revision it was
made on (SuggestionDecision) and audited.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, workflow
from .errors import Conflict, InvalidInput
from .models import Draft, Revision, SuggestionDecision, User


def offered(findings: list[dict]) -> list[tuple[int, dict]]:
    """(index in the stored findings, finding) of every finding with a replacement to apply."""
    return [(i, f) for i, f in enumerate(findings)
            if f.get("check") == "expression" and (f.get("details") or {}).get("suggestion") is not None]


def _current(session: Session, actor: User, draft_id: int, revision_hash: str) -> tuple[Draft, Revision, list[dict]]:
    draft = workflow.get_draft(session, draft_id, lock=True)
    revision = workflow.current_revision(session, draft)
    if revision_hash != revision.content_hash:
        raise Conflict("稿件已被修改，建议已过期，请刷新后再试")
    if draft.author_id != actor.id:
        raise Conflict("只有作者可以采用或忽略修改建议")
    screening = workflow.latest_screening(session, revision.id)
    return draft, revision, screening.findings if screening else []


def _chosen(findings: list[dict], indices: list[int] | None) -> list[dict]:
    available = dict(offered(findings))
    if indices is None:
        return list(available.values())
    missing = [i for i in indices if i not in available]
    if missing:
        raise InvalidInput("所选修改建议不存在")
    return [available[i] for i in indices]


def apply(session: Session, actor: User, draft_id: int, revision_hash: str, indices: list[int] | None = None) -> Revision:
    """Apply the chosen suggestions (None: all) in one new revision. Overlapping ones: the first wins."""
    draft, revision, findings = _current(session, actor, draft_id, revision_hash)
    chosen = _chosen(findings, indices)
    if not chosen:
        raise InvalidInput("没有可采用的修改建议")
    texts = {"title": revision.title, "body": revision.body}
    taken: list[dict] = []
    for f in sorted(chosen, key=lambda f: (f["field"], f["start"])):
        if any(t["field"] == f["field"] and t["start"] < f["end"] and f["start"] < t["end"] for t in taken):
            continue
        if texts[f["field"]][f["start"]:f["end"]] != f["text"]:
            raise Conflict("建议与当前文本不一致，请刷新后再试")
        taken.append(f)
    for f in sorted(taken, key=lambda f: -f["start"]):
        text = texts[f["field"]]
        texts[f["field"]] = text[:f["start"]] + f["details"]["suggestion"] + text[f["end"]:]
    workflow.edit_draft(session, actor, draft_id, texts["title"], texts["body"])
    new = workflow.current_revision(session, draft)
    for f in taken:
        session.add(_decision(revision, actor, f, "applied", new.id))
    audit.record(session, actor, "suggestions_applied", draft_id=draft.id, revision_hash=new.content_hash,
                 from_revision_hash=revision.content_hash,
                 applied=[{"field": f["field"], "text": f["text"], "suggestion": f["details"]["suggestion"]} for f in taken])
    return new


def dismiss(session: Session, actor: User, draft_id: int, revision_hash: str, index: int) -> SuggestionDecision:
    _draft, revision, findings = _current(session, actor, draft_id, revision_hash)
    (f,) = _chosen(findings, [index])
    decision = _decision(revision, actor, f, "dismissed", None)
    session.add(decision)
    audit.record(session, actor, "suggestion_dismissed", draft_id=draft_id, revision_hash=revision.content_hash,
                 field=f["field"], text=f["text"], suggestion=f["details"]["suggestion"])
    return decision


def _decision(revision: Revision, actor: User, f: dict, decision: str, new_revision_id: int | None) -> SuggestionDecision:
    return SuggestionDecision(revision_id=revision.id, field=f["field"], start=f["start"], end=f["end"],
                              text=f["text"][:200], suggestion=f["details"]["suggestion"][:200], category=f["category"],
                              decision=decision, new_revision_id=new_revision_id, user_id=actor.id)


def decisions(session: Session, draft: Draft) -> list[SuggestionDecision]:
    """Every decision on any revision of the draft, oldest first."""
    return list(session.scalars(
        select(SuggestionDecision).join(Revision, Revision.id == SuggestionDecision.revision_id)
        .where(Revision.draft_id == draft.id).order_by(SuggestionDecision.id)))


def dismissed_keys(session: Session, revision: Revision) -> set[tuple[str, int, int]]:
    return {(d.field, d.start, d.end) for d in session.scalars(
        select(SuggestionDecision).where(SuggestionDecision.revision_id == revision.id,
                                         SuggestionDecision.decision == "dismissed"))}
