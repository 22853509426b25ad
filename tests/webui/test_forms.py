"""Bad input to the forms: a clear message, a 4xx, and nothing the editor typed is lost."""
from sqlalchemy import func, select

from review.models import Draft, SignOff
from tests.conftest import channel_of


def count(app, model):
    with app.extensions["runtime"].db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_new_draft_without_title_keeps_the_body(web, app):
    editor = web.login("editor")
    body = "这是一段很长的正文，编辑写了很久。"
    response = editor.post("/drafts/new", data={"title": " ", "body": body, "action": "save"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "标题不能为空" in page and body in page
    assert count(app, Draft) == 0


def test_too_long_title_is_refused(web, app):
    response = web.login("editor").post("/drafts/new", data={"title": "长" * 201, "body": "正文", "action": "save"})
    assert response.status_code == 400 and "标题不能超过" in response.get_data(as_text=True)


def test_refused_submit_keeps_the_saved_draft(web, app):
    editor = web.login("editor")
    response = editor.post("/drafts/new", data={"title": "空稿", "body": "   ", "action": "submit"})
    assert response.status_code == 302
    page = editor.get(response.location).get_data(as_text=True)
    assert "稿件已保存，但未能提交：正文为空" in page and "空稿" in page
    assert count(app, Draft) == 1


def test_reject_without_comment_is_refused(web, app):
    editor = web.login("editor")
    location = editor.post("/drafts/new", data={"title": "通知", "body": "定于周五开会。", "action": "submit",
                                                "channel_id": channel_of(app.extensions["runtime"], "editor")}).location
    draft_id = int(location.rsplit("/", 1)[1])
    page = web.login("editor2").get(location).get_data(as_text=True)
    import re

    revision_hash = re.search(r'name="revision_hash" value="([0-9a-f]{64})"', page).group(1)
    response = web.login("editor2").post(f"/drafts/{draft_id}/decision",
                                         data={"decision": "reject", "comment": "", "revision_hash": revision_hash})
    assert response.status_code == 400 and "退回必须填写意见" in response.get_data(as_text=True)
    assert count(app, SignOff) == 0


def test_form_without_csrf_token_is_refused(web, app):
    editor = web.login("editor")
    response = editor.client.post("/drafts/new", data={"title": "标题", "body": "正文", "action": "save"})
    assert response.status_code == 400
    assert count(app, Draft) == 0


def test_wrong_password_is_a_clear_401(web):
    client = web.client
    response = client.post("/login", data={"username": "editor", "password": "wrong", "csrf_token": web.csrf()})
    assert response.status_code == 401 and "用户名或密码错误" in response.get_data(as_text=True)
