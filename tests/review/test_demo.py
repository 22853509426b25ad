"""The demo data show every check: each screening check fires on one of the demo drafts, the originals
library and its feed are there, and the copy highlight covers only the copied passages."""
from __future__ import annotations

from sqlalchemy import select

from review import demo, preview
from review.models import Draft, Revision
from review.originals import Original, OriginalFeed
from review.workflow import latest_screening


def test_the_demo_fires_every_check(runtime):
    with runtime.db.session() as s:
        demo.load(s)
    with runtime.db.session() as s:
        assert s.scalar(select(OriginalFeed.url)).endswith("/static/demo-feed.json")
        assert len(s.scalars(select(Original)).all()) == 3
        found = {}
        for draft in s.scalars(select(Draft)):
            screening = latest_screening(s, draft.current_revision_id)
            for f in screening.findings if screening else []:
                found.setdefault((f["check"], f["category"]), (draft, f))
        checks = {check for check, _ in found}
        assert checks >= {"prohibited", "sensitive_topic", "ad", "pii", "repost"}, sorted(found)
        assert ("repost", "unattributed_copy") in found and ("repost", "altered_title") in found
        draft, copy = found[("repost", "unattributed_copy")]
        body = s.get(Revision, draft.current_revision_id).body
        marked = "".join(piece for piece, f in preview.segments(body, [copy], "body") if f)
        assert "小编提醒" in body and "小编提醒" not in marked and "新馆" in marked
        statuses = set(s.scalars(select(Draft.status)))
        assert {"returned", "in_review", "draft"} <= statuses
