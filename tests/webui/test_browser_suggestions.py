"""采用 in a real Chromium: applying the expression check's suggestion makes a new revision that screens clean."""
from __future__ import annotations

import pytest

from review import views, workflow
from tests.conftest import channel_of

from .test_browser import Steps, browser, login, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
TEXT = ("社区图书馆通知", "本周六上午九点，社区图书馆为残废人读者提供上门借阅服务。")


def test_applying_a_suggestion_creates_a_clean_revision(browser, server, app, people):  # noqa: F811
    from playwright.sync_api import expect

    with app.extensions["runtime"].db.session() as s:
        draft_id = workflow.create_draft(s, people["editor"], *TEXT,
                                         channel_id=channel_of(app.extensions["runtime"], "editor")).id
    with app.extensions["runtime"].db.session() as s:
        workflow.submit(s, people["editor"], draft_id)
    steps = Steps("suggestion")
    page = login(browser, server, "editor")
    page.goto(f"{server}/drafts/{draft_id}")
    expect(page.locator(".finding .suggestion")).to_contain_text("残疾人")
    steps.shot(page, "suggestion-shown")
    page.get_by_role("button", name="采用：残废人改为残疾人").click()
    expect(page.locator(".flash")).to_have_text("已采用修改建议，稿件已重新送自动审查")
    expect(page.locator("#draft-body")).to_contain_text("为残疾人读者")
    expect(page.locator(".findings")).to_have_count(0)
    expect(page.locator(".suggestion-log")).to_contain_text("采用：正文“残废人”→“残疾人”")
    steps.shot(page, "suggestion-applied")
    with app.extensions["runtime"].db.session() as s:
        view = views.draft_view(s, draft_id)
        assert view.revision.number == 2
        assert view.screening is not None and view.screening.findings == []
