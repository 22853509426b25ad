import logging

from review.config import Config, normalize_database_url
from review.runtime import Runtime


def test_defaults_keep_everything_in_the_instance_folder(tmp_path):
    config = Config.from_env(environ={"INSTANCE_PATH": str(tmp_path / "inst")})
    assert config.database_url == f"sqlite:///{tmp_path / 'inst' / 'sanshen.db'}"
    assert config.redis_url is None


def test_secret_key_is_generated_once_and_kept(tmp_path):
    env = {"INSTANCE_PATH": str(tmp_path)}
    first = Config.from_env(environ=env).secret_key
    assert len(first) == 64
    assert Config.from_env(environ=env).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert Config.from_env(environ={**env, "SECRET_KEY": "from-env"}).secret_key == "from-env"


def test_postgres_urls_get_a_driver():
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_without_redis_jobs_run_inline_and_the_app_says_so(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        runtime = Runtime(Config.from_env(environ={"INSTANCE_PATH": str(tmp_path)}))
    assert runtime.redis is None
    assert "REDIS_URL is not set" in caplog.text
