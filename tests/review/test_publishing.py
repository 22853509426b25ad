"""Channel adapters: the outbox (Publication row + JSON export) and the HTTP webhook."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from review import jobs
from review.models import Channel, Department, Publication

from .workflow_helpers import GENERAL, approve_all, create, events, publish, rt, submit

__all__ = ["rt"]


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(self.server.status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    server.received, server.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}/posts"
    yield server
    server.shutdown()
    server.server_close()


def _channel(rt, adapter="outbox", url=None) -> int:
    with rt.db.session() as s:
        dept = s.scalar(select(Department).where(Department.name == "宣传科"))
        channel = Channel(name=f"宣传科{adapter}", platform="微信公众号", department_id=dept.id, adapter=adapter,
                          webhook_url=url)
        s.add(channel)
    return channel.id


def _approved(rt, people, channel_id) -> int:
    draft_id = create(rt, people["editor"], GENERAL, channel_id=channel_id)
    submit(rt, people["editor"], draft_id)
    approve_all(rt, draft_id, people["editor2"], people["head"])
    return draft_id


def _publication(rt, draft_id) -> Publication:
    with rt.db.session() as s:
        return s.scalar(select(Publication).where(Publication.draft_id == draft_id))


def test_outbox_writes_the_publication_row_and_a_json_export(rt, people, config):
    draft_id = _approved(rt, people, _channel(rt))
    publish(rt, people["editor"], draft_id)
    row = _publication(rt, draft_id)
    name = row.delivery.removeprefix("outbox:")
    path = config.publish_export_dir / name
    assert name == f"{row.published_at:%Y%m%d}-draft{draft_id}.json"
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported == {"published_at": row.published_at.isoformat(), **row.payload}
    assert (exported["title"], exported["body"]) == GENERAL
    assert exported["channel"] == {"id": row.channel_id, "name": "宣传科outbox", "platform": "微信公众号"}
    assert [(s["tier"], s["user"]) for s in exported["signoffs"]] == [("editor", "editor2"), ("dept_head", "head")]
    assert not list(config.publish_export_dir.glob("*.tmp"))  # written whole, then renamed


def test_webhook_posts_exactly_what_was_published(rt, people, webhook):
    draft_id = _approved(rt, people, _channel(rt, "webhook", webhook.url))
    publish(rt, people["head"], draft_id)
    row = _publication(rt, draft_id)
    assert row.adapter == "webhook" and row.delivery == "webhook:200"
    ((content_type, body),) = webhook.received
    assert content_type.startswith("application/json")
    assert body == {"published_at": row.published_at.isoformat(), **row.payload}
    assert body["content_hash"] == row.content_hash
    delivered = events(rt, draft_id, "publication_delivered")[0]
    assert delivered.details["delivery"] == "webhook:200" and delivered.revision_hash == row.content_hash


def test_a_failed_webhook_keeps_the_record_and_a_retry_delivers_once(rt, people, webhook):
    webhook.status = 503
    draft_id = _approved(rt, people, _channel(rt, "webhook", webhook.url))
    publish(rt, people["editor"], draft_id)
    row = _publication(rt, draft_id)
    assert row.delivery == "" and len(webhook.received) == 1  # the published record stands; delivery is owed
    with pytest.raises(Exception):
        jobs.deliver_publication(rt, row.id)  # raising is what makes RQ retry it
    webhook.status = 200
    assert jobs.deliver_publication(rt, row.id) == "webhook:200"
    assert jobs.deliver_publication(rt, row.id) == "webhook:200"  # idempotent: not posted again
    assert len(webhook.received) == 3
    assert [e.action for e in events(rt, draft_id)].count("publication_delivered") == 1


