"""The JSON API contract (/api/v1): a full scenario, every error code, and the OpenAPI document."""
from __future__ import annotations

import copy
import json
import re

import pytest
from openapi_schema_validator import OAS30Validator, validate
from sqlalchemy import select

from review import accounts
from review.models import User
from tests.conftest import channel_of
from tests.review.workflow_helpers import BLOCKED, GENERAL, IMPORTANT, OVERRIDE_REASON, _SCREENERS, install_test_terms

CHINESE = re.compile(r"[\u4e00-\u9fff]")
API = "/api/v1"


@pytest.fixture
def api(app, people):
    runtime = app.extensions["runtime"]
    runtime.screeners = _SCREENERS
    install_test_terms(runtime, people["admin"])
    with runtime.db.session() as s:
        tokens = {name: accounts.create_token(s, s.scalar(select(User).where(User.username == name)))
                  for name in people}
    return Api(app.test_client(), tokens, json.loads(app.test_client().get(f"{API}/openapi.json").data),
               channel_of(runtime, people["editor"]))


class Api:
    def __init__(self, client, tokens, spec, channel):
        self.client, self.tokens, self.spec = client, tokens, spec
        self.channel = channel  # the editors' department's account

    def call(self, method, path, user=None, body=None, expect=200, raw=None, headers=None):
        headers = dict(headers or {})
        if user:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        kwargs = {"data": raw, "content_type": "application/json"} if raw is not None else {"json": body}
        response = self.client.open(f"{API}{path}", method=method, headers=headers, **kwargs)
        data = response.get_json()
        assert response.status_code == expect, (method, path, user, response.status_code, data)
        assert response.mimetype == "application/json"
        if expect >= 400:
            assert {"error", "message"} <= set(data) <= {"error", "message", "open_findings"}, data
            assert CHINESE.search(data["message"]), data
        self.check_schema(method, path, response.status_code, data)
        return data

    def check_schema(self, method, path, status, data):
        """Every response body matches the schema the OpenAPI document gives for it."""
        template = _template(self.spec, path.split("?")[0])
        operation = self.spec["paths"][template][method.lower()]
        response = operation["responses"][str(status)]
        response = _deref(self.spec, response)
        schema = response["content"]["application/json"]["schema"]
        validate(data, _deref(self.spec, schema), cls=OAS30Validator)


