"""API tokens: expiry, listing and revocation (one by id, or all), from the command line."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from review import accounts
from review.db import utcnow
from review.errors import NotAuthenticated, NotFound
from review.models import ApiToken, User


@pytest.fixture
def run(review_cli):
    return review_cli


def _token(runtime, username, **options) -> str:
    with runtime.db.session() as s:
        return accounts.create_token(s, s.query(User).filter_by(username=username).one(), **options)


def _user_for(runtime, token):
    with runtime.db.session() as s:
        return accounts.user_for_token(s, token).username


def test_a_token_expires(runtime, people):
    token = _token(runtime, "editor", days=1)
    assert _user_for(runtime, token) == "editor"
    with runtime.db.session() as s:
        s.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(NotAuthenticated, match="过期"):
        _user_for(runtime, token)


def test_revoke_one_token_by_id_leaves_the_others(runtime, people):
    first, second = _token(runtime, "editor"), _token(runtime, "editor")
    with runtime.db.session() as s:
        editor = s.get(User, people["editor"].id)
        ids = [t.id for t in accounts.tokens_of(s, editor)]
        assert accounts.revoke_tokens(s, editor, token_id=ids[0]) == 1
    with pytest.raises(NotAuthenticated):
        _user_for(runtime, first)
    assert _user_for(runtime, second) == "editor"


def test_a_token_of_someone_else_cannot_be_revoked_by_id(runtime, people):
    _token(runtime, "editor2")
    with runtime.db.session() as s, pytest.raises(NotFound):
        editor2_token = accounts.tokens_of(s, s.get(User, people["editor2"].id))[0].id
        accounts.revoke_tokens(s, s.get(User, people["editor"].id), token_id=editor2_token)


def test_cli_lists_and_revokes_all_tokens(runtime, people, run):
    tokens = [_token(runtime, "editor"), _token(runtime, "editor", days=None)]
    listing = run("token", "list", "editor")
    assert listing.exit_code == 0 and listing.output.count("有效") == 2 and "永不过期" in listing.output
    result = run("token", "revoke", "editor", "--all")
    assert result.exit_code == 0 and "已吊销 2 个令牌" in result.output
    for token in tokens:
        with pytest.raises(NotAuthenticated):
            _user_for(runtime, token)
    assert run("token", "list", "editor").output.count("已吊销") == 2


def test_cli_revokes_by_id_and_refuses_ambiguous_requests(runtime, people, run):
    _token(runtime, "editor")
    assert run("token", "revoke", "editor").exit_code != 0
    assert run("token", "revoke", "editor", "1", "--all").exit_code != 0
    with runtime.db.session() as s:
        token_id = accounts.tokens_of(s, s.get(User, people["editor"].id))[0].id
    assert "已吊销 1 个令牌" in run("token", "revoke", "editor", str(token_id)).output


def test_cli_created_token_expires_in_the_given_days(runtime, people, run):
    token = run("token", "create", "editor", "--days", "7").output.strip()
    with runtime.db.session() as s:
        row = accounts.tokens_of(s, s.get(User, people["editor"].id))[0]
        assert timedelta(days=6, hours=23) < row.expires_at - row.created_at <= timedelta(days=7)
    assert _user_for(runtime, token) == "editor"
