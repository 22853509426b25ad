"""The review queue and sign-off decisions."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from review import queue as review_queue
from review import workflow

from .common import current_user, login_required, read_session, transaction

bp = Blueprint("review", __name__)


@bp.route("/queue")
@login_required("editor", "dept_head", "leader")
def queue():
    drafts = review_queue.waiting_for(read_session(), current_user())
    return render_template("queue.html", drafts=drafts, now=workflow.utcnow())


@bp.route("/drafts/<int:draft_id>/decision", methods=["POST"])
@login_required("editor", "dept_head", "leader")
def decide(draft_id):
    decision = request.form.get("decision", "")
    with transaction() as s:
        workflow.decide(s, current_user(), draft_id, decision, request.form.get("comment", ""),
                        request.form.get("revision_hash", ""))
    flash("已签批同意" if decision == "approve" else "已退回作者")
    return redirect(url_for("review.queue"))
