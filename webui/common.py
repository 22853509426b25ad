"""Request plumbing shared by the blueprints: the unit of work, the signed-in user, role checks."""
from __future__ import annotations

import functools
from contextlib import contextmanager

from flask import current_app, flash, g, redirect, request, session, url_for

from review.errors import Forbidden, ReviewError
from review.models import User
from review.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["runtime"]


@contextmanager
def transaction():
    """One unit of work per action: commit on success, roll back on any error."""
    with runtime().db.session() as s:
        yield s


def act(action, done: str, refused: str = "未能完成") -> bool:
    """Run `action(session)` as one unit of work and flash what happened; a refusal is flashed with
    its reason, so the page the person came from shows it and nothing they saw is lost."""
    try:
        with transaction() as s:
            action(s)
    except ReviewError as exc:
        flash(f"{refused}：{exc.message}")
        return False
    flash(done)
    return True


def read_session():
    """A session for reads that lives until the request ends (templates may lazy-load)."""
    if "db_session" not in g:
        g.db_session = runtime().db.read_sessions()
    return g.db_session


def current_user() -> User | None:
    if "user" not in g:
        user_id = session.get("user_id")
        g.user = read_session().get(User, user_id) if user_id else None
        if g.user is not None and (not g.user.active or session.get("session_version") != g.user.session_version):
            # Logged out, password changed or deactivated since this session began (a copied cookie too).
            session.clear()
            g.user = None
    return g.user


def login_required(*roles: str):
    """Signed in (and, when given, one of `roles`); a new password first if one is due."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if user.must_change_password and request.endpoint != "auth.change_password":
                return redirect(url_for("auth.change_password"))
            if roles and user.role not in roles:
                raise Forbidden("您的角色无权访问此页面")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def home_for(user: User) -> str:
    return {
        "editor": url_for("editor.my_drafts"),
        "dept_head": url_for("review.queue"),
        "leader": url_for("review.queue"),
        "auditor": url_for("audit.trail"),
        "admin": url_for("audit.trail"),
    }[user.role]
