"""Demo data for a first look: one department, a channel, a person for every role, a small leader
roster, a few drafts (one with wording the expression check offers to fix)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import accounts, workflow
from .models import Channel, LeaderRoster, User

DEMO_PASSWORD = "Sanshen-demo-2026"
DEMO_USERS = [
    ("editor", "王小编", "editor", "宣传科"),
    ("editor2", "李审校", "editor", "宣传科"),
    ("head", "赵科长", "dept_head", "宣传科"),
    ("leader", "陈局长", "leader", None),
    ("auditor", "孙审计", "auditor", None),
    ("admin", "周管理", "admin", None),
]


# (name, title, rank, unit): made-up leaders of a made-up city, for the expression check's leader rules.
DEMO_ROSTER = [("张振华", "市委书记", 1, "市委"), ("刘建民", "市长", 2, "市委"), ("黄晓梅", "副市长", 3, "市委")]


def is_empty(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is None


def load(session: Session) -> None:
    department = accounts.add_department(session, "宣传科")
    session.add(Channel(name="市政务发布", platform="微博", department=department))
    session.add(Channel(name="市政务发布", platform="微信公众号", department=department))
    users = {}
    for username, name, role, dept in DEMO_USERS:
        users[username] = accounts.add_user(session, username, name, role, DEMO_PASSWORD,
                                            department if dept else None)
    for name, title, rank, unit in DEMO_ROSTER:
        session.add(LeaderRoster(name=name, title=title, rank=rank, unit=unit, updated_by_id=None))
    session.flush()
    channel = session.scalar(select(Channel).where(Channel.platform == "微信公众号"))
    workflow.create_draft(
        session, users["editor"], "关于发放第二批消费券的通知",
        "为促进消费，市商务局将于12月1日起发放第二批电子消费券，市民可通过“i市民”小程序免费领取。",
        channel_id=channel.id,
    )
    workflow.create_draft(
        session, users["editor"], "市区突发暴雨，全力开展抢险救援",
        "今日凌晨，市区遭遇强降雨，部分路段积水。应急管理局已启动防汛Ⅳ级应急响应。",
        channel_id=channel.id, urgent=True,
    )
    workflow.create_draft(
        session, users["editor"], "市长黄晓梅调研春耕生产",
        "黄晓梅副市长、张振华市委书记一同调研春耕生产，了解国家质检总局有关标准的执行情况，看望残废人就业帮扶对象。",
        channel_id=channel.id,
    )
