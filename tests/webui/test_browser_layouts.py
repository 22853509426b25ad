"""Phone layouts and the dashboard in a real Chromium (390×844 and desktop): the 审签单 fits the
screen and names stay on one line, the live check stays in sight while typing, the dashboard's
trend charts, the admin category preview. Screenshots in test-output/screenshots/."""
from __future__ import annotations

import pytest

from review import workflow
from review.models import User
from tests.conftest import channel_of

from .test_browser import PHONE, Steps, browser, login, server  # noqa: F401

pytestmark = pytest.mark.browser


def _published(app, people) -> int:
    """A draft signed by both tiers and published, straight through the domain functions."""
    runtime = app.extensions["runtime"]
    channel_id = channel_of(runtime, "editor")
    with runtime.db.session() as s:
        s.get(User, people["editor2"].id).name = "欧阳建国"  # a four-character name
        draft = workflow.create_draft(s, s.get(User, people["editor"].id), "社区图书馆周末开放",
                                      "本周六上午九点，社区图书馆照常开放阅览，欢迎居民前来借阅图书。",
                                      channel_id=channel_id)
        draft_id = draft.id
        workflow.submit(s, s.get(User, people["editor"].id), draft_id)
    for signer in ("editor2", "head"):
        with runtime.db.session() as s:
            draft = workflow.get_draft(s, draft_id)
            workflow.decide(s, s.get(User, people[signer].id), draft_id, "approve", "同意发布，注意核对时间",
                            draft.current_revision.content_hash)
    with runtime.db.session() as s:
        workflow.publish(s, s.get(User, people["editor"].id), draft_id)
    return draft_id


def test_the_sheet_fits_a_phone_and_names_stay_on_one_line(browser, server, app, people):
    steps = Steps("layout-sheet")
    draft_id = _published(app, people)
    auditor = login(browser, server, "auditor", viewport=PHONE)
    auditor.goto(f"{server}/audit/sheet/{draft_id}")
    assert auditor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    steps.shot(auditor, "phone-sheet")
    # One line box for the name: it does not break one character per line.
    lines = auditor.locator("table.signers td", has_text="欧阳建国").evaluate(
        "td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; }")
    assert lines == 1, f"the name runs over {lines} lines"
    # The facts above the signatures too: the channel's name is not broken a character a line.
    channel = auditor.locator("table.facts td", has_text="宣传科测试号").evaluate(
        "td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; }")
    assert channel == 1, f"the channel runs over {channel} lines"


def test_the_live_check_stays_in_sight_while_typing_on_a_phone(browser, server):
    from playwright.sync_api import expect

    steps = Steps("layout-live-check")
    editor = login(browser, server, "editor", viewport=PHONE)
    editor.goto(f"{server}/drafts/new")
    editor.fill("#f-title", "表彰见义勇为市民")
    editor.fill("#f-body", "市民张伟（手机13812345678）日前在河边救起落水儿童。")
    expect(editor.locator("#live-findings .finding").first).to_be_visible()
    editor.locator("#f-body").scroll_into_view_if_needed()
    box = editor.locator("#live").bounding_box()
    assert box["y"] < PHONE["height"], f"the live check is {box['y'] - PHONE['height']:.0f}px below the screen"
    steps.shot(editor, "phone-typing", full_page=False)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_dashboard_shows_trends_in_one_unit(browser, server, app, people, viewport):
    from playwright.sync_api import expect

    steps = Steps(f"layout-dashboard-{'phone' if viewport else 'desktop'}")
    _published(app, people)
    leader = login(browser, server, "leader", viewport=viewport)
    leader.goto(f"{server}/dashboard")
    expect(leader.locator("#outcomes svg rect[fill='#067647']").first).to_be_attached()
    unit = "分钟" if "分钟" in leader.locator("#tier-times h2").inner_text() else "小时"
    expect(leader.locator("#tier-times table")).to_contain_text(f"中位数（{unit}）")
    expect(leader.locator("#tier-trend h2")).to_contain_text(unit)
    assert leader.evaluate("document.documentElement.scrollWidth") <= (viewport or {"width": 1280})["width"]
    leader.select_option("#days", "7")
    expect(leader.locator("h1")).to_contain_text("近 7 天")
    steps.shot(leader, "dashboard")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_an_administrator_previews_a_category_change(browser, server, viewport):
    from playwright.sync_api import expect

    steps = Steps(f"admin-category-{'phone' if viewport else 'desktop'}")
    admin = login(browser, server, "admin", viewport=viewport)
    admin.goto(f"{server}/admin/wordlists")
    admin.get_by_role("link", name="赌博", exact=True).click()
    expect(admin.locator("select[name=action]")).to_have_value("block")
    admin.fill("textarea[name=terms]", admin.locator("textarea[name=terms]").input_value() + "\n政务")
    admin.click("button[value=preview]")
    expect(admin.locator("#impact")).to_contain_text("修改后标记")
    expect(admin.locator("#impact")).to_contain_text("随附的")
    steps.shot(admin, "preview")
