"""The originals library: published articles a draft may repost, kept in the database.

Imported from JSONL files (`review originals import`) and from RSS/Atom/JSON feeds an
administrator configures at /admin/feeds or with `review originals feed-add` (the
`workers.jobs.import_feeds` job, queued by the worker's maintenance loop). Screening searches it through
a classifiers.originals.OriginalsIndex that `build_index` builds, and rebuilds incrementally.
002 §20 / 004 6.3.1.4: a repost must not alter the original's title or content, so the check
needs the original to compare against.
"""
from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable

from sqlalchemy import Boolean, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from classifiers.originals import OriginalsIndex

from . import audit
from .db import Base, Database, UTCDateTime, on_commit, utcnow
from .errors import InvalidInput
from .models import User

log = logging.getLogger(__name__)

TITLE_MAX = 500
SOURCE_MAX = 200
URL_MAX = 1000
# Naive times in imported data are Beijing time: every source this library holds is Chinese.
BEIJING = timezone(timedelta(hours=8))
FEED_MAX_BYTES = 10 * 1024 * 1024
FEED_TIMEOUT_SECONDS = 30
FEED_IMPORT_EVERY_SECONDS = 30 * 60  # the worker's maintenance loop queues import_feeds this often


class Original(Base):
    """One published article. Deduplicated by URL when it has one, else by its content hash."""

    __tablename__ = "original"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(SOURCE_MAX), default="")
    url: Mapped[str | None] = mapped_column(String(URL_MAX), unique=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Set again when a re-import changes the article, so the library version moves.
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class OriginalFeed(Base):
    """A feed an administrator configured; each fetch records its outcome here, not only in Redis."""

    __tablename__ = "original_feed"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_MAX), unique=True)
    source: Mapped[str] = mapped_column(String(SOURCE_MAX), default="")  # used when an item names none
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_added: Mapped[int] = mapped_column(Integer, default=0)
    last_updated: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


def original_hash(title: str, body: str) -> str:
    data = f"{len(title)}:{title}\n{body}".encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class OriginalRecord:
    title: str
    body: str
    source: str = ""
    url: str | None = None
    published_at: datetime | None = None

    @property
    def content_hash(self) -> str:
        return original_hash(self.title, self.body)


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"新增 {self.added} 篇，更新 {self.updated} 篇，未变 {self.unchanged} 篇"


# -- validation ----------------------------------------------------------------------------


def parse_time(value) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("发布时间须为 ISO 8601 字符串")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)  # RSS: "Mon, 01 Jan 2024 08:00:00 +0800"
        except (TypeError, ValueError):
            raise ValueError(f"无法识别的发布时间 {text!r}") from None
    if isinstance(parsed, date) and not isinstance(parsed, datetime):
        parsed = datetime(parsed.year, parsed.month, parsed.day)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BEIJING)
    return parsed.astimezone(timezone.utc)


def record_from_dict(data) -> OriginalRecord:
    """Validate one imported article; raises ValueError with a Chinese reason."""
    if not isinstance(data, dict):
        raise ValueError("每行须为一个 JSON 对象")
    title, body = data.get("title"), data.get("body")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("缺少标题 title")
    if not isinstance(body, str) or not body.strip():
        raise ValueError("缺少正文 body")
    if len(title.strip()) > TITLE_MAX:
        raise ValueError(f"标题超过 {TITLE_MAX} 字")
    source = data.get("source") or ""
    if not isinstance(source, str) or len(source) > SOURCE_MAX:
        raise ValueError(f"来源 source 须为不超过 {SOURCE_MAX} 字的字符串")
    url = data.get("url") or None
    if url is not None:
        if not isinstance(url, str) or not re.match(r"https?://\S+$", url.strip()) or len(url) > URL_MAX:
            raise ValueError("链接 url 须为 http(s) 地址")
        url = url.strip()
    # "date" is what the bundled news exports call it.
    published_at = parse_time(data.get("published_at", data.get("date")))
    return OriginalRecord(title.strip(), body.strip(), source.strip(), url, published_at)


