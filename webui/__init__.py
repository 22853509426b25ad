"""Flask app factory: only HTTP — parse, call review/, render."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, flash, g, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from review.config import Config
from review.errors import ReviewError
from review.notify import KIND_LABELS
from review.runtime import Runtime
from review.labels import STATUS_LABELS, TIER_LABELS

csrf = CSRFProtect()


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    app = Flask(__name__, instance_path=str(config.instance_path))
    app.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.session_cookie_secure,
        # 004 7.2: no auto-login; the session ends when idle.
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=config.idle_timeout_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_TIME_LIMIT=None,  # the session lifetime already bounds the token
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
    )
    if config.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.trusted_proxies, x_proto=config.trusted_proxies)
    app.extensions["runtime"] = Runtime(config)
    csrf.init_app(app)

    from . import admin, api, auth, audit, dashboard, editor, reviewing, security

    security.init_app(app)

    app.register_blueprint(auth.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(reviewing.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # the API authenticates with bearer tokens, not cookies

    app.jinja_env.globals.update(STATUS_LABELS=STATUS_LABELS, TIER_LABELS=TIER_LABELS,
                                 NOTIFICATION_KINDS=KIND_LABELS, unread_notifications=_unread_notifications,
                                 waiting_count=_waiting_count, cites=_cites, cite_plain=_cite_plain)
    app.jinja_env.filters["local_time"] = _local_time

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        # The page the form came from keeps what was typed (draft.js stashes it on submit): send
        # the person back there, through the login page when the session has expired.
        back = _same_site_path(request.referrer)
        if back is None or request.path.startswith("/api/"):
            return render_template("error.html", message="表单已过期或缺少安全令牌，请刷新页面后重试"), 400
        from .common import current_user

        if current_user() is None:
            flash("登录已过期，请重新登录；登录后回到原页面，您填写的内容会自动恢复")
            return redirect(url_for("auth.login", next=back))
        flash("页面已过期，请确认后重新提交；您填写的内容已恢复")
        return redirect(back)

    @app.errorhandler(ReviewError)
    def _review_error(exc: ReviewError):
        if request.path.startswith("/api/"):
            return jsonify(error=exc.code, message=exc.message, **exc.details), exc.status
        return render_template("error.html", message=exc.message), exc.status

    @app.errorhandler(404)
    def _not_found(exc):
        if request.path.startswith("/api/"):
            return jsonify(error="not_found", message="资源不存在"), 404
        return render_template("error.html", message="页面不存在"), 404

    @app.errorhandler(413)
    def _too_large(exc):
        message = "提交的内容过大"
        if request.path.startswith("/api/"):
            return jsonify(error="too_large", message=message), 413
        return render_template("error.html", message=message), 413

    @app.teardown_appcontext
    def _close_session(exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    return app


def _unread_notifications() -> int:
    from review import notify

    from .common import current_user, read_session

    if "unread_notifications" not in g:
        user = current_user()
        g.unread_notifications = notify.unread_count(read_session(), user) if user else 0
    return g.unread_notifications


def _citations() -> dict:
    """The office's citation table, read once per request (an administrator may have edited it)."""
    from review import citations

    from .common import read_session

    if "citations" not in g:
        g.citations = citations.load(read_session())
    return g.citations


def _cites(*texts) -> list:
    from review import citations

    return citations.in_text(_citations(), " ".join(t for t in texts if t))


def _cite_plain(text: str) -> str:
    from review import citations

    return citations.plain_text(_citations(), text)


def _same_site_path(url: str | None) -> str | None:
    """The path (and query) of a URL on this site, or None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") else None


def _waiting_count() -> int:
    """Drafts waiting for the signed-in person's signature, for the count on 待我审签 (capped)."""
    from review import queue

    from .common import current_user, read_session

    user = current_user()
    if user is None or user.role not in ("editor", "dept_head", "leader"):
        return 0
    return len(queue.waiting_for(read_session(), user, limit=WAITING_COUNT_CAP))


WAITING_COUNT_CAP = 99


def _local_time(value, fmt="%Y-%m-%d %H:%M"):
    from review.deadlines import CHINA

    return value.astimezone(CHINA).strftime(fmt) if value else ""
