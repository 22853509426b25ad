"""Category wordlists matched on normalized text, confirmed by word boundaries.

One matcher serves every wordlist-driven check (prohibited content, sensitive topics):
  1. Aho–Corasick over `Field.normalized` finds candidate terms in one pass (defeats
     traditional script, full-width forms, case and inserted separators, see text.py);
  2. a candidate whose edge falls inside a word of the field's tokens is rejected (消毒品 is
     消毒/品, so it holds no 毒品; 西藏独特 holds no 藏独); the tokens are the Screener's, of the
     whole field, computed once in the Document (wordlist terms are in its dictionary);
  3. spans are mapped back to the original field, so `finding.text == original[start:end]`.

The file format is documented in wordlists/README.md.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import ahocorasick

from .text import Field, is_cjk

# A multi-word pattern "A...B" matches A followed by B within this many characters.
PATTERN_GAP = 12
# A sentence (or clause list) ends here: multi-word patterns and context never cross these.
SENTENCE_END = frozenset("。！？!?；;\n")
ACTIONS = ("block", "escalate", "warn")


def normalize_term(term: str) -> str:
    """The form a term takes in `Field.normalized`, so both sides of the match agree."""
    return Field("title", term.strip()).normalized


@dataclass(frozen=True)
class Term:
    text: str  # normalized; for a pattern, its first part
    weight: float = 1.0
    note: str = ""
    follow: str = ""  # second part of a multi-word pattern "A...B" ("" for a plain term)


@dataclass
class Category:
    id: str
    check: str
    action: str
    rule: str
    message: str
    name: str = ""
    context: bool = False  # may a protective context (打击, 辟谣, ...) lower block to escalate?
    terms: list[Term] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    source: str = ""  # the file it came from, for error messages


class WordlistError(ValueError):
    pass


def parse_wordlist(source: str, text: str, default_id: str, check: str) -> Category:
    """Parse one category file: `@key value` directives, `!exception` and `term | weight | note`."""
    meta = {"category": default_id, "action": "block", "rule": "", "message": "", "name": "", "context": "off"}
    terms: list[Term] = []
    exceptions: list[str] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            key, _, value = line[1:].partition(" ")
            if key not in meta:
                raise WordlistError(f"{source}:{lineno}: unknown directive @{key}")
            meta[key] = value.strip()
            continue
        if line.startswith("!"):
            exception = normalize_term(line[1:])
            if exception:
                exceptions.append(exception)
            continue
        parts = [p.strip() for p in line.split("|")]
        weight = 1.0
        if len(parts) > 1 and parts[1]:
            try:
                weight = float(parts[1])
            except ValueError:
                raise WordlistError(f"{source}:{lineno}: weight {parts[1]!r} is not a number") from None
            if not 0 < weight <= 1:
                raise WordlistError(f"{source}:{lineno}: weight must be in (0, 1]")
        note = parts[2] if len(parts) > 2 else ""
        first, _, second = parts[0].partition("...")
        first, second = normalize_term(first), normalize_term(second)
        if not first or ("..." in parts[0] and not second):
            raise WordlistError(f"{source}:{lineno}: empty term")
        terms.append(Term(first, weight, note, second))
    if meta["action"] not in ACTIONS:
        raise WordlistError(f"{source}: @action must be one of {ACTIONS}")
    if not meta["message"]:
        raise WordlistError(f"{source}: @message is required (which rule the content breaks)")
    return Category(
        id=meta["category"], check=check, action=meta["action"], rule=meta["rule"],
        message=meta["message"], name=meta["name"], context=meta["context"] == "on",
        terms=terms, exceptions=exceptions, source=source,
    )


@dataclass(frozen=True)
class Hit:
    category: Category
    term: Term
    start: int  # normalized offsets
    end: int


_EXCEPTION = object()


class Lexicon:
    """Every category of one check, compiled into a single automaton."""

    def __init__(self, categories: list[Category]):
        self.categories = categories
        self.automaton = ahocorasick.Automaton()
        entries: dict[str, list] = {}
        for category in categories:
            for term in category.terms:
                entries.setdefault(term.text, []).append((category, term))
            for exception in category.exceptions:
                entries.setdefault(exception, []).append((category, _EXCEPTION))
        for key, values in entries.items():
            self.automaton.add_word(key, (len(key), tuple(values)))
        self.size = len(entries)
        if entries:
            self.automaton.make_automaton()

    @property
    def words(self) -> list[str]:
        """Terms the Screener's tokenizer must know, so it keeps them whole when it decides edges."""
        return [w for c in self.categories for t in c.terms for w in (t.text, t.follow) if w and _has_cjk(w)]

    @classmethod
    def load(cls, resources, directory: str, check: str) -> "Lexicon":
        categories = []
        for name in resources.names(f"{directory}/*.txt"):
            stem = name.rsplit("/", 1)[-1][: -len(".txt")]
            categories.append(parse_wordlist(name, resources.read_text(name), stem, check))
        return cls(categories)

    def scan(self, fld: Field) -> list[Hit]:
        """Confirmed hits in one field, longest per category where they overlap."""
        text = fld.normalized
        if not text or not self.size:
            return []
        candidates: list[Hit] = []
        excepted: dict[int, list[tuple[int, int]]] = {}  # category -> exception spans
        for end_index, (length, values) in self.automaton.iter(text):
            start, end = end_index + 1 - length, end_index + 1
            for category, term in values:
                if term is _EXCEPTION:
                    excepted.setdefault(id(category), []).append((start, end))
                else:
                    candidates.append(Hit(category, term, start, end))
        if not candidates:
            return []
        if excepted:
            index = {key: _ExceptionSpans(spans) for key, spans in excepted.items()}
            candidates = [
                h for h in candidates
                if id(h.category) not in index or not index[id(h.category)].covers(h.start, h.end)
            ]
        confirmed: list[Hit] = []
        for hit in candidates:
            if not _on_word_boundaries(fld, hit.start, hit.end):
                continue
            if hit.term.follow:
                hit = _complete_pattern(fld, hit)
                if hit is None:
                    continue
            confirmed.append(hit)
        return _longest_per_category(confirmed)


