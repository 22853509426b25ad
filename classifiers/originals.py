"""Near-duplicate search over a library of originals: which originals does a draft copy, and how much.

A repost may be trimmed, reordered, partly rewritten or embedded in a longer post, so the
question is containment, not overall similarity: MinHash/SimHash estimate Jaccard similarity of
whole documents, which halves when half the text is cut (docs/repost.md has the measurement).
This index samples character 8-gram fingerprints ("0 mod p" selection, as in plagiarism
detectors), keeps an inverted index from fingerprint to documents in sorted numpy arrays, and
verifies the best candidates with every 8-gram, which gives the exact share of copied text.
Boilerplate (text whose fingerprints occur in many more library documents than usual) is left
out of an original before its shares are computed: it shows the genre, not which one was copied.

Pure: built from (id, title, body) records; persistence lives in review/originals.py.
"""
from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from .text import content_codes, fold

K = 8  # shingle length in characters: long enough that shared stock phrases rarely fill one
SAMPLE = 4  # keep fingerprints whose hash is 0 mod SAMPLE
# Boilerplate: a sampled fingerprint in more than BOILERPLATE_FACTOR x the library's median number
# of documents per fingerprint (and more than BOILERPLATE_MIN_DF documents) is text that many
# library documents share (a formulaic announcement, a stock paragraph). It is evidence of the
# genre, not of copying one document, so the copied shares leave it out (like IDF weighting).
BOILERPLATE_FACTOR = 4.0
BOILERPLATE_MIN_DF = 3
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_BASE = np.uint64(1_000_003)


@dataclass(frozen=True)
class Match:
    id: str
    title: str
    share_of_original: float  # how much of the original the draft contains
    share_of_draft: float  # how much of the draft comes from the original
    copied_chars: int  # characters (letters, digits, CJK) of the draft covered by copied 8-grams
    spans: tuple[tuple[int, int], ...]  # copied regions, as offsets into the queried text

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "share_of_original": round(self.share_of_original, 4),
            "share_of_draft": round(self.share_of_draft, 4),
            "copied_chars": self.copied_chars,
        }


