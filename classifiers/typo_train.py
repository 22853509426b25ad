"""Train the typo model (typo_model.py) on official text; deterministic for the same data.

Data (a folder laid out like ../shared/data, plus the seeds folder):
  news_originals/*.jsonl        CCTV 新闻联播 stories and government work reports: the language model
  spelling_ecspell/{odw,law}.train.tsv   official-document and legal sentences with real typos:
                                the language model (their correct sentences) and the scorer's labels
  confusion_sets/               same-sound, same-shape and misused-word candidates
  seeds/*.txt                   the regulations this project implements (language model)

Held out, never trained on: every ECSpell row whose target sentence hashes into the held-out fifth
(`ecspell_held_out`; the files reuse each correct sentence with different typos, so the split is by
target) and every news document whose id hashes into it (`news_held_out`). benchmarks/
expression_eval.py measures on exactly those.

The scorer's features must not see the sentences it is trained on through the language model or
the pair counts, or it learns to trust them too much: its training features come from a language
model without the ECSpell sentences and from pair counts of the other fold of the rows; the shipped
artifact then counts everything that is not held out.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .text import Field
from .typo_model import ARTIFACT_FORMAT, FEATURES, ORDER, RELATIONS, TypoModel, is_han

DOMAINS = ("odw", "law")
MIN_NGRAM_COUNT = 2  # for the longest order; shorter n-grams are all kept (they are the denominators)
MIN_WORD_COUNT = 2
MIN_DICTIONARY_FREQ = 5  # jieba dictionary words rarer than this are left out (size)
MIN_CHAR_COUNT = 3  # a candidate character rarer than this in the training text is never proposed
MAX_CANDIDATES = 40
# Precision first (issue #18: at most 1 false typo flag per 10,000 characters of news).
FALSE_FLAGS_PER_10K = 0.5
TREES = 150  # gradient-boosted trees of the scorer
LEAVES = 15
GATE_RECALL = 0.93  # the gate lets through this share of the training typos' positions


def _fifth(key: str) -> bool:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 5 == 0


def ecspell_held_out(target: str) -> bool:
    return _fifth(target)


def news_held_out(doc_id: str) -> bool:
    return _fifth(doc_id)


def normalize(text: str) -> str:
    """The form the check sees (Field.normalized): simplified, half-width, lower case."""
    return Field("body", text).normalized


@dataclass(frozen=True)
class Row:
    source: str
    target: str
    domain: str

    @property
    def edits(self) -> list[tuple[int, str, str]]:
        if len(self.source) != len(self.target):
            return []
        return [(i, a, b) for i, (a, b) in enumerate(zip(self.source, self.target)) if a != b]


def load_ecspell(data_root: Path, held_out: bool) -> list[Row]:
    """ECSpell rows of the training (held_out=False) or held-out (True) part; same-length rows only
    (one odw row is a rewrite, not a typo)."""
    rows = []
    for domain in DOMAINS:
        path = data_root / "spelling_ecspell" / f"{domain}.train.tsv"
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) != 3:
                continue
            source, target = normalize(parts[1]), normalize(parts[2])
            if len(source) == len(target) and ecspell_held_out(target) == held_out:
                rows.append(Row(source, target, domain))
    return rows


def load_news(data_root: Path, held_out: bool) -> list[tuple[str, str]]:
    """(id, normalized title + body) of the news documents of one side of the split."""
    docs = []
    for path in sorted((data_root / "news_originals").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if news_held_out(record["id"]) == held_out:
                docs.append((record["id"], normalize(record["title"] + "\n" + record["body"])))
    return docs


def load_seeds(seeds_dir: Path) -> list[str]:
    return [normalize(p.read_text(encoding="utf-8")) for p in sorted(seeds_dir.glob("*.txt"))]


def count_ngrams(texts) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        for n in range(1, ORDER + 1):
            counts.update(text[i:i + n] for i in range(len(text) - n + 1))
    return counts


def prune(counts: Counter) -> dict[str, int]:
    return {g: c for g, c in counts.items() if len(g) < ORDER or c >= MIN_NGRAM_COUNT}


def count_words(texts) -> dict[str, int]:
    """Words of 2..4 Chinese characters: jieba's dictionary (its frequency) plus the words jieba
    segments the training text into (their count). A private tokenizer: the process-wide one may
    hold wordlist terms."""
    import jieba

    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    counts: Counter = Counter()
    for text in texts:
        counts.update(w for w in tokenizer.lcut(text, HMM=False) if _is_word(w))
    words = {w: c for w, c in counts.items() if c >= MIN_WORD_COUNT}
    for word, freq in tokenizer.FREQ.items():
        if freq >= MIN_DICTIONARY_FREQ and _is_word(word):
            words[word] = words.get(word, 0) + freq
    return words


def _is_word(word: str) -> bool:
    return 2 <= len(word) <= 4 and all(map(is_han, word))


def load_confusion(data_root: Path, char_counts: Counter) -> dict[str, list]:
    """char -> [candidate characters, relation index per candidate], most frequent candidates first."""
    folder = data_root / "confusion_sets"
    pairs: dict[tuple[str, str], int] = {}

    def add(a: str, b: str, relation: str):
        if a != b and len(a) == len(b) == 1 and is_han(a) and is_han(b):
            rel = RELATIONS.index(relation)
            pairs[(a, b)] = min(rel, pairs.get((a, b), rel))

    for line in (folder / "pycorrector_custom_confusion.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#") and len(parts[0]) == len(parts[1]):
            diff = [(a, b) for a, b in zip(parts[0], parts[1]) if a != b]
            # 的/地/得 fixes depend on grammar, not on the word: left to people.
            if len(diff) == 1 and not set(diff[0]) & set("的地得"):
                add(*diff[0], "word")
    for line in (folder / "pycorrector_same_pinyin.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        parts = line.split("\t")
        for same in parts[1] if len(parts) > 1 else "":
            add(parts[0], same, "sound_same_tone")
        for other in parts[2] if len(parts) > 2 else "":
            add(parts[0], other, "sound")
    for key, cands in json.loads((folder / "ecspell_soundConfusion.json").read_text(encoding="utf-8")).items():
        for cand in cands:
            add(key, cand, "sound")
    for key, cands in json.loads((folder / "ecspell_shapeConfusion.json").read_text(encoding="utf-8")).items():
        for cand in cands:
            add(key, cand, "shape")
    for line in (folder / "pycorrector_same_stroke.txt").read_text(encoding="utf-8").splitlines():
        group = [ch for ch in line.split("\t") if ch]
        for a in group:
            for b in group:
                add(a, b, "shape")
    table: dict[str, list[tuple[int, int, str]]] = {}
    for (a, b), rel in pairs.items():
        if char_counts.get(a, 0) and char_counts.get(b, 0) >= MIN_CHAR_COUNT:
            table.setdefault(a, []).append((rel, -char_counts[b], b))
    confusion = {}
    for a in sorted(table):
        best = sorted(table[a])[:MAX_CANDIDATES]
        confusion[a] = ["".join(b for _r, _c, b in best), [r for r, _c, _b in best]]
    return confusion


def pair_counts(rows: list[Row]) -> dict[str, int]:
    counts: Counter = Counter(a + b for row in rows for _i, a, b in row.edits)
    return dict(sorted(counts.items()))


def artifact(ngrams: Counter, words, confusion, pairs, trees=None, bias=0.0, threshold=1.0, gate=0) -> dict:
    pruned = prune(ngrams)
    return {
        "format": ARTIFACT_FORMAT, "version": "", "ngrams": dict(sorted(pruned.items())),
        "total": sum(c for g, c in pruned.items() if len(g) == 1), "words": dict(sorted(words.items())),
        "confusion": confusion, "pairs": pairs, "trees": trees or [],
        "bias": bias, "threshold": threshold, "gate": gate,
    }


def export_trees(classifier) -> list[list[list]]:
    """The fitted trees as plain lists (no pickle: any scikit-learn version can build, numpy-free to run)."""
    trees = []
    for (predictor,) in classifier._predictors:
        trees.append([[-1, 0.0, 0, 0, float(n["value"])] if n["is_leaf"] else
                      [int(n["feature_idx"]), float(n["num_threshold"]), int(n["left"]), int(n["right"]), 0.0]
                      for n in predictor.nodes])
    return trees


def examples(model: TypoModel, text: str, edits: dict[int, str]):
    """Feature rows of every candidate in `text`, labelled 1 where it is the true correction."""
    for i, cand, _rel, feats in model.candidates(text):
        yield feats, int(edits.get(i) == cand), i


def train(data_root: Path, seeds_dir: Path, out_dir: Path, name: str = "typos",
          log: Callable[[str], None] = print) -> tuple[Path, Path]:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rows = load_ecspell(data_root, held_out=False)
    news = [text for _id, text in load_news(data_root, held_out=False)]
    seeds = load_seeds(seeds_dir)
    # One news document in eight is the scorer's negatives, another eighth calibrates its threshold.
    negatives = news[::8]  # the scorer's examples of correct official text
    calibration = news[4::8]  # kept from everything the scorer and its features saw
    lm_news = [t for k, t in enumerate(news) if k % 4]
    log(f"{len(rows)} ECSpell training rows, {len(lm_news)} + {len(negatives)} + {len(calibration)} news documents, "
        f"{len(seeds)} seeds")

    base_counts = count_ngrams(lm_news + seeds)
    words = count_words(lm_news + seeds + [r.target for r in rows])
    confusion = load_confusion(data_root, Counter({g: c for g, c in base_counts.items() if len(g) == 1}))
    log(f"{len(confusion)} characters with candidates, {len(words)} words")

    # Gate: the smallest bigram count that lets GATE_RECALL of the training typos' positions through.
    probe = TypoModel(artifact(base_counts, words, confusion, {}, gate=0))
    rarer = sorted(probe.rarer_bigram(r.source, i) for r in rows for i, _a, _b in r.edits)
    gate = rarer[min(len(rarer) - 1, int(GATE_RECALL * len(rarer)))] + 1
    log(f"gate: a bigram seen fewer than {gate} times")

    # Two folds by target (four fifths and one fifth): each fold's features count the other's pairs.
    folds = ([r for r in rows if not _fifth("half" + r.target)], [r for r in rows if _fifth("half" + r.target)])
    X, y = [], []
    for k, fold in enumerate(folds):
        other = pair_counts(folds[1 - k])
        model = TypoModel(artifact(base_counts, words, confusion, other, gate=gate))
        for row in fold:
            for feats, label, _i in examples(model, row.source, {i: b for i, _a, b in row.edits}):
                X.append(feats)
                y.append(label)
    n_ecspell = len(X)
    model = TypoModel(artifact(base_counts, words, confusion, pair_counts(rows), gate=gate))
    for text in negatives:
        for feats, _label, _i in examples(model, text, {}):
            X.append(feats)
            y.append(0)
    X_arr, y_arr = np.array(X), np.array(y)
    log(f"{len(X)} candidate rows ({n_ecspell} from ECSpell, {int(y_arr.sum())} true corrections)")
    classifier = HistGradientBoostingClassifier(max_iter=TREES, max_leaf_nodes=LEAVES, learning_rate=0.1,
                                                early_stopping=False, random_state=0)
    classifier.fit(X_arr, y_arr)
    trees, bias = export_trees(classifier), float(classifier._baseline_prediction.ravel()[0])

    # Threshold: the lowest at which the calibration news gets at most FALSE_FLAGS_PER_10K flags.
    scorer = TypoModel(artifact(base_counts, words, confusion, pair_counts(rows), trees, bias, 0.0, gate))
    calib_chars = sum(len(t) for t in calibration)
    best_per_position = []
    for text in calibration:
        best: dict[int, float] = {}
        for feats, _label, i in examples(scorer, text, {}):
            best[i] = max(best.get(i, 0.0), scorer.probability(feats))
        best_per_position.extend(best.values())
    allowed = int(FALSE_FLAGS_PER_10K * calib_chars / 10_000)
    ranked = sorted(best_per_position, reverse=True)
    threshold = max(0.5, ranked[allowed] + 1e-9 if allowed < len(ranked) else 0.5)
    log(f"threshold {threshold:.4f}: {allowed} flags allowed on {calib_chars} calibration characters")

    # The shipped artifact: everything not held out is counted.
    final_counts = base_counts + count_ngrams(negatives + calibration) + count_ngrams(r.target for r in rows)
    data = artifact(final_counts, words, confusion, pair_counts(rows), trees, bias, threshold, gate)
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    data["version"] = f"{name}-{hashlib.sha256(blob).hexdigest()[:12]}"
    out_dir.mkdir(parents=True, exist_ok=True)
    model_file = out_dir / f"{name}.json.gz"
    with model_file.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    meta = {
        "version": data["version"], "features": list(FEATURES), "trees": len(trees), "leaves": LEAVES, "bias": bias,
        "threshold": threshold, "gate": gate, "ngrams": len(data["ngrams"]), "words": len(words),
        "confusion_chars": len(confusion), "training_rows": len(rows), "candidate_rows": len(X),
        "data": {"ecspell": "spelling_ecspell/{odw,law}.train.tsv minus the held-out fifth (by target)",
                 "news": "news_originals/*.jsonl minus the held-out fifth (by id)", "seeds": "seeds/*.txt"},
        "bytes": model_file.stat().st_size,
    }
    meta_file = out_dir / f"{name}.meta.json"
    meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log(f"{data['version']}: {model_file.stat().st_size / 1e6:.2f} MB")
    return model_file, meta_file
