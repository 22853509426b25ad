"""Idempotency-Key on create and submit: a client retrying after a lost answer gets the same draft."""
from __future__ import annotations

from sqlalchemy import func, select

from review.models import AuditEvent, Draft
from tests.review.workflow_helpers import GENERAL
from tests.webui.test_api import api  # noqa: F401  (the api fixture)

BODY = {"title": GENERAL[0], "body": GENERAL[1]}


def _count(app, what):
    with app.extensions["runtime"].db.session() as s:
        return s.scalar(select(func.count()).select_from(what))


def test_create_with_the_same_key_twice_makes_one_draft(api, app):
    first = api.call("POST", "/drafts", "editor", BODY, 201, headers={"Idempotency-Key": "k-1"})
    again = api.call("POST", "/drafts", "editor", BODY, 201, headers={"Idempotency-Key": "k-1"})
    assert first["id"] == again["id"] and _count(app, Draft) == 1


def test_the_same_key_for_a_different_request_is_409(api):
    api.call("POST", "/drafts", "editor", BODY, 201, headers={"Idempotency-Key": "k-2"})
    api.call("POST", "/drafts", "editor", {**BODY, "title": "另一篇"}, 409, headers={"Idempotency-Key": "k-2"})


def test_keys_are_per_user(api, app):
    api.call("POST", "/drafts", "editor", BODY, 201, headers={"Idempotency-Key": "k-3"})
    api.call("POST", "/drafts", "editor2", BODY, 201, headers={"Idempotency-Key": "k-3"})
    assert _count(app, Draft) == 2


def test_a_retried_submit_answers_with_the_draft_not_409(api, app):
    draft = api.call("POST", "/drafts", "editor", {**BODY, "channel": api.channel}, 201)
    path = f"/drafts/{draft['id']}/submit"
    first = api.call("POST", path, "editor", None, headers={"Idempotency-Key": "s-1"})
    again = api.call("POST", path, "editor", None, headers={"Idempotency-Key": "s-1"})
    assert first["status"] == again["status"] == "in_review"
    with app.extensions["runtime"].db.session() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "submitted")) == 1
    api.call("POST", path, "editor", None, 409)  # without a key, a second submit is the usual 409


def test_a_bad_key_is_400(api):
    api.call("POST", "/drafts", "editor", BODY, 400, headers={"Idempotency-Key": "键"})
    api.call("POST", "/drafts", "editor", BODY, 400, headers={"Idempotency-Key": "x" * 101})
