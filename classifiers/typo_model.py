"""Typo (错别字) detection: confusion-set candidates scored by a character n-gram model.

For each character of a field, the candidates are the characters a writer confuses it with
(same sound, same shape, common misused words: the confusion sets, see typo_train.py). A
candidate is kept only where the character language model, trained on official text, finds the
sentence likelier with it than with the original; gradient-boosted trees over a few features
(the language-model gain, whether a known word forms around the character with each, how often
the pair is confused in the training errors, the kind of confusion) then turns the gain into a
probability. Only candidates above the shipped threshold become findings: precision first, since
a false 错别字 in an official draft costs the editor's trust in every other finding.

The artifact (`models/typos.json.gz`, built by `review model train-typos`) holds the n-gram
counts, the word list (from jieba segmentation of the training text, at training time), the
pruned confusion sets and the scorer's trees: nothing is downloaded or segmented at run time.
"""
from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from pathlib import Path

ARTIFACT_FORMAT = "sanshen-typos/1"
MODEL_DIR = Path(__file__).resolve().parent / "models"
ORDER = 3  # characters of context per n-gram (trigram model)
BACKOFF = math.log(0.4)  # stupid backoff
MAX_WORD = 4  # longest word looked up around a character
# Kinds of confusion, best first: a pair listed under several keeps the first. "word": the
# one differing character of a commonly misused word (人材 → 人才).
RELATIONS = ("word", "sound_same_tone", "sound", "shape")
FEATURES = (
    "lm_gain", "lm_gain_clipped", "orig_lm", "word_gain", "orig_word", "cand_word", "pair_seen", "cand_freq",
    "orig_bigram", "cand_bigram", "orig_bigrams", "cand_bigrams",
    *(f"rel_{r}" for r in RELATIONS),
)


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def compile_trees(trees: list[list[list]], bias: float):
    """The trees as one Python function of nested ifs: walking the node lists for every candidate
    was a third of the check's time. Generated only from numbers (int() and float() of the artifact)."""

    def branch(nodes: list[list], index: int, depth: int) -> list[str]:
        feature, threshold, left, right, value = nodes[index]
        pad = "    " * depth
        if int(feature) < 0:
            return [f"{pad}z += {float(value)!r}"]
        return ([f"{pad}if x[{int(feature)}] <= {float(threshold)!r}:"] + branch(nodes, int(left), depth + 1)
                + [f"{pad}else:"] + branch(nodes, int(right), depth + 1))

    lines = ["def score(x):", f"    z = {float(bias)!r}"]
    for nodes in trees:
        lines.extend(branch(nodes, 0, 1))
    lines.append("    return z")
    namespace: dict = {}
    exec(compile("\n".join(lines), "<typo-trees>", "exec"), namespace)  # noqa: S102 (numbers only, see above)
    return namespace["score"]


class TypoModelError(RuntimeError):
    """The artifact cannot be used; the message says how to get one that can."""


@dataclass(frozen=True)
class Typo:
    position: int  # index into the text given to `detect`
    wrong: str
    right: str
    probability: float
    relation: str


class NgramCounts:
    """Character n-gram counts (orders 1..ORDER) with stupid-backoff log scores."""

    def __init__(self, counts: dict[str, int], total: int):
        self.counts = counts
        self.total = total
        self._unseen = math.log(0.5 / total)

    def logp(self, text: str, j: int) -> float:
        """log S(text[j] | up to ORDER-1 preceding characters)."""
        counts, penalty = self.counts, 0.0
        for n in range(min(ORDER, j + 1), 1, -1):
            gram = text[j - n + 1: j + 1]
            c = counts.get(gram)
            if c:
                return penalty + math.log(c / counts.get(gram[:-1], c))
            penalty += BACKOFF
        c = counts.get(text[j])
        return penalty + (math.log(c / self.total) if c else self._unseen)

    def window(self, text: str, i: int) -> float:
        """Sum of log scores of every character whose n-gram contains position i."""
        return sum(self.logp(text, j) for j in range(i, min(len(text), i + ORDER)))


