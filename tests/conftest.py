"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when DATABASE_URL is set)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select, text

# One audit key and head file for every process and Config of the test session (review.config).
os.environ.setdefault("AUDIT_KEY", "test-audit-key")
os.environ.setdefault("AUDIT_HEAD_FILE", str(Path(tempfile.mkdtemp(prefix="sanshen-audit-")) / "audit_head.json"))

from review import audit_guard, schema  # noqa: E402
from review.config import normalize_database_url
from review.db import Base, Database
from review.models import Channel


def _reset(db: Database) -> None:
    """Drop everything so the migrations, not create_all, build the schema under test."""
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Production argon2 parameters cost ~60 ms a hash; tests create many users."""
    from argon2 import PasswordHasher

    from review import accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalize_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def migrated_db(database_url):
    db = Database(database_url)
    _reset(db)
    schema.upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def db(migrated_db):
    """A migrated database, emptied after each test."""
    yield migrated_db
    with migrated_db.engine.begin() as conn:
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
        audit_guard.remove(conn)  # the trail refuses DELETE; between tests it is emptied all the same
        if migrated_db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA defer_foreign_keys=ON"))
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
        audit_guard.install(conn)
    Path(os.environ["AUDIT_HEAD_FILE"]).unlink(missing_ok=True)


@pytest.fixture
def session(db):
    with db.session() as s:
        yield s


PASSWORD = "Test-password-2026"


@pytest.fixture
def config(db, tmp_path):
    from review.config import Config

    return Config.from_env(environ={"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": db.url})


@pytest.fixture
def runtime(config):
    from review.runtime import Runtime

    rt = Runtime(config)
    yield rt
    rt.db.dispose()


@pytest.fixture
def people(runtime):
    """A department with a person for every role, plus an editor of another department."""
    from review import accounts

    with runtime.db.session() as s:
        dept = accounts.add_department(s, "宣传科")
        other = accounts.add_department(s, "办公室")
        spec = [
            ("editor", "editor", dept), ("editor2", "editor", dept), ("head", "dept_head", dept),
            ("leader", "leader", None), ("auditor", "auditor", None), ("admin", "admin", None),
            ("outsider", "editor", other), ("otherhead", "dept_head", other),
        ]
        users = {name: accounts.add_user(s, name, name.title(), role, PASSWORD, d) for name, role, d in spec}
        # Every department publishes on its own account (a channel is required to submit).
        for department in (dept, other):
            s.add(Channel(name=f"{department.name}测试号", platform="微博", department_id=department.id))
    return users


def channel_of(runtime, user) -> int:
    """The id of the test channel of the user's department (see `people`); `user` or a username."""
    from review.models import User

    with runtime.db.session() as s:
        if isinstance(user, str):
            user = s.scalar(select(User).where(User.username == user))
        return s.scalar(select(Channel.id).where(Channel.department_id == user.department_id).order_by(Channel.id))


@pytest.fixture
def review_cli(db, tmp_path, monkeypatch):
    """Runs `review ...` against the test database: review_cli("dept", "add", "宣传科", input=None)."""
    from click.testing import CliRunner

    from review.cli import cli

    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    return lambda *args, input=None: CliRunner().invoke(cli, list(args), input=input)


@pytest.fixture(scope="session")
def redis_server():
    """REDIS_URL when set; else a private redis-server on a free port; else skip (fail on CI)."""
    import shutil
    import socket
    import subprocess
    import time

    import redis

    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "Redis 不可用：未设置 REDIS_URL，也找不到 redis-server"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def redis_url(redis_server):
    import redis

    redis.Redis.from_url(redis_server).flushdb()
    return redis_server


@pytest.fixture
def app(config):
    from webui import create_app

    application = create_app(config)
    application.testing = True
    yield application
    application.extensions["runtime"].db.dispose()


@pytest.fixture
def web(app, people):
    """A browser-like client that logs in as someone, with CSRF tokens taken from the pages."""
    return WebClient(app)


class WebClient:
    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def csrf(self, path="/login") -> str:
        import re

        page = self.client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def login(self, username, password=PASSWORD):
        self.client = self.app.test_client()
        response = self.client.post("/login", data={"username": username, "password": password, "csrf_token": self.csrf()})
        assert response.status_code == 302, response.get_data(as_text=True)
        return self

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf("/password"))
        return self.client.post(path, data=data, **kw)
