"""The pages people work in, through the Flask test client: editor, queue, trail, sheet, dashboard."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from review import audit_guard, workflow
from review.db import utcnow
from review.models import AuditEvent, Channel, Draft, User
from tests.conftest import channel_of

PHONE_AD = ("端午活动通知", "咨询电话13812345678。限时特惠，加微信领取优惠券。")
XSS = "<script>alert(1)</script><b>粗体</b><img src=x onerror=alert(2)>"


@pytest.fixture
def channel(app, people):
    with app.extensions["runtime"].db.session() as s:
        row = Channel(name="市政务发布", platform="微博", department_id=people["editor"].department_id)
        s.add(row)
        s.flush()
        return row.id


def draft_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rstrip("/").rsplit("/", 1)[1])


def revision_hash(page: str) -> str:
    return re.search(r'name="revision_hash" value="([0-9a-f]{64})"', page).group(1)


def submit_draft(web, author, title, body, **extra) -> int:
    client = web.login(author)
    extra.setdefault("channel_id", str(channel_of(web.app.extensions["runtime"], author)))
    data = {"title": title, "body": body, "action": "submit", **extra}
    return draft_id_of(client.post("/drafts/new", data=data))


def decide(web, who, draft_id, decision, comment=""):
    client = web.login(who)
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    response = client.post(f"/drafts/{draft_id}/decision",
                           data={"decision": decision, "comment": comment, "revision_hash": revision_hash(page)})
    assert response.status_code == 302, response.get_data(as_text=True)


def approve(web, who, draft_id, comment=""):
    decide(web, who, draft_id, "approve", comment)


def published_draft(web, channel) -> int:
    draft_id = submit_draft(web, "editor", "社区图书馆周末开放", "本周六上午九点，社区图书馆照常开放阅览。",
                            channel_id=str(channel))
    approve(web, "editor2", draft_id, "文字无误")
    approve(web, "head", draft_id, "同意发布")
    assert web.login("editor").post(f"/drafts/{draft_id}/publish").status_code == 302
    return draft_id


# ---------------------------------------------------------------- editor


def test_live_preview_returns_findings_with_offsets_and_deidentified_text(web):
    client = web.login("editor")
    token = web.csrf("/drafts/new")
    response = client.client.post("/drafts/preview", json={"title": PHONE_AD[0], "body": PHONE_AD[1]},
                                  headers={"X-CSRFToken": token})
    assert response.status_code == 200
    data = response.get_json()
    phone = [f for f in data["findings"] if f["check"] == "pii" and f["category"] == "mobile"]
    assert phone, data["findings"]
    body = data["body"]
    assert body[phone[0]["start"]:phone[0]["end"]] == "13812345678"
    assert "13812345678" not in data["deidentified"]["body"]
    assert phone[0]["message"]  # the Chinese explanation travels with the finding


def test_live_preview_without_csrf_header_is_refused(web):
    client = web.login("editor")
    response = client.client.post("/drafts/preview", json={"title": "标题", "body": "正文"})
    assert response.status_code == 400


def test_live_preview_is_for_authors_only(web):
    client = web.login("auditor")
    response = client.client.post("/drafts/preview", json={"title": "t", "body": "b"},
                                  headers={"X-CSRFToken": web.csrf("/audit")})
    assert response.status_code == 403


def test_draft_page_highlights_findings_in_the_text(web):
    draft_id = submit_draft(web, "editor", *PHONE_AD)
    page = web.login("editor").get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert re.search(r'<mark class="mask"[^>]*>13812345678</mark>', page)
    assert "个人信息" in page and "手机号码" in page


def test_edit_page_shows_reviewer_comments_for_the_revision(web):
    draft_id = submit_draft(web, "editor", "通知", "定于周五开会。")
    decide(web, "editor2", draft_id, "reject", "请补充会议地点")
    editor = web.login("editor")
    edit_page = editor.get(f"/drafts/{draft_id}/edit").get_data(as_text=True)
    assert "请补充会议地点" in edit_page and "针对第 1 版" in edit_page and "保存并重新提交" in edit_page


def test_resubmit_after_edit_shows_diff_against_previous_revision(web):
    draft_id = submit_draft(web, "editor", "通知", "定于周五开会。")
    decide(web, "editor2", draft_id, "reject", "请补充地点")
    editor = web.login("editor")
    response = editor.post(f"/drafts/{draft_id}/edit", data={"title": "通知", "body": "定于周五在三楼会议室开会。",
                                                             "action": "submit"})
    assert response.status_code == 302
    page = web.login("editor2").get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "与上一版（第 1 版）的差异" in page
    assert "<ins>在三楼会议室</ins>" in page


def test_override_reason_resubmits_a_blocked_draft(web, app, people):
    from tests.review.workflow_helpers import BLOCKED, OVERRIDE_REASON, install_test_terms

    install_test_terms(app.extensions["runtime"], people["admin"])
    draft_id = submit_draft(web, "editor", *BLOCKED)
    editor = web.login("editor")
    page = editor.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "已退回" in page and "申请人工复核的理由" in page
    response = editor.post(f"/drafts/{draft_id}/submit", data={"override_reason": OVERRIDE_REASON})
    assert response.status_code == 302
    with app.extensions["runtime"].db.session() as s:
        draft = s.get(Draft, draft_id)
        assert draft.status == "in_review" and draft.route[-1] == "leader"


@pytest.mark.parametrize("path", ["/drafts/{id}", "/drafts/{id}/edit", "/drafts", "/queue"])
def test_markup_in_a_draft_renders_as_text(web, path):
    draft_id = submit_draft(web, "editor", "标题<script>alert(0)</script>", XSS)
    who = "editor2" if path == "/queue" else "editor"
    page = web.login(who).get(path.format(id=draft_id)).get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>粗体" not in page
    assert "&lt;script&gt;alert(" in page


def test_markup_renders_as_text_on_trail_and_sheet(web, channel):
    draft_id = submit_draft(web, "editor", "标题<b>x</b>", XSS, channel_id=str(channel))
    approve(web, "editor2", draft_id, "<script>alert(3)</script>")
    approve(web, "head", draft_id)
    web.login("editor").post(f"/drafts/{draft_id}/publish")
    auditor = web.login("auditor")
    for path in (f"/audit/sheet/{draft_id}", "/audit", f"/drafts/{draft_id}"):
        page = auditor.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "<b>x</b>" not in page, path


@pytest.mark.parametrize("path", ["/drafts/new", "/admin/users", "/admin/departments", "/admin/channels",
                                  "/admin/wordlists/context.txt"])
def test_forms_without_csrf_token_are_refused(web, path):
    who = "admin" if path.startswith("/admin") else "editor"
    client = web.login(who)
    response = client.client.post(path, data={"title": "t", "body": "b", "name": "新部门", "content": "x"})
    assert response.status_code == 400 and "安全令牌" in response.get_data(as_text=True)


# ---------------------------------------------------------------- queue


def test_queue_puts_urgent_first_with_a_deadline_countdown(web):
    routine = submit_draft(web, "editor", "例行通知", "社区图书馆照常开放。")
    urgent = submit_draft(web, "editor", "紧急通知", "今晚停水，请提前储水。", urgent="on")
    page = web.login("editor2").get("/queue").get_data(as_text=True)
    assert page.index(f"/drafts/{urgent}") < page.index(f"/drafts/{routine}")
    assert page.count("data-deadline=") == 2


def test_queue_matches_workflow_can_sign(web, app, people):
    """The one-query queue agrees with workflow.can_sign for every person and draft."""
    from review import queue

    for i in range(3):
        submit_draft(web, "editor", f"通知{i}", "社区图书馆照常开放。")
    submit_draft(web, "outsider", "他部门通知", "办公室通知：周五例会。")
    approve(web, "editor2", 1)
    with app.extensions["runtime"].db.session() as s:
        drafts = s.scalars(select(Draft).where(Draft.status == "in_review")).all()
        for user in s.scalars(select(User)):
            expected = {d.id for d in drafts if workflow.can_sign(s, d, user)[0]}
            assert {d.id for d in queue.waiting_for(s, user)} == expected, user.username


def test_queue_shows_overdue_draft_to_the_deputy(web, app, people):
    from review import queue

    draft_id = submit_draft(web, "editor", "紧急通知", "今晚停水。", urgent="on")
    with app.extensions["runtime"].db.session() as s:
        s.execute(update(User).where(User.username == "editor2").values(deputy_id=people["otherhead"].id))
        otherhead = s.get(User, people["otherhead"].id)
        assert queue.waiting_for(s, otherhead) == []
        s.execute(update(Draft).where(Draft.id == draft_id).values(tier_since=utcnow() - timedelta(hours=1)))
    with app.extensions["runtime"].db.session() as s:
        otherhead = s.get(User, people["otherhead"].id)
        assert [d.id for d in queue.waiting_for(s, otherhead)] == [draft_id]
        assert workflow.can_sign(s, s.get(Draft, draft_id), otherhead) == (True, True)


# ---------------------------------------------------------------- auditor


def test_trail_filters_by_department_state_channel_and_category(web, app, channel):
    published = published_draft(web, channel)
    pii = submit_draft(web, "editor", *PHONE_AD)
    other = submit_draft(web, "outsider", "办公室通知", "周五例会。")
    auditor = web.login("auditor")

    def drafts_on(query):
        page = auditor.get("/audit?" + query).get_data(as_text=True)
        return {int(x) for x in re.findall(r'href="/drafts/(\d+)"', page)}

    with app.extensions["runtime"].db.session() as s:
        office = s.get(Draft, other).department_id
    assert drafts_on(f"department={office}") == {other}
    assert drafts_on("status=published") == {published}
    assert drafts_on(f"channel={channel}") == {published}
    assert drafts_on("category=mobile") == {pii}
    assert drafts_on("actor=outsider") == {other}


def test_trail_is_paginated(web, app, people):
    from review import audit

    with app.extensions["runtime"].db.session() as s:
        for i in range(120):
            audit.record(s, None, "test_event", n=i)
    page1 = web.login("auditor").get("/audit?action=test_event").get_data(as_text=True)
    assert "共 120 条" in page1 and "第 1/3 页" in page1 and '>n：119<' in page1 and '>n：69<' not in page1
    page3 = web.login("auditor").get("/audit?action=test_event&page=3").get_data(as_text=True)
    assert '>n：0<' in page3


def test_integrity_fragment_reports_a_tampered_chain(web, app, channel):
    published_draft(web, channel)
    auditor = web.login("auditor")
    assert "审计链完整" in auditor.get("/audit/integrity").get_data(as_text=True)
    with app.extensions["runtime"].db.session() as s:
        audit_guard.remove(s.connection())  # as a database administrator could
        s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(actor="mallory"))
    page = auditor.get("/audit/integrity?fresh=1").get_data(as_text=True)
    assert "审计链校验失败" in page and "第 3 号事件" in page


def test_export_csv_and_json_follow_the_filters(web, app, channel):
    published = published_draft(web, channel)
    submit_draft(web, "outsider", "办公室通知", "周五例会。")
    auditor = web.login("auditor")
    rows = json.loads(auditor.get("/audit/export.json?status=published").get_data(as_text=True))
    assert rows and {r["draft_id"] for r in rows} == {published}
    assert [r["seq"] for r in rows] == sorted(r["seq"] for r in rows)
    text = auditor.get("/audit/export.csv?status=published").get_data(as_text=True)
    parsed = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [int(r["seq"]) for r in parsed] == [r["seq"] for r in rows]
    assert json.loads(parsed[0]["details"]) == rows[0]["details"]


def test_sign_off_sheet_lists_final_text_route_and_signers(web, channel):
    draft_id = published_draft(web, channel)
    page = web.login("auditor").get(f"/audit/sheet/{draft_id}").get_data(as_text=True)
    assert "政务新媒体信息发布审签单" in page
    assert "本周六上午九点，社区图书馆照常开放阅览。" in page
    assert "编辑初审 → 部门负责人复审" in page
    assert "<td>Editor2</td>" in page and "文字无误" in page and "同意发布" in page


def test_sheet_is_not_for_other_departments(web, channel):
    draft_id = published_draft(web, channel)
    assert web.login("outsider").get(f"/audit/sheet/{draft_id}").status_code == 403


# ---------------------------------------------------------------- login and sessions


def test_account_locks_after_five_failures(web):
    for _ in range(4):
        response = web.client.post("/login", data={"username": "editor", "password": "wrong", "csrf_token": web.csrf()})
        assert "用户名或密码错误" in response.get_data(as_text=True)
    response = web.client.post("/login", data={"username": "editor", "password": "wrong", "csrf_token": web.csrf()})
    assert "账号已锁定" in response.get_data(as_text=True)
    from tests.conftest import PASSWORD

    response = web.client.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": web.csrf()})
    assert response.status_code == 401 and "账号已锁定" in response.get_data(as_text=True)


def test_idle_session_expires(config, people):
    import time

    from webui import create_app

    config.idle_timeout_minutes = 1
    app = create_app(config)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=1)
    from tests.conftest import WebClient

    client = WebClient(app).login("editor")
    assert client.get("/drafts").status_code == 200
    time.sleep(2.2)  # itsdangerous compares whole seconds: age must exceed 1
    response = client.get("/drafts")
    assert response.status_code == 302 and "/login" in response.location
    app.extensions["runtime"].db.dispose()


def test_no_remember_me_on_login(web):
    page = web.client.get("/login").get_data(as_text=True)
    assert "remember" not in page.lower() and "记住" not in page


# ---------------------------------------------------------------- dashboard


def test_dashboard_draws_charts(web, channel, app, people):
    from tests.review.workflow_helpers import BLOCKED, install_test_terms

    install_test_terms(app.extensions["runtime"], people["admin"])
    published_draft(web, channel)
    submit_draft(web, "editor", "紧急通知", "今晚停水。", urgent="on")
    submit_draft(web, "editor", *BLOCKED)
    with app.extensions["runtime"].db.session() as s:
        s.add(Channel(name="无人更新号", platform="微信公众号", department_id=s.get(Channel, channel).department_id))
    page = web.login("leader").get("/dashboard").get_data(as_text=True)
    assert page.count("<svg") == 6  # four bar charts, two trend charts
    assert "无人更新号" in page and "从未发布" in page
    assert "1 件（突发 1）" in page
    assert "自动审查拦截：1 / 3" in page and "zz_test" in page
    assert web.login("editor").get("/dashboard").status_code == 403


def test_repost_alterations_show_the_diff_against_the_original(web, app):
    """The repost check's altered_title/altered_content findings carry a line diff; reviewers see it."""
    from review.models import ScreeningResult

    draft_id = submit_draft(web, "editor", "转载：全市秋粮收购有序推进", "全市秋粮收购工作有序推进，已收购三万吨。",
                            is_repost="on", repost_source="市农业农村局", repost_original_title="全市秋粮收购有序推进")
    with app.extensions["runtime"].db.session() as s:
        draft = s.get(Draft, draft_id)
        s.add(ScreeningResult(
            revision_id=draft.current_revision_id, sensitivity="important", route=["editor", "dept_head", "leader"],
            deidentified={}, versions={}, findings=[{
                "check": "repost", "category": "altered_content", "field": "body", "start": 0, "end": 4,
                "text": "全市秋粮", "score": 0.8, "action": "escalate",
                "message": "转载正文与原文《全市秋粮收购有序推进》不一致（004 6.3.1.4）",
                "details": {"original_title": "全市秋粮收购有序推进",
                            "diff": ["- 已收购两万吨。", "+ 已收购三万吨。<b>x</b>"]}}]))
    page = web.login("editor2").get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "与原文《全市秋粮收购有序推进》的差异" in page
    assert '<li class="del">原文：已收购两万吨。</li>' in page
    assert '<li class="ins">本稿：已收购三万吨。&lt;b&gt;x&lt;/b&gt;</li>' in page
    assert "篡改原文内容" in page


