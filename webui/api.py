"""JSON API under /api/v1 with bearer tokens (tokens from `review token create`)."""
from __future__ import annotations

import functools
from pathlib import Path

from flask import Blueprint, Response, g, jsonify, request

from review import accounts, admin, audit, emergency, idempotency, notify, views, workflow
from review import queue as review_queue
from review.errors import Forbidden, InvalidInput, NotAuthenticated

from .common import transaction
from .security import query_id

bp = Blueprint("api", __name__, url_prefix="/api/v1")
OPENAPI = Path(__file__).with_name("openapi.json")


def token_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise NotAuthenticated("缺少 Authorization: Bearer 令牌")
        with transaction() as s:
            g.api_user = accounts.user_for_token(s, header[len("Bearer "):].strip())
        return view(*args, **kwargs)

    return wrapper


def _json() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("请求体必须是 JSON 对象")
    return data


def _flag(data: dict, key: str):
    value = data.get(key)
    if value is not None and not isinstance(value, bool):
        raise InvalidInput(f"{key} 必须是 true 或 false")
    return value


def _draft_json(draft_id: int) -> dict:
    with transaction() as s:
        return views.draft_view(s, draft_id).to_dict()


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    return idempotency.check_key(key) if key is not None else None


@bp.post("/drafts")
@token_required
def create_draft():
    data = _json()
    key = _idempotency_key()
    fingerprint = idempotency.fingerprint("create", data)
    with transaction() as s:
        earlier = idempotency.replay(s, g.api_user, key, "create", fingerprint) if key else None
        if earlier is None:
            draft = workflow.create_draft(
                s, g.api_user, data.get("title"), data.get("body", ""), channel_id=data.get("channel"),
                urgent=bool(_flag(data, "urgent")), disclosure=bool(_flag(data, "disclosure")),
                repost=data.get("repost"),
            )
            if key:
                idempotency.remember(s, g.api_user, key, "create", fingerprint, draft.id)
    return jsonify(_draft_json(earlier or draft.id)), 201


@bp.put("/drafts/<int:draft_id>")
@token_required
def edit_draft(draft_id):
    data = _json()
    options = {k: _flag(data, k) for k in ("urgent", "disclosure")}
    if "repost" in data:
        options["repost"] = data["repost"]
    if "channel" in data:
        options["channel_id"] = data["channel"]
    with transaction() as s:
        workflow.edit_draft(s, g.api_user, draft_id, data.get("title"), data.get("body"), **options)
    return jsonify(_draft_json(draft_id))


@bp.post("/drafts/<int:draft_id>/submit")
@token_required
def submit(draft_id):
    data = _json() if request.get_data() else {}
    key = _idempotency_key()
    fingerprint = idempotency.fingerprint("submit", {"draft": draft_id, **data})
    with transaction() as s:
        # A retried submit that already went through answers with the draft as it is now.
        if not (key and idempotency.replay(s, g.api_user, key, "submit", fingerprint)):
            workflow.submit(s, g.api_user, draft_id, data.get("override_reason"))
            if key:
                idempotency.remember(s, g.api_user, key, "submit", fingerprint, draft_id)
    return jsonify(_draft_json(draft_id))


@bp.get("/drafts/<int:draft_id>")
@token_required
def get_draft(draft_id):
    with transaction() as s:
        draft = workflow.get_draft(s, draft_id)
        workflow.require_may_read(draft, g.api_user)
    return jsonify(_draft_json(draft_id))


@bp.post("/drafts/<int:draft_id>/decision")
@token_required
def decide(draft_id):
    data = _json()
    with transaction() as s:
        workflow.decide(s, g.api_user, draft_id, data.get("decision"), data.get("comment", ""),
                        data.get("revision_hash", ""))
    return jsonify(_draft_json(draft_id))


@bp.post("/drafts/<int:draft_id>/publish")
@token_required
def publish(draft_id):
    with transaction() as s:
        publication = workflow.publish(s, g.api_user, draft_id)
        publication_id = publication.id
    body = _draft_json(draft_id)
    body["publication_id"] = publication_id
    return jsonify(body)


