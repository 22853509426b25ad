import re
from tests.conftest import channel_of


def test_editor_submits_and_reviewers_approve_through_pages(web, app):
    editor = web.login("editor")
    page = editor.post("/drafts/new", data={"title": "关于发放消费券的通知", "body": "市民可免费领取消费券。", "action": "submit",
                                            "channel_id": channel_of(app.extensions["runtime"], "editor")})
    assert page.status_code == 302
    draft_url = page.location
    shown = editor.get(draft_url).get_data(as_text=True)
    assert "审核中" in shown and "编辑初审" in shown
    draft_id = int(draft_url.rsplit("/", 1)[1])

    for reviewer in ("editor2", "head"):
        client = web.login(reviewer)
        queue = client.get("/queue").get_data(as_text=True)
        assert "关于发放消费券的通知" in queue
        page = client.get(draft_url).get_data(as_text=True)
        revision_hash = re.search(r'name="revision_hash" value="([0-9a-f]{64})"', page).group(1)
        response = client.post(f"/drafts/{draft_id}/decision", data={"decision": "approve", "revision_hash": revision_hash})
        assert response.status_code == 302

    editor = web.login("editor")
    assert editor.post(f"/drafts/{draft_id}/publish").status_code == 302
    assert "已发布" in editor.get(draft_url).get_data(as_text=True)
