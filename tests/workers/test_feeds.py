"""The scheduled feed import, against RSS, Atom and JSON feeds served on 127.0.0.1."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from review import originals
from review.config import Config
from review.originals import Original, OriginalFeed
from review.runtime import Runtime
from workers import context, jobs

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>省政府网</title>
<item><title>全省秋粮收购有序推进</title><link>http://127.0.0.1/rss/1.html</link>
<pubDate>Tue, 01 Oct 2024 08:00:00 +0800</pubDate>
<description>摘要</description>
<content:encoded><![CDATA[<p>进入十月，全省秋粮收购全面展开。</p><p>粮食部门增加收购网点，方便农民就近售粮。</p>]]></content:encoded></item>
<item><title>没有正文的条目</title><link>http://127.0.0.1/rss/2.html</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>市融媒体中心</title>
<entry><title>新学期校园安全检查启动</title><link href="http://127.0.0.1/atom/1.html"/>
<published>2024-09-01T09:00:00+08:00</published>
<content type="html">&lt;p&gt;教育部门会同多部门对辖区学校开展全面安全检查。&lt;/p&gt;</content></entry>
</feed>"""

JSON_FEED = json.dumps({
    "version": "https://jsonfeed.org/version/1.1", "title": "县政府网",
    "items": [{"id": "1", "title": "社区开展重阳敬老活动", "url": "http://127.0.0.1/json/1.html",
               "content_text": "重阳节当天，社区志愿者走访独居老人。", "date_published": "2024-10-11T10:00:00+08:00"}],
}, ensure_ascii=False)

ROUTES = {"/rss.xml": (RSS, "application/rss+xml"), "/atom.xml": (ATOM, "application/atom+xml"),
          "/feed.json": (JSON_FEED, "application/feed+json")}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path not in ROUTES:
            self.send_error(404)
            return
        text, ctype = ROUTES[self.path]
        data = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def runtime(db, tmp_path):
    rt = Runtime(Config.from_env({"DATABASE_URL": db.url, "INSTANCE_PATH": str(tmp_path)}))
    context.use(rt)
    yield rt
    context.use(None)
    rt.db.dispose()


def add_feeds(runtime, server, *paths):
    with runtime.db.session() as s:
        return [originals.add_feed(s, server + p).id for p in paths]


def test_job_imports_rss_atom_and_json_feeds(runtime, server):
    add_feeds(runtime, server, "/rss.xml", "/atom.xml", "/feed.json")
    jobs.import_feeds()
    with runtime.db.session() as s:
        rows = {o.title: o for o in s.scalars(select(Original))}
        rss = s.scalars(select(OriginalFeed).where(OriginalFeed.url.endswith("/rss.xml"))).one()
    assert set(rows) == {"全省秋粮收购有序推进", "新学期校园安全检查启动", "社区开展重阳敬老活动"}
    grain = rows["全省秋粮收购有序推进"]
    assert grain.body == "进入十月，全省秋粮收购全面展开。\n粮食部门增加收购网点，方便农民就近售粮。"
    assert grain.source == "省政府网" and grain.url == "http://127.0.0.1/rss/1.html"
    assert grain.published_at.isoformat() == "2024-10-01T00:00:00+00:00"
    assert rows["新学期校园安全检查启动"].body == "教育部门会同多部门对辖区学校开展全面安全检查。"
    # The outcome is recorded on the feed row; the item without a body is reported, not imported.
    assert rss.last_added == 1 and rss.last_fetched_at is not None and "缺少正文" in rss.last_error


def test_running_the_job_again_is_harmless(runtime, server):
    add_feeds(runtime, server, "/rss.xml", "/feed.json")
    jobs.import_feeds()
    with runtime.db.session() as s:
        version = originals.library_version(s)
    outcome = jobs.import_feeds()
    assert all("新增 0 篇" in text for text in outcome.values())
    with runtime.db.session() as s:
        assert originals.library_version(s) == version


def test_a_broken_feed_is_recorded_and_does_not_stop_the_others(runtime, server):
    broken, good = add_feeds(runtime, server, "/missing.xml", "/atom.xml")
    with pytest.raises(RuntimeError, match="订阅导入失败"):
        jobs.import_feeds()  # raises so RQ shows the job as failed
    with runtime.db.session() as s:
        assert "404" in s.get(OriginalFeed, broken).last_error
        assert s.get(OriginalFeed, good).last_added == 1
        assert s.scalars(select(Original.title)).all() == ["新学期校园安全检查启动"]


def test_the_one_feed_job_imports_that_feed_and_skips_a_removed_one(runtime, server):
    rss, atom = add_feeds(runtime, server, "/rss.xml", "/atom.xml")
    assert jobs.import_feed(atom) == "新增 1 篇，更新 0 篇，未变 0 篇"
    with runtime.db.session() as s:
        assert s.get(OriginalFeed, rss).last_fetched_at is None
        originals.remove_feed(s, s.get(OriginalFeed, rss))
    assert jobs.import_feed(rss) == "missing"  # queued before the feed was removed: harmless


def test_feeds_with_entity_declarations_are_refused():
    evil = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel><title>&a;</title></channel></rss>'
    with pytest.raises(ValueError, match="DTD"):
        originals.parse_feed(evil)
