"""The originals library: JSONL import (all or nothing, idempotent), persistence, the index."""
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from review import originals
from review.cli import cli
from review.db import Database
from review.errors import InvalidInput
from review.originals import Original

RIVER = {
    "title": "沿江城市共护一江清水",
    "body": "本月以来，沿江多个城市联合开展河道清理行动，累计清理岸线垃圾一千二百余吨。"
            "各地环保部门建立跨区域联合执法机制，对沿岸排污口逐一登记建档。\n"
            "下一步，沿江城市将继续推进污水管网改造，力争年底前实现城镇污水全收集、全处理。",
    "source": "人民日报",
    "url": "https://paper.people.com.cn/rmrb/2024/10/01/river.html",
    "published_at": "2024-10-01T06:00:00+08:00",
}
GRAIN = {
    "title": "秋粮收购有序推进",
    "body": "进入十月，主产区秋粮收购全面展开。粮食部门提前组织收储企业检修烘干设备，增加收购网点，"
            "方便农民就近售粮。有关负责人介绍，今年将继续执行最低收购价政策，切实保护种粮农民利益。",
    "source": "新华社",
    "published_at": "2024-10-02",
}


def write(tmp_path, *lines, name="originals.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(l if isinstance(l, str) else json.dumps(l, ensure_ascii=False) for l in lines) + "\n",
                    encoding="utf-8")
    return path


def count(db):
    with db.session() as s:
        return s.scalar(select(func.count(Original.id)))


def test_import_stores_articles_with_times_in_utc(db, tmp_path):
    result = originals.import_jsonl(db, write(tmp_path, RIVER, GRAIN))
    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    with db.session() as s:
        river = s.scalars(select(Original).where(Original.url == RIVER["url"])).one()
        grain = s.scalars(select(Original).where(Original.title == GRAIN["title"])).one()
    assert river.published_at.isoformat() == "2024-09-30T22:00:00+00:00"
    assert grain.published_at.isoformat() == "2024-10-01T16:00:00+00:00"  # a bare date is Beijing midnight
    assert grain.url is None and grain.source == "新华社"


def test_reimport_is_idempotent(db, tmp_path):
    path = write(tmp_path, RIVER, GRAIN)
    originals.import_jsonl(db, path)
    with db.session() as s:
        version = originals.library_version(s)
    result = originals.import_jsonl(db, path)
    assert (result.added, result.updated, result.unchanged) == (0, 0, 2)
    assert count(db) == 2
    with db.session() as s:
        assert originals.library_version(s) == version


def test_reimport_with_changed_text_updates_the_same_url(db, tmp_path):
    originals.import_jsonl(db, write(tmp_path, RIVER))
    corrected = dict(RIVER, body=RIVER["body"] + "（本报记者 张三）")
    result = originals.import_jsonl(db, write(tmp_path, corrected, name="fix.jsonl"))
    assert (result.added, result.updated) == (0, 1)
    with db.session() as s:
        assert s.scalars(select(Original.body)).one() == corrected["body"]


