"""The review queue, sign-off decisions, personal data kept by reviewers, the emergency lane,
post-reviews, 整改 tasks and notifications."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from review import emergency, notify, rectification
from review import queue as review_queue
from review import workflow
from review.errors import ReviewError

from .common import act, current_user, login_required, read_session, transaction
from .editor import draft_page, on_draft_page

bp = Blueprint("review", __name__)
SIGNERS = ("editor", "dept_head", "leader")


@bp.route("/queue")
@login_required(*SIGNERS)
def queue():
    s = read_session()
    user = current_user()
    return render_template("queue.html", drafts=review_queue.waiting_for(s, user), now=workflow.utcnow(),
                           post_reviews=emergency.waiting_for(s, user))


@bp.route("/drafts/<int:draft_id>/decision", methods=["POST"])
@login_required(*SIGNERS)
def decide(draft_id):
    decision = request.form.get("decision", "")
    try:
        with transaction() as s:
            workflow.decide(s, current_user(), draft_id, decision, request.form.get("comment", ""),
                            request.form.get("revision_hash", ""))
    except ReviewError as exc:
        return draft_page(draft_id, error=exc.message, failed="decide", status=exc.status)
    flash(f"稿件 #{draft_id}：" + ("已签批同意" if decision == "approve" else "已退回作者"))
    return redirect(url_for("review.queue"))


@bp.route("/drafts/<int:draft_id>/personal-data", methods=["POST"])
@login_required(*SIGNERS)
def keep_personal_data(draft_id):
    form = request.form
    return on_draft_page(draft_id, "keep:" + form.get("finding", ""), lambda s: workflow.keep_masked_value(
        s, current_user(), draft_id, form.get("revision_hash", ""), form.get("finding", ""), form.get("reason", ""),
        form.get("note", "")), "已记录保留理由")


@bp.route("/drafts/<int:draft_id>/emergency-publish", methods=["POST"])
@login_required("leader")
def emergency_publish(draft_id):
    form = request.form
    return on_draft_page(draft_id, "emergency", lambda s: emergency.emergency_publish(
        s, current_user(), draft_id, form.get("reason", ""), form.get("revision_hash", "")),
        "已紧急发布，其余环节将事后补审")


@bp.route("/post-reviews/<int:post_review_id>", methods=["POST"])
@login_required(*SIGNERS)
def post_review(post_review_id):
    form = request.form
    draft_id = form.get("draft_id", "")
    action = lambda s: emergency.post_review(s, current_user(), post_review_id, form.get("decision", ""),  # noqa: E731
                                             form.get("comment", ""))
    done = "已完成事后补审" if form.get("decision") == "approve" else "已记录补审意见，并通知部门负责人整改"
    if draft_id.isdigit() and len(draft_id) < 10:
        return on_draft_page(int(draft_id), f"post-review:{post_review_id}", action, done)
    act(action, done)
    return redirect(url_for("review.queue"))


@bp.route("/rectifications")
@login_required("dept_head", "leader", "auditor", "admin")
def rectifications():
    user = current_user()
    return render_template("rectifications.html", tasks=rectification.tasks(read_session(), user),
                           may_close=lambda t: rectification.may_close(t, user), now=workflow.utcnow(),
                           SOURCE_LABELS=rectification.SOURCE_LABELS)


@bp.route("/rectifications/<int:task_id>/close", methods=["POST"])
@login_required("dept_head")
def close_rectification(task_id):
    act(lambda s: rectification.close_task(s, current_user(), task_id, request.form.get("note", "")),
        "整改任务已办结", "未能办结")
    return redirect(url_for("review.rectifications"))


@bp.route("/notifications")
@login_required()
def notifications():
    items = notify.recent(read_session(), current_user())
    return render_template("notifications.html", items=items)


@bp.route("/notifications/read", methods=["POST"])
@login_required()
def mark_notifications_read():
    with transaction() as s:
        notify.mark_read(s, current_user())
    return redirect(url_for("review.notifications"))
