"""The foundation's proof: web pages → RQ job on a real worker process against real Redis → sign-offs → publish."""
import os
import re
import subprocess
import sys

from sqlalchemy import select

from review.models import AuditEvent, Draft, Publication


def run_worker_burst(config, redis_url):
    env = {**os.environ, "DATABASE_URL": config.database_url, "REDIS_URL": redis_url,
           "INSTANCE_PATH": str(config.instance_path)}
    result = subprocess.run([sys.executable, "-m", "review", "worker", "--burst"], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_draft_goes_from_editor_through_real_worker_to_publication(config, redis_url, people, tmp_path):
    from webui import create_app

    from tests.conftest import WebClient, channel_of

    config.redis_url = redis_url
    app = create_app(config)
    web = WebClient(app)
    try:
        editor = web.login("editor")
        response = editor.post("/drafts/new", data={
            "title": "关于开展冬季防火安全检查的通知", "body": "各单位要做好冬季防火安全检查工作。", "action": "submit",
            "channel_id": channel_of(app.extensions["runtime"], "editor")})
        assert response.status_code == 302
        draft_id = int(response.location.rsplit("/", 1)[1])
        runtime = app.extensions["runtime"]
        with runtime.db.session() as s:
            assert s.get(Draft, draft_id).status == "screening"  # queued, not screened in the web process

        run_worker_burst(config, redis_url)

        with runtime.db.session() as s:
            draft = s.get(Draft, draft_id)
            assert draft.status == "in_review"
            assert draft.route == ["editor", "dept_head"]

        for reviewer in ("editor2", "head"):
            client = web.login(reviewer)
            page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
            revision_hash = re.search(r'name="revision_hash" value="([0-9a-f]{64})"', page).group(1)
            assert client.post(f"/drafts/{draft_id}/decision",
                               data={"decision": "approve", "revision_hash": revision_hash}).status_code == 302

        assert web.login("editor").post(f"/drafts/{draft_id}/publish").status_code == 302
        run_worker_burst(config, redis_url)  # delivers the publication through the outbox adapter

        with runtime.db.session() as s:
            assert s.get(Draft, draft_id).status == "published"
            publication = s.scalar(select(Publication).where(Publication.draft_id == draft_id))
            assert publication.delivery.startswith("outbox:")
            actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.draft_id == draft_id)
                                                     .order_by(AuditEvent.seq))]
        assert actions == ["draft_created", "submitted", "screening_started", "screened", "routed",
                           "approved", "approved", "approved_all_tiers", "published", "publication_delivered"]
        exported = list((config.instance_path / "published").glob(f"*-draft{draft_id}.json"))
        assert exported and "冬季防火安全检查" in exported[0].read_text(encoding="utf-8")
    finally:
        app.extensions["runtime"].db.dispose()