@pytest.mark.parametrize(
    "bad, reason",
    [
        ('{"title": "缺了右括号", "body": "正文"', "不是合法的 JSON"),
        (json.dumps({"title": "没有正文"}), "缺少正文"),
        (json.dumps({"body": "没有标题的正文"}), "缺少标题"),
        (json.dumps({"title": "t", "body": "b", "url": "ftp://example.cn/x"}), "http(s)"),
        (json.dumps({"title": "t", "body": "b", "published_at": "去年"}), "发布时间"),
        ("[1, 2]", "JSON 对象"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_imported(db, tmp_path, bad, reason):
    path = write(tmp_path, RIVER, GRAIN, bad)
    with pytest.raises(InvalidInput) as excinfo:
        originals.import_jsonl(db, path)
    assert "第 3 行" in excinfo.value.message and reason in excinfo.value.message
    assert count(db) == 0


def test_a_failure_while_writing_rolls_back_the_whole_file(db, tmp_path, monkeypatch):
    real = originals.import_records

    def fail_after_first(session, records):
        real(session, records[:1])
        raise RuntimeError("disk full")

    monkeypatch.setattr(originals, "import_records", fail_after_first)
    with pytest.raises(RuntimeError):
        originals.import_jsonl(db, write(tmp_path, RIVER, GRAIN))
    assert count(db) == 0


def test_non_utf8_line_is_named(db, tmp_path):
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(json.dumps(RIVER, ensure_ascii=False).encode() + b"\n" + '{"title": "标题"}'.encode("gbk") + b"\n")
    with pytest.raises(InvalidInput, match="第 2 行不是 UTF-8"):
        originals.import_jsonl(db, path)


def test_library_persists_across_restarts(db, tmp_path):
    originals.import_jsonl(db, write(tmp_path, RIVER, GRAIN))
    restarted = Database(db.url)  # a new process: nothing in memory survives, the rows do
    try:
        with restarted.session() as s:
            index = originals.build_index(s)
            assert index.built_from["version"] == originals.library_version(s)
    finally:
        restarted.dispose()
    [match] = index.query("转发：" + GRAIN["body"])
    assert match.title == GRAIN["title"] and match.share_of_original == 1.0


def test_incremental_rebuild_applies_only_changes(db, tmp_path):
    originals.import_jsonl(db, write(tmp_path, RIVER))
    with db.session() as s:
        index = originals.build_index(s)
    assert len(index) == 1
    originals.import_jsonl(db, write(tmp_path, GRAIN, name="more.jsonl"))
    with db.session() as s:
        assert originals.library_version(s) != index.built_from["version"]
        rebuilt = originals.build_index(s, previous=index)
        assert rebuilt is index and len(rebuilt) == 2
        full = originals.build_index(s)
        assert rebuilt.version == full.version
        s.delete(s.scalars(select(Original).where(Original.title == RIVER["title"])).one())
    with db.session() as s:
        rebuilt = originals.build_index(s, previous=rebuilt)
        assert rebuilt.built_from["version"] == originals.library_version(s)
    assert len(rebuilt) == 1 and rebuilt.query(RIVER["body"]) == []


@pytest.fixture
def env(db, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("REDIS_URL", raising=False)


def test_cli_import_reports_counts_and_bad_lines(db, tmp_path, env):
    runner = CliRunner()
    result = runner.invoke(cli, ["originals", "import", str(write(tmp_path, RIVER, GRAIN))])
    assert result.exit_code == 0, result.output
    assert "新增 2 篇" in result.output
    bad = write(tmp_path, GRAIN, "not json", name="bad.jsonl")
    result = runner.invoke(cli, ["originals", "import", str(bad)])
    assert result.exit_code == 1 and "第 2 行" in result.output
    assert count(db) == 2


def test_feed_changes_are_audited_and_the_cli_lists_them(db, env):
    from review.models import AuditEvent

    runner = CliRunner()
    result = runner.invoke(cli, ["originals", "feed-add", "https://www.gov.cn/rss.xml", "--source", "中国政府网"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["originals", "feed-add", "https://www.gov.cn/rss.xml"]).exit_code == 1
    with db.session() as s:
        feed = originals.list_feeds(s)[0]
        originals.set_feed_active(s, feed, False)
        originals.set_feed_active(s, feed, False)  # unchanged: nothing to record
    listing = runner.invoke(cli, ["originals", "feeds"])
    assert "停用\thttps://www.gov.cn/rss.xml\t中国政府网\t最近 从未" in listing.output
    with db.session() as s:
        originals.remove_feed(s, originals.list_feeds(s)[0])
        assert originals.list_feeds(s) == []
    with db.session() as s:  # audit events are appended at commit
        trail = [(e.actor, e.action) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert trail == [("system", "feed_added"), ("system", "feed_paused"), ("system", "feed_removed")]
