"""Every view of a field a check needs, each with its map back to the original offsets.

`Field.folded` (same length as the original), `Field.normalized` (separators dropped, map
`original_span`), `Field.content` (letters, digits and CJK only, map `content_indices`) and
`Field.tokens` (words with part-of-speech tags of `normalized`, from the Screener's tokenizer).
Each is computed once; checks report spans in the original text, so
`finding.text == original[start:end]` always holds.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import numpy as np
import opencc

if TYPE_CHECKING:
    from .tokenize import Tokenizer, Tokens

_T2S = opencc.OpenCC("t2s")

# Removed everywhere: they are invisible and only ever used to split words.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
# Removed between two CJK characters (赌·博, 赌 博, 赌*博, 赌☆博): real text never puts them there.
# Not ★: it is part of a classification marking (绝密★启用前).
SEPARATORS = frozenset(" \t\u3000·•・‧∙*#@_-~^|/\\+=.…'\"`☆□■○●◎◇◆△▲▽▼※♀♂♪♫♬♡♥❤✿❀✓✔✕✖✗✘")


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@lru_cache(maxsize=65536)
def _fold(ch: str) -> str:
    """Full-width to half-width and case folding for one character; never changes length.

    NFKC or lower() may yield several characters (ﬁ -> fi, İ -> i̇); the character is then
    kept as it was, so every normalized index still maps to exactly one original index.
    """
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:
        folded = ch
    lowered = folded.lower()
    return lowered if len(lowered) == 1 else folded


def fold(text: str) -> str:
    """Full-width to half-width, lower case, Traditional to Simplified, character by character;
    never changes length, so every offset into the result is an offset into `text`."""
    return _to_simplified(text.translate(_FOLD_TABLE))


def content_codes(folded: str) -> tuple[np.ndarray, np.ndarray]:
    """Code points of the letters, digits and CJK characters of a folded text, and their offsets:
    what copies are compared on (punctuation, spaces and line breaks dropped)."""
    cps = np.frombuffer(folded.encode("utf-32-le"), dtype="<u4")
    keep = (
        ((cps >= 0x4E00) & (cps <= 0x9FFF))
        | ((cps >= 0x3400) & (cps <= 0x4DBF))
        | ((cps >= 0x30) & (cps <= 0x39))
        | ((cps >= 0x61) & (cps <= 0x7A))
    )
    positions = np.flatnonzero(keep)
    return cps[positions].astype(np.uint64), positions


def _to_simplified(text: str) -> str:
    converted = _T2S.convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length: fall back to per-character conversion so the map holds.
    return "".join(c if len(c := _T2S.convert(ch)) == 1 else ch for ch in text)


class _FoldTable(dict):
    """str.translate table that folds each new character once, then answers from the dict."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()
_CJK_CLASS = "\u4e00-\u9fff\u3400-\u4dbf"
_ZW_CLASS = "".join(sorted(ZERO_WIDTH))
# Zero-width characters anywhere, and runs of separators (or zero-width) between two CJK
# characters. Same rule as character by character, found by the regex engine in C.
# The between-CJK alternative comes first so that it takes a whole mixed run (了\xad=了).
_REMOVABLE = re.compile(
    f"(?<=[{_CJK_CLASS}])[{re.escape(''.join(sorted(SEPARATORS)) + _ZW_CLASS)}]+(?=[{_CJK_CLASS}])"
    f"|[{re.escape(_ZW_CLASS)}]+"
)


@dataclass
class Field:
    name: str  # "title" | "body"
    original: str
    # The Screener's tokenizer; a field built without one (a wordlist term) has no tokens.
    tokenizer: "Tokenizer | None" = field(default=None, repr=False, compare=False)
    normalized: str = field(init=False)
    # For normalized char i: where it came from in the original (start; end is start + 1).
    _starts: list[int] = field(init=False, repr=False)

    def __post_init__(self):
        folded = self.folded
        removed = [m.span() for m in _REMOVABLE.finditer(folded)]
        if not removed:  # the usual case: nothing to take out, the map is the identity
            self.normalized = folded
            self._starts = list(range(len(folded)))
            return
        pieces: list[str] = []
        starts: list[int] = []
        cursor = 0
        for rs, re_ in removed:
            pieces.append(folded[cursor:rs])
            starts.extend(range(cursor, rs))
            cursor = re_
        pieces.append(folded[cursor:])
        starts.extend(range(cursor, len(folded)))
        self.normalized = "".join(pieces)
        self._starts = starts

    @cached_property
    def folded(self) -> str:
        """The original folded and simplified, before separators are removed: same length and
        offsets as `original`, so punctuation that normalization drops between CJK is still there."""
        return fold(self.original)

    @property
    def original_indices(self) -> list[int]:
        """For each normalized character, its index in `original` (and in `folded`)."""
        return self._starts

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized [start, end) span to the original text."""
        if start >= end:
            pos = self._starts[start] if start < len(self._starts) else len(self.original)
            return pos, pos
        return self._starts[start], self._starts[end - 1] + 1

    def original_text(self, start: int, end: int) -> str:
        ostart, oend = self.original_span(start, end)
        return self.original[ostart:oend]

    @cached_property
    def _content(self) -> tuple[np.ndarray, np.ndarray]:
        return content_codes(self.folded)

    @property
    def content_codes(self) -> np.ndarray:
        """Code points (uint64) of `content`, as the originals index hashes them."""
        return self._content[0]

    @property
    def content_indices(self) -> np.ndarray:
        """For each `content` character, its index in `original` (and in `folded`)."""
        return self._content[1]

    @cached_property
    def content(self) -> str:
        """Only the letters, digits and CJK characters of `folded`: what copies are compared on."""
        return self._content[0].astype("<u4").tobytes().decode("utf-32-le")

    @cached_property
    def tokens(self) -> "Tokens":
        """Words of `normalized` with their offsets and part-of-speech tags, from the Screener's
        tokenizer (whole text, precise mode with HMM)."""
        if self.tokenizer is None:
            raise ValueError(f"field {self.name!r} was built without a tokenizer (build it through Document.build)")
        return self.tokenizer.tokens(self.normalized)

    def tokens_between(self, start: int, end: int) -> list[tuple[str, int, int]]:
        """The tokens of normalized [start, end) as (word, start, end) relative to `start`, as
        segmenting that slice would list them but read from the whole-text tokens: a token that
        crosses an edge is cut at it."""
        tokens, text = self.tokens, self.normalized
        end = min(end, len(text))
        if start >= end:
            return []
        first, last = tokens.index_at(start), tokens.index_at(end - 1)
        out = []
        for k in range(first, last + 1):
            a, b = max(start, int(tokens.starts[k])), min(end, int(tokens.ends[k]))
            out.append((text[a:b], a - start, b - start))
        return out

    def word_at(self, i: int) -> tuple[int, int]:
        """The normalized [start, end) of the token holding normalized character i."""
        k = self.tokens.index_at(i)
        return int(self.tokens.starts[k]), int(self.tokens.ends[k])
