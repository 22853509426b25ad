"""Category wordlists matched on normalized text, confirmed by jieba word boundaries.

One matcher serves every wordlist-driven check (prohibited content, sensitive topics):
  1. Aho–Corasick over `Field.normalized` finds candidate terms in one pass (defeats
     traditional script, full-width forms, case and inserted separators, see text.py);
  2. a candidate whose edge falls inside a word is rejected (消毒品 is 消毒/品, so it holds no
     毒品; 西藏独特 holds no 藏独); jieba runs only where a dictionary word crosses an edge,
     on a small window around the candidate, never on the whole draft;
  3. spans are mapped back to the original field, so `finding.text == original[start:end]`.

The file format is documented in wordlists/README.md.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from .text import Field, is_cjk
from .tokenize import add_words, tokenizer

# A multi-word pattern "A...B" matches A followed by B within this many characters.
PATTERN_GAP = 12
# Characters of context jieba sees on each side of a candidate; enough for any dictionary word
# that could straddle the candidate's edge, small enough that tokenizing stays cheap.
WINDOW = 6
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
        # Wordlist terms join jieba's dictionary, so jieba keeps them whole when it decides edges.
        add_words(w for c in categories for t in c.terms for w in (t.text, t.follow) if w and _has_cjk(w))

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
        oracle = BoundaryOracle(text)
        oracle.prepare([(h.start, h.end) for h in candidates if oracle.contested(h.start, h.end)])
        confirmed: list[Hit] = []
        for hit in candidates:
            if not oracle.is_word_span(hit.start, hit.end):
                continue
            if hit.term.follow:
                hit = _complete_pattern(text, hit, oracle)
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


def _complete_pattern(text: str, hit: Hit, oracle: "BoundaryOracle") -> Hit | None:
    """For "A...B": B must follow A within PATTERN_GAP characters, inside the same sentence."""
    follow = hit.term.follow
    limit = min(len(text), hit.end + PATTERN_GAP + len(follow))
    for stop, ch in enumerate(text[hit.end:limit], hit.end):
        if ch in SENTENCE_END:
            limit = stop
            break
    pos = text.find(follow, hit.end, limit)
    while pos != -1:
        if oracle.is_word_span(pos, pos + len(follow)):
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


@lru_cache(maxsize=16384)
def _window_tokens(window: str, dictionary_total: int) -> tuple[tuple[int, int], ...]:
    """Token spans of a short window. Cached: boilerplate (严厉打击电信网络诈骗) recurs across
    drafts; `dictionary_total` (jieba's running frequency total) changes whenever a word is
    added, so a stale segmentation is never reused.

    HMM off: the question is which dictionary words jieba's route keeps; the HMM only
    regroups leftover single characters, and costs 3-5x (MEASUREMENTS.md)."""
    return tuple((s, e) for _word, s, e in tokenizer().tokenize(window, HMM=False))


def clear_caches() -> None:
    """Forget cached window segmentations (benchmarks measure the cold case with this)."""
    _window_tokens.cache_clear()


class BoundaryOracle:
    """Decides whether a normalized span starts and ends on jieba word boundaries.

    jieba is consulted only where it decides something: when some dictionary word crosses
    the span's edge (消毒 across 毒品, 西藏 across 藏独). jieba's route is built from
    dictionary words, so with no crossing word it cannot cut inside. When it is needed,
    jieba runs once per group of nearby candidates on a window of WINDOW characters around
    them, never on the whole draft: the engine must stay faster than `jieba.lcut` alone.
    """

    def __init__(self, text: str, window: int = WINDOW):
        self.text = text
        self.window = window
        self.freq = tokenizer().FREQ  # words with a count, and every prefix of a word (count 0)
        self._crossed_at: dict[int, bool] = {}  # position -> does a dictionary word cross it
        self._windows: list[tuple[int, int]] = []  # sorted
        self._token_at: list[dict[int, tuple[int, int]]] = []

    def contested(self, start: int, end: int) -> bool:
        """Does any dictionary word cross the start or the end of the span?"""
        return self._crossed(start) or self._crossed(end)

    def _crossed(self, pos: int) -> bool:
        if pos not in self._crossed_at:
            self._crossed_at[pos] = self._find_crossing(pos)
        return self._crossed_at[pos]

    def _find_crossing(self, pos: int) -> bool:
        text, freq = self.text, self.freq
        if pos <= 0 or pos >= len(text):
            return False
        for a in range(pos - 1, max(-1, pos - self.window), -1):
            if text[a:pos] not in freq:
                continue  # no dictionary word starts with text[a:pos]
            b = pos + 1
            while b <= len(text) and (fragment := text[a:b]) in freq:
                if freq[fragment]:
                    return True
                b += 1
        return False

    def prepare(self, spans: list[tuple[int, int]]) -> None:
        """Tokenize merged windows around the contested spans at once."""
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            lo, hi = max(0, start - self.window), min(len(self.text), end + self.window)
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        for lo, hi in merged:
            self._tokenize(lo, hi)

    def _tokenize(self, lo: int, hi: int) -> int:
        token_at: dict[int, tuple[int, int]] = {}
        for s, e in _window_tokens(self.text[lo:hi], tokenizer().total):
            span = (lo + s, lo + e)
            for i in range(lo + s, lo + e):
                token_at[i] = span
        index = bisect.bisect(self._windows, (lo, hi))
        self._windows.insert(index, (lo, hi))
        self._token_at.insert(index, token_at)
        return index

    def _tokens_for(self, start: int, end: int) -> dict[int, tuple[int, int]]:
        index = bisect.bisect(self._windows, (start, len(self.text) + 1)) - 1
        if index >= 0:
            lo, hi = self._windows[index]
            if lo <= start and end <= hi:
                return self._token_at[index]
        lo, hi = max(0, start - self.window), min(len(self.text), end + self.window)
        return self._token_at[self._tokenize(lo, hi)]

    def is_word_span(self, start: int, end: int) -> bool:
        text = self.text
        # Latin/digit terms: jieba keeps "analysis" whole, so check the neighbours directly.
        if _is_ascii_alnum(text[start]) and start > 0 and _is_ascii_alnum(text[start - 1]):
            return False
        if _is_ascii_alnum(text[end - 1]) and end < len(text) and _is_ascii_alnum(text[end]):
            return False
        if not self.contested(start, end):
            return True
        tokens = self._tokens_for(start, end)
        a, b = tokens[start]
        if a < start:
            # A word crosses the start: reject unless it swallows the whole span (贩卖毒品 ⊇ 毒品).
            return b >= end
        a, b = tokens[end - 1]
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
                # The category as its file names it: a category an administrator adds shows by name.
                if category.name:
                    details["name"] = category.name
                if category.rule:
                    details["rule"] = category.rule
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