class TypoModel:
    def __init__(self, data: dict):
        if data.get("format") != ARTIFACT_FORMAT:
            raise TypoModelError(f"unknown typo model format {data.get('format')!r}")
        self.version: str = data["version"]
        self.lm = NgramCounts(data["ngrams"], data["total"])
        self.words: dict[str, int] = data["words"]
        # char -> {candidate: (rank in the artifact's order, relation index)}
        self.confusion: dict[str, dict[str, tuple[int, int]]] = {
            ch: {cand: (rank, rel) for rank, (cand, rel) in enumerate(zip(cands, rels))}
            for ch, (cands, rels) in data["confusion"].items()}
        self.pairs: dict[str, int] = data["pairs"]  # wrong+right -> times seen in training errors
        # Gradient-boosted trees: per tree, nodes [feature, threshold, left, right, value]; feature -1 is a leaf.
        self.trees: list[list[list]] = data["trees"]
        self.bias: float = data["bias"]
        self._raw_score = compile_trees(self.trees, self.bias)
        self.threshold: float = data["threshold"]
        # A character is looked at only if one of its two bigrams was seen fewer times than this.
        self.gate: int = data["gate"]
        # The same bigram counts, indexed for the two gates (they run on every character).
        self.common = frozenset(g for g, c in data["ngrams"].items() if len(g) == 2 and c >= self.gate)
        self.followers: dict[str, dict[str, int]] = {}  # a -> {b: count of ab}
        self.preceders: dict[str, dict[str, int]] = {}  # b -> {a: count of ab}
        for gram, count in data["ngrams"].items():
            if len(gram) == 2:
                self.followers.setdefault(gram[0], {})[gram[1]] = count
                self.preceders.setdefault(gram[1], {})[gram[0]] = count

    @classmethod
    def load(cls, path: str | Path) -> "TypoModel":
        path = Path(path)
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise TypoModelError(f"cannot read typo model {path}: {exc}; "
                                 "build one with `review model train-typos --data PATH`") from exc
        return cls(data)

    def _word_score(self, text: str, i: int) -> float:
        """log count of the most frequent known word (2..MAX_WORD chars) covering position i."""
        words, best = self.words, 0
        for length in range(2, MAX_WORD + 1):
            for start in range(max(0, i - length + 1), min(i, len(text) - length) + 1):
                c = words.get(text[start:start + length], 0)
                if c > best:
                    best = c
        return math.log1p(best)

    def rarer_bigram(self, text: str, i: int) -> int:
        """How often the rarer of the two bigrams through position i was seen (the text's edges count as common)."""
        counts = self.lm.counts
        before = counts.get(text[i - 1:i + 1], 0) if i > 0 else self.lm.total
        after = counts.get(text[i:i + 2], 0) if i + 1 < len(text) else self.lm.total
        return min(before, after)

    def bigrams(self, text: str, i: int) -> int:
        """How often the two bigrams through position i were seen, together."""
        counts = self.lm.counts
        return (counts.get(text[i - 1:i + 1], 0) if i > 0 else 0) + (counts.get(text[i:i + 2], 0) if i + 1 < len(text) else 0)

    def features(self, local: str, k: int, cand: str, relation: int, orig_window: float, orig_word: float,
                 orig_bigram: int, orig_bigrams: int, cand_bigrams: int) -> list[float]:
        changed = local[:k] + cand + local[k + 1:]
        gain = self.lm.window(changed, k) - orig_window
        cand_word = self._word_score(changed, k)
        rel = [0.0] * len(RELATIONS)
        rel[relation] = 1.0
        return [
            gain, min(gain, 10.0), orig_window / ORDER, cand_word - orig_word, orig_word, cand_word,
            math.log1p(self.pairs.get(local[k] + cand, 0)), math.log1p(self.lm.counts.get(cand, 0)),
            math.log1p(orig_bigram), math.log1p(self.rarer_bigram(changed, k)),
            math.log1p(orig_bigrams), math.log1p(cand_bigrams), *rel,
        ]

    def candidates(self, text: str):
        """(position, candidate, relation index, features) for every candidate the LM prefers."""
        lm, reach, common, last = self.lm, max(ORDER, MAX_WORD) - 1, self.common, len(text) - 1
        for i, ch in enumerate(text):
            entry = self.confusion.get(ch)
            if entry is None:
                continue
            # Cheap gate: a character whose bigrams on both sides are well attested is not looked at.
            if (i == 0 or text[i - 1:i + 1] in common) and (i == last or text[i:i + 2] in common):
                continue
            orig_bigram = self.rarer_bigram(text, i)
            # Everything a candidate changes lies within `reach` characters of it.
            lo = max(0, i - reach)
            local, k = text[lo:i + reach + 1], i - lo
            orig_window = lm.window(local, k)
            orig_word = self._word_score(local, k)
            orig_bigrams = self.bigrams(local, k)
            before = self.followers.get(text[i - 1], {}) if i else {}
            after = self.preceders.get(text[i + 1], {}) if i < last else {}
            # Only candidates that form a seen bigram can pass the second gate (set operations in C).
            seen = (entry.keys() & before.keys()) | (entry.keys() & after.keys())
            for cand in sorted(seen, key=lambda c: entry[c][0]):
                relation = entry[cand][1]
                # Second cheap gate: a true correction makes its two bigrams commoner.
                cand_bigrams = before.get(cand, 0) + after.get(cand, 0)
                if cand_bigrams <= orig_bigrams:
                    continue
                feats = self.features(local, k, cand, relation, orig_window, orig_word, orig_bigram, orig_bigrams,
                                      cand_bigrams)
                if feats[0] > 0:
                    yield i, cand, relation, feats

    def probability(self, feats: list[float]) -> float:
        return 1.0 / (1.0 + math.exp(-self._raw_score(feats)))

    def detect(self, text: str) -> list[Typo]:
        """The best candidate per position whose probability reaches the threshold."""
        best: dict[int, Typo] = {}
        for i, cand, relation, feats in self.candidates(text):
            p = self.probability(feats)
            if p >= self.threshold and (i not in best or p > best[i].probability):
                best[i] = Typo(i, text[i], cand, p, RELATIONS[relation])
        return [best[i] for i in sorted(best)]