@bp.post("/drafts/<int:draft_id>/personal-data")
@token_required
def keep_personal_data(draft_id):
    """A reviewer keeps one masked value, with a reason (002 §19)."""
    data = _json()
    with transaction() as s:
        workflow.keep_masked_value(s, g.api_user, draft_id, data.get("revision_hash"), data.get("finding"),
                                   data.get("reason"), data.get("note"))
    return jsonify(_draft_json(draft_id))


@bp.post("/drafts/<int:draft_id>/deidentify")
@token_required
def accept_deidentified(draft_id):
    data = _json()
    with transaction() as s:
        workflow.accept_deidentified(s, g.api_user, draft_id, data.get("revision_hash"))
    return jsonify(_draft_json(draft_id))


@bp.post("/drafts/<int:draft_id>/emergency-publish")
@token_required
def emergency_publish(draft_id):
    data = _json()
    with transaction() as s:
        publication_id = emergency.emergency_publish(s, g.api_user, draft_id, data.get("reason"),
                                                     data.get("revision_hash")).id
    body = _draft_json(draft_id)
    body["publication_id"] = publication_id
    return jsonify(body)


@bp.get("/post-reviews")
@token_required
def post_reviews():
    with transaction() as s:
        items = [_post_review_dict(r) for r in emergency.waiting_for(s, g.api_user)]
    return jsonify(items=items)


@bp.post("/post-reviews/<int:post_review_id>")
@token_required
def post_review(post_review_id):
    data = _json()
    with transaction() as s:
        row = emergency.post_review(s, g.api_user, post_review_id, data.get("decision"), data.get("comment", ""))
        return jsonify(_post_review_dict(row))


def _post_review_dict(row) -> dict:
    return {"id": row.id, "draft_id": row.draft_id, "tier": row.tier, "revision_hash": row.revision_hash,
            "deadline_at": row.deadline_at.isoformat(), "decision": row.decision, "comment": row.comment,
            "user": row.user.username if row.user else None}


@bp.get("/channels")
@token_required
def channels():
    with transaction() as s:
        return jsonify(items=[admin.channel_dict(c) for c in admin.all_channels(s)])


@bp.get("/notifications")
@token_required
def notifications():
    with transaction() as s:
        items = [{"id": n.id, "kind": n.kind, "message": n.message, "draft_id": n.draft_id,
                  "created_at": n.created_at.isoformat(), "read": n.read_at is not None}
                 for n in notify.recent(s, g.api_user)]
    return jsonify(items=items)


@bp.post("/drafts/<int:draft_id>/withdraw")
@token_required
def withdraw(draft_id):
    with transaction() as s:
        workflow.withdraw(s, g.api_user, draft_id)
    return jsonify(_draft_json(draft_id))


@bp.get("/queue")
@token_required
def queue():
    with transaction() as s:
        drafts = review_queue.waiting_for(s, g.api_user)
        items = [view.to_dict() for view in views.draft_views(s, drafts)]
    return jsonify(items=items)


def _auditor():
    if g.api_user.role not in ("auditor", "admin"):
        raise Forbidden("只有审计员和管理员可以查看审计记录")


@bp.get("/audit")
@token_required
def audit_events():
    _auditor()
    draft_id = query_id("draft_id")
    with transaction() as s:
        events = [audit.event_dict(e) for e in audit.events(s, draft_id=draft_id)]
    return jsonify(events=events)


@bp.get("/audit/verify")
@token_required
def audit_verify():
    _auditor()
    with transaction() as s:
        return jsonify(audit.verify(s).to_dict())


@bp.get("/openapi.json")
def openapi():
    return Response(OPENAPI.read_text(encoding="utf-8"), mimetype="application/json")


@bp.app_errorhandler(405)
def _method_not_allowed(exc):
    # Routing fails before any blueprint is chosen, so this is registered app-wide and looks at the path.
    if not request.path.startswith("/api/"):
        return exc
    return jsonify(error="method_not_allowed", message="不支持的请求方法"), 405


