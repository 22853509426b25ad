"""错敏信息巡查: posts published recently are screened again when the rules change.

When a wordlist, a model or the leader roster changes, every post published in the last
`PATROL_DAYS` days (90 by default) is screened again in the background. A `block` or `escalate`
finding the post's previous screening did not have opens a 整改 task for the department that owns
the channel. Each run is a row whose counters show its progress.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, masks, rectification, workflow
from .db import on_commit, utcnow
from .models import PatrolRun, Publication, ScreeningResult

SERIOUS = ("block", "escalate")


def start(session: Session, reason: str) -> PatrolRun:
    """Queue a patrol after this transaction commits; the job fixes its period and counts the posts."""
    run = PatrolRun(reason=reason[:200], status="running")
    session.add(run)
    session.flush()
    audit.record(session, None, "patrol_started", patrol_id=run.id, reason=reason)
    on_commit(session, "patrol_published", run.id)
    return run


def plan(session: Session, run: PatrolRun, days: int) -> list[int]:
    """The posts of the run's period, fixed when it first starts; a retried job resumes after `done`."""
    if run.since is None:
        run.since = utcnow() - timedelta(days=days)
        run.total = len(publication_ids(session, run.since))
    return publication_ids(session, run.since)[run.done:]


def publication_ids(session: Session, since) -> list[int]:
    return list(session.scalars(select(Publication.id).where(Publication.published_at >= since)
                                .order_by(Publication.id)))


def _key(finding: dict) -> tuple:
    return finding["check"], finding["category"], finding["field"], finding["start"], finding["end"]


def review_publication(session: Session, run: PatrolRun, publication: Publication, result: dict | None) -> list[dict]:
    """Store the new screening of a published revision; open a task for serious findings that are new.
    `result` None: the post could not be screened (its draft is gone or changed); it is counted as seen."""
    run.done += 1
    if result is None:
        return []
    before = workflow.latest_screening(session, publication.revision_id)
    known = {_key(f) for f in (before.findings if before else []) if f.get("action") in SERIOUS}
    findings = masks.strip_masked_values(result["findings"], result["deidentified"])
    new = [f for f in findings if f.get("action") in SERIOUS and _key(f) not in known]
    session.add(ScreeningResult.of(publication.revision_id, result, findings))
    if new:
        run.flagged += 1
        summary = (f"已发布稿件 #{publication.draft_id} 按更新后的规则复查，发现 {len(new)} 处问题："
                   + "；".join(f"“{f['text']}”{f['message']}" for f in new[:3]))
        rectification.open_task(session, publication, "patrol", summary, new)
    return new


def finish(session: Session, run: PatrolRun) -> None:
    run.status = "done"
    run.finished_at = utcnow()
    audit.record(session, None, "patrol_finished", patrol_id=run.id, total=run.total, done=run.done,
                 flagged=run.flagged)


def latest(session: Session) -> PatrolRun | None:
    return session.scalars(select(PatrolRun).order_by(PatrolRun.id.desc()).limit(1)).first()
