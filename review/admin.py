"""What administrators change in the browser: users, departments, channels, wordlists, the
approved-source list and the originals library's news feeds. Every change is one audited
transaction (002 §25: operation logs).

Wordlist edits are stored as WordlistOverride rows; screening.ScreenerCache notices the change on
its next use, so running web processes and workers screen with the new lists without a restart.
"""
from __future__ import annotations

import hashlib
import tomllib
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifiers import Resources

from . import accounts, audit, categories, citations, originals, patrol, workflow
from .db import get_by_id, on_commit, utcnow
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .models import PLATFORM_CODES, PLATFORMS, ROLES, Channel, Department, Draft, User, WordlistOverride

ADAPTERS = ("outbox", "webhook")
WORDLIST_MAX = 2_000_000


def _require_admin(actor: User) -> None:
    if actor is None or actor.role != "admin":
        raise Forbidden("只有管理员可以执行此操作")


# ---------------------------------------------------------------- users


def create_user(session: Session, actor: User, username: str, name: str, role: str, password: str,
                department_id=None, email: str | None = None) -> User:
    """A new account must choose its own password at first login (004 7.1)."""
    _require_admin(actor)
    department = _department(session, department_id)
    return accounts.add_user(session, (username or "").strip(), name, role, password, department, actor=actor,
                             must_change_password=True)


def update_user(session: Session, actor: User, user: User, *, role=None, department=..., active=None,
                deputy=..., email=...) -> User:
    """Change role, department, active flag, deputy or e-mail; only what is given changes, all audited.

    `department` and `deputy` take a row, an id, or None to clear (… means unchanged).
    """
    _require_admin(actor)
    changes: dict[str, list] = {}
    if role is not None and role != user.role:
        if role not in ROLES:
            raise InvalidInput(f"未知角色“{role}”")
        if user.id == actor.id:
            raise InvalidInput("不能修改自己的角色")
        changes["role"] = [user.role, role]
        user.role = role
    if department is not ...:
        dept = department if isinstance(department, Department) or department is None else _department(session, department)
        if (dept.id if dept else None) != user.department_id:
            changes["department"] = [user.department.name if user.department else None, dept.name if dept else None]
            user.department = dept
            user.department_id = dept.id if dept else None
    if user.role in ("editor", "dept_head") and user.department_id is None:
        raise InvalidInput("编辑和部门负责人必须属于一个部门")
    if active is not None and bool(active) != user.active:
        if user.id == actor.id and not active:
            raise InvalidInput("不能停用自己的账号")
        changes["active"] = [user.active, bool(active)]
        user.active = bool(active)
        if not user.active:
            # Reactivating later must not bring back what the person could do before.
            accounts.end_sessions(user)
            accounts.revoke_tokens(session, user, actor, reason="deactivated")
    if deputy is not ...:
        deputy_row = deputy if isinstance(deputy, User) or deputy is None else _user(session, deputy)
        deputy_id = deputy_row.id if deputy_row else None
        if deputy_id == user.id:
            raise InvalidInput("不能指定本人为自己的代签人")
        if deputy_id != user.deputy_id:
            changes["deputy"] = [_username(session, user.deputy_id), deputy_row.username if deputy_row else None]
            user.deputy_id = deputy_id
    if email is not ...:
        email = accounts.clean_email(email)
        if email != user.email:
            changes["email"] = [user.email, email]
            user.email = email
    if changes:
        session.flush()
        audit.record(session, actor, "user_updated", user=user.username, changes=changes)
    return user


def reset_password(session: Session, actor: User, user: User, password: str) -> None:
    """An administrator sets a temporary password; the user must change it at next login (004 7.1)."""
    _require_admin(actor)
    accounts.check_password_policy(password, user.username)
    user.password_hash = accounts.hash_password(password)
    user.must_change_password = True
    accounts.end_sessions(user)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, actor, "password_reset", user=user.username)


def unlock(session: Session, actor: User, user: User) -> None:
    _require_admin(actor)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, actor, "account_unlocked", user=user.username)


def _user(session: Session, user_id) -> User:
    return get_by_id(session, User, user_id, NotFound("用户不存在"))


def _username(session: Session, user_id: int | None) -> str | None:
    return session.get(User, user_id).username if user_id else None


# ---------------------------------------------------------------- departments


def _department(session: Session, department_id) -> Department | None:
    if department_id in (None, ""):
        return None
    return get_by_id(session, Department, department_id, NotFound("部门不存在"))


def add_department(session: Session, actor: User, name: str) -> Department:
    _require_admin(actor)
    return accounts.add_department(session, name, actor=actor)


def rename_department(session: Session, actor: User, department: Department, name: str) -> Department:
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("部门名称不能为空")
    if name == department.name:
        return department
    if session.scalar(select(Department).where(Department.name == name)):
        raise Conflict(f"部门“{name}”已存在")
    audit.record(session, actor, "department_renamed", old=department.name, new=name)
    department.name = name
    return department


