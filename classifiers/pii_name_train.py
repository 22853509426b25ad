"""Train the person-name model (pii_name_model.py) with scikit-learn on annotated Chinese text.

Data (`data_root`, the shared data folder; nothing is copied into the project):
- ner_cluener2020/train.json   `name` spans: training
- ner_cluener2020/dev.json     held out: span-level precision and recall
- ner_weibo/*.train            PER.NAM spans: training
- ner_weibo/*.dev, *.test      held out
Every candidate span (pii_name_model.NameFeaturizer.candidates) of a sentence is one example;
it is positive when it is exactly a gold name.
"""
from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import pii_name_model as m
from .text import Field


@dataclass
class Params:
    C: float = 0.5
    threshold: float = 0.3  # for the reported metrics; the check reads its own from wordlists/pii/names.toml


def load_cluener(directory: Path, split: str) -> list[dict]:
    """{"text", "names": [(start, end)]} per sentence (CLUENER ends are inclusive)."""
    records = []
    for line in (directory / f"{split}.json").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        names = [(s, e + 1) for positions in row["label"].get("name", {}).values() for s, e in positions]
        records.append({"text": row["text"], "names": names})
    return records


def load_weibo(directory: Path, split: str) -> list[dict]:
    """Weibo NER PER.NAM spans; each character carries its jieba word-position digit, dropped here."""
    records, chars, tags = [], [], []
    for line in (directory / f"weiboNER_2nd_conll.{split}").read_text(encoding="utf-8").splitlines() + [""]:
        if line.strip():
            token, tag = line.split("\t") if "\t" in line else line.rsplit(None, 1)
            chars.append(token[:-1])
            tags.append(tag.strip())
            continue
        if chars:
            names, start = [], None
            for i, tag in enumerate(tags + ["O"]):
                if start is not None and tag != "I-PER.NAM":
                    names.append((start, i))
                    start = None
                if tag == "B-PER.NAM":
                    start = i
            records.append({"text": "".join(chars), "names": names})
            chars, tags = [], []
    return records


def load_data(data_root: Path) -> tuple[list[dict], dict[str, list[dict]], list[dict]]:
    cluener, weibo = data_root / "ner_cluener2020", data_root / "ner_weibo"
    train = load_cluener(cluener, "train") + load_weibo(weibo, "train")
    evals = {"cluener_dev": load_cluener(cluener, "dev"),
             "weibo_dev_test": load_weibo(weibo, "dev") + load_weibo(weibo, "test")}
    sources = [("ner_cluener2020/train.json", "train"), ("ner_cluener2020/dev.json", "eval:cluener_dev"),
               ("ner_weibo/weiboNER_2nd_conll.train", "train"), ("ner_weibo/weiboNER_2nd_conll.dev", "eval:weibo_dev_test"),
               ("ner_weibo/weiboNER_2nd_conll.test", "eval:weibo_dev_test")]
    provenance = [{"path": p, "sha256": hashlib.sha256((data_root / p).read_bytes()).hexdigest(), "use": use} for p, use in sources]
    return train, evals, provenance


def normalized(record: dict) -> tuple[str, set[tuple[int, int]]]:
    """The text as screening sees it and the gold names in its offsets (a name whose ends
    normalization removed, such as the dot of 约翰·伊斯特布鲁克, is dropped)."""
    fld = Field("body", record["text"])
    position = {original: i for i, original in enumerate(fld._starts)}
    names = {(position[s], position[e - 1] + 1) for s, e in record["names"]
             if s in position and e - 1 in position and position[e - 1] - position[s] == e - 1 - s}
    return fld.normalized, names


def examples(featurizer: m.NameFeaturizer, records: list[dict]):
    """Feature slots and labels of every candidate, and how many gold names have a candidate."""
    rows, labels, reachable, gold = [], [], 0, 0
    for record in records:
        text, names = normalized(record)
        cands = featurizer.candidates(text)
        spans = set(zip(cands.start.tolist(), cands.end.tolist()))
        if len(cands):
            rows.append(featurizer.slots(text, cands))
            labels.extend(int(span in names) for span in zip(cands.start.tolist(), cands.end.tolist()))
        gold += len(names)
        reachable += len(names & spans)
    return np.vstack(rows), np.array(labels), reachable, gold


def design(slots: np.ndarray):
    from scipy.sparse import csr_matrix

    rows, per_row = slots.shape
    matrix = csr_matrix((np.ones(slots.size, dtype=np.float32), slots.ravel(), np.arange(0, slots.size + 1, per_row)),
                        shape=(rows, m._SLOTS + 1))
    matrix.sum_duplicates()
    return matrix


def span_metrics(model: m.NameModel, featurizer: m.NameFeaturizer, records: list[dict], threshold: float) -> dict:
    tp = fp = fn = 0
    for record in records:
        text, gold = normalized(record)
        predicted = {(c.start, c.end) for c, _p in m.best_spans(*model.scores(featurizer, text), threshold)}
        tp, fp, fn = tp + len(predicted & gold), fp + len(predicted - gold), fn + len(gold - predicted)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"gold": tp + fn, "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def fit(featurizer: m.NameFeaturizer, records: list[dict], params: Params) -> tuple[m.NameModel, dict]:
    from sklearn.linear_model import LogisticRegression

    rows, labels, reachable, gold = examples(featurizer, records)
    estimator = LogisticRegression(C=params.C, solver="liblinear", max_iter=1000)
    estimator.fit(design(rows), labels)
    weights = estimator.coef_[0].astype(np.float32)
    bias = float(estimator.intercept_[0])
    version = "names-" + hashlib.sha256(weights.tobytes() + np.float64(bias).tobytes()).hexdigest()[:12]
    stats = {"candidates": len(labels), "positives": int(labels.sum()), "gold_names": gold,
             "gold_with_a_candidate": reachable}
    return m.NameModel(weights, bias, version), stats


def save(model: m.NameModel, path: Path) -> None:
    """An .npz that np.load reads, written with fixed zip timestamps so that the same model is the
    same bytes (np.savez stamps the current time)."""
    header = json.dumps({"format": m.ARTIFACT_FORMAT, "version": model.version, "bias": model.bias})
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in (("header", np.array(header)), ("weights", model.weights)):
            data = io.BytesIO()
            np.lib.format.write_array(data, array, allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), data.getvalue(),
                             compress_type=zipfile.ZIP_DEFLATED)


def train(data_root: Path, out_dir: Path, featurizer: m.NameFeaturizer, params: Params | None = None,
          log=print) -> tuple[Path, Path]:
    """Train, evaluate on the held-out splits, write names.npz and names.meta.json."""
    import sklearn

    params = params or Params()
    started = time.perf_counter()
    train_records, evals, provenance = load_data(Path(data_root))
    model, stats = fit(featurizer, train_records, params)
    log(f"fitted {model.version} on {stats['candidates']} candidates in {time.perf_counter() - started:.1f}s")
    metrics = {name: span_metrics(model, featurizer, records, params.threshold) for name, records in evals.items()}
    for name, result in metrics.items():
        log(f"  {name}: {result}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model_file, meta_file = out_dir / "names.npz", out_dir / "names.meta.json"
    save(model, model_file)
    meta = {"version": model.version, "format": m.ARTIFACT_FORMAT, "sklearn": sklearn.__version__,
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "params": params.__dict__,
            "data": {"data_root": str(data_root), "sources": provenance, "train": stats}, "metrics": metrics}
    meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return model_file, meta_file
