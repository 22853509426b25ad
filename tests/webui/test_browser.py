"""The whole journey in a real Chromium (Playwright), against the real app on a local port.

Run alone with `pytest -m browser`. Uses the machine's Chromium (never a downloaded browser);
skips, saying why, where none is installed. A PNG of each step goes to test-output/screenshots/.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
import warnings
from pathlib import Path

import pytest
from sqlalchemy import select

from review.models import Channel, Draft
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
LAUNCH_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run"]
PHONE = {"width": 390, "height": 844}
TIMEOUT = 30_000  # ms; the first live check loads jieba and the models

PHONE_NUMBER = "13812345678"
CHANNEL = "微信公众号 · 市政务发布"  # the account the `server` fixture adds to the editors' department
AD_PHRASE = "限时特惠，加微信领取优惠券"


def _expect_timeout():
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)


def _chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip(f"找不到 Chromium（{CHROMIUM}）：浏览器测试需要系统自带的 Chromium（Debian: apt-get install chromium）")
    return path


@pytest.fixture
def server(app, people):
    """The real app (CSRF on, sessions on) served by werkzeug on a free 127.0.0.1 port."""
    from werkzeug.serving import make_server

    app.testing = False
    with app.extensions["runtime"].db.session() as s:
        s.add(Channel(name="市政务发布", platform="微信公众号", department_id=people["editor"].department_id))
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(10)


@pytest.fixture
def browser():
    path = _chromium()
    from playwright.sync_api import sync_playwright

    args = list(LAUNCH_ARGS)
    if os.geteuid() == 0:
        args.insert(0, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    _expect_timeout()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=args)
        yield chromium
        chromium.close()


class Steps:
    """Numbered screenshots, so the folder reads as the story of the test."""

    def __init__(self, prefix: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.n = 0

    def shot(self, page, name: str, full_page: bool = True) -> None:
        self.n += 1
        page.screenshot(path=str(SCREENSHOTS / f"{self.prefix}-{self.n:02d}-{name}.png"), full_page=full_page)


def login(browser, base: str, username: str, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    # Irreversible actions ask for confirmation (accepted here; tests that decline set their own
    # handler). Any other dialog means markup from a draft ran as script: fail loudly.
    page.on("dialog", _confirm_or_fail)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]
    return page


def _confirm_or_fail(dialog):
    if dialog.type != "confirm":
        pytest.fail(f"unexpected dialog: {dialog.message}")
    dialog.accept()


def approve_from_queue(page, base: str, title: str, comment: str):
    from playwright.sync_api import expect

    page.goto(f"{base}/queue")
    page.get_by_role("link", name=title).click()
    expect(page.locator("#decide")).to_be_visible()
    page.fill("#decide textarea[name=comment]", comment)
    page.click("#decide button[value=approve]")
    expect(page.locator(".flash")).to_contain_text("已签批同意")


def draft_id_from(page) -> int:
    return int(re.search(r"/drafts/(\d+)", page.url).group(1))


def test_editor_to_publication_and_sign_off_sheet(browser, server, app):
    from playwright.sync_api import expect

    from classifiers.engine import REGISTRY

    steps = Steps("journey")
    base = server
    title = "关于调整社区图书馆开放时间的通知"
    body = f"即日起，社区图书馆开放时间调整为每日九时至十七时，咨询电话{PHONE_NUMBER}。{AD_PHRASE}。"

    # 1. The editor writes; findings appear highlighted after a pause in typing.
    editor = login(browser, base, "editor")
    editor.goto(f"{base}/drafts/new")
    editor.fill("#f-title", title)
    editor.fill("#f-body", body)
    phone = editor.locator("#live-body mark.mask", has_text=PHONE_NUMBER)
    expect(phone).to_be_visible()
    expect(editor.locator("#live-findings .finding", has_text="手机号码")).to_contain_text("002")
    if "classifiers.ad" in REGISTRY:
        expect(editor.locator("#live-body mark", has_text="特惠")).to_be_visible()
        expect(editor.locator("#live-findings .finding", has_text="商业广告")).to_be_visible()
    else:
        warnings.warn("ad check not registered in classifiers.engine.REGISTRY: ad highlight not checked")
    steps.shot(editor, "editor-sees-findings")

    # 2. One click takes the de-identified text; the live check runs again on it.
    editor.click("#accept-deidentified")
    expect(editor.locator("#f-body")).to_have_value(re.compile(r"138\*{4}5678"))
    expect(editor.locator("#live-body mark.mask")).to_have_count(0)
    steps.shot(editor, "editor-accepted-deidentified")

    # 3. She drops the advertising sentence (002 §26) and submits.
    deidentified = editor.locator("#f-body").input_value()
    editor.fill("#f-body", deidentified.replace(AD_PHRASE + "。", ""))
    editor.select_option("select[name=channel_id]", label=CHANNEL)
    editor.click("button[value=submit]")
    expect(editor.locator(".flash")).to_contain_text("稿件已提交，自动审查完成")
    expect(editor.locator("h1")).to_contain_text("审核中")
    draft_id = draft_id_from(editor)
    expect(editor.locator("#draft-body")).not_to_contain_text(PHONE_NUMBER)
    steps.shot(editor, "editor-submitted")

    # 4. A second editor and the department head approve from their queues.
    editor2 = login(browser, base, "editor2")
    editor2.goto(f"{base}/queue")
    expect(editor2.locator(".queue li", has_text=title)).to_be_visible()
    steps.shot(editor2, "editor2-queue")
    approve_from_queue(editor2, base, title, "文字已核对")
    head = login(browser, base, "head")
    head.goto(f"{base}/drafts/{draft_id}")
    expect(head.locator("#signoffs")).to_contain_text("文字已核对")
    steps.shot(head, "head-draft-view")
    approve_from_queue(head, base, title, "同意发布")

    # 5. The editor publishes.
    editor.goto(f"{base}/drafts/{draft_id}")
    editor.click("#publish button")
    expect(editor.locator("h1")).to_contain_text("已发布")
    steps.shot(editor, "editor-published")

    # 6. An urgent sensitive draft is routed to the top leader, who signs on a phone.
    urgent_title = "突发：城区山体滑坡应急处置情况通报"
    editor.goto(f"{base}/drafts/new")
    editor.fill("#f-title", urgent_title)
    editor.fill("#f-body", "今日凌晨城区发生山体滑坡，应急管理局已启动应急响应，暂无人员伤亡。")
    editor.check("#f-urgent")
    expect(editor.locator("#live-summary")).to_contain_text("主要领导终审")
    steps.shot(editor, "urgent-draft-live-check")
    editor.select_option("select[name=channel_id]", label=CHANNEL)
    editor.click("button[value=submit]")
    expect(editor.locator("ol.route")).to_contain_text("主要领导终审")
    urgent_id = draft_id_from(editor)
    approve_from_queue(editor2, base, urgent_title, "")
    approve_from_queue(head, base, urgent_title, "情况属实")

    leader = login(browser, base, "leader", viewport=PHONE)
    leader.goto(f"{base}/queue")
    item = leader.locator(".queue li", has_text=urgent_title)
    expect(item.locator(".tag.urgent")).to_be_visible()
    expect(item.locator(".deadline")).to_contain_text("剩余")
    steps.shot(leader, "leader-phone-queue", full_page=False)
    item.get_by_role("link").click()
    expect(leader.locator(".jump")).to_be_visible()
    steps.shot(leader, "leader-phone-draft", full_page=False)
    leader.click(".jump")
    leader.fill("#decide textarea[name=comment]", "同意发布，请注意后续更新")
    steps.shot(leader, "leader-phone-decide", full_page=False)
    leader.click("#decide button[value=approve]")
    expect(leader.locator(".flash")).to_contain_text("已签批同意")
    width = leader.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"queue scrolls sideways on a phone: {width}px"
    with app.extensions["runtime"].db.session() as s:
        assert s.get(Draft, urgent_id).status == "approved"

    # 7. The auditor finds the published item and opens its sign-off sheet.
    auditor = login(browser, base, "auditor")
    auditor.goto(f"{base}/audit")
    expect(auditor.locator("#integrity")).to_contain_text("审计链完整")
    auditor.select_option("select[name=status]", "published")
    auditor.click("button:has-text('筛选')")
    expect(auditor.locator("table.trail td[data-action=published]")).to_have_count(1)
    steps.shot(auditor, "auditor-trail-filtered")
    auditor.locator("a.sheet-link").first.click()
    sheet = auditor.locator("article.sheet")
    expect(sheet).to_contain_text("政务新媒体信息发布审签单")
    expect(sheet).to_contain_text(title)
    expect(sheet.locator(".signers")).to_contain_text("文字已核对")
    expect(sheet.locator(".signers")).to_contain_text("同意发布")
    expect(sheet).to_contain_text("编辑初审 → 部门负责人复审")
    expect(sheet.locator(".final-text")).to_contain_text("138****5678")
    steps.shot(auditor, "auditor-sign-off-sheet")
    with app.extensions["runtime"].db.session() as s:
        assert s.scalar(select(Draft.status).where(Draft.id == draft_id)) == "published"

    # 8. The dashboard draws its charts in the page itself (no network).
    auditor.goto(f"{base}/dashboard")
    expect(auditor.locator("#pending svg.chart")).to_be_visible()
    expect(auditor.locator("#tier-times svg.chart")).to_contain_text("编辑初审")
    steps.shot(auditor, "dashboard")


def test_markup_in_drafts_stays_text_in_the_browser(browser, server):
    from playwright.sync_api import expect

    steps = Steps("escaping")
    payload = '<script>alert("x")</script><img src=x onerror="alert(1)"><b>粗</b>'
    editor = login(browser, server, "editor")
    editor.goto(f"{server}/drafts/new")
    editor.fill("#f-title", "标题<b>加粗</b>")
    editor.fill("#f-body", payload + f" 联系{PHONE_NUMBER}")
    expect(editor.locator("#live-body mark.mask")).to_be_visible()
    expect(editor.locator("#live-body")).to_contain_text('<script>alert("x")</script>')
    assert editor.locator("#live-body img, #live-body b, #live-body script").count() == 0
    editor.select_option("select[name=channel_id]", label=CHANNEL)
    editor.click("button[value=submit]")
    expect(editor.locator("#draft-body")).to_contain_text('<img src=x onerror="alert(1)">')
    assert editor.locator("#draft-body img, #draft-body b, h1 b").count() == 0
    steps.shot(editor, "markup-as-text")


def test_phone_queue_and_draft_fit_the_screen(browser, server):
    from playwright.sync_api import expect

    steps = Steps("phone")
    editor = login(browser, server, "editor")
    editor.goto(f"{server}/drafts/new")
    editor.fill("#f-title", "关于周末社区图书馆开放时间调整的通知")
    editor.fill("#f-body", "本周六上午九点至下午五点，社区图书馆照常开放阅览，欢迎居民前来借阅图书。" * 3)
    editor.select_option("select[name=channel_id]", label=CHANNEL)
    editor.click("button[value=submit]")
    expect(editor.locator("h1")).to_contain_text("审核中")

    reviewer = login(browser, server, "editor2", viewport=PHONE)
    reviewer.goto(f"{server}/queue")
    expect(reviewer.locator(".queue li")).to_have_count(1)
    steps.shot(reviewer, "queue-390x844", full_page=False)
    assert reviewer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    reviewer.locator(".queue li a").first.click()
    expect(reviewer.locator("#decide")).to_be_attached()
    steps.shot(reviewer, "draft-390x844", full_page=True)
    assert reviewer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = reviewer.locator("#decide button[value=approve]").bounding_box()
    assert box["height"] >= 40, "the approve button is too small to tap"


def test_personal_data_is_resolved_before_approval_and_never_published_raw(browser, server, app):
    """002 §19: a reviewer keeps one value with a reason, the author takes the de-identified text for
    the rest, and only then can the tiers approve; the sheet records why the kept value was kept."""
    from playwright.sync_api import expect

    steps = Steps("personal-data")
    id_number, mobile = "110101199003078515", "13812345678"
    title = "市民来信反映路灯损坏"
    editor = login(browser, server, "editor")
    editor.goto(f"{server}/drafts/new")
    editor.fill("#f-title", title)
    editor.fill("#f-body", f"市民王小明（身份证号{id_number}，手机{mobile}）来信反映小区路灯损坏，街道已安排维修。")
    editor.select_option("select[name=channel_id]", label=CHANNEL)
    editor.click("button[value=submit]")
    expect(editor.locator("#personal-data .mask-item")).to_have_count(3)
    draft_id = draft_id_from(editor)

    reviewer = login(browser, server, "editor2")
    reviewer.goto(f"{server}/drafts/{draft_id}")
    expect(reviewer.locator("#decide button[value=approve]")).to_be_disabled()
    expect(reviewer.locator("#personal-data")).not_to_contain_text(id_number)
    steps.shot(reviewer, "reviewer-sees-open-masks")
    name_item = reviewer.locator("#personal-data .mask-item", has_text="个人姓名")
    name_item.locator("select[name=reason]").select_option(label="公职人员履职信息")
    name_item.locator("input[name=note]").fill("王小明为社区网格员，履职信息依规公开")
    name_item.locator("button").click()
    expect(reviewer.locator(".flash")).to_have_text("已记录保留理由")
    expect(reviewer.locator("#personal-data .mask-item")).to_have_count(2)
    expect(reviewer.locator("#personal-data table.kept")).to_contain_text("公职人员履职信息")
    steps.shot(reviewer, "reviewer-kept-the-name")

    editor.goto(f"{server}/drafts/{draft_id}")
    editor.click("#accept-masks")
    expect(editor.locator(".flash")).to_have_text("已采用去标识化文本，生成新版本并重新审查")
    expect(editor.locator("#personal-data .mask-item")).to_have_count(0)
    expect(editor.locator("#changes")).to_be_visible()
    for value in (id_number, mobile):
        expect(editor.locator("body")).not_to_contain_text(value)
    steps.shot(editor, "author-accepted-deidentified")

    approve_from_queue(reviewer, server, title, "已核对")
    head = login(browser, server, "head")
    approve_from_queue(head, server, title, "同意")
    editor.goto(f"{server}/drafts/{draft_id}")
    editor.click("#publish button")
    expect(editor.locator("#verification")).to_contain_text("已核验")
    editor.goto(f"{server}/audit/sheet/{draft_id}")
    sheet = editor.locator("article.sheet")
    expect(sheet).to_contain_text("保留的个人信息")
    expect(sheet).to_contain_text("公职人员履职信息")
    expect(sheet.locator(".final-text")).to_contain_text("王小明")
    expect(sheet.locator(".final-text")).not_to_contain_text(id_number)
    steps.shot(editor, "sheet-with-kept-value")


def test_a_leader_publishes_an_urgent_draft_on_the_phone_and_the_tiers_review_after(browser, server):
    from playwright.sync_api import expect

    steps = Steps("emergency")
    title = "突发：城区内涝避险提示"
    editor = login(browser, server, "editor")
    editor.goto(f"{server}/drafts/new")
    editor.fill("#f-title", title)
    editor.fill("#f-body", "受强降雨影响，城区多处道路积水，请市民避开低洼路段，注意出行安全。")
    editor.check("#f-urgent")
    editor.select_option("select[name=channel_id]", label=CHANNEL)
    editor.click("button[value=submit]")
    expect(editor.locator("h1")).to_contain_text("审核中")
    draft_id = draft_id_from(editor)

    head = login(browser, server, "head")
    head.goto(f"{server}/drafts/{draft_id}")
    expect(head.locator("#emergency")).to_have_count(0)  # nobody but a leader skips a tier

    leader = login(browser, server, "leader", viewport=PHONE)
    leader.goto(f"{server}/drafts/{draft_id}")
    leader.fill("#emergency textarea[name=reason]", "暴雨红色预警，须一小时内首发避险提示")
    steps.shot(leader, "leader-emergency-form", full_page=False)
    leader.click("#emergency button")
    expect(leader.locator(".flash")).to_have_text("已紧急发布，其余环节将事后补审")
    expect(leader.locator("h1")).to_contain_text("已发布")
    assert leader.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    reviewer = login(browser, server, "editor2")
    reviewer.goto(f"{server}/queue")
    reviewer.locator(".queue li", has_text=f"稿件 #{draft_id}").get_by_role("link").click()
    reviewer.click("#post-reviews button[value=approve]")
    expect(reviewer.locator(".flash")).to_have_text("已完成事后补审")
    expect(reviewer.locator("#post-reviews")).to_contain_text("同意")
    steps.shot(reviewer, "post-review-done")
    reviewer.goto(f"{server}/audit/sheet/{draft_id}")
    expect(reviewer.locator("article.sheet")).to_contain_text("紧急发布")
    expect(reviewer.locator("article.sheet")).to_contain_text("事后补审")
