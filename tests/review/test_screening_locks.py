"""Screening runs with no write transaction or lock held; its result is applied under the draft's
row lock only if the revision it screened is still current (review/screening.py, jobs.py)."""
from __future__ import annotations

import threading

from sqlalchemy import select

from review.models import Revision, ScreeningResult

from .workflow_helpers import GENERAL_EDIT, actions, create, edit, events, rt, state, submit

__all__ = ["rt"]

TIMEOUT = 30


class PausedScreening:
    """The real screener cache, but the first screening waits until the test lets it go."""

    def __init__(self, cache):
        self.cache = cache
        self.started = threading.Event()
        self.release = threading.Event()

    def get(self, session):
        screener = self.cache.get(session)
        pause = not self.started.is_set()
        self.started.set()
        cache = self

        class Paused:
            def screen(self, *args):
                if pause:
                    assert cache.release.wait(TIMEOUT), "the test never released the screening"
                return screener.screen(*args)

        return Paused()


def test_a_writer_is_not_blocked_by_a_running_screening_and_a_stale_result_is_discarded(rt, people):
    editor = people["editor"]
    draft_id = create(rt, editor)
    paused = PausedScreening(rt.screeners)
    rt.screeners = paused
    # Inline mode: the job runs right after submit commits, here in its own thread.
    submitter = threading.Thread(target=submit, args=(rt, editor, draft_id))
    submitter.start()
    assert paused.started.wait(TIMEOUT)

    # While the first revision is being screened, the author edits: a write transaction that
    # locks the same draft row. It must not wait for the screening (the edit screens the new
    # revision at once, unpaused).
    writer = threading.Thread(target=edit, args=(rt, editor, draft_id, GENERAL_EDIT))
    writer.start()
    writer.join(10)
    blocked = writer.is_alive()
    paused.release.set()
    writer.join(TIMEOUT)
    submitter.join(TIMEOUT)
    assert not blocked, "a writer waited for a screening to finish"
    assert not submitter.is_alive()

    # The first revision's result came back stale: nothing stored, nothing moved.
    with rt.db.session() as s:
        first, second = s.scalars(select(Revision).where(Revision.draft_id == draft_id).order_by(Revision.number)).all()
        assert s.scalars(select(ScreeningResult).where(ScreeningResult.revision_id == first.id)).all() == []
        assert len(s.scalars(select(ScreeningResult).where(ScreeningResult.revision_id == second.id)).all()) == 1
    assert state(rt, draft_id)["status"] == "in_review"
    screened = events(rt, draft_id, "screened")
    assert len(screened) == 1 and screened[0].revision_hash == second.content_hash
    assert actions(rt, draft_id).count("routed") == 1
