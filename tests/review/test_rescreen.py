"""When wordlists or models change, drafts still in review are screened again.

A draft whose sensitivity rose restarts on its new route with a note saying why; one whose
sensitivity did not rise keeps its sign-offs. Inline (no Redis), through `review rescreen`, and
through real RQ workers.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from review import admin, workflow
from review.cli import cli
from review.config import Config
from review.errors import Conflict
from review.models import User, WordlistOverride
from review.runtime import Runtime
from tests.conftest import channel_of

from .workflow_helpers import (
    FIXED, GENERAL, actions, approve_all, decide, events, publish, rt, state, submitted,
)

__all__ = ["rt"]
ROOT = Path(__file__).resolve().parents[2]
TERM = "星澜书院"
ACADEMY = ("书院开放", f"{TERM}本周六上午九点照常开放，欢迎居民前来参观。")


def _add_term(rt, people, name="sensitive/personnel.txt"):
    """What an administrator does on the wordlist page."""
    with rt.db.session() as s:
        shipped, _ = admin.wordlist_text(s, name)
        admin.save_override(s, s.get(User, people["admin"].id), name, shipped + f"\n{TERM}\n")


def _store_term_silently(rt, people, name="sensitive/personnel.txt"):
    """A list (or model) changes without the admin page, e.g. a deployment: nothing re-screens by itself."""
    with rt.db.session() as s:
        shipped, _ = admin.wordlist_text(s, name)
        s.add(WordlistOverride(name=name, content=shipped + f"\n{TERM}\n", updated_by_id=people["admin"].id,
                               updated_at=FIXED))


def test_a_wordlist_edit_rescreens_and_restarts_a_draft_whose_sensitivity_rose(rt, people):
    p = people
    rising = submitted(rt, p["editor"], ACADEMY)
    steady = submitted(rt, p["editor"], GENERAL)
    for draft_id in (rising, steady):
        decide(rt, p["editor2"], draft_id)
    assert state(rt, rising)["current_tier"] == "dept_head"
    _add_term(rt, people)
    shown = state(rt, rising)
    assert (shown["sensitivity"], shown["route"], shown["current_tier"]) == (
        "important", ["editor", "dept_head", "leader"], "editor")
    assert "敏感级别由“一般”升为“重要”" in shown["note"]
    assert any(f["check"] == "sensitive_topic" and f["text"] == TERM for f in shown["findings"])
    with rt.db.session() as s:
        assert workflow.round_signoffs(s, workflow.get_draft(s, rising)) == []  # editor2 signs again
    assert actions(rt, rising)[-3:] == ["rescreened", "route_restarted", "routed"]
    restarted = events(rt, rising, "route_restarted")[0]
    assert restarted.actor == "system" and "升为" in restarted.details["reason"]
    # The other draft was screened again too, and keeps its place and its sign-off.
    kept = state(rt, steady)
    assert (kept["current_tier"], kept["sensitivity"]) == ("dept_head", "general")
    assert "rescreened" in actions(rt, steady) and "route_restarted" not in actions(rt, steady)
    assert approve_all(rt, rising, p["editor2"], p["head"], p["leader"])["status"] == "approved"


def test_an_approved_but_unpublished_draft_goes_back_to_review(rt, people):
    draft_id = submitted(rt, people["editor"], ACADEMY)
    approve_all(rt, draft_id, people["editor2"], people["head"])
    _add_term(rt, people)
    assert state(rt, draft_id)["status"] == "in_review"
    with pytest.raises(Conflict):
        publish(rt, people["editor"], draft_id)


def test_a_draft_that_is_now_blocked_returns_to_the_author_saying_why(rt, people):
    draft_id = submitted(rt, people["editor"], ACADEMY)
    _add_term(rt, people, "prohibited/gambling.txt")
    shown = state(rt, draft_id)
    assert (shown["status"], shown["sensitivity"]) == ("returned", "blocked")
    assert "词库或模型更新" in shown["note"] and "禁止发布" in shown["note"]


def test_a_published_or_returned_draft_is_left_alone(rt, people):
    published = submitted(rt, people["editor"], ACADEMY)
    approve_all(rt, published, people["editor2"], people["head"])
    publish(rt, people["editor"], published)
    returned = submitted(rt, people["editor"], ACADEMY)
    decide(rt, people["editor2"], returned, "reject", "请核实开放时间。")
    _add_term(rt, people)
    assert "rescreened" not in actions(rt, published) + actions(rt, returned)


def test_running_the_rescreen_twice_is_harmless(rt, people):
    from review import jobs

    draft_id = submitted(rt, people["editor"], ACADEMY)
    _add_term(rt, people)
    first = state(rt, draft_id)
    assert jobs.rescreen_draft(rt, draft_id) == "unchanged"
    again = state(rt, draft_id)
    assert (again["route"], again["current_tier"], again["note"]) == (first["route"], first["current_tier"], first["note"])


@pytest.fixture
def cli_env(rt, monkeypatch, tmp_path):
    env = {"DATABASE_URL": rt.config.database_url, "INSTANCE_PATH": str(tmp_path / "cli-instance")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return env


def test_review_rescreen_inline_shows_progress_and_restarts_what_rose(rt, people, cli_env):
    rising = submitted(rt, people["editor"], ACADEMY)
    steady = submitted(rt, people["editor"], GENERAL)
    _store_term_silently(rt, people)
    assert state(rt, rising)["route"] == ["editor", "dept_head"]  # nothing happened by itself
    result = CliRunner().invoke(cli, ["rescreen"])
    assert result.exit_code == 0, result.output
    assert "重新审查" in result.output and "已重新审查 2 篇稿件，其中 1 篇" in result.output
    assert state(rt, rising)["route"] == ["editor", "dept_head", "leader"]
    assert state(rt, steady)["route"] == ["editor", "dept_head"]


def test_review_rescreen_with_nothing_in_review(rt, cli_env):
    result = CliRunner().invoke(cli, ["rescreen"])
    assert result.exit_code == 0 and "没有审核中的稿件" in result.output


# ---------------------------------------------------------------- through Redis and RQ workers


@pytest.fixture
def redis_rt(config, redis_url, rt):
    """A second runtime on the same database that queues jobs in Redis, and workers that use it."""
    from workers import context

    runtime = Runtime(Config.from_env(environ={"INSTANCE_PATH": str(config.instance_path),
                                               "DATABASE_URL": config.database_url, "REDIS_URL": redis_url}))
    runtime.screeners = rt.screeners
    context.use(runtime)
    yield runtime
    context.use(None)
    runtime.db.dispose()


def _work(runtime) -> None:
    from rq import SimpleWorker

    SimpleWorker([runtime.queue()], connection=runtime.redis).work(burst=True)


def test_with_redis_submit_returns_screening_and_the_worker_moves_the_draft_on(redis_rt, people):
    from review.workflow import create_draft, submit

    with redis_rt.db.session() as s:
        draft_id = create_draft(s, people["editor"], *GENERAL, channel_id=channel_of(redis_rt, people["editor"])).id
    with redis_rt.db.session() as s:
        submit(s, people["editor"], draft_id)
    assert state(redis_rt, draft_id)["status"] == "screening"
    assert redis_rt.queue().count == 1
    _work(redis_rt)
    assert state(redis_rt, draft_id)["status"] == "in_review"


def test_review_rescreen_through_rq_workers_with_a_progress_bar(rt, redis_rt, people, cli_env, redis_url):
    rising = submitted(rt, people["editor"], ACADEMY)
    steady = submitted(rt, people["editor"], GENERAL)
    _store_term_silently(rt, people)
    env = {**os.environ, **cli_env, "REDIS_URL": redis_url, "PYTHONPATH": str(ROOT)}
    command = subprocess.Popen([sys.executable, "-m", "review", "rescreen"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while redis_rt.queue().count < 2:  # the command queued its jobs and now waits for workers
            assert command.poll() is None, command.communicate()
            assert time.monotonic() < deadline, "rescreen jobs never queued"
            time.sleep(0.1)
        _work(redis_rt)
        out, err = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            command.kill()
    assert command.returncode == 0, err
    assert "已提交 2 个重新审查任务" in out and "重新审查" in out and "其中 1 篇" in out
    assert state(rt, rising)["route"] == ["editor", "dept_head", "leader"]
    assert state(rt, steady)["route"] == ["editor", "dept_head"]


def test_review_rescreen_no_wait_leaves_the_work_to_the_workers(rt, redis_rt, people, cli_env, redis_url, monkeypatch):
    rising = submitted(rt, people["editor"], ACADEMY)
    _store_term_silently(rt, people)
    monkeypatch.setenv("REDIS_URL", redis_url)
    result = CliRunner().invoke(cli, ["rescreen", "--no-wait"])
    assert result.exit_code == 0 and "已提交 1 个" in result.output
    assert state(rt, rising)["route"] == ["editor", "dept_head"]
    _work(redis_rt)
    assert state(rt, rising)["route"] == ["editor", "dept_head", "leader"]


def test_a_wordlist_edit_queues_rescreen_jobs_for_the_workers(rt, redis_rt, people):
    draft_id = submitted(rt, people["editor"], ACADEMY)
    with redis_rt.db.session() as s:
        shipped, _ = admin.wordlist_text(s, "sensitive/personnel.txt")
        admin.save_override(s, s.get(User, people["admin"].id), "sensitive/personnel.txt", shipped + f"\n{TERM}\n")
    assert state(rt, draft_id)["route"] == ["editor", "dept_head"]
    # The patrol of published posts is queued with the re-screening (错敏信息巡查).
    assert [j.func_name for j in redis_rt.queue().jobs] == ["workers.jobs.patrol_published", "workers.jobs.rescreen_draft"]
    _work(redis_rt)
    assert state(rt, draft_id)["route"] == ["editor", "dept_head", "leader"]