def set_robot_url(session: Session, actor: User, department: Department, url: str) -> Department:
    """The department's group robot (企业微信 / 钉钉 webhook address); empty removes it."""
    _require_admin(actor)
    url = (url or "").strip() or None
    if url and (len(url) > 500 or not url.startswith(("https://", "http://"))):
        raise InvalidInput("群机器人地址须为 http(s):// 开头的 Webhook 地址")
    if url != department.robot_url:
        # Only the host is logged: the robot's key is in its URL.
        audit.record(session, actor, "department_robot_set", department=department.name,
                     robot=urlsplit(url).hostname if url else None)
        department.robot_url = url
    return department


# ---------------------------------------------------------------- channels


def _channel_fields(session: Session, name: str, platform: str, department_id, adapter: str, webhook_url: str):
    name = (name or "").strip()
    if not name:
        raise InvalidInput("渠道名称不能为空")
    if platform not in PLATFORMS:
        raise InvalidInput(f"平台须为：{'、'.join(PLATFORMS)}")
    department = _department(session, department_id)
    if department is None:
        raise InvalidInput("渠道必须属于一个部门")
    adapter = adapter or "outbox"
    if adapter not in ADAPTERS:
        raise InvalidInput("发布方式须为 outbox 或 webhook")
    webhook_url = (webhook_url or "").strip() or None
    if adapter == "webhook" and not (webhook_url or "").startswith(("https://", "http://")):
        raise InvalidInput("webhook 方式须填写以 http(s):// 开头的地址")
    return name, department, adapter, webhook_url


def add_channel(session: Session, actor: User | None, name: str, platform: str, department_id, adapter: str = "outbox",
                webhook_url: str = "") -> Channel:
    """By an administrator, or (actor None) by the server's operator through `review channel add`."""
    if actor is not None:
        _require_admin(actor)
    name, department, adapter, webhook_url = _channel_fields(session, name, platform, department_id, adapter, webhook_url)
    if session.scalar(select(Channel).where(Channel.platform == platform, Channel.name == name)):
        raise Conflict(f"渠道“{platform} · {name}”已存在")
    channel = Channel(name=name, platform=platform, department=department, adapter=adapter, webhook_url=webhook_url)
    session.add(channel)
    session.flush()
    audit.record(session, actor, "channel_added", channel_id=channel.id, name=name, platform=platform,
                 department=department.name, adapter=adapter)
    return channel


def all_channels(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel).order_by(Channel.id)))


def channel_dict(channel: Channel) -> dict:
    """A channel as scripts see it: the platform by code (weibo, wechat, app, web, other)."""
    code = next(c for c, label in PLATFORM_CODES.items() if label == channel.platform)
    return {"id": channel.id, "name": channel.name, "platform": code, "platform_label": channel.platform,
            "department": channel.department.name, "department_id": channel.department_id}


def update_channel(session: Session, actor: User, channel: Channel, name: str, platform: str, department_id,
                   adapter: str = "outbox", webhook_url: str = "") -> Channel:
    _require_admin(actor)
    name, department, adapter, webhook_url = _channel_fields(session, name, platform, department_id, adapter, webhook_url)
    clash = session.scalar(select(Channel).where(Channel.platform == platform, Channel.name == name,
                                                 Channel.id != channel.id))
    if clash:
        raise Conflict(f"渠道“{platform} · {name}”已存在")
    before = {"name": channel.name, "platform": channel.platform, "department": channel.department.name,
              "adapter": channel.adapter, "webhook_url": channel.webhook_url}
    channel.name, channel.platform, channel.department, channel.adapter, channel.webhook_url = (
        name, platform, department, adapter, webhook_url)
    after = {"name": name, "platform": platform, "department": department.name, "adapter": adapter,
             "webhook_url": webhook_url}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        session.flush()
        audit.record(session, actor, "channel_updated", channel_id=channel.id, changes=changes)
    return channel


# ---------------------------------------------------------------- wordlists and approved sources


def wordlist_names(session: Session) -> list[dict]:
    """Every editable data file: shipped ones, and whether an administrator's copy replaces it."""
    overrides = {o.name: o for o in session.scalars(select(WordlistOverride))}
    names = sorted(set(Resources().names("**/*")) | set(overrides))
    return [{"name": n, "override": overrides.get(n)} for n in names if _editable(n)]


def _editable(name: str) -> bool:
    return PurePosixPath(name).suffix in (".txt", ".toml", ".tsv")


def wordlist_text(session: Session, name: str) -> tuple[str, WordlistOverride | None]:
    _check_name(name)
    override = session.scalar(select(WordlistOverride).where(WordlistOverride.name == name))
    if override is not None:
        return override.content, override
    if not Resources().exists(name):
        return "", None  # a category being added: nothing is stored until it is saved
    return Resources().read_text(name), None


