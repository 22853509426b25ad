"""Repost attribution parsed from a draft's title and body: 来源 / 转载自 / 原标题 / 作者 / 原文链接 / 编辑.

004 6.3.1.4 asks a repost to show its source, the repost time, the original author and the
original title in a prominent place; 000 §17 / 002 §20 / 003 §12 ask for a traceable source.
Parsing runs on `Field.normalized` (full-width folded, Traditional converted, separators
between CJK characters removed) and reports spans in the original text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .document import Document
from .text import Field

# Label -> kind. Longer labels first so "转载来源" wins over "来源".
_LABELS: dict[str, str] = {}
for _kind, _words in {
    "source": ("转载来源", "稿件来源", "信息来源", "文章来源", "新闻来源", "消息来源", "内容来源", "本文来源",
               "来源", "稿源", "出处",
               "本文转载自", "本文转自", "转载自", "转发自", "转自", "摘编自", "摘自", "选自"),
    "original_title": ("原文标题", "原标题", "原题"),
    "author": ("原文作者", "原作者", "作者", "撰文", "撰稿", "记者", "文"),
    "url": ("原文链接", "原文地址", "原文网址", "原链接", "链接"),
    "time": ("原文发布时间", "转载时间", "发布时间", "发布日期", "发稿时间", "时间", "日期"),
    "editor": ("责任编辑", "责编", "编辑", "校对", "审核", "编审"),
}.items():
    for _w in _words:
        _LABELS[_w] = _kind
# Labels that read as attribution even without ":" ("转载自人民日报"); the rest need a separator
# or a short line of their own, so "作者认为……" in running text is not an author.
_NO_SEPARATOR_NEEDED = {"本文转载自", "本文转自", "转载自", "转发自", "转自", "摘编自", "摘自", "选自", "原标题"}
# Single-character or everyday labels only count with an explicit separator.
_SEPARATOR_REQUIRED = {"文", "记者", "时间", "日期", "链接", "审核", "出处"}

_LABEL_ALT = "|".join(sorted(map(re.escape, _LABELS), key=len, reverse=True))
# A label starts a line, or follows a bracket or punctuation; never inside a word (资金来源).
_BOUNDARY = r"(?<![^\s\[【(「〔<《|丨,;。!?】)」〕>、])"
_LABEL_BODY = rf"(?P<label>{_LABEL_ALT})(?P<sep>\s*(?:[:丨|]|——|-{{2}})\s*|\s+)?"
_LABEL_RE = re.compile(_BOUNDARY + _LABEL_BODY)
_LABEL_AT_RE = re.compile(_LABEL_BODY)  # right after another item, where no boundary is left
_NEXT_LABEL_RE = re.compile(rf"(?:{_LABEL_ALT})\s*(?:[:丨|]|——)")
_STOP = set("\n】])」〕>|;。,!?、")
# Separators the normalization drops between CJK characters ("作者｜张三" -> "作者张三").
_ORIGINAL_SEPARATORS = set(":：|｜丨/／-—")
_URL_RE = re.compile(r"(?:https?://|www\.)[a-z0-9\-._~%/?#@!$&*+=:]+", re.I)
_DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
# Matched on the original title: the "|" in "转载|标题" is a separator normalization removes.
_BRACKETED_MARKER = r"[【\[［(（「〔]\s*(?:转载|轉載|转|轉|转发|轉發|转自|轉自|分享)\s*[】\]］)）」〕]"
_LABEL_MARKER = r"\s*(?:转载|轉載|转发|轉發)\s*[:：|｜丨]"
_REPOST_MARKER_RE = re.compile(rf"{_BRACKETED_MARKER}|^{_LABEL_MARKER}")
# In the body only its opening counts (【转载】, （转载）, 转载：): the same words later in the
# text are running prose (欢迎转载).
_BODY_MARKER_RE = re.compile(rf"\s*(?:{_BRACKETED_MARKER}|{_LABEL_MARKER})")
_ACCOUNT_RE = re.compile(
    r"(?P<platform>微信公众号|微信公众平台|公众号|微信号|新浪微博|微博|抖音号|抖音|头条号|今日头条|视频号|客户端|app)"
    r"\s*[:“\"「『@]?\s*@?(?P<name>[^”\"」』]+?)[”\"」』]?$"
)
_ACCOUNT_SUFFIX_RE = re.compile(r"^(?P<name>.+?)(?P<platform>微信公众号|公众号|官方微博|微博|客户端|app|视频号|抖音号)$")
# 004 6.3.1.4 items; the editor (编辑) is the reposting unit's own staff, not an attribution item.
REQUIRED_ITEMS = ("source", "time", "author", "original_title")
_VALUE_LIMIT = {"original_title": 120, "url": 500, "source": 300}
_DATELINE_RE = re.compile(
    r"^\s*(?:【[^】]{1,20}】)?\s*"
    r"(?:(?P<msg>[\u4e00-\u9fff]{2,12}?)(?:消息|讯)\s*(?:\([^)]{0,20}\))?\s*:"
    r"|(?P<agency>[\u4e00-\u9fff]{1,8}?(?:社|报|网|台))[\u4e00-\u9fff]{0,8}?\d{1,2}月\d{1,2}日\s*(?:电|讯))"
    r"(?:\s*\((?:记者|通讯员)(?P<reporters>[^)]{1,40})\))?"
)


@dataclass(frozen=True)
class AttributionItem:
    kind: str  # "source" | "author" | "original_title" | "url" | "time" | "editor"
    value: str  # normalized value, for comparison
    text: str  # the value as written in the draft
    field: str  # "title" | "body"
    start: int  # original span of the whole item, label included
    end: int
    label: str  # the label as normalized ("转载自", "来源"...), or "dateline"
    platform: str = ""  # 微信公众号 / 微博 / 客户端 ... when the value names an account
    name: str = ""  # source name without platform words, quotes or URL (normalized)
    domain: str = ""  # host of a URL in the value, lower case


@dataclass(frozen=True)
class Attribution:
    items: tuple[AttributionItem, ...] = ()
    marker: AttributionItem | None = None  # a 【转载】 style marker in the title or opening the body

    def first(self, kind: str) -> AttributionItem | None:
        return next((i for i in self.items if i.kind == kind), None)

    def all(self, kind: str) -> list[AttributionItem]:
        return [i for i in self.items if i.kind == kind]

    @property
    def declared(self) -> bool:
        """The draft says it is a repost: a marker, a source label, an original title or link."""
        return self.marker is not None or any(
            i.kind in ("source", "original_title", "url") and i.label != "dateline" for i in self.items
        )


def parse(doc: Document) -> Attribution:
    items: list[AttributionItem] = []
    marker = None
    for fld in doc.fields:
        items.extend(parse_field(fld))
    m = _REPOST_MARKER_RE.search(doc.title.original)
    if m:
        marker = AttributionItem("marker", m.group(0), m.group(0), "title", m.start(), m.end(), "marker")
    elif m := _BODY_MARKER_RE.match(doc.body.original):
        text = m.group(0).strip()
        start = m.end() - len(text)
        marker = AttributionItem("marker", text, text, "body", start, m.end(), "marker")
    dateline = _parse_dateline(doc.body)
    items.extend(dateline)
    return Attribution(tuple(items), marker)


def parse_field(fld: Field) -> list[AttributionItem]:
    text = fld.normalized
    items: list[AttributionItem] = []
    pos = 0
    adjacent = False
    while True:
        m = (adjacent and _LABEL_AT_RE.match(text, pos)) or _LABEL_RE.search(text, pos)
        adjacent = False
        if not m:
            break
        pos = m.end()
        label, sep = m.group("label"), m.group("sep") or ""
        gap = _separator_in_original(fld, m.end("label"), m.end())
        has_sep = bool(sep.strip()) or gap == "hard"
        sep = sep or (" " if gap == "soft" else "")
        if label in _SEPARATOR_REQUIRED and not has_sep:
            continue
        kind = _LABELS[label]
        vstart = m.end()
        vend = _value_end(text, vstart, kind)
        if not has_sep and label not in _NO_SEPARATOR_NEEDED and not (sep and _ends_segment(text, vend, vstart)):
            continue  # "作者认为……" is running text; "来源 新华社" on its own line is a label
        found = _make_items(fld, kind, label, m.start(), vstart, vend)
        if found:
            items.extend(found)
            pos = max(pos, vend)
            adjacent = True
    return items


def _value_end(text: str, start: int, kind: str) -> int:
    if kind == "url":
        m = _URL_RE.match(text, start)
        return m.end() if m else start
    limit = start + _VALUE_LIMIT.get(kind, 60)
    end = start
    while end < len(text) and end < limit:
        ch = text[end]
        if ch in _STOP and not (kind == "original_title" and ch in ",、!?"):
            break
        if ch.isspace() and not _inside_latin(text, end) and not _DATE_RE.match(text, end + 1):
            break
        if end > start and _NEXT_LABEL_RE.match(text, end):
            break  # "来源:人民日报作者:张三" (the space between them was normalized away)
        end += 1
    return end


def _separator_in_original(fld: Field, label_end: int, value_start: int) -> str:
    """"hard" (":", "|"), "soft" (spaces) or "" between a label and its value in the original."""
    if label_end >= len(fld.normalized):
        return ""
    s = fld.original_span(label_end - 1, label_end)[1]
    e = fld.original_span(value_start, value_start + 1)[0] if value_start < len(fld.normalized) else len(fld.original)
    gap = fld.original[s:e]
    if any(ch in _ORIGINAL_SEPARATORS for ch in gap):
        return "hard"
    return "soft" if gap.strip() == "" and gap else ""


def _inside_latin(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isascii() and text[i - 1].isalpha() and text[i + 1].isascii() and text[i + 1].isalpha()


def _ends_segment(text: str, end: int, start: int) -> bool:
    """Without a separator, the value must fill the rest of its line or bracket, and be short."""
    return end - start <= 30 and (end >= len(text) or text[end] in _STOP or text[end].isspace() or bool(_LABEL_RE.match(text, end)))


def _strip_value(value: str) -> str:
    return value.strip(" \t:：“”\"'「」『』《》<>()（）[]【】")


def _make_items(fld: Field, kind: str, label: str, lstart: int, vstart: int, vend: int) -> list[AttributionItem]:
    raw = fld.normalized[vstart:vend]
    if kind == "time":
        m = _DATE_RE.search(raw)
        if not m:
            return []
        vend = vstart + m.end()
        raw = m.group(0)
    extra: list[AttributionItem] = []
    if kind in ("source", "author"):
        # "来源:人民日报 2024-01-01" also gives the time
        # Dates inside a URL ("/2024-01/01/") are not the time; blank the URL out, keeping offsets.
        without_url = _URL_RE.sub(lambda u: " " * len(u.group(0)), raw)
        m = _DATE_RE.search(without_url)
        if m:
            ds, de = vstart + m.start(), vstart + m.end()
            s, e = fld.original_span(ds, de)
            extra.append(AttributionItem("time", m.group(0), fld.original[s:e], fld.name, s, e, label))
            if not raw[m.end():].strip():
                vend = vstart + m.start()  # the date ends the value: the item stops before it
            raw = raw[: m.start()] + raw[m.end():]
    value = _strip_value(raw)
    if not value:
        return []
    s, e = fld.original_span(lstart, vend)
    vs, ve = fld.original_span(vstart, vend)
    platform, name, domain = "", value, ""
    url = _URL_RE.search(value)
    if url:
        domain = host(url.group(0))
        name = _strip_value(value[: url.start()] + value[url.end():]) or ""
    if kind == "source" and name:
        platform, name = _split_account(name)
    item = AttributionItem(kind, value, _strip_value(fld.original[vs:ve]), fld.name, s, e, label, platform, name, domain)
    return [item, *extra]


def _split_account(value: str) -> tuple[str, str]:
    m = _ACCOUNT_RE.search(value)
    if m and _strip_value(m.group("name")):
        return m.group("platform"), _strip_value(m.group("name"))
    m = _ACCOUNT_SUFFIX_RE.match(value)
    if m and _strip_value(m.group("name")):
        return m.group("platform"), _strip_value(m.group("name"))
    return "", value


def host(url: str) -> str:
    if not url.lower().startswith("http"):
        url = "http://" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


def _parse_dateline(body: Field) -> list[AttributionItem]:
    """A news dateline ("新华社北京1月1日电（记者…）", "央视网消息：") names the source in the text itself."""
    m = _DATELINE_RE.match(body.normalized[:120])
    if not m:
        return []
    group = "msg" if m.group("msg") else "agency"
    if m.group(group).startswith("本"):
        return []  # 本报讯 / 本台消息: the publishing unit itself
    ns, ne = m.span(group)
    s, e = body.original_span(m.start(group), m.end(group))
    name = m.group(group)
    items = [AttributionItem("source", name, body.original[s:e], "body", s, e, "dateline", "", name, "")]
    if m.group("reporters"):
        rs, re_ = m.span("reporters")
        s, e = body.original_span(rs, re_)
        reporters = m.group("reporters").strip()
        items.append(AttributionItem("author", reporters, body.original[s:e].strip(), "body", s, e, "dateline"))
    return items
