"""Runs the classifiers for a revision with this deployment's wordlists, and re-screening.

The screener is built once per process and rebuilt only when an administrator's wordlist edits
change (checked with one small query per job), so running workers pick edits up without a restart.
"""
from __future__ import annotations

import hashlib
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers import RepostInfo, Resources, ScreenOptions, Screener

from . import originals, roster
from .models import Draft, Revision, WordlistOverride


class ScreenerCache:
    """One screener per process, with the originals library index it matches reposts against."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key: str | None = None
        self._screener: Screener | None = None
        self._index: originals.OriginalsIndex | None = None

    def get(self, session: Session) -> Screener:
        rows = session.execute(select(WordlistOverride.name, WordlistOverride.updated_at)).all()
        key = hashlib.sha256(repr(sorted((n, t.isoformat()) for n, t in rows)).encode()).hexdigest()
        library = originals.library_version(session)
        with self._lock:
            if self._index is None or self._index.built_from.get("version") != library:
                # Incremental after the first build: only added, changed and removed originals.
                self._index = originals.build_index(session, previous=self._index)
            if self._screener is None or key != self._key or self._screener.resources.services.get("originals") is not self._index:
                overrides = dict(session.execute(select(WordlistOverride.name, WordlistOverride.content)).all())
                self._screener = Screener.load(Resources(overrides=overrides, services={"originals": self._index}))
                self._key = key
            return self._screener


def options_for(draft: Draft, leaders: tuple = ()) -> ScreenOptions:
    return ScreenOptions(disclosure=draft.disclosure, repost=RepostInfo.from_dict(draft.repost), roster=leaders)


def screen_revision(db, cache: ScreenerCache, revision_id: int, states: tuple[str, ...]) -> dict | str:
    """Screen the revision with no write transaction or lock held: read it (and the screener's
    inputs) in a read session, then screen with no session at all, so writers never wait for a
    screening or for the first model load. Returns the result, or "missing"/"stale" when the
    revision is gone or its draft is no longer current or in one of `states`. The caller applies
    the result in a write transaction that checks, under the draft's row lock, that the revision
    is still current (workflow.apply_screening)."""
    with db.read_session() as session:
        revision = session.get(Revision, revision_id)
        if revision is None:
            return "missing"
        draft = session.get(Draft, revision.draft_id)
        if draft.status not in states or draft.current_revision_id != revision_id:
            return "stale"
        screener = cache.get(session)
        title, body, options = revision.title, revision.body, options_for(draft, roster.entries(session))
    return screener.screen(title, body, options)
