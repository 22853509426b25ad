"""The `repost` check: is the source named, traceable and approved, and is the original unaltered?

000 §17, 002 §20, 003 §12: every repost names its source, traceably, without altering the
original's title or content, and in principle only from party and government sites and approved
source units. 004 6.3.1.4: source, repost time, original author and original title are shown.

The originals library is optional: `resources.services["originals"]` (a
classifiers.originals.OriginalsIndex). Without it the attribution findings still work.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass

from .attribution import REQUIRED_ITEMS, Attribution, AttributionItem, host, parse
from .document import Document, RepostInfo
from .findings import Finding
from .originals import Match, clean_text
from .resources import Resources
from .text import Field, fold

NAME = "repost"
APPROVED_FILE = "approved_sources.tsv"
SETTINGS_FILE = "repost.toml"
ITEM_LABELS = {"source": "信息来源", "time": "转载时间", "author": "原作者", "original_title": "原标题"}
LEVEL_LABELS = {"central": "中央", "provincial": "省级", "local": "地方", "government": "党政机关"}
_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_DIFF_LIMIT = 20  # sentences per side kept in finding.details


def _norm(text: str) -> str:
    return Field("title", text).normalized.strip()


def _clean(text: str) -> str:
    """Only letters, digits and CJK, Simplified: what the originals index compares."""
    return clean_text(text)


@dataclass(frozen=True)
class Source:
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    level: str


class ApprovedSources:
    """The administrators' list of approved source units: match by name, alias or web domain."""

    def __init__(self, sources: list[Source]):
        self.sources = sources
        self._names: dict[str, Source] = {}
        for src in sources:
            for alias in (src.name, *src.aliases):
                self._names.setdefault(_norm(alias), src)
        # Longest first, so "人民日报海外版" is tried before "人民日报".
        self._by_length = sorted(self._names, key=len, reverse=True)

    @classmethod
    def parse(cls, text: str, name: str = APPROVED_FILE) -> "ApprovedSources":
        sources = []
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = [c.strip() for c in line.split("\t")]
            if len(cols) != 4 or not cols[0]:
                raise ValueError(f"{name} line {lineno}: expected 4 tab-separated columns (name, aliases, domains, level)")
            level = cols[3] or "local"
            if level not in LEVEL_LABELS:
                raise ValueError(f"{name} line {lineno}: unknown level {level!r}")
            split = lambda col: tuple(p.strip() for p in col.split("|") if p.strip())  # noqa: E731
            domains = tuple(d.lower().removeprefix("www.") if d.lower() != "www.gov.cn" else d.lower() for d in split(cols[2]))
            sources.append(Source(cols[0], split(cols[1]), domains, level))
        return cls(sources)

    def match_name(self, name: str) -> Source | None:
        key = _norm(name)
        if not key:
            return None
        if key in self._names:
            return self._names[key]
        # "人民日报客户端", "新华社北京1月1日电": a known name inside a longer one.
        return next((self._names[n] for n in self._by_length if len(n) >= 3 and n in key), None)

    def match_domain(self, host: str) -> Source | None:
        host = host.lower().rstrip(".")
        for src in self.sources:
            for d in src.domains:
                if host == d or host.endswith("." + d) or (d.startswith("www.") and host == d[4:]):
                    return src
        return None


@dataclass(frozen=True)
class Settings:
    untraceable_exact: frozenset[str]
    untraceable_contains: tuple[str, ...]
    government_suffixes: tuple[str, ...]
    government_domains: tuple[str, ...]
    copy_share: float
    excerpt_share: float
    excerpt_min_chars: int
    quotation_share: float
    quotation_chars: int
    min_sentence_chars: int

    @classmethod
    def from_toml(cls, data: dict) -> "Settings":
        return cls(
            frozenset(_norm(p) for p in data["untraceable"]["exact"]),
            tuple(_norm(p) for p in data["untraceable"]["contains"]),
            tuple(_norm(p) for p in data["government"]["suffixes"]),
            tuple(d.lower() for d in data["government"]["domains"]),
            float(data["thresholds"]["copy_share"]),
            float(data["thresholds"]["excerpt_share"]),
            int(data["thresholds"]["excerpt_min_chars"]),
            float(data["thresholds"]["quotation_share"]),
            int(data["thresholds"]["quotation_chars"]),
            int(data["thresholds"]["min_sentence_chars"]),
        )


@dataclass(frozen=True)
class Claimed:
    """What the draft says about its original, from the editor form and the text together."""

    source: str = ""
    source_domain: str = ""
    source_item: AttributionItem | None = None
    time: bool = False
    author: bool = False
    original_title: str = ""
    declared: bool = False


