"""Commercial-advertising check: linear models over character n-grams and ad cues, numpy only.

Government accounts must not publish commercial advertising or paid services
(000 §17, 001 三.1, 002 §26). The model is trained by `classifiers/ad_train.py` (scikit-learn)
and exported to a plain JSON artifact (vocabulary, idf, and per member model its coefficients
and Platt calibration; the probability is the members' mean), so scoring needs no scikit-learn
and the artifact loads whatever scikit-learn version is installed.

The featurizer here is the single definition of the features; training calls it too.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .document import Document
from .findings import Finding
from .resources import Resources
from .text import Field

NAME = "ad"
CATEGORY = "commercial"
MODEL_DIR = Path(__file__).resolve().parent / "models"
# Bump when the featurizer or the artifact layout changes; an artifact of another format is refused.
# /3: glued contact handles; /4: quotes in warnings blanked; /5: more warning words, quotes paired before normalization
ARTIFACT_FORMAT = "sanshen-ad-linear/5"
RULE = "政务新媒体不得发布商业广告或有偿服务信息（000 §17、001 三.1、002 §26）"

# Digits, and the `x` the SMS corpus masks digits with, collapse to one "0" per number, so
# "xxx元" (training) and "128元" (drafts) look alike and years and prices share features.
_NUMBER = re.compile(r"(?<![a-wyz])[0-9x](?:[0-9x.,:：\-]*[0-9x])?(?![a-wyz])")
# Punctuation and spacing become one boundary char that no n-gram crosses. In the SMS corpus
# every message with a comma, a full stop or a "!" is spam (the ordinary texts are punctuation-free
# fragments), so as features they taught the model where a text came from; official prose is all
# commas, and festive posts end in "！". Prices and symbols still count through the cues below.
_BOUNDARY = re.compile(r"[\W_]+")
BOUNDARY = "|"

# Hand features: ad cues a human reviewer names. Matched on normalized text (lower case, half
# width, simplified). The model learns what each is worth; government notices carry phone
# numbers and prices too, so no cue decides alone.
# Each cue also names every character a match can start with: a lookahead on that set lets the
# scan skip other positions at once (the five scans took a fifth of the check's time; a third of
# that with the guard). tests/classifiers/test_ad.py checks the sets against generated matches.
CUE_SOURCES: tuple[tuple[str, str, str, str], ...] = (
    ("price", "价格", "¥￥0-9x特售原现仅只低活优", (
        r"[¥￥]\s*[0-9x]|[0-9x]+(?:\.[0-9x]+)?\s*(?:元|块)\s*(?:/|起|一|每|包邮)|"
        r"(?:特价|售价|原价|现价|仅售|只需|仅需|只要|低至|活动价|优惠价)\s*[0-9x]+(?:\.[0-9x]+)?")),
    ("discount", "折扣促销", "0-9x一二三四五六七八九买满充特秒包促酬清甩返钜巨让团半立直", (
        r"[0-9x一二三四五六七八九](?:\.[0-9x])?折(?:起|优惠|销售)?|买[0-9x一二三]送[0-9x一二三]|"
        r"满[0-9x]+(?:元)?(?:减|送)|充[0-9x]+送|特惠|特价|秒杀|包邮|促销|酬宾|清仓|甩卖|返现|"
        r"钜惠|巨惠|让利|团购价|买一送一|半价|立减|直降")),
    # "加微信…" needs nothing after it (加微信咨询, 加微信jb888); a handle glued to 微信/qq/vx needs
    # five characters (微信jingbang888), so 微信公众号 and 微信app are not contacts.
    ("contact", "联系方式", "1x4加微vwq薇威扣", (
        r"(?<![0-9x])1[3-9][0-9x]{9}(?![0-9x])|(?<![0-9x])x{11}(?![0-9x])|"
        r"(?<![0-9x])400-?[0-9x]{3}-?[0-9x]{4}|"
        r"加\s*(?:微信|vx|wx|qq|v信)|加\s*(?:微(?![博软])|v(?![a-z])|q(?![a-z]))|微信同号|"
        r"(?:微信号?|薇信|威信|v信|扣扣|(?<![a-z])(?:vx|wx|qq)号?)"
        r"\s*(?:[:：]\s*[a-z0-9]|[a-z][a-z0-9_\-]{4,}|[0-9x]{5,})|扣扣|薇信|威信|v信")),
    ("link", "链接", "a-z0-9\\-", (
        r"https?://(?![a-z0-9.\-]*gov\.cn)|www\.(?![a-z0-9.\-]*gov\.cn)|t\.cn/|dwz\.|url\.cn|"
        r"\b[a-z0-9\-]+\.(?:com|net|cc|top|vip|xyz|shop)\b")),
    ("call_to_action", "号召购买", "回退详欢来速火预报欲限马立赶进到恭订招加", (
        r"回复\s*(?:td|t\b|退订|[0-9x])|退订|详询|欢迎来电|欢迎致电|欢迎垂询|欢迎惠顾|欢迎选购|"
        r"来电咨询|速来|火热(?:预订|认购|招生|报名|销售)|预订从速|报名从速|欲购从速|欲报从速|"
        r"限时(?:特惠|优惠|抢购|折扣|秒杀|促销|特价|免费)|马上(?:抢|订|买)|立即(?:抢|订购|购买)|"
        r"赶快|赶紧|进店|到店|恭候|订购|招商加盟|加盟")),
)
CUES: tuple[tuple[str, str, re.Pattern], ...] = tuple(
    (name, label, re.compile(f"(?=[{first}])(?:{pattern})")) for name, label, first, pattern in CUE_SOURCES)


# An ad quoted in a warning is not the author's offer: anti-fraud posts quote scam ads word for word
# (警惕“无抵押、当天放款，加微信dk8866秒批”). In a line with a warning word, quoted text is blanked
# before n-grams and cues are taken. An ad's own pitch is not in quotes, and a line that warns of
# nothing keeps its quotes (brand names, slogans). The second row of words came from warnings that
# quote the scam first and then speak of its victims or of checking it (收到此类短信…请核实…受害人).
_WARNING = re.compile(r"诈骗|骗局|骗子|防骗|反诈|警惕|谨防|提防|轻信|切勿|陷阱|套路|虚假|违法|非法|查处|立案|处罚|罚款|欺诈|"
                      r"受害|冒充|假冒|不法|举报|此类|这类|核实")
_QUOTED = re.compile(r"“[^“”\n]*”|「[^「」\n]*」|『[^『』\n]*』|‘[^‘’\n]*’|\"[^\"\n]*\"")


def feature_text(fld: Field) -> str:
    """The text features are taken from: `fld.normalized` with quotes in warning lines blanked to
    spaces, so every offset stays the same. Quotes are found in `fld.folded`: normalization drops
    a straight quote between two CJK characters (又是"注销校园贷"), which would unpair the rest."""
    normalized = fld.normalized
    if not _WARNING.search(normalized):
        return normalized
    inside = np.zeros(len(fld.folded) + 1, dtype=np.int64)  # difference array over original offsets
    offset = 0
    for line in fld.folded.split("\n"):
        if _WARNING.search(line):
            for m in _QUOTED.finditer(line):
                inside[offset + m.start() + 1] += 1
                inside[offset + m.end() - 1] -= 1
        offset += len(line) + 1
    blank = np.cumsum(inside)[fld.original_indices] > 0
    if not blank.any():
        return normalized
    codes = np.frombuffer(normalized.encode("utf-32-le"), dtype=np.uint32).copy()
    codes[blank] = ord(" ")
    return codes.tobytes().decode("utf-32-le")


class AdModelError(RuntimeError):
    """The artifact cannot be used; the message says how to get one that can."""


_COLLAPSE = re.compile(f"(?P<n>{_NUMBER.pattern})|(?P<b>{_BOUNDARY.pattern})")


def model_text(normalized: str) -> tuple[str, np.ndarray]:
    """The text n-grams are taken from (numbers -> "0", punctuation and spaces -> BOUNDARY),
    and for each of its chars the normalized index it starts at. Vectorized: it runs on every draft."""
    spans = [(m.start(), m.end(), m.lastgroup == "n") for m in _COLLAPSE.finditer(normalized)]
    if not spans:
        return normalized, np.arange(len(normalized), dtype=np.int64)
    codes = np.frombuffer(normalized.encode("utf-32-le"), dtype=np.uint32).copy()
    starts, ends, numeric = (np.array(col) for col in zip(*spans))
    codes[starts] = np.where(numeric, ord("0"), ord(BOUNDARY))
    # Drop the rest of each collapsed span: +1 after its first char, -1 at its end.
    drop = np.zeros(len(codes) + 1, dtype=np.int64)
    np.add.at(drop, starts + 1, 1)
    np.add.at(drop, ends, -1)
    keep = np.cumsum(drop[:-1]) == 0
    return codes[keep].tobytes().decode("utf-32-le"), np.flatnonzero(keep)


def ngrams(text: str, n_max: int) -> list[str]:
    """Every char n-gram of length 1..n_max that crosses no boundary (training; screening
    uses `gram_keys`, which yields the same n-grams)."""
    return [g for n in range(1, n_max + 1) for i in range(len(text) - n + 1)
            if BOUNDARY not in (g := text[i:i + n])]


def _codes(text: str) -> np.ndarray:
    # +1 keeps every code non-zero, so a 1-gram key never equals a longer n-gram's key.
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64) + 1


def gram_keys(text: str, n_max: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(key, start, n) of every char n-gram, vectorized. A key packs the code points 21 bits
    each (Unicode needs 21), so it is exact for n <= 3: no hashing, no collisions."""
    codes = _codes(text)
    boundary = np.concatenate(([0], np.cumsum(codes == ord(BOUNDARY) + 1)))
    keys, starts, lens = [], [], []
    k = codes
    for n in range(1, n_max + 1):
        if n > 1:
            k = (k[:-1] << 21) | codes[n - 1:]
        start = np.arange(len(k), dtype=np.int64)
        clear = boundary[start + n] == boundary[start]
        keys.append(k[clear])
        starts.append(start[clear])
        lens.append(np.full(int(clear.sum()), n, dtype=np.int64))
    return np.concatenate(keys), np.concatenate(starts), np.concatenate(lens)


