"""The editor's workspace: my drafts, write and edit with live screening, submit, withdraw, publish."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from review import diff, emergency, masks, preview, suggestions, views, workflow
from review.errors import Forbidden, InvalidInput, ReviewError
from review.labels import STATUS_LABELS, TIER_LABELS
from review.models import KEEP_REASONS, Channel
from review.workflow import REPOST_FIELDS

from .common import current_user, login_required, read_session, runtime, transaction

bp = Blueprint("editor", __name__)
AUTHORS = ("editor", "dept_head", "leader")
EMPTY = {"title": "", "body": "", "channel_id": None, "urgent": False, "disclosure": False, "repost": None}


def _form_fields() -> dict:
    form = request.form
    return {
        "title": form.get("title", ""),
        "body": form.get("body", ""),
        "channel_id": form.get("channel_id") or None,
        "urgent": form.get("urgent") == "on",
        "disclosure": form.get("disclosure") == "on",
        "repost": {k: form.get(f"repost_{k}", "") for k in REPOST_FIELDS} if form.get("is_repost") == "on" else None,
    }


def _channels():
    """The accounts the user's department may publish on (a leader without a department: all)."""
    query = select(Channel).order_by(Channel.platform, Channel.name)
    if current_user().department_id is not None:
        query = query.where(Channel.department_id == current_user().department_id)
    return read_session().scalars(query).all()


def _form_page(values: dict, *, draft_view=None, error: str | None = None, status: int = 200):
    s = read_session()
    context = {"values": values, "channels": _channels(), "error": error, "view": draft_view,
               "override_reason": request.form.get("override_reason", ""),
               "draft": draft_view.draft if draft_view else None}
    if draft_view is not None:
        context["comments"] = [x for x in draft_view.signoffs if x.comment]
        context["history"] = workflow.revisions(s, draft_view.draft)
    return render_template("draft_form.html", **context), status


@bp.route("/drafts")
@login_required(*AUTHORS)
def my_drafts():
    drafts = workflow.my_drafts(read_session(), current_user())
    return render_template("my_drafts.html", drafts=drafts)


@bp.route("/drafts/new", methods=["GET", "POST"])
@login_required(*AUTHORS)
def new_draft():
    if request.method == "GET":
        channels = _channels()
        # One account in the department: it is the only possible choice, so it is chosen.
        return _form_page({**EMPTY, "channel_id": channels[0].id if len(channels) == 1 else None})
    values = _form_fields()
    try:
        with transaction() as s:
            draft_id = workflow.create_draft(s, current_user(), **values).id
    except ReviewError as exc:
        # Nothing is lost: the form comes back with everything the editor typed.
        return _form_page(values, error=exc.message, status=exc.status)
    return _saved_then_submit(draft_id, "稿件已保存")


def _saved_then_submit(draft_id: int, saved_message: str):
    """The save is committed first: whatever the submission then refuses, the draft is kept."""
    if request.form.get("action") == "submit":
        try:
            with transaction() as s:
                workflow.submit(s, current_user(), draft_id, request.form.get("override_reason"))
        except ReviewError as exc:
            flash(f"稿件已保存，但未能提交：{exc.message}")
            return redirect(url_for("editor.edit", draft_id=draft_id))
        saved_message = _after_submit(draft_id)
    flash(saved_message)
    return redirect(url_for("editor.show", draft_id=draft_id))