def read_jsonl(path: str | Path) -> list[OriginalRecord]:
    """Every record of a JSONL file, or InvalidInput naming the first bad line; nothing partial."""
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise InvalidInput(f"无法读取文件 {path}：{exc.strerror}") from None
    records = []
    with handle:
        for lineno, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(f"{path} 第 {lineno} 行不是 UTF-8 编码") from None
            if not line.strip():
                continue
            try:
                records.append(record_from_dict(json.loads(line)))
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"{path} 第 {lineno} 行不是合法的 JSON：{exc.msg}（第 {exc.colno} 列）") from None
            except ValueError as exc:
                raise InvalidInput(f"{path} 第 {lineno} 行：{exc}") from None
    return records


# -- storing -------------------------------------------------------------------------------


def import_records(session: Session, records: Iterable[OriginalRecord]) -> ImportResult:
    """Insert new articles, update changed ones (same URL), skip known ones: re-import is a no-op.

    Runs in the caller's transaction, so a failure anywhere leaves the library as it was.
    """
    result = ImportResult()
    for record in records:
        h = record.content_hash
        if record.url:
            row = session.scalars(select(Original).where(Original.url == record.url)).one_or_none()
        else:
            row = session.scalars(select(Original).where(Original.content_hash == h).limit(1)).first()
        if row is None:
            session.add(Original(title=record.title, body=record.body, source=record.source, url=record.url,
                                 published_at=record.published_at, content_hash=h, imported_at=utcnow()))
            session.flush()  # a later line with the same URL must see this one
            result.added += 1
        elif row.content_hash != h or row.source != record.source or (
            record.published_at is not None and row.published_at != record.published_at
        ):
            row.title, row.body, row.content_hash = record.title, record.body, h
            row.source = record.source
            row.published_at = record.published_at or row.published_at
            row.imported_at = utcnow()
            result.updated += 1
        else:
            result.unchanged += 1
    return result


def import_jsonl(db: Database, path: str | Path) -> ImportResult:
    """All or nothing: every line is validated first, then everything is written in one transaction."""
    records = read_jsonl(path)
    with db.session() as session:
        return import_records(session, records)


# -- feeds ---------------------------------------------------------------------------------


def list_feeds(session: Session) -> list[OriginalFeed]:
    return list(session.scalars(select(OriginalFeed).order_by(OriginalFeed.id)))


def library_summary(session: Session) -> dict:
    """How big the library is and when feeds last brought something in (admin overview)."""
    size, last_imported_at = session.execute(select(func.count(Original.id), func.max(Original.imported_at))).one()
    return {"size": size, "last_imported_at": last_imported_at,
            "last_fetched_at": session.scalar(select(func.max(OriginalFeed.last_fetched_at)))}


def add_feed(session: Session, url: str, source: str = "", actor: User | None = None) -> OriginalFeed:
    """A new feed, audited (002 §25); `actor` None is the command line ("system")."""
    url = (url or "").strip()
    source = (source or "").strip()
    if not re.match(r"https?://\S+$", url) or len(url) > URL_MAX:
        raise InvalidInput("订阅地址须为 http(s) 地址")
    if len(source) > SOURCE_MAX:
        raise InvalidInput(f"默认稿源不能超过 {SOURCE_MAX} 字")
    if session.scalars(select(OriginalFeed).where(OriginalFeed.url == url)).first() is not None:
        raise InvalidInput(f"订阅 {url} 已存在")
    feed = OriginalFeed(url=url, source=source)
    session.add(feed)
    session.flush()
    audit.record(session, actor, "feed_added", feed_id=feed.id, url=url, source=source)
    return feed


