"""Administration in the browser: users and roles, departments, channels, wordlists, approved sources,
the originals library's news feeds."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from review import admin, categories, originals, roster
from review.accounts import MIN_PASSWORD
from review.db import get_by_id
from review.errors import InvalidInput, NotFound, ReviewError
from review.models import PLATFORMS, ROLE_LABELS, ROLES, Channel, Department, User

from .common import current_user, login_required, read_session, runtime, transaction

bp = Blueprint("admin", __name__, url_prefix="/admin")
APPROVED_SOURCES = "approved_sources.tsv"


def _actor(session) -> User:
    return session.get(User, current_user().id)


def _lists(session) -> dict:
    return {
        "departments": session.scalars(select(Department).order_by(Department.name)).all(),
        "users": session.scalars(select(User).order_by(User.role, User.username)).all(),
        "channels": session.scalars(select(Channel).order_by(Channel.platform, Channel.name)).all(),
        "roles": ROLES, "role_labels": ROLE_LABELS, "platforms": PLATFORMS, "min_password": MIN_PASSWORD,
    }


@bp.route("/")
@login_required("admin")
def index():
    return render_template("admin/index.html", counts=admin.counts(read_session()))


@bp.route("/users", methods=["GET", "POST"])
@login_required("admin")
def users():
    error = None
    if request.method == "POST":
        form = request.form
        try:
            with transaction() as s:
                user = admin.create_user(s, _actor(s), form.get("username", ""), form.get("name", ""),
                                         form.get("role", ""), form.get("password", ""), form.get("department_id"),
                                         form.get("email"))
            flash(f"已新增用户 {user.username}，首次登录须修改密码")
            return redirect(url_for("admin.users"))
        except ReviewError as exc:
            error = exc.message
    return render_template("admin/users.html", error=error, form=request.form, **_lists(read_session())), \
        (400 if error else 200)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required("admin")
def user(user_id):
    error = None
    if request.method == "POST":
        form = request.form
        try:
            with transaction() as s:
                target = s.get(User, user_id)
                if target is None:
                    raise NotFound("用户不存在")
                actor = _actor(s)
                action = form.get("action")
                if action == "reset_password":
                    admin.reset_password(s, actor, target, form.get("password", ""))
                    message = "密码已重置，该用户下次登录须修改密码"
                elif action == "unlock":
                    admin.unlock(s, actor, target)
                    message = "账号已解锁"
                else:
                    admin.update_user(s, actor, target, role=form.get("role") or None,
                                      department=form.get("department_id") or None,
                                      active=form.get("active") == "on", deputy=form.get("deputy_id") or None,
                                      email=form.get("email", ""))
                    message = "已保存"
            flash(message)
            return redirect(url_for("admin.user", user_id=user_id))
        except ReviewError as exc:
            error = exc.message
    s = read_session()
    target = s.get(User, user_id)
    if target is None:
        raise NotFound("用户不存在")
    return render_template("admin/user.html", target=target, error=error, **_lists(s)), (400 if error else 200)


@bp.route("/departments", methods=["GET", "POST"])
@login_required("admin")
def departments():
    error = None
    if request.method == "POST":
        try:
            with transaction() as s:
                if request.form.get("department_id"):
                    department = get_by_id(s, Department, request.form["department_id"], NotFound("部门不存在"))
                    admin.rename_department(s, _actor(s), department, request.form.get("name", ""))
                    admin.set_robot_url(s, _actor(s), department, request.form.get("robot_url", ""))
                else:
                    admin.add_department(s, _actor(s), request.form.get("name", ""))
            flash("已保存")
            return redirect(url_for("admin.departments"))
        except ReviewError as exc:
            error = exc.message
    return render_template("admin/departments.html", error=error, **_lists(read_session())), (400 if error else 200)


@bp.route("/channels", methods=["GET", "POST"])
@login_required("admin")
def channels():
    error = None
    if request.method == "POST":
        form = request.form
        fields = (form.get("name", ""), form.get("platform", ""), form.get("department_id"),
                  form.get("adapter", "outbox"), form.get("webhook_url", ""))
        try:
            with transaction() as s:
                if form.get("channel_id"):
                    channel = get_by_id(s, Channel, form["channel_id"], NotFound("渠道不存在"))
                    admin.update_channel(s, _actor(s), channel, *fields)
                else:
                    admin.add_channel(s, _actor(s), *fields)
            flash("已保存")
            return redirect(url_for("admin.channels"))
        except ReviewError as exc:
            error = exc.message
    return render_template("admin/channels.html", error=error, **_lists(read_session())), (400 if error else 200)


@bp.route("/wordlists")
@login_required("admin")
def wordlists():
    return render_template("admin/wordlists.html", **categories.listing(read_session()),
                           group_labels=categories.GROUP_LABELS)


@bp.route("/wordlists/new")
@login_required("admin")
def new_category():
    """新增类别: opens the category editor on a new file; nothing is stored until it is saved."""
    try:
        name = categories.new_category_name(request.args.get("group", ""), request.args.get("id", ""))
        admin.wordlist_text(read_session(), name)
    except ReviewError as exc:
        flash(f"未能新增类别：{exc.message}")
        return redirect(url_for("admin.wordlists"))
    return redirect(url_for("admin.wordlist", name=name))


@bp.route("/wordlists/<path:name>", methods=["GET", "POST"])
@login_required("admin")
def wordlist(name):
    if categories.is_category(name):
        return _category(name)
    error = None
    content = None
    if request.method == "POST":
        content = request.form.get("content", "")
        try:
            with transaction() as s:
                if request.form.get("action") == "reset":
                    admin.reset_override(s, _actor(s), name)
                    flash("已恢复为系统自带版本")
                else:
                    admin.save_override(s, _actor(s), name, content)
                    flash("已保存；审查进程在下一次审查时自动使用新词库，无需重启；审核中的稿件将按新词库重新审查")
            return redirect(url_for("admin.wordlist", name=name))
        except ReviewError as exc:
            error = exc.message
    stored, override = admin.wordlist_text(read_session(), name)
    return render_template("admin/wordlist.html", name=name, content=stored if content is None else content,
                           override=override, error=error, approved=name == APPROVED_SOURCES), (400 if error else 200)


def _category(name: str):
    """A category as fields; 预览影响 counts what the change would flag before anything is saved."""
    stored, override = admin.wordlist_text(read_session(), name)
    form, impact, error = categories.split(stored), None, None
    if request.method == "POST":
        posted = request.form
        form = categories.CategoryForm(name=posted.get("name", ""), action=posted.get("action", ""),
                                       rule=posted.get("rule", ""), message=posted.get("message", ""),
                                       context=posted.get("context") == "on", terms=posted.get("terms", ""),
                                       comments=form.comments)
        try:
            if posted.get("do") == "reset":
                with transaction() as s:
                    admin.reset_override(s, _actor(s), name)
                flash("已恢复为系统自带版本")
                return redirect(url_for("admin.wordlist", name=name))
            content = categories.join(form)
            if posted.get("do") == "preview":
                impact = categories.preview(read_session(), name, stored, content)
            else:
                with transaction() as s:
                    admin.save_override(s, _actor(s), name, content)
                flash("已保存；下一次审查起按新词库执行，审核中的稿件将按新词库重新审查")
                return redirect(url_for("admin.wordlist", name=name))
        except ReviewError as exc:
            error = exc.message
    return render_template("admin/category.html", file=name, form=form, override=override, impact=impact,
                           error=error, actions=categories.ACTION_CHOICES,
                           group=categories.GROUP_LABELS[name.split("/")[0]]), (400 if error else 200)


def _feeds_page(error=None, form=None, status=200):
    s = read_session()
    return render_template("admin/feeds.html", feeds=originals.list_feeds(s), library=originals.library_summary(s),
                           every_minutes=originals.FEED_IMPORT_EVERY_SECONDS // 60, error=error,
                           form=form or {}), status


@bp.route("/feeds", methods=["GET", "POST"])
@login_required("admin")
def feeds():
    if request.method == "POST":
        try:
            with transaction() as s:
                feed = admin.add_feed(s, _actor(s), request.form.get("url", ""), request.form.get("source", ""))
            flash(f"已新增订阅 {feed.url}")
            return redirect(url_for("admin.feeds"))
        except ReviewError as exc:
            return _feeds_page(exc.message, request.form, 400)
    return _feeds_page()


@bp.route("/feeds/<int:feed_id>", methods=["POST"])
@login_required("admin")
def feed(feed_id):
    action = request.form.get("action")
    try:
        with transaction() as s:
            actor, row = _actor(s), admin.feed(s, feed_id)
            if action in ("pause", "resume"):
                admin.set_feed_active(s, actor, row, action == "resume")
                message = "已恢复定时导入" if action == "resume" else "已暂停定时导入"
            elif action == "delete":
                if request.form.get("confirm") != "on":
                    raise InvalidInput("删除订阅须先勾选“确认删除”")
                admin.remove_feed(s, actor, row)
                message = f"已删除订阅 {row.url}；已导入的原文仍保留在原文库中"
            elif action == "import":
                admin.import_feed_now(s, actor, row)
                message = ("已加入后台导入队列，稍后刷新本页查看结果" if runtime().redis is not None
                           else "已执行导入，结果见下表")
            else:
                raise InvalidInput("未知的操作")
        flash(message)
        return redirect(url_for("admin.feeds"))
    except ReviewError as exc:
        return _feeds_page(exc.message, status=exc.status)


@bp.route("/roster", methods=["GET", "POST"])
@login_required("admin")
def roster_page():
    """The leader roster: add, change or remove a term; each change re-screens drafts in review."""
    error = None
    if request.method == "POST":
        form = request.form
        fields = {k: form.get(k, "") for k in roster.CSV_COLUMNS}
        try:
            with transaction() as s:
                if form.get("remove"):
                    roster.remove(s, _actor(s), form["remove"])
                elif form.get("roster_id"):
                    roster.update(s, _actor(s), form["roster_id"], **fields)
                else:
                    roster.add(s, _actor(s), **fields)
            flash("已保存领导名单；在审稿件将按新名单重新审查")
            return redirect(url_for("admin.roster_page"))
        except ReviewError as exc:
            error = exc.message
    return render_template("admin/roster.html", error=error, form=request.form,
                           rows=roster.rows(read_session())), (400 if error else 200)