def cue_matches(normalized: str) -> list[tuple[int, int, int]]:
    """(cue index, start, end) of every ad cue in normalized text."""
    return [(k, m.start(), m.end()) for k, (_, _, rx) in enumerate(CUES) for m in rx.finditer(normalized)]


def cue_vector(cue_ids) -> np.ndarray:
    return np.log1p(np.bincount(np.asarray(cue_ids, dtype=np.int64), minlength=len(CUES)).astype(np.float64))


@dataclass(frozen=True)
class Scored:
    probability: float
    start: int  # strongest span, normalized offsets of the field
    end: int
    evidence: tuple[str, ...]  # strongest features: text of the draft, or "cue：text"


class AdModel:
    """Fitted linear members sharing one featurizer: p = mean over members k of
    sigmoid(a_k·(w_k·x + b_k) + c_k), x = [l2(tf·idf), log1p(cue counts)], tf = 1 + log(count)."""

    def __init__(self, data: dict):
        fmt = data.get("format") if isinstance(data, dict) else None
        if fmt != ARTIFACT_FORMAT:
            raise AdModelError(
                f"ad model artifact has format {fmt!r}, this version of sanshen reads {ARTIFACT_FORMAT!r}; "
                "retrain it with `review model train --data PATH` (see docs/ad.md)")
        try:
            self.version: str = data["version"]
            self.n_max: int = int(data["ngram_max"])
            self.terms: list[str] = data["vocabulary"]
            self.idf = np.asarray(data["idf"], dtype=np.float64)
            members = data["members"]
            # One row per member model.
            self.coef = np.array([m["coef"] for m in members], dtype=np.float64).reshape(len(members), -1)
            self.cue_coef = np.array([m["cue_coef"] for m in members], dtype=np.float64).reshape(len(members), -1)
            self.intercept = np.array([m["intercept"] for m in members], dtype=np.float64)
            self.platt_a, self.platt_b = np.array([m["calibration"] for m in members], dtype=np.float64).reshape(-1, 2).T
            cues = data["cues"]
        except (KeyError, TypeError, ValueError) as exc:
            raise AdModelError(f"ad model artifact is incomplete ({exc!r}); retrain it with "
                               "`review model train --data PATH`") from exc
        if not members or self.coef.shape[1] != len(self.terms) or len(self.terms) != len(self.idf) \
                or self.cue_coef.shape[1] != len(CUES) or cues != [k for k, _, _ in CUES] \
                or not 1 <= self.n_max <= 3 or any(not 1 <= len(t) <= self.n_max for t in self.terms):
            raise AdModelError("ad model artifact does not match this featurizer (vocabulary or cue list "
                               "differs); retrain it with `review model train --data PATH`")
        # Lookup tables: a unigram key (a code point + 1) indexes an array directly; longer keys
        # go through a hash table, their keys sorted by bucket (binary search over 150,000 keys
        # cost three times as much).
        keys, lengths = _term_keys(self.terms)
        self._unigram_ids = np.full(0x110002, -1, dtype=np.int32)
        self._unigram_ids[keys[lengths == 1]] = np.flatnonzero(lengths == 1)
        longer = np.flatnonzero(lengths > 1)
        buckets = _bucket(keys[longer])
        order = np.lexsort((keys[longer], buckets))
        self._bucket_keys = np.append(keys[longer][order], -1)  # -1: a probe past the last key misses
        self._bucket_ids = longer[order]
        self._bucket_first = np.searchsorted(buckets[order], np.arange(1 << _HASH_BITS)).astype(np.int32)
        self._bucket_size = np.bincount(buckets, minlength=1 << _HASH_BITS).astype(np.int32)
        # Explanations weigh features by the members' summed coefficients: one occurrence's
        # weight before normalization.
        self._idf_coef = self.idf * self.coef.sum(axis=0)
        self._cue_coef = self.cue_coef.sum(axis=0)

    @classmethod
    def load(cls, path: str | Path) -> "AdModel":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise AdModelError(f"ad model not found at {path}; train one with "
                               "`review model train --data PATH` (see docs/ad.md)") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise AdModelError(f"ad model at {path} is not a valid JSON artifact: {exc}") from exc
        return cls(data)

    def occurrences(self, mtext: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(feature id, start, n) of every in-vocabulary n-gram of model text."""
        if not mtext:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        keys, starts, lens = gram_keys(mtext, self.n_max)
        ids = np.full(len(keys), -1, dtype=np.int64)
        unigram = lens == 1
        ids[unigram] = self._unigram_ids[keys[unigram]]
        longer = np.flatnonzero(~unigram)
        wanted = keys[longer]
        bucket = _bucket(wanted)
        first, size = self._bucket_first[bucket], self._bucket_size[bucket]
        for j in range(int(size.max(initial=0))):  # a bucket holds a handful of keys at most
            live = np.flatnonzero((size > j) & (ids[longer] < 0))
            slot = first[live] + j
            found = self._bucket_keys[slot] == wanted[live]
            ids[longer[live[found]]] = self._bucket_ids[slot[found]]
        hit = ids >= 0
        return ids[hit], starts[hit], lens[hit]

    def score(self, text: str) -> Scored:
        """Score text as one window and explain it (offsets are of the normalized text)."""
        scorer = FieldScorer(self, Field("body", text))
        span = (0, len(scorer.text))
        return scorer.explain(*span, scorer.probabilities([span])[0])


def sublinear_tf(counts: np.ndarray) -> np.ndarray:
    """1 + log(count) for the terms present: a repeated n-gram (a price list, 特价特价) counts less
    than its repeats (scikit-learn's sublinear_tf)."""
    tf = counts.astype(np.float64)
    present = tf > 0
    tf[present] = 1.0 + np.log(tf[present])
    return tf


_HASH_BITS = 20


def _bucket(keys: np.ndarray) -> np.ndarray:
    """Hash-table bucket of n-gram keys (Fibonacci hashing: the top bits of key × 2⁶⁴/φ)."""
    with np.errstate(over="ignore"):
        return ((keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - _HASH_BITS)).astype(np.int64)


def _term_keys(terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The gram_keys key of every vocabulary term (1-3 chars), and its length, vectorized."""
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    codes = np.append(_codes("".join(terms)), 0)
    starts = np.cumsum(lengths) - lengths
    keys = codes[starts].copy()
    for k in range(1, 3):
        longer = lengths > k
        keys[longer] = (keys[longer] << 21) | codes[starts[longer] + k]
    return keys, lengths


class FieldScorer:
    """Featurizes a field once; any window of it is then scored with a few numpy operations."""

    def __init__(self, model: AdModel, fld: Field):
        self.model = model
        self.text = normalized = fld.normalized
        codes = _codes(normalized) - 1
        letter = ((codes >= 0x4E00) & (codes <= 0x9FFF)) | ((codes >= 0x3400) & (codes <= 0x4DBF)) \
            | ((codes >= 0x61) & (codes <= 0x7A))
        self.letters = np.concatenate(([0], np.cumsum(letter)))
        features = feature_text(fld)
        mtext, index = model_text(features)
        ids, starts, lens = model.occurrences(mtext)
        # Occurrence spans in normalized offsets; a collapsed number spans all its digits.
        next_start = np.append(index[1:], len(normalized))
        nstarts, nends = index[starts], next_start[starts + lens - 1]
        order = np.argsort(nstarts, kind="stable")
        self.ids, self.starts, self.ends = ids[order], nstarts[order], nends[order]
        # Features renumbered densely per field, so a (window, term) pair packs into one integer.
        uniq, self.local = np.unique(self.ids, return_inverse=True)
        self.idf, self.coef = model.idf[uniq], model.coef[:, uniq]
        cues = cue_matches(features)
        self.cue_ids = np.array([k for k, _, _ in cues], dtype=np.int64)
        self.cue_starts = np.array([s for _, s, _ in cues], dtype=np.int64)
        self.cue_ends = np.array([e for _, _, e in cues], dtype=np.int64)

    def letter_count(self, ws: int, we: int) -> int:
        return int(self.letters[we] - self.letters[ws])

    def probabilities(self, spans: list[tuple[int, int]]) -> list[float]:
        """The probability of every window at once, from the (window, term, count) triples of all
        windows (a draft's windows cost one sort): the mean over members of their calibrated
        linear scores on [l2(sublinear tf·idf), log1p(cue counts)], as ad_train.design_matrix."""
        model = self.model
        spans_arr = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
        n = len(spans_arr)
        lo, hi = np.searchsorted(self.starts, spans_arr.reshape(-1)).reshape(-1, 2).T
        sizes = hi - lo
        window = np.repeat(np.arange(n), sizes)
        occurrence = np.arange(int(sizes.sum())) + np.repeat(lo - (np.cumsum(sizes) - sizes), sizes)
        inside = self.ends[occurrence] <= spans_arr[window, 1]
        m = len(self.idf)
        pairs, counts = np.unique(window[inside] * m + self.local[occurrence[inside]], return_counts=True)
        window, term = pairs // m, pairs % m
        tfidf = sublinear_tf(counts) * self.idf[term]
        norm = np.sqrt(np.bincount(window, weights=tfidf * tfidf, minlength=n))
        norm[norm == 0] = 1.0
        z = np.stack([np.bincount(window, weights=tfidf * c[term], minlength=n) for c in self.coef], axis=1) / norm[:, None]
        in_window = (self.cue_starts >= spans_arr[:, :1]) & (self.cue_ends <= spans_arr[:, 1:])
        cue_counts = in_window.astype(np.float64) @ np.eye(len(CUES))[self.cue_ids]
        z += np.log1p(cue_counts) @ model.cue_coef.T + model.intercept
        t = model.platt_a * z + model.platt_b
        return (0.5 * (1.0 + np.tanh(0.5 * t))).mean(axis=1).tolist()  # the logistic function, without overflow

    def explain(self, ws: int, we: int, probability: float) -> Scored:
        """Spread each feature's contribution over the chars it covers; the positive runs are the
        evidence, the heaviest run is the span to show."""
        model = self.model
        lo, hi = np.searchsorted(self.starts, [ws, we]).tolist()
        inside = self.ends[lo:hi] <= we
        ids, starts, ends = self.ids[lo:hi][inside], self.starts[lo:hi][inside], self.ends[lo:hi][inside]
        cue = (self.cue_starts >= ws) & (self.cue_ends <= we)
        cue_counts = np.bincount(self.cue_ids[cue], minlength=len(CUES))
        cues = np.log1p(cue_counts.astype(np.float64))
        weight = np.zeros(we - ws + 1)
        if len(ids):
            uniq, term, count = np.unique(ids, return_inverse=True, return_counts=True)
            tf = sublinear_tf(count)
            tfidf = tf * model.idf[uniq]
            norm = float(np.sqrt(tfidf @ tfidf))
            share = (tf / count)[term]  # each occurrence's share of its term's tf
            per_char = model._idf_coef[ids] * share / norm / (ends - starts)
            np.add.at(weight, starts - ws, per_char)  # difference array: += per_char on [start, end)
            np.add.at(weight, ends - ws, -per_char)
        weight = np.cumsum(weight)[:-1]
        cue_value = cues * model._cue_coef
        cue_evidence = []
        for k, s, e in zip(self.cue_ids[cue], self.cue_starts[cue], self.cue_ends[cue]):
            if cue_value[k] > 0:
                share = cue_value[k] / cue_counts[k]  # each match its share, as each n-gram occurrence
                weight[s - ws:e - ws] += share / (e - s)
                cue_evidence.append((float(share), f"{CUES[k][1]}：{self.text[s:e]}"))
        runs = _positive_runs(weight)
        if not runs:
            return Scored(probability, ws, ws, ())
        runs.sort(key=lambda r: -r[2])
        terms = [(w, self.text[ws + s:ws + e]) for s, e, w in runs[:5]]
        ranked = sorted(terms + cue_evidence, key=lambda x: -x[0])
        evidence = tuple(dict.fromkeys(t for _, t in ranked))[:6]
        return Scored(probability, ws + runs[0][0], ws + runs[0][1], evidence)


def _positive_runs(weight: np.ndarray, min_share: float = 0.25) -> list[tuple[int, int, float]]:
    """Maximal runs of chars heavier than min_share of the heaviest char, with their sums."""
    if not len(weight) or weight.max() <= 0:
        return []
    hot = np.concatenate(([False], weight > weight.max() * min_share, [False]))
    edges = np.flatnonzero(hot[1:] != hot[:-1])
    return [(int(s), int(e), float(weight[s:e].sum())) for s, e in zip(edges[::2], edges[1::2])]


def windows(normalized: str, width: int, min_chars: int) -> list[tuple[int, int]]:
    """Windows over normalized text: one per paragraph; a paragraph longer than `width` is cut into
    half-overlapping windows; lines shorter than `min_chars` (headings, "电话：…") join the next
    line, or the previous window at the end, so they are judged in context."""
    spans: list[tuple[int, int]] = []
    pos = 0
    pending = None
    for line in normalized.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        if pending is not None:
            start, pending = pending, None
        if end - start < min_chars:
            pending = start
            continue
        if end - start <= width:
            spans.append((start, end))
            continue
        step = width // 2
        s = start
        while True:
            e = min(s + width, end)
            spans.append((s, e))
            if e >= end:
                break
            s += step
    if pending is not None:
        if spans:
            spans[-1] = (spans[-1][0], len(normalized))
        else:
            spans.append((pending, len(normalized)))
    return spans


class AdCheck:
    name = NAME

    def __init__(self, model: AdModel, config: dict):
        self.model = model
        self.version = model.version
        self.block = float(config["block"])
        self.warn = float(config["warn"])
        if not 0 <= self.warn <= self.block <= 1:
            raise ValueError("ad.toml: need 0 <= warn <= block <= 1")
        self.width = int(config.get("window", 200))
        self.min_chars = int(config.get("min_chars", 12))
        self.min_content = int(config.get("min_content", 6))

    def worst(self, fld: Field) -> Scored | None:
        """The highest-scoring window of a field, explained; None if no window has enough text."""
        norm = fld.normalized
        spans = windows(norm, self.width, self.min_chars)
        if not spans:
            return None
        scorer = FieldScorer(self.model, fld)
        # Too little text to tell an ad from a heading or a date: the model is not asked.
        spans = [(ws, we) for ws, we in spans if scorer.letter_count(ws, we) >= self.min_content]
        if not spans:
            return None
        probabilities = scorer.probabilities(spans)
        best = max(range(len(spans)), key=probabilities.__getitem__)
        return scorer.explain(*spans[best], probabilities[best])

    def check(self, doc: Document) -> list[Finding]:
        findings = []
        for fld in doc.fields:
            scored = self.worst(fld)
            if scored is None or scored.probability < self.warn:
                continue
            action = "block" if scored.probability >= self.block else "warn"
            start, end = fld.original_span(scored.start, scored.end)
            shown = "、".join(f"“{e}”" for e in scored.evidence[:4])
            lead = "疑似商业广告" if action == "block" else "可能含商业推广内容"
            message = f"{lead}（概率 {scored.probability:.2f}），主要依据：{shown or '整体用语'}。{RULE}。"
            findings.append(Finding(
                check=NAME, category=CATEGORY, field=fld.name, start=start, end=end,
                text=fld.original[start:end], score=scored.probability, action=action,
                message=message, evidence=scored.evidence, details={"model": self.version},
            ))
        return findings


def load_config(resources: Resources) -> dict:
    return resources.read_toml("ad.toml")["ad"]


def model_path(config: dict) -> Path:
    path = Path(config.get("model", "ad.json"))
    return path if path.is_absolute() else MODEL_DIR / path


def build(resources: Resources) -> AdCheck:
    config = load_config(resources)
    return AdCheck(AdModel.load(model_path(config)), config)
