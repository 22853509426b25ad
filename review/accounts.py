"""Users, departments, passwords (argon2), API tokens and login with lockout (004 7.1–7.2)."""
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
from .db import utcnow
from .errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from .models import ROLES, ApiToken, Department, User

_hasher = PasswordHasher()
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_PASSWORD = 10
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def clean_email(value) -> str | None:
    """An address notifications are e-mailed to; empty means none."""
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None or (value and (len(value) > 254 or not EMAIL.match(value))):
        raise InvalidInput("电子邮箱格式不正确，例如 wang@example.gov.cn")
    return value or None


def check_password_policy(password: str) -> None:
    """004 7.1: strong passwords — length and at least three kinds of characters."""
    kinds = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if len(password) < MIN_PASSWORD or kinds < 3:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD} 位，且包含大写字母、小写字母、数字、符号中的至少三类")


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
    check_password_policy(password)
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


def login(session: Session, username: str, password: str, max_failures: int, lockout_minutes: int) -> User | str:
    """Check a password; lock the account after repeated failures (004 7.2).

    Returns the user, or the Chinese reason for refusing. Failures are returned, not raised, so the
    caller commits the failure count and the audit event.
    """
    user = session.scalar(select(User).where(User.username == username).with_for_update(of=User))
    failure = "用户名或密码错误"
    if user is None or not user.active:
        return failure
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        return f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试"
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + timedelta(minutes=lockout_minutes)
            user.failed_logins = 0
            audit.record(session, user, "account_locked", failures=max_failures)
            return f"登录失败次数过多，账号已锁定 {lockout_minutes} 分钟"
        audit.record(session, user, "login_failed")
        return failure
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, user, "login")
    return user


def change_password(session: Session, user: User, old: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise InvalidInput("原密码不正确") from None
    if old == new:
        raise InvalidInput("新密码不能与原密码相同")
    check_password_policy(new)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    audit.record(session, user, "password_changed")


def create_token(session: Session, user: User, actor: User | None = None) -> str:
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=_token_hash(token)))
    session.flush()
    audit.record(session, actor, "token_created", user=user.username)
    return token


def user_for_token(session: Session, token: str) -> User:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked.is_(False)))
    if row is None or not row.user.active:
        raise NotAuthenticated("令牌无效或已吊销")
    return row.user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

