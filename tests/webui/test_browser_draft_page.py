"""The draft page in a real Chromium: it follows screening by itself, refuses inline keeping what was
typed, asks before irreversible actions, and brings a leader whose session expired back to the same
draft with the comment restored. Desktop and 390×844; screenshots in test-output/screenshots/."""
from __future__ import annotations

import threading
import time

import pytest

from tests.conftest import PASSWORD

from .test_browser import CHANNEL, PHONE, Steps, _confirm_or_fail, browser, draft_id_from, login, server  # noqa: F401

pytestmark = pytest.mark.browser
GENERAL_BODY = "本周六上午九点，社区图书馆照常开放阅览，欢迎居民前来借阅图书。"


@pytest.fixture
def slow_screening(app):
    """Screening as a worker does it: a moment after the request that submitted the draft."""
    runtime = app.extensions["runtime"]
    inline = runtime.dispatch

    def dispatch(job, *args):
        if job != "screen_revision":
            return inline(job, *args)
        threading.Timer(2.0, inline, args=(job, *args)).start()

    runtime.dispatch = dispatch
    runtime.db.sessions.kw["info"]["dispatch"] = dispatch
    yield
    runtime.dispatch = inline
    runtime.db.sessions.kw["info"]["dispatch"] = inline


def _write(page, base, title, body=GENERAL_BODY):
    page.goto(f"{base}/drafts/new")
    page.fill("#f-title", title)
    page.fill("#f-body", body)
    page.select_option("select[name=channel_id]", label=CHANNEL)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_after_submitting_the_page_follows_screening_by_itself(browser, server, slow_screening, viewport):
    from playwright.sync_api import expect

    steps = Steps(f"live-status-{'phone' if viewport else 'desktop'}")
    editor = login(browser, server, "editor", viewport=viewport)
    _write(editor, server, "社区图书馆周末开放")
    editor.click("button[value=submit]")
    expect(editor.locator("h1")).to_contain_text("自动审查中")
    expect(editor.locator("#live-state")).to_contain_text("自动审查中")
    steps.shot(editor, "screening", full_page=False)
    # Nobody reloads: the page notices the result and says what happened.
    expect(editor.locator("h1")).to_contain_text("审核中", timeout=15_000)
    expect(editor.locator("#live-state")).to_contain_text("稿件状态已更新：审核中（编辑初审）")
    steps.shot(editor, "in-review", full_page=False)

    _write(editor, server, "不良信息测试", "文中含有赌博网站推广，应当拦截。")
    editor.click("button[value=submit]")
    expect(editor.locator("h1")).to_contain_text("自动审查中")
    expect(editor.locator("h1")).to_contain_text("已退回", timeout=15_000)
    expect(editor.locator("#live-state")).to_contain_text("已退回")
    steps.shot(editor, "returned", full_page=False)


def _submitted_and_opened_on_a_phone(browser, server):
    """The editor submits a routine draft; the next tier opens it on a phone."""
    editor = login(browser, server, "editor")
    _write(editor, server, "社区图书馆周末开放")
    editor.click("button[value=submit]")
    draft_id = draft_id_from(editor)
    reviewer = login(browser, server, "editor2", viewport=PHONE)
    reviewer.goto(f"{server}/drafts/{draft_id}")
    return editor, reviewer, draft_id


def test_refusals_come_back_inline_with_what_was_typed(browser, server):
    from playwright.sync_api import expect

    steps = Steps("inline-errors")
    editor, reviewer, draft_id = _submitted_and_opened_on_a_phone(browser, server)
    # 退回 without a comment: the browser says so before anything is sent.
    reviewer.click("#decide button[value=reject]")
    assert reviewer.evaluate("document.getElementById('decide-comment').validationMessage") == "退回必须填写意见"
    assert reviewer.url.endswith(f"/drafts/{draft_id}")
    reviewer.fill("#decide-comment", "请补充开放时间和借阅须知")
    reviewer.click("#decide button[value=reject]")
    expect(reviewer.locator(".flash")).to_contain_text("已退回作者")

    # The author: the rejected version is edited, never resubmitted unchanged.
    editor.goto(f"{server}/drafts/{draft_id}")
    expect(editor.locator("#author-actions form[action$=submit]")).to_have_count(0)
    editor.click("#edit-to-resubmit")
    editor.fill("#f-body", GENERAL_BODY + "开放时间为九点至十七点。")
    editor.click("button[value=submit]")
    expect(editor.locator(".flash")).to_contain_text("稿件已提交")
    expect(editor.locator("h1")).to_contain_text("审核中")
    steps.shot(editor, "resubmitted")

    # A blocked draft asks for a review with a reason: a short one is refused on the same page.
    _write(editor, server, "不良信息测试", "文中含有赌博网站推广，应当拦截。")
    editor.click("button[value=submit]")
    expect(editor.locator("h1")).to_contain_text("已退回")
    editor.fill("#author-actions textarea[name=override_reason]", "理由太短")
    editor.click("#author-actions button.primary")
    expect(editor.locator("#author-actions .error")).to_contain_text("至少 10 个字")
    expect(editor.locator("#author-actions textarea[name=override_reason]")).to_have_value("理由太短")
    steps.shot(editor, "override-too-short")


def test_irreversible_actions_ask_first(browser, server):
    from playwright.sync_api import expect

    editor = login(browser, server, "editor")
    _write(editor, server, "社区图书馆周末开放")
    editor.click("button[value=submit]")
    asked = []

    def decline(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    editor.remove_listener("dialog", _confirm_or_fail)
    editor.on("dialog", decline)
    editor.click("#author-actions button.danger")
    expect(editor.locator("h1")).to_contain_text("审核中")
    assert any("撤回" in m for m in asked)


def test_an_expired_session_returns_to_the_draft_with_the_comment_kept(browser, server):
    from playwright.sync_api import expect

    steps = Steps("expired-session")
    editor, reviewer, draft_id = _submitted_and_opened_on_a_phone(browser, server)
    comment = "同意，开放时间请与图书馆再核对一次"
    reviewer.fill("#decide-comment", comment)
    reviewer.context.clear_cookies()  # the idle timeout passed between two meetings
    reviewer.click("#decide button[value=approve]")
    expect(reviewer.locator("h1")).to_contain_text("登录")
    expect(reviewer.locator(".flash")).to_contain_text("登录已过期")
    steps.shot(reviewer, "login-again", full_page=False)
    reviewer.fill("input[name=username]", "editor2")
    reviewer.fill("input[name=password]", PASSWORD)
    reviewer.click("button[type=submit]")
    time.sleep(0.2)
    assert reviewer.url.endswith(f"/drafts/{draft_id}")
    expect(reviewer.locator("#decide-comment")).to_have_value(comment)
    expect(reviewer.locator("#decide .restored")).to_be_visible()
    steps.shot(reviewer, "comment-restored", full_page=False)
    reviewer.click("#decide button[value=approve]")
    expect(reviewer.locator(".flash")).to_contain_text("已签批同意")
