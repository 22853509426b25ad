"""Login with lockout, logout, password change. No "remember me" (004 7.2)."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from review import accounts, audit
from review.throttle import Throttle
from review.errors import InvalidInput

from .common import current_user, home_for, login_required, runtime, transaction

bp = Blueprint("auth", __name__)


@bp.route("/")
@login_required()
def index():
    return redirect(home_for(current_user()))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        config = runtime().config
        throttle = Throttle(runtime().redis, timedelta(minutes=config.login_lockout_minutes))
        with transaction() as s:
            outcome = accounts.login(s, username, password, config.login_max_failures, config.login_lockout_minutes,
                                     client=request.remote_addr or "unknown", throttle=throttle)
            signed_in = None if isinstance(outcome, str) else (outcome.id, outcome.session_version)
        if signed_in is None:
            error = outcome
        else:
            session.clear()
            session.permanent = True  # expires after the idle timeout, refreshed by each request
            session["user_id"], session["session_version"] = signed_in
            target = request.args.get("next", "")
            return redirect(target if _is_local(target) else url_for("auth.index"))
    return render_template("login.html", error=error), (401 if error else 200)


def _is_local(target: str) -> bool:
    parsed = urlparse(target)
    return bool(target) and not parsed.scheme and not parsed.netloc and target.startswith("/")


@bp.route("/logout", methods=["POST"])
def logout():
    user = current_user()
    if user is not None:
        with transaction() as s:
            # A copy of this cookie (and any other session of this person) ends here too.
            accounts.end_sessions(s.get(type(user), user.id))
            audit.record(s, user, "logout")
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required()
def change_password():
    if request.method == "POST":
        if request.form.get("new", "") != request.form.get("confirm", ""):
            raise InvalidInput("两次输入的新密码不一致")
        with transaction() as s:
            user = s.get(type(current_user()), current_user().id)
            accounts.change_password(s, user, request.form.get("old", ""), request.form.get("new", ""))
            # Other sessions end; this one carries on with the new version.
            session["session_version"] = user.session_version
        flash("密码已修改")
        return redirect(url_for("auth.index"))
    return render_template("password.html")
