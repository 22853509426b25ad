"""Login with lockout, logout, password change. No "remember me" (004 7.2)."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from review import accounts, audit
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
        with transaction() as s:
            outcome = accounts.login(s, username, password, config.login_max_failures, config.login_lockout_minutes)
            user_id = outcome if isinstance(outcome, str) else outcome.id
        if isinstance(outcome, str):
            error = outcome
        else:
            session.clear()
            session.permanent = True  # expires after the idle timeout, refreshed by each request
            session["user_id"] = user_id
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
        flash("密码已修改")
        return redirect(url_for("auth.index"))
    return render_template("password.html")