def _check_name(name: str) -> None:
    """Files that ship under wordlists/, or a new category file an administrator adds (prohibited/
    or sensitive/ plus a short lower-case id): an override cannot invent any other path."""
    if not name or name.startswith("/") or ".." in PurePosixPath(name).parts or not _editable(name):
        raise InvalidInput("词库文件名不合法")
    if not Resources().exists(name) and not categories.is_new_category(name):
        raise NotFound(f"词库文件“{name}”不存在")


def validate_wordlist(name: str, content: str, others: dict[str, str] | None = None) -> None:
    """Refuse content the screener could not load, before any worker tries to."""
    if len(content) > WORDLIST_MAX:
        raise InvalidInput("词库文件过大")
    if name.endswith(".toml"):
        try:
            tomllib.loads(content)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"TOML 格式错误：{exc}") from None
    if name == "approved_sources.tsv":
        from classifiers.repost import ApprovedSources

        try:
            ApprovedSources.parse(content)
        except ValueError as exc:
            raise InvalidInput(f"核准稿源名单格式错误：{exc}") from None
    if name == citations.CITATIONS:
        try:
            citations.parse(content)
        except ValueError as exc:
            raise InvalidInput(f"规定依据对照表格式错误：{exc}") from None
    # Whatever the format, the whole screener must still build with this file in place.
    from classifiers import Screener

    try:
        Screener.load(Resources(overrides={**(others or {}), name: content}))
    except Exception as exc:  # any loader error means workers would fail on every draft
        raise InvalidInput(f"词库无法加载：{type(exc).__name__}: {exc}") from None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def save_override(session: Session, actor: User, name: str, content: str) -> WordlistOverride:
    _require_admin(actor)
    _check_name(name)
    content = content.replace("\r\n", "\n")
    others = dict(session.execute(select(WordlistOverride.name, WordlistOverride.content)
                                  .where(WordlistOverride.name != name)).all())
    validate_wordlist(name, content, others)
    previous, override = wordlist_text(session, name)
    if override is None:
        override = WordlistOverride(name=name, content=content, updated_by_id=actor.id, updated_at=utcnow())
        session.add(override)
    else:
        override.content = content
        override.updated_by_id = actor.id
        override.updated_at = utcnow()
    session.flush()
    old_lines, new_lines = set(previous.splitlines()), set(content.splitlines())
    audit.record(session, actor, "wordlist_saved", file=name, old_sha256=_digest(previous), new_sha256=_digest(content),
                 added=sorted(new_lines - old_lines)[:50], removed=sorted(old_lines - new_lines)[:50])
    rescreen_after_commit(session, f"词库 {name} 已修改")
    return override


def reset_override(session: Session, actor: User, name: str) -> None:
    """Back to the shipped file."""
    _require_admin(actor)
    _check_name(name)
    override = session.scalar(select(WordlistOverride).where(WordlistOverride.name == name))
    if override is None:
        return
    session.delete(override)
    session.flush()
    audit.record(session, actor, "wordlist_reset", file=name, old_sha256=_digest(override.content))
    rescreen_after_commit(session, f"词库 {name} 恢复为默认")


def rescreen_after_commit(session: Session, reason: str) -> list[int]:
    """A wordlist decides what is blocked and what needs the top leader (003 §13, 002 §17): drafts
    routed under the old lists are screened again once the edit has committed, and so are the
    posts published recently (错敏信息巡查)."""
    patrol.start(session, reason)
    draft_ids = list(session.scalars(
        select(Draft.id).where(Draft.status.in_(workflow.RESCREEN_STATES)).order_by(Draft.id)))
    for draft_id in draft_ids:
        on_commit(session, "rescreen_draft", draft_id)
    return draft_ids


# ---------------------------------------------------------------- originals library feeds


def feed(session: Session, feed_id) -> originals.OriginalFeed:
    return get_by_id(session, originals.OriginalFeed, feed_id, NotFound("订阅不存在"))


def add_feed(session: Session, actor: User, url: str, source: str) -> originals.OriginalFeed:
    _require_admin(actor)
    return originals.add_feed(session, url, source, actor=actor)


def set_feed_active(session: Session, actor: User, feed_row: originals.OriginalFeed,
                    active: bool) -> originals.OriginalFeed:
    _require_admin(actor)
    return originals.set_feed_active(session, feed_row, active, actor=actor)


def remove_feed(session: Session, actor: User, feed_row: originals.OriginalFeed) -> None:
    _require_admin(actor)
    originals.remove_feed(session, feed_row, actor=actor)


def import_feed_now(session: Session, actor: User, feed_row: originals.OriginalFeed) -> None:
    _require_admin(actor)
    originals.request_feed_import(session, feed_row, actor=actor)


def counts(session: Session) -> dict:
    return {
        "users": session.scalar(select(func.count(User.id))),
        "departments": session.scalar(select(func.count(Department.id))),
        "channels": session.scalar(select(func.count(Channel.id))),
        "overrides": session.scalar(select(func.count(WordlistOverride.id))),
    }