# ---------------------------------------------------------------- publication safety (002 §19)

ID_NUMBER, MOBILE = "110101199003078515", "13812345678"
PERSONAL = ("市民来信反映情况", f"市民王小明（身份证号{ID_NUMBER}，手机{MOBILE}）来信反映小区路灯损坏。")


def test_a_reviewer_sees_open_masks_and_cannot_approve_until_they_are_resolved(web):
    draft_id = submit_draft(web, "editor", *PERSONAL)
    reviewer = web.login("editor2")
    page = reviewer.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert page.count('class="mask-item"') == 3 and "保留原文" in page
    assert re.search(r'value="approve" class="primary" disabled', page)
    refused = reviewer.post(f"/drafts/{draft_id}/decision",
                            data={"decision": "approve", "comment": "", "revision_hash": revision_hash(page)})
    assert refused.status_code == 409 and "个人信息" in refused.get_data(as_text=True)

    finding = re.search(r'name="finding" value="([^"]+:person)"', page).group(1)
    kept = reviewer.post(f"/drafts/{draft_id}/personal-data", data={
        "revision_hash": revision_hash(page), "finding": finding, "reason": "", "note": "x"}, follow_redirects=True)
    assert kept.status_code == 400 and "保留理由须为" in kept.get_data(as_text=True)  # refused on the same page
    kept = reviewer.post(f"/drafts/{draft_id}/personal-data", data={
        "revision_hash": revision_hash(page), "finding": finding, "reason": "official_duty", "note": "网格员履职"},
        follow_redirects=True).get_data(as_text=True)
    assert "已记录保留理由" in kept and kept.count('class="mask-item"') == 2 and "公职人员履职信息" in kept