def set_feed_active(session: Session, feed: OriginalFeed, active: bool, actor: User | None = None) -> OriginalFeed:
    """Pause or resume the scheduled import of one feed; already imported articles stay."""
    if feed.active == bool(active):
        return feed
    feed.active = bool(active)
    session.flush()
    audit.record(session, actor, "feed_resumed" if active else "feed_paused", feed_id=feed.id, url=feed.url)
    return feed


def remove_feed(session: Session, feed: OriginalFeed, actor: User | None = None) -> None:
    """Stop importing a feed. Its articles stay in the library: drafts may already cite them."""
    audit.record(session, actor, "feed_removed", feed_id=feed.id, url=feed.url, source=feed.source)
    session.delete(feed)
    session.flush()


def request_feed_import(session: Session, feed: OriginalFeed, actor: User | None = None) -> None:
    """Import one feed now, through the job dispatcher once this transaction commits: queued for a
    worker when there is Redis, else run inline. The outcome lands on the feed row either way."""
    audit.record(session, actor, "feed_import_requested", feed_id=feed.id, url=feed.url)
    on_commit(session, "import_feed", feed.id)


class _Text(HTMLParser):
    """Paragraph text of an HTML fragment (feeds often carry the article as HTML)."""

    BLOCKS = {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    if "<" not in fragment:
        return html.unescape(fragment).strip()
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, *names):
    for child in element:
        if _local(child.tag) in names:
            return child
    return None


def _child_text(element, *names) -> str:
    for name in names:  # in order of preference
        child = _child(element, name)
        if child is not None and (child.text or "").strip():
            return child.text.strip()
    return ""


def parse_feed(content: bytes, default_source: str = "") -> list[dict]:
    """RSS 2.0, Atom or JSON Feed -> article dicts for `record_from_dict` (title, body, url, ...)."""
    stripped = content.lstrip()
    if stripped.startswith(b"{"):
        data = json.loads(content.decode("utf-8"))
        return [
            {
                "title": item.get("title") or "",
                "body": item.get("content_text") or html_to_text(item.get("content_html") or item.get("summary") or ""),
                "url": item.get("url") or item.get("external_url"),
                "published_at": item.get("date_published"),
                "source": default_source or data.get("title") or "",
            }
            for item in data.get("items", [])
        ]
    if b"<!DOCTYPE" in stripped[:2000].upper() or b"<!ENTITY" in stripped[:4000].upper():
        raise ValueError("订阅内容含 DTD/实体声明，拒绝解析")  # entity expansion attacks
    root = ET.fromstring(content)
    articles = []
    if _local(root.tag) == "feed":  # Atom
        source = default_source or _child_text(root, "title")
        for entry in root:
            if _local(entry.tag) != "entry":
                continue
            link = next((c.get("href") for c in entry if _local(c.tag) == "link" and c.get("rel", "alternate") == "alternate"), None)
            articles.append({
                "title": html_to_text(_child_text(entry, "title")),
                "body": html_to_text(_child_text(entry, "content", "summary")),
                "url": link,
                "published_at": _child_text(entry, "published", "updated") or None,
                "source": source,
            })
        return articles
    channel = _child(root, "channel")
    if _local(root.tag) != "rss" or channel is None:
        raise ValueError("不是 RSS、Atom 或 JSON Feed")
    source = default_source or _child_text(channel, "title")
    for item in channel:
        if _local(item.tag) != "item":
            continue
        articles.append({
            "title": html_to_text(_child_text(item, "title")),
            "body": html_to_text(_child_text(item, "encoded", "description")),
            "url": _child_text(item, "link") or None,
            "published_at": _child_text(item, "pubDate", "date") or None,
            "source": source,
        })
    return articles


def fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "sanshen-originals/1.0"})
    with urllib.request.urlopen(request, timeout=FEED_TIMEOUT_SECONDS) as response:
        content = response.read(FEED_MAX_BYTES + 1)
    if len(content) > FEED_MAX_BYTES:
        raise ValueError(f"订阅内容超过 {FEED_MAX_BYTES // 1024 // 1024} MB")
    return content


