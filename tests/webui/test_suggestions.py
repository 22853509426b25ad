"""One-click fixes of the expression check: 采用, 全部采用 and 忽略, stored with the revision and audited."""
from __future__ import annotations

import re

from sqlalchemy import select

from review import views, workflow
from tests.conftest import channel_of
from review.models import AuditEvent, SuggestionDecision

TEXT = ("社区图书馆通知", "本周六上午九点，社区图书馆为残废人读者和维族读者提供上门借阅服务。")


def _submitted(app, people) -> int:
    with app.extensions["runtime"].db.session() as s:
        draft = workflow.create_draft(s, people["editor"], *TEXT, channel_id=channel_of(app.extensions["runtime"], "editor"))
        draft_id = draft.id
    with app.extensions["runtime"].db.session() as s:
        workflow.submit(s, people["editor"], draft_id)
    return draft_id


def _hash(app, draft_id) -> str:
    with app.extensions["runtime"].db.session() as s:
        return views.draft_view(s, draft_id).revision.content_hash


def test_author_sees_suggestions_and_applies_one(web, app, people):
    draft_id = _submitted(app, people)
    web.login("editor")
    page = web.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "建议改为：“<ins>残疾人</ins>”" in page and "全部采用（2 处修改建议）" in page
    index = int(re.search(r'name="index" value="(\d+)"', page).group(1))
    response = web.post(f"/drafts/{draft_id}/suggestions", {"action": "apply", "index": str(index),
                                                            "revision_hash": _hash(app, draft_id)})
    assert response.status_code == 302
    with app.extensions["runtime"].db.session() as s:
        view = views.draft_view(s, draft_id)
        assert view.revision.number == 2 and "残疾人读者" in view.revision.body and "维族" in view.revision.body
        (decision,) = s.scalars(select(SuggestionDecision)).all()
        assert (decision.decision, decision.text, decision.suggestion, decision.new_revision_id) == (
            "applied", "残废人", "残疾人", view.revision.id)
    assert "采用：正文“残废人”→“残疾人”" in web.get(f"/drafts/{draft_id}").get_data(as_text=True)


def test_apply_all_and_dismiss_are_recorded(web, app, people):
    draft_id = _submitted(app, people)
    web.login("editor")
    page = web.get(f"/drafts/{draft_id}").get_data(as_text=True)
    first = re.search(r'name="index" value="(\d+)"', page).group(1)
    web.post(f"/drafts/{draft_id}/suggestions", {"action": "dismiss", "index": first, "revision_hash": _hash(app, draft_id)})
    assert "全部采用（1 处修改建议）" in web.get(f"/drafts/{draft_id}").get_data(as_text=True)
    web.post(f"/drafts/{draft_id}/suggestions", {"action": "apply_all", "revision_hash": _hash(app, draft_id)})
    with app.extensions["runtime"].db.session() as s:
        decisions = [(d.decision, d.text) for d in s.scalars(select(SuggestionDecision).order_by(SuggestionDecision.id))]
        assert decisions[0] == ("dismissed", "残废人") and ("applied", "维族") in decisions
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.draft_id == draft_id))]
        assert "suggestion_dismissed" in actions and "suggestions_applied" in actions


def test_a_stale_suggestion_is_refused(web, app, people):
    draft_id = _submitted(app, people)
    web.login("editor")
    response = web.post(f"/drafts/{draft_id}/suggestions", {"action": "apply_all", "revision_hash": "0" * 64})
    assert response.status_code == 409
    with app.extensions["runtime"].db.session() as s:
        assert views.draft_view(s, draft_id).revision.number == 1


def test_only_the_author_applies(web, app, people):
    draft_id = _submitted(app, people)
    web.login("editor2")
    page = web.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "全部采用" not in page
    response = web.post(f"/drafts/{draft_id}/suggestions", {"action": "apply_all", "revision_hash": _hash(app, draft_id)})
    assert response.status_code == 409
