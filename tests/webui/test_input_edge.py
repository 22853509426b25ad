"""Bad input at the edge: a 400 or 404 in Chinese, never a 500, and nothing unstorable is stored."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from review.models import AuditEvent, Channel, Draft
from review.validation import MAX_ID, parse_id
from tests.review.workflow_helpers import GENERAL
from tests.webui.test_api import API, CHINESE, api  # noqa: F401  (the api fixture)

HUGE = str(2**70)
NESTED = "[" * 50_000 + "]" * 50_000


@pytest.mark.parametrize("value, expected", [
    (1, 1), ("42", 42), (" 7 ", 7), (MAX_ID, MAX_ID), (MAX_ID + 1, None), (HUGE, None), (0, None), (-1, None),
    (True, None), (1.5, None), (1.0, None), ("²", None), ("1e3", None), ("", None), (None, None), ({}, None),
])
def test_parse_id_takes_only_ids_in_range(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize("method, path, expect", [
    ("GET", f"/drafts/{HUGE}", 404),
    ("GET", f"/drafts/{MAX_ID + 1}", 404),
    ("GET", "/drafts/0", 404),
    ("POST", f"/drafts/{HUGE}/submit", 404),
    ("GET", f"/audit?draft_id={HUGE}", 400),
    ("GET", "/audit?draft_id=²", 400),
    ("GET", "/audit?draft_id=-3", 400),
])
def test_ids_out_of_range_in_paths_and_queries(api, method, path, expect):
    api.call(method, path, "auditor" if "audit" in path else "editor", None, expect)


@pytest.mark.parametrize("body", [
    {"title": "标题", "body": "正文", "channel": 1.5},
    {"title": "标题", "body": "正文", "channel": True},
    {"title": "标题", "body": "正文", "channel": 2**40},
    {"title": "标题", "body": "正文", "channel": "1x"},
    {"title": "标题\x00", "body": "正文"},
    {"title": "标题", "body": "正\ud800文"},
    {"title": "标题", "body": "正文", "repost": {"source": {"nested": "object"}}},
    {"title": "标题", "body": "正文", "repost": {"source": "来源\udfff"}},
    {"title": "标题", "body": "正文", "repost": {"source": ["a"]}},
    {"title": "标题", "body": "正文", "repost": {"source": "长" * 501}},
    {"title": "标题", "body": "正文", "\x00": 1},
])
def test_bad_fields_on_create_are_400_and_store_nothing(api, app, people, body):
    with app.extensions["runtime"].db.session() as s:
        s.add(Channel(name="政务微博", platform="微博", department_id=people["editor"].department_id))
    api.call("POST", "/drafts", "editor", body, 400)
    with app.extensions["runtime"].db.session() as s:
        assert s.scalar(select(Draft)) is None


def test_channel_given_as_true_is_not_channel_1(api, app, people):
    with app.extensions["runtime"].db.session() as s:
        s.add(Channel(name="政务微博", platform="微博", department_id=people["editor"].department_id))
    data = api.call("POST", "/drafts", "editor", {"title": "标题", "body": "正文", "channel": True}, 400)
    assert "渠道" in data["message"]


def test_deeply_nested_json_is_400(api):
    api.call("POST", "/drafts", "editor", None, 400, raw=NESTED)
    api.call("POST", "/drafts", "editor", None, 400, raw='{"title": ' + "[" * 30 + "]" * 30 + ', "body": "x"}')


@pytest.mark.parametrize("field, value", [
    ("comment", "x" * 2_500_000),  # 2.5 MB, under the 4 MB request limit
    ("comment", "意见\x00"),
])
def test_megabyte_or_unstorable_comments_are_400_and_not_audited(api, app, field, value):
    draft = api.call("POST", "/drafts", "editor", {"title": GENERAL[0], "body": GENERAL[1], "channel": api.channel}, 201)
    draft = api.call("POST", f"/drafts/{draft['id']}/submit", "editor")
    api.call("POST", f"/drafts/{draft['id']}/decision", "editor2",
             {"decision": "reject", field: value, "revision_hash": draft["revision"]["hash"]}, 400)
    with app.extensions["runtime"].db.session() as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "rejected")) is None


def test_megabyte_override_reason_is_400(api):
    draft = api.call("POST", "/drafts", "editor", {"title": GENERAL[0], "body": GENERAL[1]}, 201)
    api.call("POST", f"/drafts/{draft['id']}/submit", "editor", {"override_reason": "r" * 3_000_000}, 400)


@pytest.mark.parametrize("path, form", [
    ("/admin/departments", {"name": "部" * 101}),
    ("/admin/departments", {"department_id": "abc", "name": "新名"}),
    ("/admin/departments", {"department_id": HUGE, "name": "新名"}),
    ("/admin/channels", {"name": "渠" * 101, "platform": "微博", "department_id": "1"}),
    ("/admin/channels", {"channel_id": HUGE, "name": "x", "platform": "微博", "department_id": "1"}),
    ("/admin/channels", {"name": "x", "platform": "微博", "department_id": HUGE}),
    ("/admin/users", {"username": "newuser", "name": "名" * 101, "role": "auditor", "password": "Zq7#kP2!vR9x"}),
    ("/admin/users", {"username": "newuser", "name": "名", "role": "editor", "password": "Zq7#kP2!vR9x",
                      "department_id": "1.5"}),
    ("/admin/departments", {"name": "部门\x00"}),
])
def test_admin_forms_refuse_values_longer_than_columns_or_bad_ids(web, path, form):
    web.login("admin")
    response = web.post(path, form)
    assert response.status_code in (400, 404), response.status_code
    assert CHINESE.search(response.get_data(as_text=True))


@pytest.mark.parametrize("path", [
    f"/drafts/{HUGE}", f"/drafts/{HUGE}/edit", f"/audit?draft_id={HUGE}", "/audit?channel=1.5",
    "/audit?department=²", f"/audit?page={HUGE}", "/audit?since=9999-12-31", "/dashboard?days=" + HUGE,
])
def test_pages_answer_bad_ids_with_400_or_404(web, path):
    web.login("admin")
    response = web.get(path)
    assert response.status_code in (200, 400, 404), (path, response.status_code)


def test_web_form_with_nul_in_body_is_400_and_keeps_nothing(web, app):
    web.login("editor")
    response = web.post("/drafts/new", {"title": "标题", "body": "正文\x00"})
    assert response.status_code == 400 and "空字符" in response.get_data(as_text=True)
    with app.extensions["runtime"].db.session() as s:
        assert s.scalar(select(Draft)) is None


def test_security_headers_on_every_response(web):
    for response in (web.get("/login"), web.get("/static/app.css"), web.client.get(f"{API}/openapi.json")):
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    web.login("editor")
    assert web.get("/drafts").headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts_the_policy_would_block(web):
    web.login("leader")
    for path in ("/dashboard", "/drafts/new"):
        page = web.get(path).get_data(as_text=True)
        assert not re.search(r"<script>(?!</script>)|\son[a-z]+=", page), path
