"""Failed screening jobs are retried, and a draft never stays in "screening" forever."""

import pytest
from rq import SimpleWorker

import review.jobs
import workers.context
from review import workflow
from review.db import utcnow
from review.models import AuditEvent, Draft
from review.runtime import Runtime
from tests.conftest import channel_of


@pytest.fixture
def queued_runtime(config, redis_url, people):
    config.redis_url = redis_url
    config.retry_intervals = (0, 0)
    rt = Runtime(config)
    workers.context.use(rt)
    yield rt
    workers.context.use(None)
    rt.db.dispose()


def submit_draft(rt, people) -> int:
    with rt.db.session() as s:
        draft = workflow.create_draft(s, people["editor"], "会议通知", "定于周五召开工作会议。",
                                      channel_id=channel_of(rt, people["editor"]))
        workflow.submit(s, people["editor"], draft.id)
        return draft.id


def work(rt):
    SimpleWorker([rt.queue()], connection=rt.redis).work(burst=True)


def test_a_job_that_fails_once_is_retried_and_the_draft_moves_on(queued_runtime, people, monkeypatch):
    real = review.jobs.run_screen
    calls = []

    def flaky(*args):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("词库服务暂时不可用")
        return real(*args)

    monkeypatch.setattr(review.jobs, "run_screen", flaky)
    draft_id = submit_draft(queued_runtime, people)
    work(queued_runtime)
    assert len(calls) == 2
    with queued_runtime.db.session() as s:
        assert s.get(Draft, draft_id).status == "in_review"


def test_after_the_last_retry_the_draft_returns_to_its_author(queued_runtime, people, monkeypatch):
    def broken(*args):
        raise RuntimeError("模型文件损坏")

    monkeypatch.setattr(review.jobs, "run_screen", broken)
    draft_id = submit_draft(queued_runtime, people)
    work(queued_runtime)
    with queued_runtime.db.session() as s:
        draft = s.get(Draft, draft_id)
        assert draft.status == "returned"
        assert "自动审查未能完成" in draft.note
        failed = s.query(AuditEvent).filter_by(draft_id=draft_id, action="screening_failed").one()
        assert "模型文件损坏" in failed.details["error"]


def test_inline_mode_returns_the_draft_when_screening_crashes(runtime, people, monkeypatch):
    monkeypatch.setattr(review.jobs, "run_screen", lambda *a: 1 / 0)
    draft_id = submit_draft(runtime, people)
    with runtime.db.session() as s:
        assert s.get(Draft, draft_id).status == "returned"


def test_maintenance_queues_one_feed_import_per_period_across_workers(queued_runtime):
    from workers.worker import maintenance_tick

    maintenance_tick()
    maintenance_tick()  # a second worker's tick in the same period
    queued = [job.func_name for job in queued_runtime.queue().jobs]
    # Every tick also checks urgent deadlines (each alert is sent once, whoever checks).
    assert [j for j in queued if j != "workers.jobs.check_deadlines"] == ["workers.jobs.import_feeds"]


def test_a_robot_post_that_fails_is_retried_by_rq_until_it_is_delivered(queued_runtime, people, monkeypatch):
    from sqlalchemy import select

    from review import delivery
    from review.models import Department, OutboundMessage

    with queued_runtime.db.session() as s:
        s.scalar(select(Department).where(Department.id == people["editor"].department_id)).robot_url = \
            "http://127.0.0.1:9/robot"
    posts = []

    def flaky_robot(url, text):
        posts.append(text)
        if len(posts) == 1:
            raise delivery.DeliveryFailed("群机器人推送失败：连接被拒绝")

    monkeypatch.setattr(delivery, "post_to_robot", flaky_robot)
    submit_draft(queued_runtime, people)
    work(queued_runtime)  # screening, then the robot job, failing once and retried
    with queued_runtime.db.session() as s:
        row = s.scalar(select(OutboundMessage).where(OutboundMessage.channel == "robot"))
    assert len(posts) == 2 and (row.status, row.attempts) == ("sent", 2)


def test_every_worker_entry_point_has_one_job_spec():
    """The job table (review.jobs.JOBS) and the RQ entry points (workers/jobs.py) name the same jobs."""
    import inspect

    from review import jobs as review_jobs
    from workers import jobs as worker_jobs

    entry_points = {name for name, fn in inspect.getmembers(worker_jobs, inspect.isfunction)
                    if fn.__module__ == worker_jobs.__name__ and not name.startswith("on_")}
    assert entry_points == set(review_jobs.JOBS)
    assert review_jobs.JOBS["screen_revision"].on_failure == "workers.jobs.on_screening_failure"