def _template(spec, path: str) -> str:
    for template in spec["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "$"
        if re.match(pattern, path):
            return template
    raise AssertionError(f"{path} is not in openapi.json")


def _deref(spec, node):
    """Inline every $ref (the document has no cycles), so the validator sees one plain schema."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _deref(spec, copy.deepcopy(target))
        return {k: _deref(spec, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_deref(spec, v) for v in node]
    return node


# ---------------------------------------------------------------- the full scenario


def test_full_scenario_through_the_api(api):
    a = api
    created = a.call("POST", "/drafts", "editor", {"channel": a.channel, "title": IMPORTANT[0], "body": "初稿。", "urgent": True}, 201)
    draft_id = created["id"]
    assert (created["status"], created["revision"]["number"], created["urgent"]) == ("draft", 1, True)
    a.call("PUT", f"/drafts/{draft_id}", "editor2", {"title": "改", "body": "改"}, 403)
    edited = a.call("PUT", f"/drafts/{draft_id}", "editor", {"title": IMPORTANT[0], "body": IMPORTANT[1]})
    assert edited["revision"]["number"] == 2 and edited["revision"]["hash"] != created["revision"]["hash"]

    shown = a.call("POST", f"/drafts/{draft_id}/submit", "editor", {})
    assert (shown["status"], shown["sensitivity"], shown["route"], shown["current_tier"]) == (
        "in_review", "important", ["editor", "dept_head", "leader"], "editor")
    assert shown["deadline_at"] and shown["findings"]
    assert a.call("GET", f"/drafts/{draft_id}", "leader") == shown
    revision_hash = shown["revision"]["hash"]

    assert [d["id"] for d in a.call("GET", "/queue", "editor2")["items"]] == [draft_id]
    for nobody in ("editor", "head", "leader", "auditor", "outsider"):
        assert a.call("GET", "/queue", nobody)["items"] == []
    a.call("POST", f"/drafts/{draft_id}/decision", "editor2",
           {"decision": "approve", "comment": "", "revision_hash": created["revision"]["hash"]}, 409)
    a.call("POST", f"/drafts/{draft_id}/decision", "editor2", {"decision": "reject", "revision_hash": revision_hash}, 400)
    a.call("POST", f"/drafts/{draft_id}/decision", "editor", {"decision": "approve", "revision_hash": revision_hash}, 403)
    a.call("POST", f"/drafts/{draft_id}/publish", "editor", None, 409)

    for user in ("editor2", "head", "leader"):
        assert [d["id"] for d in a.call("GET", "/queue", user)["items"]] == [draft_id]
        shown = a.call("POST", f"/drafts/{draft_id}/decision", user,
                       {"decision": "approve", "comment": "同意。", "revision_hash": revision_hash})
    assert shown["status"] == "approved"
    assert [(s["tier"], s["user"], s["decision"], s["revision_hash"]) for s in shown["signoffs"]] == [
        ("editor", "editor2", "approve", revision_hash), ("dept_head", "head", "approve", revision_hash),
        ("leader", "leader", "approve", revision_hash)]
    assert all(s["at"] for s in shown["signoffs"])

    a.call("POST", f"/drafts/{draft_id}/publish", "auditor", None, 403)
    published = a.call("POST", f"/drafts/{draft_id}/publish", "editor")
    assert published["status"] == "published" and published["publication_id"] > 0
    a.call("POST", f"/drafts/{draft_id}/publish", "editor", None, 409)

    trail = a.call("GET", f"/audit?draft_id={draft_id}", "auditor")["events"]
    approvals = [(e["actor"], e["details"]["tier"]) for e in trail
                 if e["action"] == "approved" and e["revision_hash"] == revision_hash]
    assert approvals == [("editor2", "editor"), ("head", "dept_head"), ("leader", "leader")]
    assert any(e["action"] == "published" and e["revision_hash"] == revision_hash for e in trail)
    assert all(e["draft_id"] == draft_id for e in trail)
    verified = a.call("GET", "/audit/verify", "admin")
    assert verified["ok"] is True and verified["events"] > len(trail) and re.fullmatch(r"[0-9a-f]{64}", verified["head"])


def test_reject_then_edit_and_resubmit_through_the_api(api):
    a = api
    draft_id = a.call("POST", "/drafts", "editor", {"channel": a.channel, "title": GENERAL[0], "body": GENERAL[1]}, 201)["id"]
    h = a.call("POST", f"/drafts/{draft_id}/submit", "editor")["revision"]["hash"]
    shown = a.call("POST", f"/drafts/{draft_id}/decision", "editor2",
                   {"decision": "reject", "comment": "请补充开放时间。", "revision_hash": h})
    assert shown["status"] == "returned" and "请补充开放时间" in shown["note"]
    a.call("POST", f"/drafts/{draft_id}/submit", "editor", {}, 409)
    a.call("PUT", f"/drafts/{draft_id}", "editor", {"title": GENERAL[0], "body": GENERAL[1] + "开放时间为九点至五点。"})
    assert a.call("POST", f"/drafts/{draft_id}/submit", "editor")["status"] == "in_review"


def test_blocked_then_override_through_the_api(api):
    a = api
    draft_id = a.call("POST", "/drafts", "editor", {"channel": a.channel, "title": BLOCKED[0], "body": BLOCKED[1]}, 201)["id"]
    shown = a.call("POST", f"/drafts/{draft_id}/submit", "editor")
    assert (shown["status"], shown["sensitivity"]) == ("returned", "blocked")
    a.call("POST", f"/drafts/{draft_id}/submit", "editor", {"override_reason": 12345}, 400)
    shown = a.call("POST", f"/drafts/{draft_id}/submit", "editor", {"override_reason": OVERRIDE_REASON})
    assert shown["route"] == ["editor", "dept_head", "leader"] and shown["override_reason"] == OVERRIDE_REASON
    seen = a.call("GET", "/queue", "editor2")["items"][0]
    assert seen["override_reason"] == OVERRIDE_REASON and any(f["action"] == "block" for f in seen["findings"])


def test_repost_and_options_round_trip(api):
    repost = {"source": "新华社", "original_title": "原标题", "original_author": "记者甲",
              "original_url": "https://www.news.cn/a.html", "original_published_at": "2026-11-20"}
    shown = api.call("POST", "/drafts", "editor",
                     {"channel": api.channel, "title": GENERAL[0], "body": GENERAL[1], "repost": repost, "urgent": False}, 201)
    assert shown["repost"] == repost and shown["urgent"] is False


# ---------------------------------------------------------------- errors


def test_no_or_a_bad_token_is_401(api):
    api.call("GET", "/queue", None, expect=401)
    api.call("GET", "/queue", None, expect=401, headers={"Authorization": "Bearer not-a-token"})
    api.call("GET", "/queue", None, expect=401, headers={"Authorization": f"Token {api.tokens['editor']}"})


def test_a_deactivated_users_token_is_401(api, app, people):
    from review import admin

    with app.extensions["runtime"].db.session() as s:
        admin.update_user(s, s.get(User, people["admin"].id), s.get(User, people["editor2"].id), active=False)
    api.call("GET", "/queue", "editor2", expect=401)


@pytest.mark.parametrize("method, path, user, body", [
    ("POST", "/drafts", "auditor", {"title": "标题", "body": "正文"}),
    ("POST", "/drafts", "admin", {"title": "标题", "body": "正文"}),
    ("GET", "/audit", "editor", None),
    ("GET", "/audit", "leader", None),
    ("GET", "/audit/verify", "head", None),
])
def test_not_allowed_for_this_user_is_403(api, method, path, user, body):
    api.call(method, path, user, body, 403)


def test_reading_a_draft_is_limited_to_its_department_reviewers_and_auditors(api):
    draft_id = api.call("POST", "/drafts", "editor", {"channel": api.channel, "title": GENERAL[0], "body": GENERAL[1]}, 201)["id"]
    for user in ("editor", "editor2", "head", "leader", "auditor", "admin"):
        api.call("GET", f"/drafts/{draft_id}", user)
    for user in ("outsider", "otherhead"):
        api.call("GET", f"/drafts/{draft_id}", user, expect=403)


@pytest.mark.parametrize("method, path", [
    ("GET", "/drafts/999"), ("PUT", "/drafts/999"), ("POST", "/drafts/999/submit"),
    ("POST", "/drafts/999/decision"), ("POST", "/drafts/999/publish"), ("POST", "/drafts/999/withdraw"),
])
def test_an_unknown_draft_is_404(api, method, path):
    body = {"title": "标题", "body": "正文", "decision": "approve", "revision_hash": "0" * 64}
    api.call(method, path, "editor", body, 404)


def test_unknown_routes_and_methods_answer_in_json(api):
    response = api.client.get(f"{API}/nothing-here", headers={"Authorization": f"Bearer {api.tokens['editor']}"})
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    response = api.client.delete(f"{API}/drafts", headers={"Authorization": f"Bearer {api.tokens['editor']}"})
    assert response.status_code == 405 and CHINESE.search(response.get_json()["message"])


@pytest.mark.parametrize("method, path, body, raw", [
    ("POST", "/drafts", None, "not json"),
    ("POST", "/drafts", None, "[1, 2]"),
    ("POST", "/drafts", {"body": "没有标题"}, None),
    ("POST", "/drafts", {"title": "  ", "body": "正文"}, None),
    ("POST", "/drafts", {"title": 5, "body": "正文"}, None),
    ("POST", "/drafts", {"title": "标题", "body": "正文", "urgent": "yes"}, None),
    ("POST", "/drafts", {"title": "标题", "body": "正文", "channel": 999}, None),
    ("POST", "/drafts", {"title": "标题", "body": "正文", "repost": {"made_up": "x"}}, None),
    ("POST", "/drafts", {"title": "标" * 201, "body": "正文"}, None),
    ("PUT", "/drafts/{id}", {"title": "标题"}, None),
    ("POST", "/drafts/{id}/submit", None, "[]"),
    ("POST", "/drafts/{id}/submit", {"override_reason": "短"}, None),
    ("POST", "/drafts/{id}/decision", {"decision": "maybe", "revision_hash": "x"}, None),
    ("POST", "/drafts/{id}/decision", {"decision": "approve"}, None),
    ("POST", "/drafts/{id}/decision", {"decision": "approve", "revision_hash": 7}, None),
    ("POST", "/drafts/{id}/decision", {"decision": "approve", "comment": 7, "revision_hash": "x"}, None),
    ("GET", "/audit?draft_id=abc", None, None),
])
def test_bad_input_is_400(api, method, path, body, raw):
    draft_id = api.call("POST", "/drafts", "editor", {"channel": api.channel, "title": GENERAL[0], "body": GENERAL[1]}, 201)["id"]
    user = "auditor" if path.startswith("/audit") else ("editor2" if "decision" in path else "editor")
    if "decision" in path:
        api.call("POST", f"/drafts/{draft_id}/submit", "editor")
    api.call(method, path.replace("{id}", str(draft_id)), user, body, 400, raw=raw)


def test_wrong_state_is_409(api):
    draft_id = api.call("POST", "/drafts", "editor", {"channel": api.channel, "title": GENERAL[0], "body": GENERAL[1]}, 201)["id"]
    h = api.call("GET", f"/drafts/{draft_id}", "editor")["revision"]["hash"]
    api.call("POST", f"/drafts/{draft_id}/decision", "editor2", {"decision": "approve", "revision_hash": h}, 409)
    api.call("POST", f"/drafts/{draft_id}/publish", "editor", None, 409)
    api.call("POST", f"/drafts/{draft_id}/withdraw", "editor")
    api.call("POST", f"/drafts/{draft_id}/submit", "editor", {}, 409)
    api.call("PUT", f"/drafts/{draft_id}", "editor", {"title": "标题", "body": "正文"}, 409)


def test_with_redis_submit_returns_screening_and_the_worker_moves_it_on(people, redis_url, config, monkeypatch):
    from rq import SimpleWorker

    from review.config import Config
    from webui import create_app
    from workers import context

    app = create_app(Config.from_env(environ={"INSTANCE_PATH": str(config.instance_path),
                                              "DATABASE_URL": config.database_url, "REDIS_URL": redis_url}))
    runtime = app.extensions["runtime"]
    runtime.screeners = _SCREENERS
    with runtime.db.session() as s:
        token = accounts.create_token(s, s.scalar(select(User).where(User.username == "editor")))
    client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}
    draft_id = client.post(f"{API}/drafts", json={"title": GENERAL[0], "body": GENERAL[1],
                                                  "channel": channel_of(runtime, "editor")}, headers=auth).get_json()["id"]
    submitted = client.post(f"{API}/drafts/{draft_id}/submit", json={}, headers=auth)
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "screening"
    context.use(runtime)
    try:
        SimpleWorker([runtime.queue()], connection=runtime.redis).work(burst=True)
    finally:
        context.use(None)
    assert client.get(f"{API}/drafts/{draft_id}", headers=auth).get_json()["status"] == "in_review"
    runtime.db.dispose()


# ---------------------------------------------------------------- the OpenAPI document


def test_openapi_document_is_valid_and_describes_exactly_the_routes(app, api):
    from openapi_spec_validator import validate as validate_spec

    validate_spec(api.spec)
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API + "/"):
            path = re.sub(r"<(?:\w+:)?\w+>", "{}", rule.rule[len(API):])
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(re.sub(r"\{\w+\}", "{}", path), method) for path, ops in api.spec["paths"].items()
                  for method in ops if method in ("get", "put", "post", "delete", "patch")}
    assert routes == documented
    for path, operations in api.spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"\{(\w+)\}", path)), (path, method)
    for path, method in ((p, m) for p, ops in api.spec["paths"].items() for m in ops):
        responses = api.spec["paths"][path][method]["responses"]
        if path != "/openapi.json":
            assert {"400", "401", "403", "404"} <= set(responses), (path, method)


def test_openapi_document_is_served_without_a_token(app):
    response = app.test_client().get(f"{API}/openapi.json")
    assert response.status_code == 200 and response.get_json()["openapi"].startswith("3.")


# ---------------------------------------------------------------- publication safety (002 §19, 004 6.3.2.3)

PERSONAL = ("市民来信反映情况", "市民王小明（身份证号110101199003078515，手机13812345678）来信反映小区路灯损坏。")


def _key(finding) -> str:
    return f"{finding['field']}:{finding['start']}:{finding['end']}:{finding['category']}"


def test_masks_block_approval_until_kept_or_deidentified_through_the_api(api):
    a = api
    draft_id = a.call("POST", "/drafts", "editor", {"channel": a.channel, "title": PERSONAL[0], "body": PERSONAL[1]},
                      201)["id"]
    shown = a.call("POST", f"/drafts/{draft_id}/submit", "editor")
    assert {f["category"] for f in shown["open_masks"]} == {"id_card", "mobile", "person"}
    assert "110101199003078515" not in json.dumps(shown["findings"], ensure_ascii=False)
    refused = a.call("POST", f"/drafts/{draft_id}/decision", "editor2",
                     {"decision": "approve", "revision_hash": shown["revision"]["hash"]}, 409)
    assert {f["category"] for f in refused["open_findings"]} == {"id_card", "mobile", "person"}

    person = next(f for f in shown["open_masks"] if f["category"] == "person")
    body = {"revision_hash": shown["revision"]["hash"], "finding": _key(person), "reason": "official_duty",
            "note": "社区网格员履职"}
    a.call("POST", f"/drafts/{draft_id}/personal-data", "editor", body, 403)  # the author
    a.call("POST", f"/drafts/{draft_id}/personal-data", "editor2", {**body, "reason": "x"}, 400)
    kept = a.call("POST", f"/drafts/{draft_id}/personal-data", "editor2", body)
    assert [k["reason_label"] for k in kept["kept_personal_data"]] == ["公职人员履职信息"]

    a.call("POST", f"/drafts/{draft_id}/deidentify", "editor2", {"revision_hash": kept["revision"]["hash"]}, 403)
    clean = a.call("POST", f"/drafts/{draft_id}/deidentify", "editor", {"revision_hash": kept["revision"]["hash"]})
    assert clean["revision"]["number"] == 2 and clean["open_masks"] == [] and clean["status"] == "in_review"
    approved = a.call("POST", f"/drafts/{draft_id}/decision", "editor2",
                      {"decision": "approve", "revision_hash": clean["revision"]["hash"]})
    assert approved["current_tier"] == "dept_head"


def test_channels_are_listed_for_scripts(api):
    items = api.call("GET", "/channels", "editor")["items"]
    assert {(c["name"], c["platform"], c["department"]) for c in items} == {
        ("宣传科测试号", "weibo", "宣传科"), ("办公室测试号", "weibo", "办公室")}


def test_submit_without_a_channel_is_refused_and_the_draft_kept(api):
    draft_id = api.call("POST", "/drafts", "editor", {"title": GENERAL[0], "body": GENERAL[1]}, 201)["id"]
    refused = api.call("POST", f"/drafts/{draft_id}/submit", "editor", expect=400)
    assert "发布渠道" in refused["message"]
    assert api.call("GET", f"/drafts/{draft_id}", "editor")["status"] == "draft"


def test_emergency_publish_and_post_review_through_the_api(api):
    a = api
    draft_id = a.call("POST", "/drafts", "editor", {"channel": a.channel, "title": IMPORTANT[0], "body": IMPORTANT[1],
                                                    "urgent": True}, 201)["id"]
    h = a.call("POST", f"/drafts/{draft_id}/submit", "editor")["revision"]["hash"]
    reason = {"revision_hash": h, "reason": "突发险情，须一小时内首发避险提示"}
    a.call("POST", f"/drafts/{draft_id}/emergency-publish", "head", reason, 403)
    a.call("POST", f"/drafts/{draft_id}/emergency-publish", "leader", {**reason, "reason": "急"}, 400)
    published = a.call("POST", f"/drafts/{draft_id}/emergency-publish", "leader", reason)
    assert published["status"] == "published" and published["publication_id"]
    waiting = a.call("GET", "/post-reviews", "editor2")["items"]
    assert [(w["draft_id"], w["tier"]) for w in waiting] == [(draft_id, "editor")]
    assert a.call("GET", "/post-reviews", "editor")["items"] == []
    done = a.call("POST", f"/post-reviews/{waiting[0]['id']}", "editor2", {"decision": "approve"})
    assert (done["decision"], done["user"]) == ("approve", "editor2")
    a.call("POST", f"/post-reviews/{waiting[0]['id']}", "editor2", {"decision": "approve"}, 409)
    told = a.call("GET", "/notifications", "head")["items"]
    assert any(n["draft_id"] == draft_id and n["kind"] == "post_review" for n in told)
