"""The channels that carry a notification out: e-mail over SMTP and a department's group robot.

A robot is a 企业微信 or 钉钉 group webhook: both take the same JSON text message and answer
{"errcode": 0} when they accept it. review.jobs.send_message calls `send` once per attempt and
records the outcome on the OutboundMessage row.
"""
from __future__ import annotations

import json
import smtplib
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from .models import OutboundMessage

TIMEOUT_SECONDS = 10
SMTP_SCHEMES = {"smtp": 25, "smtps": 465}


class DeliveryFailed(Exception):
    pass


def check_smtp_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise ValueError("SMTP_URL 须形如 smtp://用户:密码@主机:端口 或 smtps://…")


def send(message: OutboundMessage, smtp_url: str | None, mail_from: str) -> None:
    if message.channel == "email":
        send_email(message, smtp_url, mail_from)
    else:
        post_to_robot(message.address, f"{message.subject}\n{message.body}")


def send_email(message: OutboundMessage, smtp_url: str | None, mail_from: str) -> None:
    if not smtp_url:
        raise DeliveryFailed("未配置 SMTP_URL，无法发送邮件")
    parts = urlsplit(smtp_url)
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = mail_from, message.address, message.subject
    # One Message-ID per row: a retried send is recognisable as the same message.
    mail["Message-ID"] = make_msgid(idstring=f"sanshen-{message.id}")
    mail.set_content(message.body)
    port = parts.port or SMTP_SCHEMES[parts.scheme]
    connect = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    try:
        with connect(parts.hostname, port, timeout=TIMEOUT_SECONDS) as smtp:
            if parts.scheme == "smtp":
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"邮件发送失败：{exc}") from exc


def post_to_robot(url: str, text: str) -> None:
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            answer = response.read(10_000)
    except OSError as exc:
        raise DeliveryFailed(f"群机器人推送失败：{exc}") from exc
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0  # a robot that answers something else than JSON accepted it with 2xx
    if errcode:
        raise DeliveryFailed(f"群机器人拒绝了消息：{answer[:200].decode('utf-8', 'replace')}")
