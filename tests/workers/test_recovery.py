"""Faults: Redis down at submit, a worker killed mid-job, a Redis restarted empty. The committed
draft is never answered with a 500 and never waits ten minutes; the watchdog queues its job again."""
from __future__ import annotations

from datetime import timedelta

import pytest
import redis as redis_lib
from rq import SimpleWorker
from rq.job import Job
from sqlalchemy import update

import workers.context
from review import recovery, workflow
from review.db import utcnow
from review.models import Draft
from review.runtime import Runtime
from tests.conftest import channel_of

pytestmark = pytest.mark.redis


@pytest.fixture
def queued_runtime(config, redis_url, people):
    config.redis_url = redis_url
    rt = Runtime(config)
    workers.context.use(rt)
    yield rt
    workers.context.use(None)
    rt.db.dispose()


def _submit(rt, people) -> tuple[int, int]:
    channel_id = channel_of(rt, people["editor"])
    with rt.db.session() as s:
        draft = workflow.create_draft(s, people["editor"], "会议通知", "定于周五召开工作会议。", channel_id=channel_id)
        workflow.submit(s, people["editor"], draft.id)
        return draft.id, draft.current_revision_id


def _age(rt, draft_id):
    """As if the draft had waited longer than the watchdog's grace period."""
    with rt.db.session() as s:
        s.execute(update(Draft).where(Draft.id == draft_id).values(updated_at=utcnow() - timedelta(minutes=1)))


def _status(rt, draft_id) -> str:
    with rt.db.session() as s:
        return s.get(Draft, draft_id).status


def _work(rt):
    SimpleWorker([rt.queue()], connection=rt.redis).work(burst=True)


def test_with_redis_down_submit_commits_the_draft_and_succeeds(queued_runtime, people):
    live = queued_runtime.redis
    queued_runtime.redis = redis_lib.Redis(port=1, socket_connect_timeout=0.5)  # nothing listens there
    draft_id, _ = _submit(queued_runtime, people)  # no exception after commit
    assert _status(queued_runtime, draft_id) == "screening"
    queued_runtime.redis = live  # Redis is back
    _age(queued_runtime, draft_id)
    assert recovery.recover_lost_jobs(queued_runtime) != []
    _work(queued_runtime)
    assert _status(queued_runtime, draft_id) == "in_review"


def test_api_submit_with_redis_down_is_not_a_500(app, people, config):
    from review import accounts
    from review.models import User

    runtime = app.extensions["runtime"]
    runtime.redis = redis_lib.Redis(port=1, socket_connect_timeout=0.5)
    with runtime.db.session() as s:
        token = accounts.create_token(s, s.get(User, people["editor"].id))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    draft = client.post("/api/v1/drafts", json={"title": "会议通知", "body": "定于周五召开工作会议。",
                                                "channel": channel_of(runtime, people["editor"])}, headers=headers)
    response = client.post(f"/api/v1/drafts/{draft.get_json()['id']}/submit", headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "screening"


def test_a_job_started_by_a_worker_whose_heartbeat_stopped_is_queued_again(queued_runtime, people):
    draft_id, revision_id = _submit(queued_runtime, people)
    job = Job.fetch(queued_runtime.redis.get(recovery.job_key("screen_revision", revision_id)).decode(),
                    connection=queued_runtime.redis)
    queued_runtime.queue().remove(job)  # taken off the queue by a worker…
    job.set_status("started")
    job.worker_name = "worker-that-died"
    job.save()
    _age(queued_runtime, draft_id)
    recovery.beat(queued_runtime.redis, "worker-that-died")
    assert recovery.recover_lost_jobs(queued_runtime) == []  # …alive while its heartbeat is fresh
    queued_runtime.redis.delete(recovery.alive_key("worker-that-died"))  # …then killed
    assert recovery.recover_lost_jobs(queued_runtime) == [("screen_revision", revision_id)]
    _work(queued_runtime)
    assert _status(queued_runtime, draft_id) == "in_review"


def test_a_redis_restarted_empty_loses_nothing(queued_runtime, people):
    draft_id, revision_id = _submit(queued_runtime, people)
    queued_runtime.redis.flushdb()
    _age(queued_runtime, draft_id)
    assert recovery.recover_lost_jobs(queued_runtime) == [("screen_revision", revision_id)]
    _work(queued_runtime)
    assert _status(queued_runtime, draft_id) == "in_review"


def test_a_queued_job_is_left_alone(queued_runtime, people):
    draft_id, _ = _submit(queued_runtime, people)
    _age(queued_runtime, draft_id)
    assert recovery.recover_lost_jobs(queued_runtime) == []


def test_a_job_that_keeps_dying_returns_the_draft_to_its_author(queued_runtime, people):
    draft_id, revision_id = _submit(queued_runtime, people)
    for _ in range(recovery.MAX_RECOVERIES + 1):
        queued_runtime.redis.delete(recovery.job_key("screen_revision", revision_id))
        _age(queued_runtime, draft_id)
        recovery.recover_lost_jobs(queued_runtime)
    assert _status(queued_runtime, draft_id) == "returned"
