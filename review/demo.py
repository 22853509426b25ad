"""Demo data for a first look: one department, channels, a person for every role, a small leader
roster, a small originals library and its feed, and drafts that show every check: a blocked one, one
for the top leader, an ad, personal data, wording the expression check offers to fix, a copy without
attribution (with the editor's own line between copied passages) and a repost with an altered title."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import accounts, originals, workflow
from .models import Channel, LeaderRoster, User

# Served by the web app itself, so the demo feed imports without Internet access.
DEMO_FEED = Path(__file__).resolve().parents[1] / "webui" / "static" / "demo-feed.json"
DEMO_FEED_SOURCE = "市人民政府网站"

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


def demo_feed_url() -> str:
    """Where `make run` serves the demo feed (HOST and PORT as scripts/run.sh uses them)."""
    return f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}/static/demo-feed.json"


# (author, title, body, options, submit): each submitted draft shows one check's finding.
def _drafts(library: list[dict]) -> list[tuple]:
    flood, library_article = library[0], library[1]
    sentences = library_article["body"].split("。")
    return [
        ("editor", "关于发放第二批消费券的通知",
         "为促进消费，市商务局将于12月1日起发放第二批电子消费券，市民可通过“i市民”小程序免费领取。", {}, False),
        ("editor", "市区突发暴雨，全力开展抢险救援",
         "今日凌晨，市区遭遇强降雨，部分路段积水。应急管理局已启动防汛Ⅳ级应急响应。", {"urgent": True}, True),
        ("editor", "周末文化活动预告",
         "本周六市文化馆举办非遗展演。活动期间限时特惠，加微信领取优惠券，名额有限先到先得。", {}, True),
        ("editor", "表彰见义勇为市民",
         "市民张伟（手机13812345678）日前在河边救起落水儿童，市见义勇为基金会决定给予表彰。", {}, True),
        ("editor2", "网络安全提示", "近期有不法分子通过赌博网站推广诱骗群众，请提高警惕。", {}, True),
        # Wording the expression check offers to fix: a leader's title, an outdated name, a banned term.
        ("editor", "市长黄晓梅调研春耕生产",
         "黄晓梅副市长、张振华市委书记一同调研春耕生产，了解国家质检总局有关标准的执行情况，看望残废人就业帮扶对象。",
         {}, False),
        # Copied passages around a line of the editor's own: only the copied ones are marked.
        ("editor", "图书馆新馆开放啦",
         "。".join(sentences[:2]) + "。\n小编提醒：周末人多，建议错峰前往。\n" + "。".join(sentences[2:]).strip("。") + "。",
         {}, True),
        ("editor2", "转载：全市防汛响应启动", flood["body"],
         {"repost": {"source": DEMO_FEED_SOURCE, "original_title": flood["title"], "original_url": flood["url"]}}, True),
    ]


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
    # The originals library and the feed it comes from (imported again every 30 minutes).
    library = originals.parse_feed(DEMO_FEED.read_bytes(), DEMO_FEED_SOURCE)
    originals.import_records(session, [originals.record_from_dict(a) for a in library])
    originals.add_feed(session, demo_feed_url(), DEMO_FEED_SOURCE)
    channel = session.scalar(select(Channel).where(Channel.platform == "微信公众号"))
    for author, title, body, options, submit in _drafts(library):
        draft = workflow.create_draft(session, users[author], title, body, channel_id=channel.id, **options)
        if submit:
            session.flush()
            workflow.submit(session, users[author], draft.id)
