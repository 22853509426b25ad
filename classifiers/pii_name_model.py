"""A learned recognizer for person names that no cue word announces.

The cue rules of pii_names.py find names next to a role word (患者张三, 市长李四); in running text
most private individuals are named without one (张秀英每天早上到菜市场卖青菜). This model scores
candidate spans — a surname and one or two given-name characters, or a run of transliteration
characters (安娜) — with a logistic regression over the span's characters, the dictionary words
at and around it and how name-like each character is. It is trained on real annotated text
(CLUENER2020 and Weibo NER, see pii_name_train.py) and ships as `models/names.npz` (hashed
weights, numpy only: no pickle, any scikit-learn version). Boundaries come from dictionary
lookups, not from segmenting the draft, and the features are computed with numpy over all
candidates at once: this runs on every draft, within the engine's jieba.lcut budget.
"""
from __future__ import annotations

import json
import math
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .tokenize import Dictionary, Tokenizer, surnames_digest

ARTIFACT_FORMAT = "sanshen-names-linear/1"
MODEL_DIR = Path(__file__).resolve().parent / "models"
HASH_BITS = 20
_SLOTS = (1 << HASH_BITS) - 1
# The longest candidate: a transliterated name without a dot (卡特琳娜; 阿卜杜热伊木 has 6); Han
# candidates have at most 4 characters.
MAX_TRANSLIT = 6
MIN_GIVEN_RATE = -3


class NameModelError(RuntimeError):
    """The artifact cannot be used; the message says how to get one that can."""


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    surname_len: int  # what masking keeps; 1 for a transliterated name (its first character)
    kind: str  # "han" | "translit"


def given_name_rates(dictionary: Dictionary, single: frozenset[str]) -> dict[str, int]:
    """See count_given_name_rates; precomputed for the shipped surname list by
    scripts/build_dictionary.py, counted here only for another list."""
    if dictionary.given_name_rates.get("surnames") == surnames_digest(single):
        return dictionary.given_name_rates["rates"]
    return count_given_name_rates(dictionary, single)


def count_given_name_rates(dictionary: Dictionary, single: frozenset[str]) -> dict[str, int]:
    """How much likelier each character is in a given name than in other words, as a rounded log
    ratio (钧 +1, 燕 0, 红 -2, 照 -3), counted in jieba's dictionary over its three-character person
    names (tag nr) that start with a surname, against its other words: names the training data
    never saw still get their characters' evidence."""
    given: Counter = Counter()
    other: Counter = Counter()
    for word, tag in dictionary.tagged():
        if tag == "nr" and len(word) == 3 and word[0] in single:
            given.update(word[1:])
        elif tag != "nr":
            other.update(set(word))
    return {ch: max(-4, min(3, round(math.log((given[ch] + 1) / (other[ch] + 1))))) for ch in given.keys() | other.keys()}


KIND_HAN, KIND_TRANSLIT = 0, 1
KINDS = ("han", "translit")
_B21 = np.int64(1 << 21)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def _sorted_codes(values) -> np.ndarray:
    return np.array(sorted(values), dtype=np.int64)


def _char_table(chars) -> np.ndarray:
    """A lookup by code point: table[codes] is the membership mask of a text's characters."""
    table = np.zeros(0x110000, dtype=bool)
    table[[ord(c) for c in chars]] = True
    return table


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    if not len(sorted_set) or not len(values):
        return np.zeros(len(values), dtype=bool)
    idx = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[idx] == values


def _mix(values: np.ndarray) -> np.ndarray:
    """Slots in the hashed weight vector of a (candidates x feature kinds) matrix of feature
    values: the kind's column number and the value, through the splitmix64 finalizer."""
    kinds = (np.arange(1, values.shape[1] + 1, dtype=np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F))
    with np.errstate(over="ignore"):
        h = values.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + kinds
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return (h & np.uint64(_SLOTS)).astype(np.int64)


