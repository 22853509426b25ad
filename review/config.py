"""Configuration from the environment (12-factor), read in one place."""
from __future__ import annotations

import functools
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass
class Config:
    instance_path: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    # 004 7.2: log out when idle.
    idle_timeout_minutes: int = 30
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    screening_timeout_seconds: int = 120
    # Seconds between attempts of a failed job; after the last, the draft goes back to its author.
    retry_intervals: tuple[int, ...] = (5, 30, 120)
    publish_export_dir: Path | None = None
    # 错敏信息巡查: how far back published posts are screened again when the rules change.
    patrol_days: int = 90
    # Behind HTTPS the session cookie must never travel in clear (SESSION_COOKIE_SECURE=1).
    session_cookie_secure: bool = False
    # How many reverse proxies stand in front and set X-Forwarded-For: login throttling needs the
    # client's address, not the proxy's. 0 trusts no such header.
    trusted_proxies: int = 0
    # Notifications by e-mail: smtp://user:password@host:port (STARTTLS when offered) or smtps://…
    smtp_url: str | None = None
    mail_from: str = "sanshen@localhost"

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "Config":
        env = os.environ if environ is None else environ
        instance = instance_path(env)
        database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'sanshen.db'}"
        config = cls(
            instance_path=instance,
            database_url=normalize_database_url(database_url),
            redis_url=env.get("REDIS_URL") or None,
            secret_key=env.get("SECRET_KEY") or _stored_secret_key(instance),
            idle_timeout_minutes=int(env.get("IDLE_TIMEOUT_MINUTES", 30)),
            publish_export_dir=Path(env["PUBLISH_EXPORT_DIR"]) if env.get("PUBLISH_EXPORT_DIR") else instance / "published",
            patrol_days=int(env.get("PATROL_DAYS", 90)),
            session_cookie_secure=env.get("SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes", "on"),
            trusted_proxies=int(env.get("TRUSTED_PROXIES", 0)),
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=env.get("MAIL_FROM") or "sanshen@localhost",
        )
        for key, value in overrides.items():
            setattr(config, key, value)
        return config


def instance_path(env) -> Path:
    instance = Path(env.get("INSTANCE_PATH") or Path.cwd() / "instance").resolve()
    instance.mkdir(parents=True, exist_ok=True)
    return instance


def audit_key(environ=None) -> bytes:
    """The key of the audit chain's HMACs: AUDIT_KEY, else instance/audit_key (made once, 0600).

    Never in the database: whoever can write the database must not be able to re-sign the trail.
    Every process (web, workers, CLI) of one installation must see the same key.
    """
    env = os.environ if environ is None else environ
    if env.get("AUDIT_KEY"):
        return env["AUDIT_KEY"].encode("utf-8")
    return _stored_audit_key(instance_path(env) / "audit_key")


@functools.cache
def _stored_audit_key(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        log.info("generated a new audit key in %s", path)
    return path.read_text().strip().encode("utf-8")


def audit_head_path(environ=None) -> Path:
    """Where the signed head of the audit chain is kept, outside the database: AUDIT_HEAD_FILE, else
    instance/audit_head.json."""
    env = os.environ if environ is None else environ
    return Path(env["AUDIT_HEAD_FILE"]) if env.get("AUDIT_HEAD_FILE") else instance_path(env) / "audit_head.json"


def normalize_database_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _stored_secret_key(instance: Path) -> str:
    """Generated once per installation and kept in instance/, never a constant in code."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
        log.info("generated a new SECRET_KEY in %s", path)
    return path.read_text().strip()