def build(resources: Resources) -> "RepostCheck":
    return RepostCheck(
        ApprovedSources.parse(resources.read_text(APPROVED_FILE)),
        Settings.from_toml(resources.read_toml(SETTINGS_FILE)),
        resources.services.get("originals"),
    )


# A draft holding (nearly) all of an original copies it, however long the draft around it.
COMPLETE_COPY = 0.9


class RepostCheck:
    name = NAME

    def __init__(self, approved: ApprovedSources, settings: Settings, originals=None):
        self.approved = approved
        self.settings = settings
        self.originals = originals

    @property
    def version(self) -> str | None:
        # Which library the matches came from, so a result can be reproduced.
        return f"originals:{self.originals.version}" if self.originals is not None else None

    def check(self, doc: Document) -> list[Finding]:
        attribution = parse(doc)
        claimed = _claimed(attribution, doc.options.repost)
        matches = self.copies(doc.body, declared=claimed.declared)
        if not claimed.declared and not matches:
            # Original work; a dateline ("新华社……电") alone is not a repost claim.
            return []
        findings: list[Finding] = []
        if claimed.source or claimed.source_domain:
            findings.append(self._source_finding(doc, claimed))
        elif claimed.declared:
            findings.append(self._missing_source(doc, attribution, matches))
        elif matches:
            findings.append(self._unattributed_copy(doc, matches))
            return findings  # a copy posing as original work: the other items do not apply
        top = matches[0] if matches else None
        if top is not None:
            findings.extend(self._alterations(doc, attribution, top))
        missing = self._missing_items(doc, claimed, top)
        if missing:
            findings.append(self._completeness(doc, claimed, missing))
        return findings

    # -- library ---------------------------------------------------------------------------

    def copies(self, body: Field, declared: bool) -> list[Match]:
        """Library originals the body copies, best first. For a draft that does not declare a
        repost, an original whose frame it reuses with other figures is not one: that is the
        same template reporting another event (新年贺词 of another year), not a copy."""
        if self.originals is None or not body.content:
            return []
        matches = [m for m in self.originals.query_content(body.content_codes, body.content_indices, min_share=0.3)
                   if self.is_copy(m)]
        if declared:
            return matches  # a declared repost with changed figures is altered_content, reported below
        return [m for m in matches if not changed_figures(body.content, clean_text(self.originals.get(m.id)[1]))]

    def is_copy(self, m: Match) -> bool:
        """Half the original in the draft, unless that is a short quotation inside a much longer
        draft (two sentences of a brief); or a long excerpt making up half the draft."""
        s = self.settings
        quotation = (m.share_of_original < COMPLETE_COPY and m.share_of_draft < s.quotation_share
                     and m.copied_chars < s.quotation_chars)
        return (m.share_of_original >= s.copy_share and not quotation) or (
            m.share_of_draft >= s.excerpt_share and m.copied_chars >= s.excerpt_min_chars
        )

    # -- source ----------------------------------------------------------------------------

    def _source_finding(self, doc: Document, claimed: Claimed) -> Finding:
        where = _location(doc, claimed.source_item)
        name = claimed.source or claimed.source_domain
        src, matched_by = None, ""
        if claimed.source:
            src, matched_by = self.approved.match_name(claimed.source), "name"
        if src is None and claimed.source_domain:
            src, matched_by = self.approved.match_domain(claimed.source_domain), "domain"
        if src is not None:
            level = LEVEL_LABELS[src.level]
            return self._finding(
                "approved_source", where, "warn", 1.0,
                f"转载来源“{name}”在核准稿源名单内（{src.name}，{level}），请核对来源标注与原文一致。（000 §17、002 §20、003 §12）",
                details={"source": name, "approved": src.name, "level": src.level, "matched_by": matched_by},
            )
        if self._untraceable(claimed.source):
            return self._finding(
                "untraceable_source", where, "escalate", 0.9,
                f"转载来源“{name}”无法追溯，转载信息须注明可追溯的来源。（000 §17、002 §20、004 6.3.1.4）",
                details={"source": name},
            )
        if self._government(claimed.source, claimed.source_domain):
            return self._finding(
                "approved_source", where, "warn", 0.8,
                f"转载来源“{name}”为党政机关或其网站，请核对来源标注与原文一致。（000 §17、003 §12）",
                details={"source": name, "approved": None, "level": "government", "matched_by": "government"},
            )
        return self._finding(
            "unapproved_source", where, "escalate", 0.8,
            f"转载来源“{name}”不在核准稿源名单内；原则上只转载党委和政府网站以及有关主管部门确定的稿源单位发布的信息。（000 §17、002 §20、003 §12）",
            details={"source": name},
        )

    def _untraceable(self, source: str) -> bool:
        key = _norm(source)
        return key in self.settings.untraceable_exact or any(p in key for p in self.settings.untraceable_contains)

    def _government(self, source: str, domain: str) -> bool:
        key = _norm(source)
        if key and key.endswith(self.settings.government_suffixes):
            return True
        return bool(domain) and any(domain == d or domain.endswith("." + d) for d in self.settings.government_domains)

    def _missing_source(self, doc: Document, attribution: Attribution, matches: list[Match]) -> Finding:
        anchor = attribution.marker or next((i for i in attribution.items if i.label != "dateline"), None)
        details = {"originals": [m.to_dict() for m in matches]} if matches else {}
        return self._finding(
            "missing_source", _location(doc, anchor), "block", 1.0,
            "转载信息未注明来源，须注明来源并保证可追溯。（000 §17、002 §20、003 §12、004 6.3.1.4）",
            details=details,
        )

    def _unattributed_copy(self, doc: Document, matches: list[Match]) -> Finding:
        top = matches[0]
        start, end = _hull(top)
        share = max(top.share_of_original, top.share_of_draft)
        return Finding(
            NAME, "unattributed_copy", "body", start, end, doc.body.original[start:end], share, "block",
            f"正文与已收录原文《{top.title}》重合（占原文{top.share_of_original:.0%}），但未标注转载来源；"
            "转载须注明来源、转载时间、原作者和原标题。（002 §20、004 6.3.1.4）",
            evidence=tuple(m.title for m in matches),
            # The copied regions themselves: the editor's own lines between them are not marked.
            details={"originals": [m.to_dict() for m in matches], "spans": [list(span) for span in top.spans]},
        )

    # -- alterations -----------------------------------------------------------------------

    def _alterations(self, doc: Document, attribution: Attribution, top: Match) -> list[Finding]:
        original = self.originals.get(top.id)
        if original is None:
            return []
        original_title, original_body = original
        findings = []
        draft_title = _title_without_marker(doc, attribution)
        if _clean(draft_title) != _clean(original_title):
            findings.append(Finding(
                NAME, "altered_title", "title", 0, len(doc.title.original), doc.title.original, 1.0, "escalate",
                f"转载标题与原文标题《{original_title}》不一致，不得歪曲、篡改标题原意。（000 §17、002 §20、004 6.3.1.4）",
                evidence=(original_title,),
                details={"original_id": top.id, "original_title": original_title, "draft_title": draft_title,
                         "diff": _diff([original_title], [draft_title])},
            ))
        removed, added = self._sentence_changes(doc, attribution, original_body, top)
        if removed or added:
            start, end = _hull(top)
            findings.append(Finding(
                NAME, "altered_content", "body", start, end, doc.body.original[start:end],
                _changed_share(removed, added, original_body), "escalate",
                f"转载正文与原文《{original_title}》不一致（删改{len(removed)}句、增加{len(added)}句），"
                "不得歪曲、篡改信息内容。（000 §17、002 §20、004 6.3.1.4）",
                evidence=(original_title,),
                details={"original_id": top.id, "original_title": original_title,
                         "share_of_original": round(top.share_of_original, 4),
                         "removed": removed[:_DIFF_LIMIT], "added": added[:_DIFF_LIMIT],
                         "diff": _diff(removed[:_DIFF_LIMIT], added[:_DIFF_LIMIT])},
            ))
        return findings

    def _sentence_changes(self, doc: Document, attribution: Attribution, original: str, top: Match) -> tuple[list[str], list[str]]:
        """Original sentences missing from the draft, and draft sentences inside the copied text
        that the original does not have. Reordered paragraphs are neither."""
        minimum = self.settings.min_sentence_chars
        body = doc.body.folded  # same offsets as the original body
        original_s = fold(original)
        attribution_spans = [(i.start, i.end) for i in attribution.items if i.field == "body"]
        draft_clean = doc.body.content
        original_clean = clean_text(original_s, already_folded=True)
        removed = [original[m.start():m.end()].strip() for m in _SENTENCE_RE.finditer(original_s)
                   if len(c := clean_text(m.group(0), already_folded=True)) >= minimum and c not in draft_clean]
        start, end = _hull(top)
        added = []
        for m in _SENTENCE_RE.finditer(body, start, end):
            if any(a < m.end() and m.start() < b for a, b in attribution_spans):
                continue
            c = clean_text(m.group(0), already_folded=True)
            if len(c) >= minimum and c not in original_clean:
                added.append(doc.body.original[m.start():m.end()].strip())
        return removed, added

    # -- 004 6.3.1.4 -------------------------------------------------------------------------

    def _present_items(self, doc: Document, claimed: Claimed, top: Match | None) -> set[str]:
        present = set()
        if claimed.source or claimed.source_domain:
            present.add("source")
        if claimed.time:
            present.add("time")
        if claimed.author:
            present.add("author")
        if claimed.original_title:
            present.add("original_title")
        elif top is not None and self.originals is not None:
            # A repost that keeps the original title shows it.
            original = self.originals.get(top.id)
            if original and _clean(original[0]) and _clean(original[0]) in doc.title.content:
                present.add("original_title")
        return present

    def _missing_items(self, doc: Document, claimed: Claimed, top: Match | None) -> list[str]:
        present = self._present_items(doc, claimed, top)
        return [i for i in REQUIRED_ITEMS if i not in present]

    def _completeness(self, doc: Document, claimed: Claimed, missing: list[str]) -> Finding:
        labels = "、".join(ITEM_LABELS[i] for i in missing)
        return self._finding(
            "incomplete_attribution", _location(doc, claimed.source_item), "warn", 0.5,
            f"转载信息应在显著位置标注信息来源、转载时间、原作者和原标题，缺少：{labels}。（004 6.3.1.4）",
            details={"missing": missing},
        )

    def _finding(self, category: str, where: tuple[str, int, int, str], action: str, score: float,
                 message: str, details: dict | None = None) -> Finding:
        field, start, end, text = where
        return Finding(NAME, category, field, start, end, text, score, action, message, details=details or {})


