"""Protective context: the same term in a crackdown, warning, education or refutation.

严厉打击赌博, 禁毒宣传, 反邪教, 辟谣 name prohibited things in order to oppose them. Such a
hit must not block; the prohibited check lowers it to escalate, so the top leader still sees
it (002 §17). The cue words are data: wordlists/context.txt.

Scope: the sentence holding the hit and its neighbour on each side (a condemnation often
comes a sentence before or after what it condemns: 政协委员表示……。“港独”言论……). A hit inside quotation marks (the rumour quoted by a
refutation) looks at its whole paragraph and at the title instead, because a quoted rumour
may run over several sentences before the refutation speaks.
"""
from __future__ import annotations

import bisect
import re

import ahocorasick

from .lexicon import normalize_term
from .text import Field

KINDS = ("crackdown", "warning", "education", "refutation", "condemnation")
# Context spans the whole sentence: a semicolon only separates items of one enumeration
# (003 §13: "不得……含有下列内容：(一)……；(二)……；(七)散布淫秽、色情、赌博……").
SENTENCE_END = "。！？!?\n"
_SENTENCE_END_RE = re.compile("[" + re.escape(SENTENCE_END) + "]")
# Sentences on each side of the hit's own that a cue may sit in.
NEIGHBOURS = 1
OPEN_QUOTES = "“「『‘"
CLOSE_QUOTES = "”」』’"


def parse_cues(text: str, source: str, kinds: tuple[str, ...]) -> dict[str, str]:
    """`cue | kind` lines (blank, `#` and `@` directive lines skipped): normalized cue -> kind."""
    cues: dict[str, str] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", "@")):
            continue
        cue, _, kind = (p.strip() for p in line.partition("|"))
        if kind not in kinds:
            raise ValueError(f"{source}:{lineno}: kind must be one of {kinds}, got {kind!r}")
        if normalized := normalize_term(cue):
            cues[normalized] = kind
    return cues


class ContextCues:
    def __init__(self, cues: dict[str, str]):
        self.cues = cues  # normalized cue -> kind
        self.automaton = ahocorasick.Automaton()
        for cue, kind in cues.items():
            self.automaton.add_word(cue, (len(cue), cue, kind))
        if cues:
            self.automaton.make_automaton()

    @classmethod
    def parse(cls, text: str, source: str = "context.txt") -> "ContextCues":
        return cls(parse_cues(text, source, KINDS))

    @classmethod
    def load(cls, resources) -> "ContextCues":
        return cls.parse(resources.read_text("context.txt"))

    def finder(self, fld: Field, title: Field | None = None) -> "ContextFinder":
        return ContextFinder(self, fld, title)


class ContextFinder:
    """Cue positions in one field, found once; answers "is this span in protective context?"."""

    def __init__(self, cues: ContextCues, fld: Field, title: Field | None):
        self.text = fld.normalized
        self._starts: list[int] = []
        self._found: list[tuple[int, int, str, str]] = []  # (start, end, cue, kind)
        if cues.cues and self.text:
            found = sorted(
                (end + 1 - length, end + 1, cue, kind)
                for end, (length, cue, kind) in cues.automaton.iter(self.text)
            )
            self._found = found
            self._starts = [f[0] for f in found]
        self._sentence_ends: list[int] | None = None
        self._paragraph_ends: list[int] = []
        self._quoted: list[tuple[int, int]] | None = None
        self._quoted_starts: list[int] = []
        self._title_refutation = None
        if title is not None and title is not fld and cues.cues and title.normalized:
            self._title_refutation = next(
                (cue for _, (_, cue, kind) in cues.automaton.iter(title.normalized) if kind == "refutation"),
                None,
            )

    def _cues_in(self, lo: int, hi: int, skip: tuple[int, int]):
        i = bisect.bisect_left(self._starts, lo)
        while i < len(self._found) and self._found[i][0] < hi:
            start, end, cue, kind = self._found[i]
            # A hit is no cue for itself (a term that is also listed as a cue).
            if end <= hi and (start, end) != skip:
                yield cue, kind
            i += 1

    def cue_for(self, start: int, end: int) -> tuple[str, str] | None:
        """(cue, kind) of the protective context around a normalized span, or None."""
        if self._sentence_ends is None:
            # Boundaries found once per field and bisected: scanning back and forth per hit
            # would be quadratic on a long draft without punctuation.
            self._sentence_ends = [m.start() for m in _SENTENCE_END_RE.finditer(self.text)]
            self._paragraph_ends = [m.start() for m in re.finditer("\n", self.text)]
        lo, hi = _enclosing(self._sentence_ends, start, end, len(self.text), NEIGHBOURS)
        for cue in self._cues_in(lo, hi, (start, end)):
            return cue
        if self._in_quotes(start):
            plo, phi = _enclosing(self._paragraph_ends, start, end, len(self.text))
            for cue, kind in self._cues_in(plo, phi, (start, end)):
                if kind == "refutation":
                    return cue, kind
            if self._title_refutation:
                return self._title_refutation, "refutation"
        return None

    def _in_quotes(self, pos: int) -> bool:
        if self._quoted is None:
            self._quoted = _quoted_intervals(self.text)
            self._quoted_starts = [s for s, _ in self._quoted]
        i = bisect.bisect_right(self._quoted_starts, pos) - 1
        return i >= 0 and pos < self._quoted[i][1]


_QUOTE_MARKS = re.compile("[" + re.escape(OPEN_QUOTES + CLOSE_QUOTES + "\"'\n") + "]")


def _quoted_intervals(text: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks; a quote never runs past its paragraph.
    Only the quote marks are visited (found by the regex engine), not every character."""
    intervals: list[tuple[int, int]] = []
    depth, opened = 0, 0
    straight: str | None = None
    for match in _QUOTE_MARKS.finditer(text):
        i, ch = match.start(), match.group()
        if ch == "\n":
            if depth > 0 or straight is not None:
                intervals.append((opened, i))
            depth, straight = 0, None
        elif ch in "\"'" and depth == 0 and (straight is None or straight == ch):
            if straight is None:
                straight, opened = ch, i + 1
            else:
                straight = None
                intervals.append((opened, i))
        elif ch in OPEN_QUOTES and straight is None:
            if depth == 0:
                opened = i + 1
            depth += 1
        elif ch in CLOSE_QUOTES and depth:
            depth -= 1
            if depth == 0:
                intervals.append((opened, i))
    if depth > 0 or straight is not None:
        intervals.append((opened, len(text)))
    return intervals


def _enclosing(boundaries: list[int], start: int, end: int, length: int, neighbours: int = 0) -> tuple[int, int]:
    """The [lo, hi) between the boundary characters around a span (boundaries sorted),
    widened by `neighbours` units (sentences, paragraphs) on each side."""
    i = bisect.bisect_left(boundaries, start) - neighbours
    lo = boundaries[i - 1] + 1 if i > 0 else 0
    j = bisect.bisect_left(boundaries, end) + neighbours
    hi = boundaries[j] if j < len(boundaries) else length
    return lo, hi