@bp.route("/drafts/preview", methods=["POST"])
@login_required(*AUTHORS)
def live_preview():
    """Screen what is in the editor right now; nothing is stored (CSRF header checked by CSRFProtect)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("请求体必须是 JSON 对象")
    result = preview.preview(read_session(), runtime().screeners, data.get("title", ""), data.get("body", ""),
                             disclosure=bool(data.get("disclosure")), repost=data.get("repost"))
    return jsonify(result)


@bp.route("/drafts/<int:draft_id>")
@login_required()
def show(draft_id):
    return draft_page(draft_id)


@bp.route("/drafts/<int:draft_id>/status")
@login_required()
def status(draft_id):
    """What the draft page follows while it is open: a small JSON the page polls."""
    s = read_session()
    draft = workflow.get_draft(s, draft_id)
    workflow.require_may_read(draft, current_user())
    return jsonify(status=draft.status, status_label=STATUS_LABELS[draft.status],
                   tier=draft.current_tier, tier_label=TIER_LABELS.get(draft.current_tier, ""),
                   revision=draft.current_revision.content_hash, round=draft.round, note=draft.note or "")


def draft_page(draft_id: int, *, error: str | None = None, failed: str | None = None, status: int = 200):
    """The draft page; after a refused action it comes back with the reason beside the form that
    failed (`failed` names it) and everything typed in place (request.form)."""
    s = read_session()
    view = views.draft_view(s, draft_id)
    user = current_user()
    workflow.require_may_read(view.draft, user)
    draft = view.draft
    may_sign, as_deputy = workflow.can_sign(s, draft, user)
    history = workflow.revisions(s, draft)
    previous = history[-2] if len(history) > 1 else None
    if previous is not None:
        # 002 §19: a diff never shows a value that screening masked, in either version.
        old_title, old_body = masks.masked_text(previous, workflow.latest_screening(s, previous.id))
        new_title, new_body = masks.masked_text(view.revision, view.screening)
    publication = workflow.publication_of(s, draft) if draft.status == "published" else None
    return render_template(
        "draft.html",
        view=view,
        draft=draft,
        findings=view.screening.findings if view.screening else [],
        highlight=preview.segments,
        revision=view.revision,
        history=history,
        previous=previous,
        title_diff=diff.diff_text(old_title, new_title) if previous else None,
        body_diff=diff.diff_text(old_body, new_body) if previous else None,
        is_author=draft.author_id == user.id,
        # A reviewer refused exactly this text: the author edits before submitting again.
        rejected_as_is=any(x.decision == "reject" and x.revision_id == view.revision.id for x in view.signoffs),
        may_sign=may_sign,
        as_deputy=as_deputy,
        may_keep=draft.status in ("in_review", "approved") and bool(workflow.signer_tiers(s, draft, user)),
        keep_reasons=KEEP_REASONS,
        may_publish=draft.status == "approved" and workflow.may_publish(draft, user),
        may_emergency=emergency.may_use(draft, user),
        missing=workflow.missing_tiers(s, draft) if draft.status == "in_review" else [],
        publication=publication,
        post_reviews=emergency.post_reviews(s, draft.id),
        may_post_review=lambda row: emergency.may_post_review(s, row, user),
        **_suggestion_context(s, view, user),
        error=error,
        failed=failed,
        typed=request.form,
    ), status


def on_draft_page(draft_id: int, failed: str, action, done: str):
    """Run an action from the draft page as one unit of work. Done: back to the page with `done`.
    Refused: the same page, the reason beside the form `failed`, nothing typed lost."""
    try:
        with transaction() as s:
            action(s)
    except ReviewError as exc:
        return draft_page(draft_id, error=exc.message, failed=failed, status=exc.status)
    flash(done)
    return redirect(url_for("editor.show", draft_id=draft_id))


def _suggestion_context(s, view, user) -> dict:
    """The author sees each open suggestion of the expression check with 采用 / 忽略 buttons."""
    decided = suggestions.decisions(s, view.draft)
    if view.draft.author_id != user.id or not view.screening or (view.draft.status, "edit") not in workflow.TRANSITIONS:
        return {"suggestion_decisions": decided}
    dismissed = suggestions.dismissed_keys(s, view.revision)
    open_ = {i for i, f in suggestions.offered(view.screening.findings) if (f["field"], f["start"], f["end"]) not in dismissed}
    return {"suggestion_decisions": decided, "open_suggestions": open_}


@bp.route("/drafts/<int:draft_id>/suggestions", methods=["POST"])
@login_required(*AUTHORS)
def suggestion(draft_id):
    """采用 one suggestion, 全部采用, or 忽略 one; the page comes back on the (new) revision."""
    form = request.form
    revision_hash = form.get("revision_hash", "")
    with transaction() as s:
        if form.get("action") == "apply_all":
            suggestions.apply(s, current_user(), draft_id, revision_hash)
            message = "已全部采用修改建议，稿件已重新送自动审查"
        elif form.get("action") == "dismiss":
            suggestions.dismiss(s, current_user(), draft_id, revision_hash, _index(form))
            message = "已忽略该建议"
        else:
            suggestions.apply(s, current_user(), draft_id, revision_hash, [_index(form)])
            message = "已采用修改建议，稿件已重新送自动审查"
    flash(message)
    return redirect(url_for("editor.show", draft_id=draft_id))


def _index(form) -> int:
    value = form.get("index", "")
    if not value.isdigit():
        raise InvalidInput("缺少修改建议编号")
    return int(value)


@bp.route("/drafts/<int:draft_id>/edit", methods=["GET", "POST"])
@login_required(*AUTHORS)
def edit(draft_id):
    if request.method == "GET":
        view = views.draft_view(read_session(), draft_id)
        if view.draft.author_id != current_user().id:
            raise Forbidden("只有稿件作者可以修改稿件")
        d, r = view.draft, view.revision
        values = {"title": r.title, "body": r.body, "channel_id": d.channel_id, "urgent": d.urgent,
                  "disclosure": d.disclosure, "repost": d.repost}
        return _form_page(values, draft_view=view)
    values = _form_fields()
    try:
        with transaction() as s:
            workflow.edit_draft(s, current_user(), draft_id, **values)
    except ReviewError as exc:
        return _form_page(values, draft_view=views.draft_view(read_session(), draft_id), error=exc.message,
                          status=exc.status)
    return _saved_then_submit(draft_id, "已保存新版本")


@bp.route("/drafts/<int:draft_id>/submit", methods=["POST"])
@login_required(*AUTHORS)
def submit(draft_id):
    try:
        with transaction() as s:
            workflow.submit(s, current_user(), draft_id, request.form.get("override_reason"))
    except ReviewError as exc:
        return draft_page(draft_id, error=exc.message, failed="submit", status=exc.status)
    flash(_after_submit(draft_id))
    return redirect(url_for("editor.show", draft_id=draft_id))


def _after_submit(draft_id: int) -> str:
    """Say what happened: without a worker screening has already finished when the page loads."""
    with transaction() as s:
        draft = workflow.get_draft(s, draft_id)
        if draft.status == "returned":
            return f"稿件已提交，自动审查后退回：{draft.note}"
        if draft.status == "in_review":
            return f"稿件已提交，自动审查完成，已送“{TIER_LABELS[draft.current_tier]}”"
    return "稿件已提交，正在自动审查…"


@bp.route("/drafts/<int:draft_id>/deidentify", methods=["POST"])
@login_required(*AUTHORS)
def accept_deidentified(draft_id):
    """The author takes the de-identified text: a new revision, screened again (002 §19)."""
    return on_draft_page(draft_id, "personal-data", lambda s: workflow.accept_deidentified(
        s, current_user(), draft_id, request.form.get("revision_hash", "")), "已采用去标识化文本，生成新版本并重新审查")


@bp.route("/drafts/<int:draft_id>/withdraw", methods=["POST"])
@login_required(*AUTHORS)
def withdraw(draft_id):
    return on_draft_page(draft_id, "author-actions", lambda s: workflow.withdraw(s, current_user(), draft_id),
                         "稿件已撤回")


@bp.route("/drafts/<int:draft_id>/publish", methods=["POST"])
@login_required()
def publish(draft_id):
    return on_draft_page(draft_id, "publish", lambda s: workflow.publish(s, current_user(), draft_id),
                         "稿件已发布，正在核验渠道上的内容")
