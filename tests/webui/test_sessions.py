"""Sessions end on logout and password change (a copied cookie too); login is throttled per client
and per account; unknown users cost the same time as known ones; weak passwords are refused."""
from __future__ import annotations

import pytest

from review import accounts
from review.errors import InvalidInput
from tests.conftest import PASSWORD


def _copy_cookie(web):
    """A second client holding the same session cookie, as a thief with a copy would."""
    other = web.app.test_client()
    cookie = web.client.get_cookie("session")
    other.set_cookie("session", cookie.value)
    return other


def test_a_cookie_copied_before_logout_no_longer_works(web):
    web.login("editor")
    thief = _copy_cookie(web)
    assert thief.get("/drafts").status_code == 200
    web.post("/logout")
    assert thief.get("/drafts").status_code == 302


def test_a_password_change_ends_other_sessions_but_not_this_one(web):
    web.login("editor")
    other = _copy_cookie(web)
    response = web.post("/password", {"old": PASSWORD, "new": "Qz8!vLm#42pX", "confirm": "Qz8!vLm#42pX"})
    assert response.status_code == 302
    assert web.get("/drafts").status_code == 200
    assert other.get("/drafts").status_code == 302


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(web, app, people):
    from review import admin
    from review.models import User

    web.login("editor")
    copy = _copy_cookie(web)
    with app.extensions["runtime"].db.session() as s:
        admin.update_user(s, s.get(User, people["admin"].id), s.get(User, people["editor"].id), active=False)
    with app.extensions["runtime"].db.session() as s:
        admin.update_user(s, s.get(User, people["admin"].id), s.get(User, people["editor"].id), active=True)
    assert copy.get("/drafts").status_code == 302


def _fail(client_app, username, address):
    client = client_app.test_client()
    return client.post("/login", data={"username": username, "password": "wrong-Password-1"},
                       environ_base={"REMOTE_ADDR": address})


def test_one_client_guessing_cannot_lock_the_account_out_for_another(app, people):
    app.config["WTF_CSRF_ENABLED"] = False
    for _ in range(5):
        _fail(app, "admin", "10.0.0.1")
    assert "锁定" in _fail(app, "admin", "10.0.0.1").get_data(as_text=True)
    response = app.test_client().post("/login", data={"username": "admin", "password": PASSWORD},
                                      environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert response.status_code == 302


def test_guessing_across_accounts_is_throttled_per_client(app, people):
    app.config["WTF_CSRF_ENABLED"] = False
    names = [f"nobody{i}" for i in range(accounts.CLIENT_MAX_FAILURES)]
    for name in names:
        _fail(app, name, "10.0.0.3")
    response = app.test_client().post("/login", data={"username": "editor", "password": PASSWORD},
                                      environ_base={"REMOTE_ADDR": "10.0.0.3"})
    assert response.status_code == 401 and "此终端" in response.get_data(as_text=True)


def test_unknown_users_cost_one_argon2_computation_like_known_ones(session, people, monkeypatch):
    """Timing must not tell which usernames exist: both paths run argon2 exactly once."""
    calls = []
    real = accounts._hasher

    class Counting:
        def hash(self, password):
            calls.append("hash")
            return real.hash(password)

        def verify(self, stored, password):
            calls.append("verify")
            return real.verify(stored, password)

    monkeypatch.setattr(accounts, "_hasher", Counting())
    for username in ("editor", "nobody-at-all", "x" * 500):
        calls.clear()
        assert accounts.login(session, username, "wrong-Password-1", 1000, 15) == "用户名或密码错误"
        assert len(calls) == 1, (username, calls)


@pytest.mark.parametrize("password", ["Password12", "Admin@2026!", "Woaini1314!", "Qwerty12345!", "Editor-2026-x",
                                      "Aa1!" + "x" * 130, "Abcd1234!!", "1qaz2wsx3edc"])
def test_common_or_overlong_passwords_are_refused(password):
    with pytest.raises(InvalidInput):
        accounts.check_password_policy(password, "editor")


def test_session_cookie_secure_comes_from_the_environment(db, tmp_path):
    from review.config import Config
    from webui import create_app

    config = Config.from_env(environ={"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": db.url,
                                      "SESSION_COOKIE_SECURE": "1"})
    assert create_app(config).config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.redis
def test_the_throttle_counts_in_redis_when_there_is_one(session, redis_url):
    import redis

    from review.throttle import LoginFailure, Throttle

    throttle = Throttle(redis.Redis.from_url(redis_url))
    for _ in range(3):
        throttle.record(session, "client:10.1.1.1")
    assert throttle.failures(session, "client:10.1.1.1") == 3
    assert session.query(LoginFailure).count() == 0  # nothing in the database
    throttle.clear(session, "client:10.1.1.1")
    assert throttle.failures(session, "client:10.1.1.1") == 0
