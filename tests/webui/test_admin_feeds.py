"""/admin/feeds: the originals library's news feeds, managed in the browser and audited."""
from __future__ import annotations

import pytest
from rq import SimpleWorker
from sqlalchemy import func, select

import workers.context
from review import originals
from review.models import AuditEvent
from review.originals import Original, OriginalFeed
from tests.conftest import WebClient
from tests.workers.test_feeds import server  # noqa: F401  (RSS, Atom and JSON feeds on 127.0.0.1)


def events(app, action):
    with app.extensions["runtime"].db.session() as s:
        return s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).all()


def add_feed(app, url, source=""):
    with app.extensions["runtime"].db.session() as s:
        return originals.add_feed(s, url, source).id


def feed_row(app, feed_id):
    with app.extensions["runtime"].db.session() as s:
        return s.get(OriginalFeed, feed_id)


@pytest.mark.parametrize("who", ["editor", "head", "leader", "auditor"])
def test_only_admins_reach_the_feeds_screen(web, app, who):
    feed_id = add_feed(app, "https://www.gov.cn/rss.xml")
    client = web.login(who)
    assert client.get("/admin/feeds").status_code == 403
    assert client.post("/admin/feeds", data={"url": "https://example.gov.cn/feed.xml"}).status_code == 403
    assert client.post(f"/admin/feeds/{feed_id}", data={"action": "pause"}).status_code == 403
    assert feed_row(app, feed_id).active and len(events(app, "feed_added")) == 1


def test_signed_out_visitors_are_sent_to_login(app, people):
    response = app.test_client().get("/admin/feeds")
    assert response.status_code == 302 and "/login" in response.location


def test_list_shows_each_feeds_last_result_and_escaped_error(web, app, db):
    ok_id = add_feed(app, "https://www.gov.cn/rss.xml", "中国政府网")
    bad_id = add_feed(app, "https://news.example.cn/feed.json")
    with app.extensions["runtime"].db.session() as s:
        ok = s.get(OriginalFeed, ok_id)
        ok.last_fetched_at, ok.last_added, ok.last_updated = originals.utcnow(), 7, 2
        s.get(OriginalFeed, bad_id).last_error = "ParseError: <script>alert(1)</script>"
        s.add(Original(title="标题", body="正文", source="新华社", content_hash="h", imported_at=originals.utcnow()))
    page = web.login("admin").get("/admin/feeds")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "原文订阅" in html and "https://www.gov.cn/rss.xml" in html and "中国政府网" in html
    assert "7 / 2" in html and "原文库篇数" in html
    assert "ParseError: &lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert web.get("/admin/").get_data(as_text=True).count('href="/admin/feeds"') == 1  # in the admin menu