def content_chars(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Code points of the letters, digits and CJK characters of `text` folded as drafts are
    (text.fold), and their offsets in `text`. Punctuation, spaces and line breaks are dropped,
    so re-punctuated or re-wrapped copies still match. A draft has these as `Field.content_codes`."""
    return content_codes(fold(text))


_NON_CONTENT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


def clean_text(text: str, already_folded: bool = False) -> str:
    """The characters `content_chars` keeps, as a string: what copies are compared on."""
    return _NON_CONTENT.sub("", text if already_folded else fold(text))


def shingle_hashes(cps: np.ndarray, k: int = K) -> np.ndarray:
    """64-bit hash of every k-character window (vectorized polynomial hash, then mixed)."""
    n = len(cps) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = np.zeros(n, dtype=np.uint64)
        for j in range(k):
            h = h * _BASE + cps[j : j + n]
        # splitmix64 finalizer: the low bits decide sampling, so they must be well mixed
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h


def _sampled(h: np.ndarray, sample: int) -> np.ndarray:
    return np.unique(h[(h % np.uint64(sample)) == 0])


@dataclass
class _Segment:
    keys: np.ndarray  # sorted unique fingerprints (uint64)
    starts: np.ndarray  # postings of keys[i] are docs[starts[i]:starts[i+1]]
    docs: np.ndarray  # internal document numbers (int32)

    @classmethod
    def build(cls, keys: np.ndarray, docs: np.ndarray) -> "_Segment":
        order = np.lexsort((docs, keys))
        keys, docs = keys[order], docs[order]
        uniq, first = np.unique(keys, return_index=True)
        starts = np.append(first, len(keys)).astype(np.int64)
        return cls(uniq, starts, docs.astype(np.int32))

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        return np.repeat(self.keys, np.diff(self.starts)), self.docs

    def df(self, query: np.ndarray) -> np.ndarray:
        """Postings length of each fingerprint in `query` (0 when absent)."""
        out = np.zeros(len(query), dtype=np.int64)
        if not len(self.keys) or not len(query):
            return out
        idx = np.minimum(np.searchsorted(self.keys, query), len(self.keys) - 1)
        found = self.keys[idx] == query
        out[found] = self.starts[idx[found] + 1] - self.starts[idx[found]]
        return out

    def lookup(self, query: np.ndarray, max_df: int) -> np.ndarray:
        if not len(self.keys) or not len(query):
            return np.zeros(0, dtype=np.int32)
        idx = np.searchsorted(self.keys, query)
        idx = idx[idx < len(self.keys)]
        idx = idx[np.isin(self.keys[idx], query, assume_unique=True)]
        starts, ends = self.starts[idx], self.starts[idx + 1]
        lengths = ends - starts
        # A fingerprint in very many documents (a stock phrase) says nothing about which one was copied.
        ok = lengths <= max_df
        starts, lengths = starts[ok], lengths[ok]
        if not len(lengths):
            return np.zeros(0, dtype=np.int32)
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        return self.docs[offsets]


class OriginalsIndex:
    """Inverted index of sampled 8-gram fingerprints; `add` is incremental (one new segment).

    One writer at a time (`add`, `remove`, `compact`); queries may run meanwhile in other
    threads: a writer publishes new arrays and lists by assignment, and a query works on a snapshot.
    """

    def __init__(self, *, k: int = K, sample: int = SAMPLE, max_segments: int = 8,
                 boilerplate_factor: float | None = BOILERPLATE_FACTOR):
        self.k = k
        self.boilerplate_factor = boilerplate_factor  # None: every shared 8-gram counts
        self.sample = sample
        self.max_segments = max_segments
        self._segments: list[_Segment] = []
        self._ids: list[str] = []
        self._titles: list[str] = []
        self._bodies: list[str] = []
        self._alive = np.zeros(0, dtype=bool)
        self._n_fp = np.zeros(0, dtype=np.int32)  # sampled fingerprints per document
        self._dead_in_batch: list[int] = []
        self._number: dict[str, int] = {}  # id -> internal number of its live version
        self._digests: dict[str, bytes] = {}
        self._xor = 0
        self._hcache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._bp_cache: tuple | None = None  # (segments list, boilerplate df threshold)
        self._cache_lock = threading.Lock()
        # Provenance, set by whoever builds the index (review.originals keeps the library version here).
        self.built_from: dict = {}

    @classmethod
    def from_records(cls, records: Iterable[tuple[str, str, str]], **kwargs) -> "OriginalsIndex":
        index = cls(**kwargs)
        index.add(records)
        return index

    def __len__(self) -> int:
        return len(self._number)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._number

    @property
    def version(self) -> str:
        """Depends only on the live (id, title, body) set, not on how or in what order it was built."""
        return f"{len(self)}-{self._xor:016x}"

    def get(self, doc_id: str) -> tuple[str, str] | None:
        n = self._number.get(doc_id)
        return None if n is None else (self._titles[n], self._bodies[n])

    def add(self, records: Iterable[tuple[str, str, str]]) -> int:
        """Add or replace records by id; unchanged records are skipped. Returns how many changed."""
        keys: list[np.ndarray] = []
        docs: list[np.ndarray] = []
        sizes: list[int] = []
        changed = 0
        for doc_id, title, body in records:
            doc_id = str(doc_id)
            digest = hashlib.sha256(f"{doc_id}\x00{title}\x00{body}".encode("utf-8")).digest()[:8]
            if self._digests.get(doc_id) == digest:
                continue
            self._forget(doc_id)
            number = len(self._ids)
            self._ids.append(doc_id)
            self._titles.append(title)
            self._bodies.append(body)
            self._number[doc_id] = number
            self._digests[doc_id] = digest
            self._xor ^= int.from_bytes(digest, "big")
            fp = _sampled(shingle_hashes(content_chars(body)[0], self.k), self.sample)
            keys.append(fp)
            docs.append(np.full(len(fp), number, dtype=np.int32))
            sizes.append(len(fp))
            changed += 1
        if changed:
            alive = np.concatenate([self._alive, np.ones(len(self._ids) - len(self._alive), dtype=bool)])
            alive[self._dead_in_batch] = False
            self._dead_in_batch.clear()
            segment = _Segment.build(np.concatenate(keys), np.concatenate(docs))
            self._n_fp = np.concatenate([self._n_fp, np.array(sizes, dtype=np.int32)])
            self._alive = alive  # publish the longer arrays before the segment that refers to them
            self._segments = [*self._segments, segment]
            if len(self._segments) > self.max_segments:
                self.compact()
        return changed

    def remove(self, doc_id: str) -> bool:
        found = doc_id in self._number
        self._forget(doc_id)
        return found

    def _forget(self, doc_id: str) -> None:
        n = self._number.pop(doc_id, None)
        if n is None:
            return
        if n < len(self._alive):
            self._alive[n] = False
        else:  # added earlier in the same batch; `add` marks it once the array has grown
            self._dead_in_batch.append(n)
        self._bodies[n] = ""  # the fingerprints stay until compaction; the text need not
        self._xor ^= int.from_bytes(self._digests.pop(doc_id), "big")

    def compact(self) -> None:
        """Merge segments into one and drop replaced or removed documents."""
        if not self._segments:
            return
        alive = self._alive
        keys, docs = zip(*(s.pairs() for s in self._segments))
        keys, docs = np.concatenate(keys), np.concatenate(docs)
        keep = alive[docs]
        self._segments = [_Segment.build(keys[keep], docs[keep])]

    def max_df(self) -> int:
        return max(200, len(self) // 100)

    def boilerplate_df(self, segments=None) -> float:
        """Document frequency above which a fingerprint counts as boilerplate: a multiple of the
        library's median documents per fingerprint (so a library that holds several copies of
        everything does not make every fingerprint boilerplate). Cached per set of segments."""
        segments = self._segments if segments is None else segments
        cached = self._bp_cache
        if cached is not None and cached[0] is segments:
            return cached[1]
        lengths = [np.diff(s.starts) for s in segments if len(s.keys)]
        median = float(np.median(np.concatenate(lengths))) if lengths else 1.0
        if self.boilerplate_factor is None:
            value = float("inf")
        else:
            value = max(float(BOILERPLATE_MIN_DF), self.boilerplate_factor * median)
        self._bp_cache = (segments, value)
        return value

    def _distinctive(self, number: int, segments, threshold: float) -> np.ndarray:
        """Sorted unique 8-grams of an original that are not inside boilerplate text."""
        h = self._hashes(number)
        if threshold == float("inf"):
            return np.unique(h)
        sampled = np.flatnonzero((h % np.uint64(self.sample)) == 0)
        if not len(sampled):
            return np.unique(h)
        df = np.zeros(len(sampled), dtype=np.int64)
        for seg in segments:
            df += seg.df(h[sampled])
        boiler_starts = sampled[df > threshold]
        if not len(boiler_starts):
            return np.unique(h)
        # Boilerplate text: every sampled boilerplate 8-gram, and the stretch between two sampled
        # 8-grams in a row that are both boilerplate (sampling leaves gaps). An 8-gram is
        # boilerplate when all its characters are.
        is_bp = df > threshold
        n_chars = len(h) + self.k - 1
        delta = np.zeros(n_chars + 1, dtype=np.int64)
        np.add.at(delta, sampled[is_bp], 1)
        np.add.at(delta, sampled[is_bp] + self.k, -1)
        both = is_bp[:-1] & is_bp[1:]
        np.add.at(delta, sampled[:-1][both], 1)
        np.add.at(delta, sampled[1:][both], -1)
        chars = np.cumsum(delta[:n_chars]) > 0
        outside = np.concatenate([[0], np.cumsum(~chars)])  # non-boilerplate characters before each position
        boiler = (outside[self.k :] - outside[: len(h)]) == 0
        return np.unique(h[~boiler])

    def _hashes(self, number: int) -> np.ndarray:
        with self._cache_lock:
            cached = self._hcache.get(number)
            if cached is not None:
                self._hcache.move_to_end(number)
                return cached
        cached = shingle_hashes(content_chars(self._bodies[number])[0], self.k)
        with self._cache_lock:
            self._hcache[number] = cached
            if len(self._hcache) > 256:
                self._hcache.popitem(last=False)
        return cached

    def query(self, text: str, **kwargs) -> list[Match]:
        """Originals that `text` copies, best first (see query_content)."""
        return self.query_content(*content_chars(text), **kwargs)

    def query_content(
        self,
        cps: np.ndarray,
        positions: np.ndarray,
        *,
        limit: int = 5,
        candidates: int = 10,
        min_share: float = 0.3,
        min_chars: int = 40,
    ) -> list[Match]:
        """Originals that a text copies, best first, from its content characters (`cps`, as
        content_chars gives them) and their offsets in the text (`positions`).

        A match needs at least `min_chars` copied characters and either `min_share` of the
        original in the draft or `min_share` of the draft from the original.
        """
        hashes = shingle_hashes(cps, self.k)
        n_fp, alive, segments = self._n_fp, self._alive, self._segments  # a snapshot: a writer may publish new ones
        if not len(hashes) or not segments:
            return []
        probe = _sampled(hashes, self.sample)
        hits = np.concatenate([s.lookup(probe, self.max_df()) for s in segments])
        hits = hits[hits < len(alive)]
        if not len(hits):
            return []
        counts = np.bincount(hits, minlength=len(alive))
        counts[~alive] = 0
        # Look closer only where the sampled fingerprints promise a match: two shared at least
        # (about 2 x SAMPLE x 8-grams of copied text), and half of min_share by the estimate.
        top = np.flatnonzero(counts >= 2)
        estimate = np.maximum(counts[top] / np.maximum(n_fp[top], 1), counts[top] / len(probe))
        top = top[estimate >= min_share / 2]
        if len(top) > candidates:
            top = top[np.argpartition(-counts[top], candidates)[:candidates]]
        unique_q = np.unique(hashes)
        threshold = self.boilerplate_df(segments)
        results = []
        for number in top:
            original = self._distinctive(int(number), segments, threshold)  # sorted, unique
            if not len(original):
                continue
            shared = original[_member(original, unique_q)]
            in_draft = _member(hashes, shared)
            covered = np.zeros(len(cps), dtype=bool)
            for offset in range(self.k):  # every character inside a copied 8-gram counts as copied
                covered[offset : offset + len(in_draft)] |= in_draft
            copied = int(covered.sum())
            share_original = len(shared) / len(original)
            share_draft = copied / len(cps)
            if copied < min_chars or max(share_original, share_draft) < min_share:
                continue
            results.append(
                Match(
                    id=self._ids[number],
                    title=self._titles[number],
                    share_of_original=share_original,
                    share_of_draft=share_draft,
                    copied_chars=copied,
                    spans=_runs(covered, positions),
                )
            )
        # The original a copy comes from shares the most text with it; ties go to the fuller copy.
        results.sort(key=lambda m: (-m.copied_chars, -m.share_of_original, m.id))
        return results[:limit]


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """values in sorted_set, by binary search (np.isin sorts both sides on every call)."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    idx = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[idx] == values


def _runs(covered: np.ndarray, positions: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Copied regions as (start, end) offsets in the queried text; gaps of punctuation are bridged."""
    if not covered.any():
        return ()
    edges = np.diff(np.concatenate([[0], covered.view(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return tuple((int(positions[s]), int(positions[e - 1]) + 1) for s, e in zip(starts, ends))