def _text_code(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


@dataclass(frozen=True)
class Candidates:
    """Candidate spans of one text, as parallel arrays (start, end exclusive, surname length, kind)."""

    start: np.ndarray
    end: np.ndarray
    surname_len: np.ndarray
    kind: np.ndarray

    def __len__(self) -> int:
        return len(self.start)

    def get(self, i: int) -> Candidate:
        return Candidate(int(self.start[i]), int(self.end[i]), int(self.surname_len[i]), KINDS[int(self.kind[i])])


class NameFeaturizer:
    """Candidates and their features, computed with numpy over the whole text (this runs on every
    draft); training and screening share it, so both see the same inputs."""

    def __init__(self, compound: frozenset[str], single: frozenset[str], translit: frozenset[str], stops: frozenset[str],
                 roles: frozenset[str], words: Tokenizer):
        self.roles = roles
        self.words = words  # dictionary counts and tags, with the Screener's own words
        rates = given_name_rates(words.dictionary, single)
        self._single = _char_table(single)
        self._compound = _sorted_codes(ord(c[0]) << 21 | ord(c[1]) for c in compound)
        self._translit = _char_table(translit)
        self._stops = _char_table(stops)
        self._rates = np.full(0x110000, -5, dtype=np.int8)  # by code point; -5: never seen
        for ch, rate in rates.items():
            self._rates[ord(ch)] = rate

    def given_rate(self, ch: str) -> int:
        """How name-like a character is (see given_name_rates); -5 if jieba's dictionary lacks it."""
        return int(self._rates[ord(ch)])

    def candidates(self, text: str) -> Candidates:
        """A surname and one or two given-name characters, or a run of 2-6 transliteration
        characters (dotted names are the cue rules' business). A span found both ways is a Han name."""
        cps = _codes(text)
        n = len(cps)
        cjk = ((cps >= 0x4E00) & (cps <= 0x9FFF)) | ((cps >= 0x3400) & (cps <= 0x4DBF))
        # A character that is at least e^4 times likelier in other words than in given names
        # (的 was never one; 照 is) does not start the scoring: a third fewer candidates, 3% of
        # CLUENER's names lost (measured), and this runs on every draft.
        plausible = self._rates[cps] >= MIN_GIVEN_RATE
        given_ok = np.concatenate([cjk & plausible & ~self._stops[cps], np.zeros(3, dtype=bool)])
        compound = np.zeros(n, dtype=bool)
        if n > 1:
            compound[:-1] = _member((cps[:-1] << 21) | cps[1:], self._compound)
        parts = []
        for surname_len, surname in ((2, compound), (1, self._single[cps])):
            for given in (1, 2):
                ok = surname.copy()
                for k in range(given):
                    ok &= given_ok[surname_len + k:surname_len + k + n]
                pos = np.flatnonzero(ok)
                parts.append((pos, pos + surname_len + given, surname_len, KIND_HAN))
        translit = self._translit[cps]
        index = np.arange(n)
        next_other = np.minimum.accumulate(np.where(translit, n, index)[::-1])[::-1] if n else index
        run = next_other - index
        for length in range(2, MAX_TRANSLIT + 1):
            pos = np.flatnonzero(run >= length)
            parts.append((pos, pos + length, 1, KIND_TRANSLIT))
        start = np.concatenate([p[0] for p in parts]).astype(np.int64)
        end = np.concatenate([p[1] for p in parts]).astype(np.int64)
        surname_len = np.concatenate([np.full(len(p[0]), p[2]) for p in parts]).astype(np.int64)
        kind = np.concatenate([np.full(len(p[0]), p[3]) for p in parts]).astype(np.int64)
        keep = end <= n
        start, end, surname_len, kind = start[keep], end[keep], surname_len[keep], kind[keep]
        _keys, first = np.unique(start * 64 + (end - start), return_index=True)
        return Candidates(start[first], end[first], surname_len[first], kind[first])

    def slots(self, text: str, cands: Candidates) -> np.ndarray:
        """(candidates x features) slots of the hashed weight vector."""
        cps = _codes(text)
        n = len(cps)
        padded = np.concatenate([np.zeros(2, dtype=np.int64), cps, np.zeros(MAX_TRANSLIT + 2, dtype=np.int64)])

        def at(i):
            return padded[i + 2]

        a, b, sl, kind = cands.start, cands.end, cands.surname_len, cands.kind
        length = b - a
        left1, right1 = at(a - 1), at(b)
        g1 = at(a + sl)
        g2 = np.where(length - sl >= 2, at(a + sl + 1), 0)
        span = np.zeros(len(a), dtype=np.int64)
        with np.errstate(over="ignore"):
            for k in range(MAX_TRANSLIT):
                span = np.where(k < length, span * np.int64(1_000_003) + at(a + k), span)
        starts, start_index = np.unique(a, return_inverse=True)
        ends, end_index = np.unique(b, return_inverse=True)
        words = self.words
        before = np.array([self._before(text, p, words) for p in starts.tolist()], dtype=np.int64).reshape(-1, 3)[start_index]
        after = np.array([_after(text, p, words) for p in ends.tolist()], dtype=np.int64).reshape(-1, 3)[end_index]
        span_words = np.array([_word_code(text[s:e], words) for s, e in zip(a.tolist(), b.tolist())], dtype=np.int64)
        # A two-character given name that is a word (振兴/v, 明亮/a); one character is g1 alone.
        two = np.flatnonzero(length - sl == 2)
        given_words = np.zeros(len(a), dtype=np.int64)
        given_words[two] = [_word_code(text[s:s + 2], words) for s in (a + sl)[two].tolist()]
        translit_count = np.cumsum(np.concatenate([[0], self._translit[cps]]))
        features = (
            kind * 64 + length,  # kind and length
            np.where(sl == 2, at(a) * _B21 + at(a + 1), at(a)),  # surname
            g1, g2, span, span_words, given_words,
            left1, at(a - 2) * _B21 + left1, right1, right1 * _B21 + at(b + 1),
            _char_class(left1) * 8 + _char_class(right1), left1 * _B21 + right1,
            before[:, 0], before[:, 1], before[:, 2], after[:, 0], after[:, 1], after[:, 2],
            (self._rates[g1].astype(np.int64) + 8) * 16 + np.where(g2 > 0, self._rates[g2].astype(np.int64) + 8, 15),
            np.where(kind == KIND_TRANSLIT, translit_count[np.minimum(b, n)] - translit_count[a], -1),
        )
        return _mix(np.stack(features, axis=1))

    def _before(self, text: str, a: int, words: Tokenizer) -> tuple[int, int, int]:
        """What is before a span starting at `a`: the dictionary word ending there (its text, its
        last character, whether it is a role word from the cue lists), whether a dictionary word runs
        across `a` (由于|于长生), and an age right before (62岁的)."""
        word = _word_ending(text, a, words)
        age = text.endswith(("岁", "岁的"), 0, a)
        return _text_code(word), ord(word[-1:] or " "), int(word in self.roles) * 4 + int(_crossed(text, a, words)) * 2 + int(age)


def _after(text: str, b: int, words: Tokenizer) -> tuple[int, int, int]:
    word = _word_starting(text, b, words)
    return _text_code(word), int(_crossed(text, b, words)), _tag_id(words.tag(word) or "-")


def _word_code(word: str, words: Tokenizer) -> int:
    """A word's dictionary evidence as one number: its tag and its frequency, in bits (张贴/v, 高峰/n)."""
    return _tag_id(words.tag(word) or "-") * 32 + min(words.freq(word).bit_length(), 31)


@lru_cache(maxsize=None)
def _tag_id(tag: str) -> int:
    return zlib.crc32(tag.encode()) & 0xFFFF


def _char_class(codes: np.ndarray) -> np.ndarray:
    cjk = ((codes >= 0x4E00) & (codes <= 0x9FFF)) | ((codes >= 0x3400) & (codes <= 0x4DBF))
    digit = (codes >= 0x30) & (codes <= 0x39)
    latin = ((codes >= 0x61) & (codes <= 0x7A)) | ((codes >= 0x41) & (codes <= 0x5A))
    return np.select([codes == 0, cjk, digit, latin], [0, 1, 2, 3], 4)


def _word_ending(text: str, pos: int, words: Tokenizer) -> str:
    """The longest dictionary word (up to 4 characters) ending at `pos`, else the character before."""
    for k in (4, 3, 2):
        if pos >= k and words.freq(text[pos - k:pos]):
            return text[pos - k:pos]
    return text[pos - 1:pos]


def _word_starting(text: str, pos: int, words: Tokenizer) -> str:
    if text[pos:pos + 2] not in words:  # the dictionary keeps every prefix of its words: none starts here
        return text[pos:pos + 1]
    for k in (4, 3, 2):
        if words.freq(text[pos:pos + k]) and pos + k <= len(text):
            return text[pos:pos + k]
    return text[pos:pos + 1]


def _crossed(text: str, pos: int, words: Tokenizer) -> bool:
    """Whether a dictionary word of two or three characters runs across `pos` (由于|于长生)."""
    return pos > 0 and bool(words.freq(text[pos - 1:pos + 1]) or words.freq(text[pos - 1:pos + 2]) and pos + 2 <= len(text)
                            or pos > 1 and words.freq(text[pos - 2:pos + 1]))


class NameModel:
    def __init__(self, weights: np.ndarray, bias: float, version: str):
        self.weights, self.bias, self.version = weights, bias, version

    @classmethod
    def load(cls, path: Path) -> "NameModel":
        retrain = "retrain it with `review model train-names --data PATH` (see docs/pii.md)"
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                weights = np.asarray(data["weights"], dtype=np.float32)
        except FileNotFoundError as exc:
            raise NameModelError(f"name model not found at {path}; {retrain}") from exc
        except (OSError, KeyError, ValueError) as exc:
            raise NameModelError(f"name model at {path} cannot be read ({exc}); {retrain}") from exc
        if header.get("format") != ARTIFACT_FORMAT:
            raise NameModelError(f"name model at {path} has format {header.get('format')!r}, this version of "
                                 f"sanshen reads {ARTIFACT_FORMAT!r}; {retrain}")
        if weights.shape != (_SLOTS + 1,) or "bias" not in header or "version" not in header:
            raise NameModelError(f"name model at {path} does not match this featurizer; {retrain}")
        return cls(weights, float(header["bias"]), header["version"])

    def scores(self, featurizer: NameFeaturizer, text: str) -> tuple[Candidates, np.ndarray]:
        """Every candidate span of `text` and its probability of being a person's name."""
        cands = featurizer.candidates(text)
        if not len(cands):
            return cands, np.zeros(0)
        margins = self.weights[featurizer.slots(text, cands)].sum(axis=1) + self.bias
        return cands, 1.0 / (1.0 + np.exp(-margins))


def best_spans(cands: Candidates, probabilities: np.ndarray, threshold: float) -> list[tuple[Candidate, float]]:
    """Non-overlapping candidates at or above `threshold`, the most probable first."""
    taken: list[tuple[Candidate, float]] = []
    for i in np.flatnonzero(probabilities >= threshold)[np.argsort(-probabilities[probabilities >= threshold], kind="stable")]:
        cand = cands.get(int(i))
        if all(cand.end <= t.start or t.end <= cand.start for t, _ in taken):
            taken.append((cand, float(probabilities[i])))
    return sorted(taken, key=lambda cp: cp[0].start)