class _ExceptionSpans:
    """Exception spans of one category, sorted by start with a running maximum of ends, so
    one bisection tells whether a hit lies inside any of them (no pairwise scan)."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans.sort()
        self.starts = [start for start, _ in spans]
        self.reach: list[int] = []
        furthest = -1
        for _, end in spans:
            furthest = max(furthest, end)
            self.reach.append(furthest)

    def covers(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and self.reach[i] >= end


def _complete_pattern(fld: Field, hit: Hit) -> Hit | None:
    """For "A...B": B must follow A within PATTERN_GAP characters, inside the same sentence."""
    text, follow = fld.normalized, hit.term.follow
    limit = min(len(text), hit.end + PATTERN_GAP + len(follow))
    for stop, ch in enumerate(text[hit.end:limit], hit.end):
        if ch in SENTENCE_END:
            limit = stop
            break
    pos = text.find(follow, hit.end, limit)
    while pos != -1:
        if _on_word_boundaries(fld, pos, pos + len(follow)):
            return Hit(hit.category, hit.term, hit.start, pos + len(follow))
        pos = text.find(follow, pos + 1, limit)
    return None


def _longest_per_category(hits: list[Hit]) -> list[Hit]:
    """Sort and sweep (not pairwise): drop a hit inside a longer hit of the same category."""
    hits.sort(key=lambda h: (h.start, -h.end, -h.term.weight))
    kept: list[Hit] = []
    reach: dict[int, int] = {}  # category -> furthest end kept so far
    for hit in hits:
        key = id(hit.category)
        if hit.end <= reach.get(key, -1):
            continue
        reach[key] = hit.end
        kept.append(hit)
    return kept


def _has_cjk(text: str) -> bool:
    return any(is_cjk(ch) for ch in text)


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _on_word_boundaries(fld: Field, start: int, end: int) -> bool:
    """Whether a normalized span starts and ends on the field's word boundaries (消毒|品 holds no
    毒品, 西藏|独特 no 藏独); a word that swallows the whole span is fine (贩卖毒品 ⊇ 毒品)."""
    text = fld.normalized
    # Latin/digit terms: jieba keeps "analysis" whole, so check the neighbours directly.
    if _is_ascii_alnum(text[start]) and start > 0 and _is_ascii_alnum(text[start - 1]):
        return False
    if _is_ascii_alnum(text[end - 1]) and end < len(text) and _is_ascii_alnum(text[end]):
        return False
    a, b = fld.word_at(start)
    if a < start:
        return b >= end
    a, b = fld.word_at(end - 1)
    if b > end:
        return a <= start
    return True


class WordlistCheck:
    """A check whose categories are wordlist files; shared by prohibited and sensitive_topic.

    `context` (ContextCues) lets a protective context lower `block` to `escalate` for the
    categories that allow it (`@context on`).
    """

    version = None  # wordlists are versioned by Resources.version()

    def __init__(self, name: str, lexicon: Lexicon, context=None):
        self.name = name
        self.lexicon = lexicon
        self.context = context

    @property
    def dictionary_words(self) -> list[str]:
        return self.lexicon.words

    def check(self, doc) -> list:
        from .findings import Finding

        findings = []
        for fld in doc.fields:
            hits = self.lexicon.scan(fld)
            if not hits:
                continue
            finder = self.context.finder(fld, doc.title) if self.context else None
            for hit in hits:
                category, action, score = hit.category, hit.category.action, hit.term.weight
                message = category.message
                details = {"term": hit.term.text + (f"...{hit.term.follow}" if hit.term.follow else "")}
                if action == "block" and score < 0.5:
                    # A low weight marks an ambiguous term: a person decides (see README).
                    action = "escalate"
                    message += "（该词存在歧义，请审核人确认）"
                cue = finder.cue_for(hit.start, hit.end) if finder and category.context else None
                if cue and action == "block":
                    action, score = "escalate", score * 0.5
                    message += f"（出现在“{cue[0]}”等{_KIND_ZH[cue[1]]}语境中，未直接拦截，须经主要领导审核确认）"
                    details["context"] = {"cue": cue[0], "kind": cue[1]}
                start, end = fld.original_span(hit.start, hit.end)
                findings.append(Finding(
                    check=self.name, category=category.id, field=fld.name, start=start, end=end,
                    text=fld.original[start:end], score=score, action=action, message=message,
                    details=details,
                ))
        return findings


_KIND_ZH = {
    "crackdown": "打击整治", "warning": "警示提醒", "education": "宣传教育", "refutation": "辟谣", "condemnation": "反对谴责",
}
