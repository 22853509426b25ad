"""Check "expression": 文字关 — typos, banned terms, outdated names, leader names and titles.

003 (三审三校) makes 文字关 one of the five checks before publication, and 001 counts 重大表述错误
among the failings of an account. Every finding carries `details.suggestion` (the replacement
for its [start, end) span, or null) and `details.severity` (1 style … 4 serious), so the editor
can apply it with one click. Action `warn`; `escalate` (the top leader signs) for a leader
finding or severity 4.

Categories:
  typo           confusion-set candidates scored by the typo model (typo_model.py)
  banned_term    wordlists/expression/banned_*.tsv (Xinhua's list, the office's own list)
  outdated_name  wordlists/expression/outdated_names.tsv: renamed or abolished bodies, dated
  leader         the office's roster, passed in as ScreenOptions.roster (leaders.py)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import ahocorasick

from .document import Document
from .findings import Finding
from .leaders import YEAR, LeaderRules, sentence_bounds
from .lexicon import normalize_term
from .resources import Resources
from .text import Field
from .typo_model import MODEL_DIR, TypoModel

NAME = "expression"
SEVERITY_ESCALATES = 4
TYPO_SEVERITY = 2
OPENING_QUOTES = "“‘「『\"'"
CLOSING_QUOTES = "”’」』\"'"
# A body of another country has the same name (美国农业部, 俄罗斯文化部长, 成员国文化部长): the
# character or country before the name says so.
FOREIGN_BEFORE = ("美国", "俄罗斯", "日本", "英国", "法国", "德国", "韩国", "印度", "巴西", "加拿大", "澳大利亚", "意大利",
                  "西班牙", "乌克兰", "以色列", "伊朗", "巴基斯坦", "新加坡", "成员国", "各国", "外国", "该国", "两国", "多国")
# A sentence that talks about the reform itself keeps the old names (更名为, 组建, 不再保留…).
REFORM_CUES = ("更名", "改名", "组建", "改革", "不再保留", "撤销", "划入", "并入", "合并", "改为", "前身", "挂牌")
_RELATION_ZH = {"word": "常见误用词", "sound_same_tone": "同音字", "sound": "音近字", "shape": "形近字"}


class ExpressionDataError(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    category: str  # "banned_term" | "outdated_name"
    term: str  # normalized
    suggestion: str | None
    severity: int
    message: str
    exceptions: tuple[str, ...]  # normalized longer phrases in which the term is fine
    changed: date | None = None  # outdated names: the first day of the change's month


def _columns(name: str, text: str, count: int):
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) < count - 1:
            raise ExpressionDataError(f"{name}:{lineno}: expected {count} TAB-separated columns, found {len(parts)}")
        parts += [""] * (count - len(parts))
        yield lineno, [p.strip() for p in parts]


def _severity(name: str, lineno: int, value: str) -> int:
    if value not in ("1", "2", "3", "4"):
        raise ExpressionDataError(f"{name}:{lineno}: severity must be 1-4, not {value!r}")
    return int(value)


def _exceptions(value: str) -> tuple[str, ...]:
    return tuple(normalize_term(e) for e in value.split(",") if e.strip())


def parse_banned(name: str, text: str) -> list[Entry]:
    entries = []
    for lineno, (term, suggestion, severity, reason, exceptions) in _columns(name, text, 5):
        if not term or not reason:
            raise ExpressionDataError(f"{name}:{lineno}: term and reason are required")
        entries.append(Entry("banned_term", normalize_term(term), suggestion or None,
                             _severity(name, lineno, severity), f"不宜使用“{term}”。{reason}", _exceptions(exceptions)))
    return entries


def parse_outdated(name: str, text: str) -> list[Entry]:
    entries = []
    for lineno, (old, new, changed, source, severity, exceptions) in _columns(name, text, 6):
        match = re.fullmatch(r"(\d{4})(?:-(\d\d))?", changed)
        if not old or not match or not source:
            raise ExpressionDataError(f"{name}:{lineno}: old name, change date (YYYY or YYYY-MM) and source are required")
        when = f"{match.group(1)}年" + (f"{int(match.group(2))}月" if match.group(2) else "")
        fate = f"已更名或并入“{new}”" if new else "已撤销"
        entries.append(Entry("outdated_name", normalize_term(old), new or None, _severity(name, lineno, severity),
                             f"“{old}”{when}{fate}（{source}）；写当前情况请用现名，写历史请注明时间或加“原”。",
                             _exceptions(exceptions), date(int(match.group(1)), int(match.group(2) or 1), 1)))
    return entries


class TermMatcher:
    """Banned terms and outdated names in one automaton; the longest match wins where they overlap."""

    def __init__(self, entries: list[Entry]):
        self.automaton = ahocorasick.Automaton()
        by_term = {e.term: e for e in entries}  # a later list (the office's) overrides an earlier one
        for term, entry in by_term.items():
            self.automaton.add_word(term, entry)
        self.size = len(by_term)
        if by_term:
            self.automaton.make_automaton()

    def scan(self, text: str, on: date) -> list[tuple[int, int, Entry]]:
        if not self.size or not text:
            return []
        hits = [(end + 1 - len(e.term), end + 1, e) for end, e in self.automaton.iter(text)]
        hits.sort(key=lambda h: (h[0], -h[1]))
        kept, reach = [], -1
        for start, end, entry in hits:
            if end <= reach:
                continue  # inside a longer match (保监会 in 银保监会)
            if start < reach:
                continue
            reach = end
            if _excepted(text, start, end, entry):
                continue
            if entry.category == "outdated_name" and (on < entry.changed or _historical(text, start, entry)):
                continue
            kept.append((start, end, entry))
        return kept


def _excepted(text: str, start: int, end: int, entry: Entry) -> bool:
    """An exception phrase covers the match, or the text already reads as the suggestion (“台独”, also
    in other quotation marks: 「台独」)."""
    quoted = entry.suggestion and entry.suggestion[:1] in OPENING_QUOTES and entry.suggestion[-1:] in CLOSING_QUOTES
    if quoted and text[start - 1:start] in tuple(OPENING_QUOTES) and text[end:end + 1] in tuple(CLOSING_QUOTES):
        return True
    phrases = entry.exceptions + ((entry.suggestion,) if entry.suggestion and entry.term in entry.suggestion else ())
    for phrase in phrases:
        offset = phrase.find(entry.term)
        while offset != -1:
            if start >= offset and text.startswith(phrase, start - offset):
                return True
            offset = phrase.find(entry.term, offset + 1)
    return False


def _historical(text: str, start: int, entry: Entry) -> bool:
    """原国家质检总局, 2015年国家质检总局……, a sentence about the reform itself, a body of another
    country (美国农业部), or a department word (监察部门 holds no 监察部)."""
    if text[max(0, start - 1):start] == "原" or text[max(0, start - 2):start] in ("时任", "当时"):
        return True
    end = start + len(entry.term)
    if entry.term.endswith("部") and text[end:end + 1] == "门":
        return True
    if any(text.endswith(country, 0, start) for country in FOREIGN_BEFORE):
        return True
    s0, s1 = sentence_bounds(text, start)
    sentence = text[s0:s1]
    return any(int(y) < entry.changed.year for y in YEAR.findall(sentence)) or any(c in sentence for c in REFORM_CUES)


class ExpressionCheck:
    name = NAME

    def __init__(self, model: TypoModel, matcher: TermMatcher):
        self.model = model
        self.matcher = matcher
        self.version = model.version

    def check(self, doc: Document) -> list[Finding]:
        findings: list[Finding] = []
        on = doc.options.as_of or date.today()
        rules = LeaderRules(doc.options.roster, on) if doc.options.roster else None
        for fld in doc.fields:
            findings.extend(self._typos(fld))
            findings.extend(self._terms(fld, on))
            if rules:
                findings.extend(self._leaders(fld, rules))
        return findings

    def _finding(self, fld: Field, start: int, end: int, category: str, score: float, severity: int,
                 suggestion: str | None, message: str, **details) -> Finding:
        """A finding for a normalized span [start, end); the suggestion replaces the original span."""
        ostart, oend = fld.original_span(start, end)
        action = "escalate" if category == "leader" or severity >= SEVERITY_ESCALATES else "warn"
        return Finding(check=NAME, category=category, field=fld.name, start=ostart, end=oend,
                       text=fld.original[ostart:oend], score=score, action=action, message=message,
                       details={"suggestion": suggestion, "severity": severity, **details})

    def _typos(self, fld: Field) -> list[Finding]:
        return [
            self._finding(fld, t.position, t.position + 1, "typo", t.probability, TYPO_SEVERITY, t.right,
                          f"疑似错别字：“{t.wrong}”可能应为“{t.right}”（{_RELATION_ZH[t.relation]}）。", relation=t.relation)
            for t in self.model.detect(fld.normalized)
        ]

    def _terms(self, fld: Field, on: date) -> list[Finding]:
        return [
            self._finding(fld, start, end, entry.category, 1.0, entry.severity, entry.suggestion, entry.message)
            for start, end, entry in self.matcher.scan(fld.normalized, on)
        ]

    def _leaders(self, fld: Field, rules: LeaderRules) -> list[Finding]:
        return [
            self._finding(fld, issue.start, issue.end, "leader", 1.0, 3, issue.suggestion, issue.message, kind=issue.kind)
            for issue in rules.find(fld.normalized)
        ]


def load_matcher(resources: Resources, config: dict) -> TermMatcher:
    entries = []
    for name in config.get("banned", []):
        entries.extend(parse_banned(name, resources.read_text(name)))
    if config.get("outdated"):
        entries.extend(parse_outdated(config["outdated"], resources.read_text(config["outdated"])))
    return TermMatcher(entries)


def model_path(config: dict) -> Path:
    path = Path(config.get("model", "typos.json.gz"))
    return path if path.is_absolute() else MODEL_DIR / path


def build(resources: Resources) -> ExpressionCheck:
    config = resources.read_toml("expression/expression.toml")
    return ExpressionCheck(TypoModel.load(model_path(config)), load_matcher(resources, config))
