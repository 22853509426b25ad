"""Users, departments, passwords (argon2), API tokens and login with lockout and throttling (004 7.1–7.2)."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import audit
from . import passwords
from .db import utcnow
from .errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from .models import ROLES, ApiToken, Department, User
from .throttle import Throttle

_hasher = PasswordHasher()
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_PASSWORD = passwords.MIN_LENGTH
# One client (address) may fail this often in the lockout window, whichever accounts it tries.
CLIENT_MAX_FAILURES = 20
# The account itself locks for everyone only after this many times the per-client limit, so that one
# client guessing cannot lock a person (or `admin`) out everywhere (004 7.2 lockout, without the DoS).
ACCOUNT_WIDE_FACTOR = 10
TOKEN_DAYS = 90
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def clean_email(value) -> str | None:
    """An address notifications are e-mailed to; empty means none."""
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None or (value and (len(value) > 254 or not EMAIL.match(value))):
        raise InvalidInput("电子邮箱格式不正确，例如 wang@example.gov.cn")
    return value or None


def check_password_policy(password: str, username: str = "") -> None:
    """004 7.1: strong passwords — length, at least three kinds of characters, nothing common."""
    kinds = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if len(password) < MIN_PASSWORD or kinds < 3:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD} 位，且包含大写字母、小写字母、数字、符号中的至少三类")
    weakness = passwords.weakness(password, username)
    if weakness:
        raise InvalidInput(weakness)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_department(session: Session, name: str, actor: User | None = None) -> Department:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("部门名称不能为空")
    if session.scalar(select(Department).where(Department.name == name)):
        raise Conflict(f"部门“{name}”已存在")
    department = Department(name=name)
    session.add(department)
    session.flush()
    audit.record(session, actor, "department_added", department=name)
    return department


def department_by_name(session: Session, name: str) -> Department:
    department = session.scalar(select(Department).where(Department.name == name))
    if department is None:
        raise NotFound(f"部门“{name}”不存在")
    return department


def add_user(
    session: Session,
    username: str,
    name: str,
    role: str,
    password: str,
    department: Department | None = None,
    actor: User | None = None,
    must_change_password: bool = False,
    email: str | None = None,
) -> User:
    if not USERNAME.match(username or ""):
        raise InvalidInput("用户名须为 2–64 位字母、数字、下划线、点或连字符")
    if not (name or "").strip():
        raise InvalidInput("姓名不能为空")
    if role not in ROLES:
        raise InvalidInput(f"未知角色“{role}”，可选：{', '.join(ROLES)}")
    if role in ("editor", "dept_head") and department is None:
        raise InvalidInput("编辑和部门负责人必须属于一个部门")
    check_password_policy(password, username)
    email = clean_email(email)
    if session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise Conflict(f"用户名“{username}”已存在")
    user = User(
        username=username,
        name=name.strip(),
        role=role,
        department=department,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
        email=email,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user_added", user=username, role=role,
                 department=department.name if department else None)
    return user


def user_by_username(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户“{username}”不存在")
    return user


def login(session: Session, username: str, password: str, max_failures: int, lockout_minutes: int, *,
          client: str = "local", throttle: Throttle | None = None) -> User | str:
    """Check a password; throttle the client and lock the account after repeated failures (004 7.2).

    Returns the user, or the Chinese reason for refusing. Failures are returned, not raised, so the
    caller commits the failure counts and the audit event. An unknown user costs the same hashing
    time as a known one, so timing tells nobody which usernames exist.
    """
    throttle = throttle or Throttle(window=timedelta(minutes=lockout_minutes))
    failure = "用户名或密码错误"
    locked = f"登录失败次数过多，账号已锁定，请 {lockout_minutes} 分钟后再试"
    client_key = f"client:{client}"
    if throttle.failures(session, client_key) >= CLIENT_MAX_FAILURES:
        return f"此终端登录失败次数过多，请 {lockout_minutes} 分钟后再试"
    user = None
    if USERNAME.match(username or "") and len(password) <= passwords.MAX_LENGTH:
        user = session.scalar(select(User).where(User.username == username).with_for_update(of=User))
    if user is None or not user.active:
        _hasher.hash(password[:passwords.MAX_LENGTH])  # the time a real verification would take
        throttle.record(session, client_key)
        return failure
    now = utcnow()
    account_key = f"account:{user.id}:{client}"
    if user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        return f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试"
    if throttle.failures(session, account_key) >= max_failures:
        return locked
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        throttle.record(session, client_key)
        throttle.record(session, account_key)
        user.failed_logins += 1
        if user.failed_logins >= max_failures * ACCOUNT_WIDE_FACTOR:
            user.locked_until = now + timedelta(minutes=lockout_minutes)
            user.failed_logins = 0
            audit.record(session, user, "account_locked", failures=max_failures * ACCOUNT_WIDE_FACTOR,
                         everywhere=True)
            return locked
        if throttle.failures(session, account_key) >= max_failures:
            audit.record(session, user, "account_locked", failures=max_failures, client=client)
            return f"登录失败次数过多，账号已锁定 {lockout_minutes} 分钟"
        audit.record(session, user, "login_failed", client=client)
        return failure
    user.failed_logins = 0
    user.locked_until = None
    throttle.clear(session, account_key)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, user, "login", client=client)
    return user


def end_sessions(user: User) -> None:
    """Every session signed in before now stops working (logout, password change, deactivation)."""
    user.session_version = (user.session_version or 0) + 1


def change_password(session: Session, user: User, old: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise InvalidInput("原密码不正确") from None
    if old == new:
        raise InvalidInput("新密码不能与原密码相同")
    check_password_policy(new, user.username)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(user)
    audit.record(session, user, "password_changed")


def create_token(session: Session, user: User, actor: User | None = None, days: int | None = TOKEN_DAYS) -> str:
    """A new token, shown once; only its SHA-256 is stored. `days=None` never expires."""
    if days is not None and days < 1:
        raise InvalidInput("令牌有效期至少 1 天")
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=days) if days is not None else None
    session.add(ApiToken(user=user, token_hash=_token_hash(token), expires_at=expires_at))
    session.flush()
    audit.record(session, actor, "token_created", user=user.username,
                 expires_at=expires_at.isoformat() if expires_at else None)
    return token


def user_for_token(session: Session, token: str) -> User:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked.is_(False)))
    if row is None or not row.user.active:
        raise NotAuthenticated("令牌无效或已吊销")
    if row.expires_at is not None and row.expires_at <= utcnow():
        raise NotAuthenticated("令牌已过期，请重新申请")
    return row.user


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_tokens(session: Session, user: User, actor: User | None = None, token_id: int | None = None,
                  reason: str = "revoked") -> int:
    """Revoke one of the user's tokens (by id) or, with no id, all of them; returns how many."""
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
    if token_id is not None:
        if session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)) is None:
            raise NotFound(f"用户“{user.username}”没有编号为 {token_id} 的令牌")
        query = query.where(ApiToken.id == token_id)
    rows = session.scalars(query).all()
    now = utcnow()
    for row in rows:
        row.revoked = True
        row.revoked_at = now
    if rows:
        audit.record(session, actor, "token_revoked", user=user.username, tokens=[r.id for r in rows], reason=reason)
    return len(rows)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