def _claimed(attribution: Attribution, info: RepostInfo | None) -> Claimed:
    labelled = [i for i in attribution.all("source") if i.label != "dateline"]
    item = labelled[0] if labelled else attribution.first("source")
    url_item = attribution.first("url")
    source = (info.source if info else "") or (item.name if item else "")
    domain = host(info.original_url) if info and info.original_url else ""
    domain = domain or (item.domain if item else "") or (url_item.domain if url_item else "")
    title_item = attribution.first("original_title")
    return Claimed(
        source=source,
        source_domain=domain,
        source_item=item if not (info and info.source) else None,
        time=bool((info and info.original_published_at) or attribution.first("time")),
        author=bool((info and info.original_author) or attribution.first("author")),
        original_title=(info.original_title if info else "") or (title_item.value if title_item else ""),
        declared=info is not None or attribution.declared,
    )


_NUMERAL_RE = re.compile(r"[0-9〇零一二三四五六七八九十百千万亿两]")


def changed_figures(a: str, b: str, frame: int = 5, longest: int = 16) -> list[tuple[str, str]]:
    """Figures a draft writes differently inside the original's own wording, both given as their
    content characters (Field.content, clean_text): (draft, original) pairs of the short text
    between two shared runs of at least `frame` characters, where each side has numerals the other
    lacks (发表二〇二三年新年贺词 / 发表二〇二六年新年贺词). A copy keeps its figures; rewording drops
    and moves words but does not write new numbers."""
    frames = [(i, j, n) for i, j, n in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
              if n >= frame]
    changed = []
    for (i1, j1, n1), (i2, j2, _) in zip(frames, frames[1:]):
        between_draft, between_original = a[i1 + n1:i2], b[j1 + n1:j2]
        if len(between_draft) > longest or len(between_original) > longest:
            continue
        # Numerals as a multiset: a reworded sentence may run two figures together (3月15日 → 315).
        draft_numerals = Counter(_NUMERAL_RE.findall(between_draft))
        original_numerals = Counter(_NUMERAL_RE.findall(between_original))
        if draft_numerals - original_numerals and original_numerals - draft_numerals:
            changed.append((between_draft, between_original))
    return changed


def _location(doc: Document, item: AttributionItem | None) -> tuple[str, int, int, str]:
    """Where a finding points: the attribution it is about, else the start of the title."""
    if item is None:
        return ("title", 0, 0, "")
    fld = doc.title if item.field == "title" else doc.body
    return (item.field, item.start, item.end, fld.original[item.start:item.end])


def _hull(match: Match) -> tuple[int, int]:
    return match.spans[0][0], match.spans[-1][1]


def _title_without_marker(doc: Document, attribution: Attribution) -> str:
    title = doc.title.original
    if attribution.marker is not None and attribution.marker.field == "title":
        title = title[: attribution.marker.start] + title[attribution.marker.end:]
    return title.strip()


def _changed_share(removed: list[str], added: list[str], original: str) -> float:
    """How much of the original was changed, as the score: 0.05 (a word) .. 1.0 (all of it)."""
    changed = sum(len(_clean(s)) for s in removed + added)
    return round(min(1.0, max(0.05, changed / max(1, len(_clean(original))))), 4)


def _diff(before: list[str], after: list[str]) -> list[str]:
    """Line diff for reviewers: "- " lines are the original's, "+ " lines the draft's."""
    return [line for line in difflib.ndiff(before, after) if line[:2] in ("- ", "+ ")]
