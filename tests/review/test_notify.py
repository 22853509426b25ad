"""Notifications: who is told about each review event, and delivery by e-mail (a real local SMTP
server, aiosmtpd) and group robot (a real local HTTP server); urgent deadlines with a frozen clock."""
from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from review import accounts, admin, delivery, notify
from review.models import Department, Draft, Notification, OutboundMessage, User

from .workflow_helpers import GENERAL, IMPORTANT, PASSWORD_FREE, decide, publish, rt, submitted  # noqa: F401


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Inbox(Message):
        def __init__(self):
            super().__init__()
            self.messages = []

        def handle_message(self, message):
            self.messages.append(message)

        def prepare_message(self, session, envelope):
            return message_from_bytes(envelope.content, policy=email_policy)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{port}"
    yield inbox
    controller.stop()


class Robot(BaseHTTPRequestHandler):
    """A group robot: records each JSON post; answers like 企业微信 (errcode 0, or an error code)."""

    posts: list = []
    answer = {"errcode": 0, "errmsg": "ok"}

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).posts.append(json.loads(body))
        answer = json.dumps(type(self).answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    handler = type("TestRobot", (Robot,), {"posts": [], "answer": {"errcode": 0, "errmsg": "ok"}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test"
    yield handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def wired(rt, people, smtp_server, robot):
    """E-mail addresses for the department's people and a robot on 宣传科; SMTP pointed at the inbox."""
    rt.config.smtp_url = smtp_server.url
    rt.config.mail_from = "sanshen@example.gov.cn"
    with rt.db.session() as s:
        acting = s.get(User, people["admin"].id)
        for name in ("editor", "editor2", "head", "leader"):
            admin.update_user(s, acting, s.get(User, people[name].id), email=f"{name}@example.gov.cn")
        department = s.scalar(select(Department).where(Department.name == "宣传科"))
        admin.set_robot_url(s, acting, department, robot.url)
    return rt


def _mail_to(inbox, address) -> list:
    return [m for m in inbox.messages if m["To"] == address]


def _told(rt, username, kind=None) -> list[str]:
    with rt.db.session() as s:
        query = select(Notification).join(User, User.id == Notification.user_id).where(User.username == username)
        if kind:
            query = query.where(Notification.kind == kind)
        return [n.message for n in s.scalars(query.order_by(Notification.id))]


def test_a_draft_reaching_a_tier_is_mailed_to_its_signers_and_posted_to_the_robot(wired, people, smtp_server, robot):
    draft_id = submitted(wired, people["editor"])
    # The editor tier: editor2 (not the author), in-app and by e-mail; the department's robot once.
    assert _told(wired, "editor2", "tier_reached") == [f"稿件 #{draft_id}《{GENERAL[0]}》已到“编辑初审”环节，待您审签。"]
    assert _told(wired, "editor") == [] and _told(wired, "head") == []
    mail = _mail_to(smtp_server, "editor2@example.gov.cn")
    assert len(mail) == 1 and mail[0]["Subject"] == "【三审】待您审签" and mail[0]["From"] == "sanshen@example.gov.cn"
    assert f"稿件 #{draft_id}" in mail[0].get_content()
    assert robot.posts == [{"msgtype": "text", "text": {
        "content": f"【三审】待您审签\n稿件 #{draft_id}《{GENERAL[0]}》已到“编辑初审”环节，待您审签。"}}]
    decide(wired, people["editor2"], draft_id)
    assert len(_mail_to(smtp_server, "head@example.gov.cn")) == 1


def test_the_author_is_told_when_the_draft_is_returned_approved_and_published(wired, people, smtp_server):
    draft_id = submitted(wired, people["editor"])
    decide(wired, people["editor2"], draft_id, "reject", "请补充开放时间")
    assert _told(wired, "editor", "returned") == [
        f"您的稿件 #{draft_id}《{GENERAL[0]}》已退回：编辑初审退回：请补充开放时间"]
    other = submitted(wired, people["editor"])
    decide(wired, people["editor2"], other)
    decide(wired, people["head"], other)
    assert _told(wired, "editor", "approved")
    publish(wired, people["editor"], other)
    assert _told(wired, "editor", "published") == [f"您的稿件 #{other}《{GENERAL[0]}》已发布。"]
    subjects = [m["Subject"] for m in _mail_to(smtp_server, "editor@example.gov.cn")]
    assert subjects == ["【三审】稿件被退回", "【三审】稿件已签发待发布", "【三审】稿件已发布"]


def test_sent_messages_are_recorded_and_sending_twice_sends_once(wired, people, smtp_server):
    submitted(wired, people["editor"])
    with wired.db.session() as s:
        rows = s.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
    assert [(r.channel, r.status, r.attempts) for r in rows] == [("email", "sent", 1), ("robot", "sent", 1)]
    assert wired.run_inline("send_message", rows[0].id) == "skipped"
    assert len(smtp_server.messages) == 1


def test_a_failed_send_is_kept_with_its_reason_and_retried_until_it_gives_up(wired, people, robot):
    from review import jobs

    robot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    submitted(wired, people["editor"])
    with wired.db.session() as s:
        row = s.scalar(select(OutboundMessage).where(OutboundMessage.channel == "robot"))
    assert (row.status, row.attempts) == ("pending", 1) and "93000" in row.last_error
    for _ in wired.config.retry_intervals:  # what RQ's retries do
        with pytest.raises(delivery.DeliveryFailed):
            jobs.send_message(wired, row.id)
    with wired.db.session() as s:
        row = s.get(OutboundMessage, row.id)
    assert (row.status, row.attempts) == ("failed", 1 + len(wired.config.retry_intervals))
    robot.answer = {"errcode": 0}
    assert jobs.send_message(wired, row.id) == "sent"


def test_without_smtp_the_mail_waits_with_a_clear_reason_and_in_app_still_works(wired, people, smtp_server):
    wired.config.smtp_url = None
    draft_id = submitted(wired, people["editor"])
    assert _told(wired, "editor2", "tier_reached")
    with wired.db.session() as s:
        row = s.scalar(select(OutboundMessage).where(OutboundMessage.channel == "email", OutboundMessage.draft_id == draft_id))
    assert row.status == "pending" and row.last_error == "未配置 SMTP_URL，无法发送邮件"
    assert smtp_server.messages == []


def test_a_person_without_an_address_is_told_in_app_only(rt, people):
    draft_id = submitted(rt, people["editor"])
    assert _told(rt, "editor2", "tier_reached")
    with rt.db.session() as s:
        assert s.scalars(select(OutboundMessage).where(OutboundMessage.draft_id == draft_id)).all() == []


def _now_minus_deadline(rt, draft_id, before: timedelta):
    """The frozen clock: the moment `before` ahead of the draft's deadline."""
    with rt.db.session() as s:
        return s.get(Draft, draft_id).deadline_at - before


def _check(rt, now) -> int:
    with rt.db.session() as s:
        return notify.check_deadlines(s, now)


def test_an_urgent_draft_is_reminded_30_minutes_before_its_deadline_then_escalated(wired, people, smtp_server, robot):
    with wired.db.session() as s:
        vice = accounts.add_user(s, "vice", "Vice", "editor", PASSWORD_FREE, accounts.department_by_name(s, "宣传科"),
                                 email="vice@example.gov.cn")
        admin.update_user(s, s.get(User, people["admin"].id), s.get(User, people["head"].id), deputy=vice)
    draft_id = submitted(wired, people["editor"], urgent=True)
    decide(wired, people["editor2"], draft_id)  # now with the department head
    assert _check(wired, _now_minus_deadline(wired, draft_id, timedelta(minutes=31))) == 0
    soon = _now_minus_deadline(wired, draft_id, timedelta(minutes=29, seconds=30))
    assert _check(wired, soon) == 1
    assert _told(wired, "head", "deadline_soon") == [
        f"【突发】稿件 #{draft_id}《{GENERAL[0]}》距 1 小时首发时限还有 29 分钟，仍在“部门负责人复审”环节待签（004 6.3.2.3）。"]
    assert _check(wired, soon + timedelta(minutes=5)) == 0  # once per round
    missed = _now_minus_deadline(wired, draft_id, timedelta(minutes=-1))
    assert _check(wired, missed) == 1
    # Escalation: the head's deputy and the next tier up (the leader), and the head again.
    for username in ("vice", "leader", "head"):
        assert len(_told(wired, username, "deadline_missed")) == 1, username
    assert _told(wired, "editor2", "deadline_missed") == []
    # (vice, an editor of the department, was also told when the draft reached the editor tier)
    assert [m["Subject"] for m in _mail_to(smtp_server, "vice@example.gov.cn")] == ["【三审】待您审签", "【三审】突发稿件已超时"]
    assert sum("已超过 1 小时首发时限" in p["text"]["content"] for p in robot.posts) == 1
    assert _check(wired, missed + timedelta(minutes=10)) == 0


def test_routine_drafts_and_signed_drafts_get_no_deadline_alerts(rt, people):
    routine = submitted(rt, people["editor"])
    urgent = submitted(rt, people["editor"], urgent=True)
    decide(rt, people["editor2"], urgent)
    decide(rt, people["head"], urgent)
    assert _check(rt, _now_minus_deadline(rt, routine, timedelta(minutes=-600))) == 0
    assert _check(rt, _now_minus_deadline(rt, urgent, timedelta(minutes=-5))) == 0


def test_the_leader_tier_missing_its_deadline_escalates_to_the_leaders_deputy(rt, people):
    with rt.db.session() as s:
        deputy = accounts.add_user(s, "vice_leader", "Vice Leader", "leader", PASSWORD_FREE)
        admin.update_user(s, s.get(User, people["admin"].id), s.get(User, people["leader"].id), deputy=deputy)
    draft_id = submitted(rt, people["editor"], IMPORTANT, urgent=True)
    decide(rt, people["editor2"], draft_id)
    decide(rt, people["head"], draft_id)
    assert _check(rt, _now_minus_deadline(rt, draft_id, timedelta(minutes=-1))) == 1
    assert _told(rt, "leader", "deadline_missed") and _told(rt, "vice_leader", "deadline_missed")


def test_an_email_address_is_checked_and_kept(review_cli, db):
    assert review_cli("dept", "add", "宣传科").exit_code == 0
    bad = review_cli("user", "add", "wang", "--name", "王", "--role", "editor", "--department", "宣传科",
                     "--email", "not-an-address", "--password-stdin", input="S3cure-pass!x\n")
    assert bad.exit_code != 0 and "电子邮箱格式不正确" in bad.output
    ok = review_cli("user", "add", "wang", "--name", "王", "--role", "editor", "--department", "宣传科",
                    "--email", "wang@example.gov.cn", "--password-stdin", input="S3cure-pass!x\n")
    assert ok.exit_code == 0, ok.output
    with db.session() as s:
        assert s.scalar(select(User.email).where(User.username == "wang")) == "wang@example.gov.cn"


def test_the_deadlines_command_checks_once(review_cli, db):
    result = review_cli("deadlines")
    assert result.exit_code == 0 and "已发出 0 条时限提醒" in result.output
