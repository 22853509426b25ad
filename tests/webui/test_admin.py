"""Administration in the browser: every change audited; wordlist edits reach running workers."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from review.models import AuditEvent, Channel, Department, Draft, User, WordlistOverride
from tests.conftest import PASSWORD, WebClient, channel_of

NEW_TERM = "琥珀禁发样词"
PROHIBITED_FILE = "prohibited/rumour_disorder.txt"


def last_event(app, action):
    with app.extensions["runtime"].db.session() as s:
        return s.scalar(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc()).limit(1))


def test_admin_creates_user_who_must_change_password_at_first_login(web, app, people):
    admin = web.login("admin")
    dept = people["editor"].department_id
    weak = admin.post("/admin/users", data={"username": "newbie", "name": "新人", "role": "editor",
                                            "department_id": str(dept), "password": "short"})
    assert weak.status_code == 400 and "密码至少" in weak.get_data(as_text=True)
    response = admin.post("/admin/users", data={"username": "newbie", "name": "新人", "role": "editor",
                                                "department_id": str(dept), "password": "Temp-pass-2026!"})
    assert response.status_code == 302
    event = last_event(app, "user_added")
    assert event.actor == "admin" and event.details["user"] == "newbie"

    newbie = WebClient(app).login("newbie", "Temp-pass-2026!")
    first = newbie.get("/drafts")
    assert first.status_code == 302 and first.location.endswith("/password")
    changed = newbie.post("/password", data={"old": "Temp-pass-2026!", "new": "Mine-own-pass-2026",
                                             "confirm": "Mine-own-pass-2026"})
    assert changed.status_code == 302
    assert newbie.get("/drafts").status_code == 200


def test_admin_changes_role_department_deputy_and_deactivates(web, app, people):
    admin = web.login("admin")
    target = people["editor2"]
    other_dept = people["outsider"].department_id
    response = admin.post(f"/admin/users/{target.id}", data={
        "action": "update", "role": "dept_head", "department_id": str(other_dept),
        "deputy_id": str(people["head"].id)})  # no "active": the checkbox is cleared
    assert response.status_code == 302
    with app.extensions["runtime"].db.session() as s:
        user = s.get(User, target.id)
        assert (user.role, user.department_id, user.deputy_id, user.active) == ("dept_head", other_dept,
                                                                                people["head"].id, False)
    changes = last_event(app, "user_updated").details["changes"]
    assert set(changes) == {"role", "department", "deputy", "active"}
    assert changes["role"] == ["editor", "dept_head"]
    # A deactivated account cannot sign in (004 7.1: credentials change when staff change).
    client = WebClient(app)
    response = client.client.post("/login", data={"username": "editor2", "password": PASSWORD,
                                                  "csrf_token": client.csrf()})
    assert response.status_code == 401


def test_admin_reset_password_forces_a_change(web, app, people):
    admin = web.login("admin")
    assert admin.post(f"/admin/users/{people['editor'].id}",
                      data={"action": "reset_password", "password": "Reset-pass-2026!"}).status_code == 302
    assert last_event(app, "password_reset").details == {"user": "editor"}
    client = WebClient(app).login("editor", "Reset-pass-2026!")
    assert client.get("/queue").location.endswith("/password")


def test_departments_and_channels_are_edited_and_audited(web, app, people):
    admin = web.login("admin")
    assert admin.post("/admin/departments", data={"name": "应急管理局"}).status_code == 302
    with app.extensions["runtime"].db.session() as s:
        dept = s.scalar(select(Department).where(Department.name == "应急管理局"))
    assert admin.post("/admin/departments", data={"department_id": str(dept.id), "name": "应急局"}).status_code == 302
    assert last_event(app, "department_renamed").details == {"old": "应急管理局", "new": "应急局"}

    response = admin.post("/admin/channels", data={"name": "应急发布", "platform": "微博",
                                                   "department_id": str(dept.id), "adapter": "outbox"})
    assert response.status_code == 302
    with app.extensions["runtime"].db.session() as s:
        channel = s.scalar(select(Channel).where(Channel.name == "应急发布"))
    bad = admin.post("/admin/channels", data={"channel_id": str(channel.id), "name": "应急发布", "platform": "微博",
                                              "department_id": str(dept.id), "adapter": "webhook", "webhook_url": ""})
    assert bad.status_code == 400 and "webhook" in bad.get_data(as_text=True)
    ok = admin.post("/admin/channels", data={"channel_id": str(channel.id), "name": "应急发布", "platform": "微博",
                                             "department_id": str(dept.id), "adapter": "webhook",
                                             "webhook_url": "https://example.gov.cn/hook"})
    assert ok.status_code == 302
    assert last_event(app, "channel_updated").details["changes"]["adapter"] == ["outbox", "webhook"]


@pytest.mark.parametrize("who", ["editor", "head", "leader", "auditor"])
def test_only_admins_reach_admin_pages(web, who):
    assert web.login(who).get("/admin/users").status_code == 403


def test_invalid_wordlists_are_refused_before_workers_see_them(web, app):
    admin = web.login("admin")
    bad_toml = admin.post("/admin/wordlists/policy.toml", data={"content": "[route\nbroken", "action": "save"})
    assert bad_toml.status_code == 400 and "TOML" in bad_toml.get_data(as_text=True)
    bad_tsv = admin.post("/admin/wordlists/approved_sources.tsv", data={"content": "只有一列\n", "action": "save"})
    assert bad_tsv.status_code == 400 and "核准稿源名单格式错误" in bad_tsv.get_data(as_text=True)
    outside = admin.post("/admin/wordlists/../setup.cfg", data={"content": "x", "action": "save"})
    assert outside.status_code in (400, 404)
    with app.extensions["runtime"].db.session() as s:
        assert s.scalar(select(WordlistOverride)) is None


def test_approved_sources_edit_changes_repost_findings(web, app):
    admin = web.login("admin")
    page = admin.get("/admin/wordlists/approved_sources.tsv").get_data(as_text=True)
    assert "核准稿源名单" in page
    with app.extensions["runtime"].db.session() as s:
        from review.admin import wordlist_text

        current, _ = wordlist_text(s, "approved_sources.tsv")
    added = current.rstrip("\n") + "\n青石县融媒体中心\t青石融媒\tqingshi.example.cn\tlocal\n"
    assert admin.post("/admin/wordlists/approved_sources.tsv", data={"content": added, "action": "save"}).status_code == 302
    event = last_event(app, "wordlist_saved")
    assert event.details["file"] == "approved_sources.tsv" and any("青石县融媒体中心" in a for a in event.details["added"])

    editor = web.login("editor")
    token = web.csrf("/drafts/new")
    result = editor.client.post("/drafts/preview", headers={"X-CSRFToken": token}, json={
        "title": "转载：全县秋粮收购工作有序推进", "body": "全县秋粮收购工作有序推进。",
        "repost": {"source": "青石县融媒体中心", "original_author": "张三", "original_title": "全县秋粮收购工作有序推进",
                   "original_url": "https://qingshi.example.cn/a/1", "original_published_at": "2026-11-20"}}).get_json()
    categories = {f["category"] for f in result["findings"] if f["check"] == "repost"}
    assert "approved_source" in categories and "unapproved_source" not in categories


def _wait_for_status(runtime, draft_id, wanted, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with runtime.db.session() as s:
            status = s.get(Draft, draft_id).status
        if status in wanted:
            return status
        time.sleep(0.3)
    raise AssertionError(f"draft {draft_id} still {status}, wanted {wanted}")


@pytest.mark.redis
def test_running_worker_picks_up_wordlist_edit_without_restart(config, redis_url, people):
    """A worker process started before the edit screens the next draft with the edited list."""
    from webui import create_app

    config.redis_url = redis_url
    app = create_app(config)
    env = {**os.environ, "DATABASE_URL": config.database_url, "REDIS_URL": redis_url,
           "INSTANCE_PATH": str(config.instance_path)}
    worker = subprocess.Popen([sys.executable, "-m", "review", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        runtime = app.extensions["runtime"]
        web = WebClient(app)
        body = f"明天上午大家一起{NEW_TERM}。"
        before = web.login("editor").post("/drafts/new", data={"title": "提醒", "body": body, "action": "submit",
                                                       "channel_id": channel_of(runtime, "editor")})
        before_id = int(before.location.rsplit("/", 1)[1])
        assert _wait_for_status(runtime, before_id, {"in_review", "returned"}) == "in_review"

        admin = web.login("admin")
        with runtime.db.session() as s:
            from review.admin import wordlist_text

            current, _ = wordlist_text(s, PROHIBITED_FILE)
        from review.categories import split

        form = split(current)  # the page edits a category as fields
        response = admin.post(f"/admin/wordlists/{PROHIBITED_FILE}", data={
            "do": "save", "name": form.name, "action": form.action, "rule": form.rule, "message": form.message,
            "context": "on" if form.context else "", "terms": form.terms + f"\n{NEW_TERM}"})
        assert response.status_code == 302

        after = web.login("editor").post("/drafts/new", data={"title": "提醒", "body": body, "action": "submit",
                                                       "channel_id": channel_of(runtime, "editor")})
        after_id = int(after.location.rsplit("/", 1)[1])
        assert _wait_for_status(runtime, after_id, {"in_review", "returned"}) == "returned"
        assert worker.poll() is None, "the worker must still be the same running process"
        with runtime.db.session() as s:
            draft = s.get(Draft, after_id)
            assert draft.sensitivity == "blocked"
        # The edit made in the browser also re-screens the draft already in review (review.wordlists).
        deadline = time.time() + 60
        while time.time() < deadline:
            with runtime.db.session() as s:
                rescreened = s.scalar(select(AuditEvent).where(AuditEvent.draft_id == before_id,
                                                               AuditEvent.action == "rescreened"))
            if rescreened is not None:
                break
            time.sleep(0.3)
        assert rescreened is not None and rescreened.details["new_sensitivity"] == "blocked"
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)
        app.extensions["runtime"].db.dispose()