def test_after_the_deidentified_text_no_page_shows_the_raw_values(web):
    draft_id = submit_draft(web, "editor", *PERSONAL)
    author = web.login("editor")
    page = author.get(f"/drafts/{draft_id}").get_data(as_text=True)
    done = author.post(f"/drafts/{draft_id}/deidentify", data={"revision_hash": revision_hash(page)},
                       follow_redirects=True).get_data(as_text=True)
    assert "已采用去标识化文本" in done and 'id="changes"' in done
    for who in ("editor", "editor2", "auditor"):
        client = web.login(who)
        for path in (f"/drafts/{draft_id}", f"/audit?draft_id={draft_id}", "/audit/export.json"):
            text = client.get(path).get_data(as_text=True)
            assert ID_NUMBER not in text and MOBILE not in text, (who, path)


def test_notifications_count_and_page(web, app, people):
    from review import notify

    with app.extensions["runtime"].db.session() as s:
        notify.notify(s, [people["head"]], "rectification", "整改通知：测试消息")
    head = web.login("head")
    page = head.get("/queue").get_data(as_text=True)
    assert re.search(r'id="nav-notifications">通知<span class="count">1</span>', page)
    assert "整改通知：测试消息" in head.get("/notifications").get_data(as_text=True)
    head.post("/notifications/read")
    assert 'class="count"' not in head.get("/queue").get_data(as_text=True)


def test_rectifications_page_lets_the_department_head_close_a_task(web, app, channel):
    from review import rectification

    draft_id = published_draft(web, channel)
    with app.extensions["runtime"].db.session() as s:
        publication = workflow.publication_of(s, s.get(Draft, draft_id))
        rectification.open_task(s, publication, "patrol", "复查发现问题", [])
    assert "复查发现问题" not in web.login("otherhead").get("/rectifications").get_data(as_text=True)
    head = web.login("head")
    page = head.get("/rectifications").get_data(as_text=True)
    assert "复查发现问题" in page and "办结" in page
    task_id = re.search(r"/rectifications/(\d+)/close", page).group(1)
    closed = head.post(f"/rectifications/{task_id}/close", data={"note": "已删除原帖并更正"},
                       follow_redirects=True).get_data(as_text=True)
    assert "整改任务已办结" in closed and "已删除原帖并更正" in closed
    dashboard = web.login("leader").get("/dashboard").get_data(as_text=True)
    assert 'id="patrol"' in dashboard and "待整改任务：0 件" in dashboard
