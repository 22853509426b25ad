"""The dashboard: pending per tier, time per tier, blocked share by category, quiet channels."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from review import stats

from .common import login_required, read_session

bp = Blueprint("dashboard", __name__)
VIEWERS = ("leader", "dept_head", "auditor", "admin")


@bp.route("/dashboard")
@login_required(*VIEWERS)
def index():
    try:
        days = min(max(int(request.args.get("days", 30)), 1), 366)
    except ValueError:
        days = 30
    return render_template("dashboard.html", **stats.dashboard(read_session(), days=days))