def test_admin_adds_a_feed_and_bad_input_keeps_what_was_typed(web, app):
    admin = web.login("admin")
    bad = admin.post("/admin/feeds", data={"url": "ftp://example.cn/rss", "source": "某某县融媒体中心"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "订阅地址须为 http(s) 地址" in html
    assert 'value="ftp://example.cn/rss"' in html and 'value="某某县融媒体中心"' in html

    good = admin.post("/admin/feeds", data={"url": " https://www.gov.cn/rss.xml ", "source": "中国政府网"})
    assert good.status_code == 302
    with app.extensions["runtime"].db.session() as s:
        feed = s.scalars(select(OriginalFeed)).one()
    assert (feed.url, feed.source, feed.active) == ("https://www.gov.cn/rss.xml", "中国政府网", True)
    added = events(app, "feed_added")
    assert len(added) == 1 and added[0].actor == "admin"
    assert added[0].details == {"feed_id": feed.id, "url": "https://www.gov.cn/rss.xml", "source": "中国政府网"}

    duplicate = admin.post("/admin/feeds", data={"url": "https://www.gov.cn/rss.xml", "source": "另一个"})
    html = duplicate.get_data(as_text=True)
    assert duplicate.status_code == 400 and "订阅 https://www.gov.cn/rss.xml 已存在" in html and 'value="另一个"' in html
    with app.extensions["runtime"].db.session() as s:
        assert s.scalar(select(func.count(OriginalFeed.id))) == 1
    assert len(events(app, "feed_added")) == 1


def test_admin_pauses_and_resumes_a_feed(web, app):
    feed_id = add_feed(app, "https://www.gov.cn/rss.xml")
    admin = web.login("admin")
    assert admin.post(f"/admin/feeds/{feed_id}", data={"action": "pause"}).status_code == 302
    assert not feed_row(app, feed_id).active
    assert "已暂停" in admin.get("/admin/feeds").get_data(as_text=True)
    assert admin.post(f"/admin/feeds/{feed_id}", data={"action": "resume"}).status_code == 302
    assert feed_row(app, feed_id).active
    assert [e.details["feed_id"] for e in events(app, "feed_paused") + events(app, "feed_resumed")] == [feed_id] * 2
    assert events(app, "feed_paused")[0].actor == "admin"


def test_paused_feeds_are_left_out_of_the_scheduled_import(web, app, server):  # noqa: F811
    paused = add_feed(app, server + "/rss.xml")
    active = add_feed(app, server + "/atom.xml")
    assert web.login("admin").post(f"/admin/feeds/{paused}", data={"action": "pause"}).status_code == 302
    outcome = originals.import_feeds(app.extensions["runtime"].db)
    assert set(outcome) == {active}
    assert feed_row(app, paused).last_fetched_at is None


def test_delete_needs_the_confirm_box_and_keeps_imported_originals(web, app, server):  # noqa: F811
    feed_id = add_feed(app, server + "/atom.xml")
    admin = web.login("admin")
    assert admin.post(f"/admin/feeds/{feed_id}", data={"action": "import"}).status_code == 302
    unconfirmed = admin.post(f"/admin/feeds/{feed_id}", data={"action": "delete"})
    assert unconfirmed.status_code == 400 and "确认删除" in unconfirmed.get_data(as_text=True)
    assert feed_row(app, feed_id) is not None

    assert admin.post(f"/admin/feeds/{feed_id}", data={"action": "delete", "confirm": "on"}).status_code == 302
    assert feed_row(app, feed_id) is None
    removed = events(app, "feed_removed")
    assert len(removed) == 1 and removed[0].details["url"] == server + "/atom.xml"
    with app.extensions["runtime"].db.session() as s:
        assert s.scalars(select(Original.title)).all() == ["新学期校园安全检查启动"]
    assert admin.post(f"/admin/feeds/{feed_id}", data={"action": "pause"}).status_code == 404


def test_import_now_runs_inline_without_a_queue_and_shows_the_result(web, app, server):  # noqa: F811
    feed_id = add_feed(app, server + "/rss.xml", "省政府网")
    admin = web.login("admin")
    response = admin.post(f"/admin/feeds/{feed_id}", data={"action": "import"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "已执行导入" in html
    feed = feed_row(app, feed_id)
    assert feed.last_fetched_at is not None and feed.last_added == 1
    assert "缺少正文" in feed.last_error and "缺少正文" in html  # the item without a body is reported
    with app.extensions["runtime"].db.session() as s:
        assert s.scalars(select(Original.title)).all() == ["全省秋粮收购有序推进"]
    requested = events(app, "feed_import_requested")
    assert len(requested) == 1 and requested[0].actor == "admin" and requested[0].details["feed_id"] == feed_id


def test_a_feed_that_fails_shows_its_error_on_the_page(web, app, server):  # noqa: F811
    feed_id = add_feed(app, server + "/missing.xml")
    response = web.login("admin").post(f"/admin/feeds/{feed_id}", data={"action": "import"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HTTP Error 404" in feed_row(app, feed_id).last_error
    assert "HTTPError: HTTP Error 404: Not Found" in html


@pytest.mark.redis
def test_import_now_is_queued_for_the_worker_when_redis_is_configured(config, redis_url, people, server):  # noqa: F811
    from webui import create_app

    config.redis_url = redis_url
    app = create_app(config)
    runtime = app.extensions["runtime"]
    try:
        feed_id = add_feed(app, server + "/feed.json")
        response = WebClient(app).login("admin").post(f"/admin/feeds/{feed_id}", data={"action": "import"},
                                                      follow_redirects=True)
        assert "已加入后台导入队列" in response.get_data(as_text=True)
        assert feed_row(app, feed_id).last_fetched_at is None  # the request did not fetch
        assert [job.func_name for job in runtime.queue().jobs] == ["workers.jobs.import_feed"]

        workers.context.use(runtime)
        SimpleWorker([runtime.queue()], connection=runtime.redis).work(burst=True)
        assert feed_row(app, feed_id).last_added == 1
    finally:
        workers.context.use(None)
        runtime.db.dispose()
