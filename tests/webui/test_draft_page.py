"""The draft page without a browser: the status JSON it follows, refusals rendered on the same page
with what was typed, the resubmit path of a rejected draft, and an expired form sent back to login."""
from __future__ import annotations

import re

from tests.conftest import channel_of

TITLE, BODY = "社区图书馆周末开放", "本周六上午九点，社区图书馆照常开放阅览，欢迎居民前来借阅图书。"


def _submitted(web, app) -> int:
    web.login("editor")
    response = web.post("/drafts/new", {"title": TITLE, "body": BODY, "action": "submit",
                                        "channel_id": channel_of(app.extensions["runtime"], "editor")})
    return int(re.search(r"/drafts/(\d+)", response.headers["Location"]).group(1))


def _hash(page: str) -> str:
    return re.search(r'name="revision_hash" value="([0-9a-f]+)"', page).group(1)


def test_the_status_json_says_where_the_draft_is(web, app):
    draft_id = _submitted(web, app)
    state = web.get(f"/drafts/{draft_id}/status").get_json()
    assert (state["status"], state["status_label"], state["tier_label"]) == ("in_review", "审核中", "编辑初审")
    web.login("outsider")
    assert web.get(f"/drafts/{draft_id}/status").status_code == 403


def test_the_submit_message_says_what_screening_decided(web, app):
    web.login("editor")
    page = web.post("/drafts/new", {"title": TITLE, "body": BODY, "action": "submit",
                                    "channel_id": channel_of(app.extensions["runtime"], "editor")},
                    follow_redirects=True).get_data(as_text=True)
    assert "稿件已提交，自动审查完成，已送“编辑初审”" in page


def test_a_rejection_without_a_comment_comes_back_on_the_draft_page(web, app):
    draft_id = _submitted(web, app)
    web.login("editor2")
    page = web.get(f"/drafts/{draft_id}").get_data(as_text=True)
    refused = web.post(f"/drafts/{draft_id}/decision", {"decision": "reject", "comment": "  ",
                                                         "revision_hash": _hash(page)})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="decide"' in text
    assert re.search(r'id="decide">\s*<h2>[^<]*</h2>\s*<p class="error" role="alert">退回必须填写意见</p>', text)
    stale = web.post(f"/drafts/{draft_id}/decision", {"decision": "approve", "comment": "我写的意见",
                                                       "revision_hash": "0" * 64})
    assert stale.status_code == 409 and "我写的意见</textarea>" in stale.get_data(as_text=True)


def test_a_rejected_draft_offers_editing_before_resubmitting(web, app):
    draft_id = _submitted(web, app)
    web.login("editor2")
    page = web.get(f"/drafts/{draft_id}").get_data(as_text=True)
    web.post(f"/drafts/{draft_id}/decision", {"decision": "reject", "comment": "请补充", "revision_hash": _hash(page)})
    web.login("editor")
    page = web.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert 'id="edit-to-resubmit"' in page and f'action="/drafts/{draft_id}/submit"' not in page
    # Posting anyway (an old page) is refused on the draft page, not on an error page.
    refused = web.post(f"/drafts/{draft_id}/submit", {})
    assert refused.status_code == 409 and "请根据意见修改后再提交" in refused.get_data(as_text=True)
    assert 'id="author-actions"' in refused.get_data(as_text=True)


def test_a_short_override_reason_keeps_what_was_typed(web, app):
    web.login("editor")
    response = web.post("/drafts/new", {"title": "测试", "body": "文中含有赌博网站推广，应当拦截。", "action": "submit",
                                        "channel_id": channel_of(app.extensions["runtime"], "editor")})
    draft_id = int(re.search(r"/drafts/(\d+)", response.headers["Location"]).group(1))
    refused = web.post(f"/drafts/{draft_id}/submit", {"override_reason": "太短了"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "至少 10 个字" in text and ">太短了</textarea>" in text


def test_an_expired_session_sends_the_form_back_through_login_to_the_draft(web, app):
    draft_id = _submitted(web, app)
    web.client.delete_cookie("session")
    expired = web.client.post(f"/drafts/{draft_id}/decision", data={"decision": "approve", "csrf_token": "stale"},
                              headers={"Referer": f"http://localhost/drafts/{draft_id}"})
    assert expired.status_code == 302 and expired.headers["Location"] == f"/login?next=/drafts/{draft_id}"
    foreign = web.client.post(f"/drafts/{draft_id}/decision", data={"csrf_token": "stale"},
                              headers={"Referer": "https://evil.example/drafts/1"})
    assert foreign.status_code == 400


def test_a_refusal_whose_form_is_gone_is_shown_at_the_top(web, app):
    draft_id = _submitted(web, app)
    web.login("editor2")
    page = web.get(f"/drafts/{draft_id}").get_data(as_text=True)
    web.post(f"/drafts/{draft_id}/decision", {"decision": "approve", "revision_hash": _hash(page)})
    again = web.post(f"/drafts/{draft_id}/decision", {"decision": "approve", "revision_hash": _hash(page)})
    text = again.get_data(as_text=True)
    assert again.status_code in (403, 409) and 'id="decide"' not in text
    assert text.count('role="alert"') == 1 and "环节" in text
