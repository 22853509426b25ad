"""The auditor's trail: filters, export, chain integrity, and the printable sign-off sheet (审签单)."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy import select

from review import audit, emergency, trail as trails, views, workflow
from review.deadlines import CHINA
from review.errors import InvalidInput
from review.models import STATUSES, AuditEvent, Channel, Department, User

from . import describe
from .common import current_user, login_required, read_session, runtime
from .security import query_id

bp = Blueprint("audit", __name__)
READERS = ("auditor", "admin")
MAX_PAGE = 1_000_000  # a page number the offset arithmetic and the database take without overflow


def _filters() -> trails.TrailFilter:
    args = request.args
    try:
        filters = trails.TrailFilter(
            actor=args.get("actor", "").strip() or None,
            action=args.get("action", "").strip() or None,
            draft_id=query_id("draft_id"),
            department_id=query_id("department"),
            channel_id=query_id("channel"),
            status=args.get("status") or None,
            category=args.get("category", "").strip() or None,
        )
        if args.get("since"):
            filters.since = datetime.fromisoformat(args["since"]).replace(tzinfo=CHINA)
        if args.get("until"):
            filters.until = datetime.fromisoformat(args["until"]).replace(tzinfo=CHINA) + timedelta(days=1)
    except (ValueError, OverflowError):
        raise InvalidInput("筛选条件格式错误：编号为数字，日期为 YYYY-MM-DD") from None
    if filters.status and filters.status not in STATUSES:
        raise InvalidInput("未知的稿件状态")
    if filters.category and not filters.category.replace("_", "").isalnum():
        raise InvalidInput("未知的问题类别")
    return filters


def _integrity() -> trails.IntegrityCache:
    return current_app.extensions.setdefault("audit_integrity", trails.IntegrityCache())


@bp.route("/audit")
@login_required(*READERS)
def trail():
    s = read_session()
    try:
        number = min(max(int(request.args.get("page", 1)), 1), MAX_PAGE)
    except ValueError:
        number = 1
    result = trails.page(s, _filters(), number)
    choices = {
        "departments": s.scalars(select(Department).order_by(Department.name)).all(),
        "channels": s.scalars(select(Channel).order_by(Channel.platform, Channel.name)).all(),
        "actions": s.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all(),
        "people": s.execute(select(User.username, User.name).order_by(User.name)).all(),
    }
    names = dict(choices["people"])
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("audit.html", page=result, events=result.events, args=args, statuses=STATUSES,
                           actor_name=lambda e: describe.actor_name(e, names), role_label=describe.role_label,
                           sentence=lambda e: describe.sentence(e, names), **choices)


@bp.route("/audit/integrity")
@login_required(*READERS)
def integrity():
    """The chain check as an HTML fragment, loaded after the trail page so the page stays fast."""
    verification, checked_at = _integrity().verify(read_session(), fresh=request.args.get("fresh") == "1")
    return render_template("_integrity.html", verification=verification,
                           checked_at=datetime.fromtimestamp(checked_at, CHINA))


@bp.route("/audit/export.<fmt>")
@login_required(*READERS)
def export(fmt):
    if fmt not in ("csv", "json"):
        raise InvalidInput("导出格式只支持 csv 或 json")
    filters = _filters()
    sessions = runtime().db.read_sessions

    def events():
        # Its own session: the response streams after the request's session is closed.
        with sessions() as session:
            for event in trails.all_events(session, filters):
                yield audit.event_dict(event)

    rows = events()
    if fmt == "json":
        def generate_json():
            yield "["
            for i, row in enumerate(rows):
                yield ("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False)
            yield "\n]\n"

        return Response(generate_json(), mimetype="application/json",
                        headers={"Content-Disposition": "attachment; filename=audit.json"})

    fields = ["seq", "at", "actor_id", "actor", "actor_role", "action", "draft_id", "revision_hash", "details", "prev_hash", "hash"]

    def generate_csv():
        out = io.StringIO()
        out.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "details": json.dumps(row["details"], ensure_ascii=False)})
            if out.tell() > 64 * 1024:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return Response(generate_csv(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})


@bp.route("/audit/sheet/<int:draft_id>")
@login_required(*READERS, "leader", "dept_head", "editor")
def sheet(draft_id):
    s = read_session()
    view = views.draft_view(s, draft_id)
    user = current_user()
    workflow.require_may_read(view.draft, user)
    if view.draft.status != "published":
        raise InvalidInput("只有已发布的稿件有审签单")
    return render_template("sheet.html", view=view, draft=view.draft, revision=view.revision,
                           signoffs=workflow.round_signoffs(s, view.draft), publication=workflow.publication_of(s, view.draft),
                           post_reviews=emergency.post_reviews(s, draft_id))
