"""Notification settings in the admin pages, the count on 待我审签 and the labelled notification list."""
from __future__ import annotations

from sqlalchemy import select

from review.models import Department, User
from tests.conftest import channel_of


def test_admin_sets_an_email_address_and_a_department_robot(web, app):
    web.login("admin")
    with app.extensions["runtime"].db.session() as s:
        head_id = s.scalar(select(User.id).where(User.username == "head"))
        department_id = s.scalar(select(Department.id).where(Department.name == "宣传科"))
    page = web.post(f"/admin/users/{head_id}", {"action": "update", "role": "dept_head", "department_id": department_id,
                                                 "active": "on", "email": "no-at-sign"})
    assert page.status_code == 400 and "电子邮箱格式不正确" in page.get_data(as_text=True)
    web.post(f"/admin/users/{head_id}", {"action": "update", "role": "dept_head", "department_id": department_id,
                                          "active": "on", "email": "head@example.gov.cn"})
    refused = web.post("/admin/departments", {"department_id": department_id, "name": "宣传科", "robot_url": "ftp://x"})
    assert "群机器人地址须为" in refused.get_data(as_text=True)
    web.post("/admin/departments", {"department_id": department_id, "name": "宣传科",
                                    "robot_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"})
    with app.extensions["runtime"].db.session() as s:
        assert s.get(User, head_id).email == "head@example.gov.cn"
        assert s.get(Department, department_id).robot_url.endswith("key=k")


def test_a_draft_waiting_shows_in_the_queue_count_and_the_notification_list(web, app):
    web.login("editor")
    page = web.post("/drafts/new", {"title": "社区图书馆周末开放", "body": "本周六上午九点，社区图书馆照常开放阅览。",
                                    "channel_id": channel_of(app.extensions["runtime"], "editor"), "action": "submit"})
    assert page.status_code == 302
    web.login("editor2")
    home = web.get("/notifications").get_data(as_text=True)
    assert 'id="nav-queue">待我审签<span class="count">1</span>' in home
    assert "<strong>待您审签</strong>" in home and "已到“编辑初审”环节" in home