def import_feed(db: Database, feed_id: int, fetcher=fetch) -> ImportResult:
    """Fetch one feed and import its articles in one transaction; the outcome is kept on the feed row.

    Items that fail validation (no body, say) are skipped and counted in last_error: a feed is not
    ours to fix, and one bad item must not hold back the others.
    """
    with db.session() as session:
        feed = session.get(OriginalFeed, feed_id)
        if feed is None:
            raise InvalidInput(f"订阅 {feed_id} 不存在")
        url, source = feed.url, feed.source
    try:
        articles = parse_feed(fetcher(url), source)
    except Exception as exc:
        with db.session() as session:
            feed = session.get(OriginalFeed, feed_id)
            if feed is not None:  # an administrator may have removed it during the fetch
                feed.last_fetched_at = utcnow()
                feed.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        raise
    records, skipped = [], []
    for n, article in enumerate(articles, 1):
        try:
            records.append(record_from_dict(article))
        except ValueError as exc:
            skipped.append(f"第 {n} 条：{exc}")
    with db.session() as session:
        result = import_records(session, records)
        feed = session.get(OriginalFeed, feed_id)
        if feed is not None:
            feed.last_fetched_at = utcnow()
            feed.last_added, feed.last_updated = result.added, result.updated
            feed.last_error = "；".join(skipped)[:1000] or None
    return result


def import_feeds(db: Database, fetcher=fetch) -> dict[int, str]:
    """Every active feed once. Raises after trying them all if any failed, so the job shows as failed."""
    with db.session() as session:
        feed_ids = session.scalars(select(OriginalFeed.id).where(OriginalFeed.active.is_(True)).order_by(OriginalFeed.id)).all()
    outcome, failed = {}, []
    for feed_id in feed_ids:
        try:
            outcome[feed_id] = str(import_feed(db, feed_id, fetcher))
        except Exception as exc:
            log.warning("feed %s failed: %s", feed_id, exc)
            outcome[feed_id] = f"失败：{exc}"
            failed.append(feed_id)
    if failed:
        raise RuntimeError(f"订阅导入失败：{failed}（其余已导入）")
    return outcome


# -- the index screening uses --------------------------------------------------------------


def library_version(session: Session) -> str:
    """Cheap (one aggregate query): changes when an original is added, changed or removed."""
    count, max_id, latest = session.execute(
        select(func.count(Original.id), func.max(Original.id), func.max(Original.imported_at))
    ).one()
    return f"{count}:{max_id or 0}:{latest.isoformat() if latest else ''}"


def build_index(session: Session, previous: OriginalsIndex | None = None, chunk: int = 2000) -> OriginalsIndex:
    """The near-duplicate index over the whole library.

    With `previous` (an index this function built earlier) only added, changed and removed
    originals are applied, in place, and `previous` is returned: rebuilding after a feed import
    costs as much as the new articles. The index remembers `library_version` as of the start of
    the build in `index.built_from["version"]`; compare it with `library_version(session)`.
    """
    version = library_version(session)
    current = {str(i): h for i, h in session.execute(select(Original.id, Original.content_hash)).all()}
    known = previous.built_from.get("hashes") if previous is not None else None
    if previous is None or known is None:
        index, known = OriginalsIndex(), {}
    else:
        index = previous
    for gone in known.keys() - current.keys():
        index.remove(gone)
    changed = [int(i) for i, h in current.items() if known.get(i) != h]
    for start in range(0, len(changed), chunk):
        ids = changed[start : start + chunk]
        rows = session.execute(select(Original.id, Original.title, Original.body).where(Original.id.in_(ids))).all()
        index.add((str(i), t, b) for i, t, b in rows)
    if len(known.keys() - current.keys()) > len(current) // 10:
        index.compact()  # many removals: reclaim their fingerprints
    index.built_from = {"version": version, "hashes": current}
    return index
