"""Train the rumour model (rumour.py) on the TEXT of the CED Weibo rumour set.

Data (`data_dir`, the rumour_weibo folder; nothing is copied into the project):
ced_posts.jsonl, one post per line with `text`, `label` (1 rumour) and `dup_cluster`.
Only `text` is used: the poster metadata (`user`, verified flags, follower counts) leaks the
label (SOURCE.md) and a government draft has none of it.

The CED non-rumours are mostly media posts, so a model trained on them alone reads any
government notice as unusual (60 岁以上老人免费接种流感疫苗 scored 0.59). The project's own
government-domain posts (classifiers/data/ad_gov.tsv, written for the ad check: notices,
warnings, services, and ads dressed as notices; none is a rumour) join the training side as
non-rumours. They are never in the held-out figures, which are CED posts only.

Split: whole near-duplicate clusters go to one side (a reposted rumour never sits on both),
30 % of each label held out by a fixed seed. The shipped model is trained on the other 70 %
so that its card's held-out figures are honest; training is deterministic (liblinear).
"""
from __future__ import annotations

import hashlib
import io
import json
import random
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import rumour

SEED = 20261208
GOV_POSTS = Path(__file__).resolve().parent / "data" / "ad_gov.tsv"
HELD_OUT = 0.30


@dataclass
class Params:
    C: float = 16.0
    # The threshold is chosen on the training share alone (5-fold, whole clusters per fold):
    # the score above which this share of non-rumours lies. The check reads its own
    # threshold from wordlists/rumour.toml; the card records this one.
    target_non_rumours_flagged: float = 0.08


def load_posts(data_dir: Path) -> list[dict]:
    rows = []
    for line in (data_dir / "ced_posts.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        rows.append({"text": row["text"], "label": int(row["label"]), "cluster": row["dup_cluster"]})
    return rows


def load_government_posts(path: Path = GOV_POSTS) -> list[str]:
    return [line.split("\t", 2)[2] for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]


def split(rows: list[dict], held_out: float = HELD_OUT, seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """(train, held out), whole clusters on one side, `held_out` of each label's posts held out."""
    rng = random.Random(seed)
    train, test = [], []
    for label in (0, 1):
        clusters: dict[str, list[dict]] = {}
        for row in rows:
            if row["label"] == label:
                clusters.setdefault(row["cluster"], []).append(row)
        keys = sorted(clusters)
        rng.shuffle(keys)
        goal = round(held_out * sum(len(v) for v in clusters.values()))
        taken = 0
        for key in keys:
            if taken < goal:
                test.extend(clusters[key])
                taken += len(clusters[key])
            else:
                train.extend(clusters[key])
    return train, test


def train(data_dir: Path, out_dir: Path, params: Params | None = None, log=print) -> tuple[Path, Path]:
    from sklearn.linear_model import LogisticRegression
    from scipy.sparse import vstack
    from sklearn.model_selection import GroupKFold

    params = params or Params()
    rows = load_posts(data_dir)
    train_rows, test_rows = split(rows)
    featurizer = rumour.Featurizer()
    x = featurizer.transform([r["text"] for r in train_rows])
    y = np.array([r["label"] for r in train_rows])
    gov = load_government_posts()
    x_gov = featurizer.transform(gov)
    y_gov = np.zeros(len(gov), dtype=y.dtype)
    out_of_fold = np.zeros(len(y))
    for fit, held in GroupKFold(5).split(x, y, [r["cluster"] for r in train_rows]):
        fold = LogisticRegression(C=params.C, solver="liblinear").fit(vstack([x[fit], x_gov]), np.concatenate([y[fit], y_gov]))
        out_of_fold[held] = fold.predict_proba(x[held])[:, 1]
    negatives = np.sort(out_of_fold[y == 0])
    threshold = round(float(negatives[int((1 - params.target_non_rumours_flagged) * len(negatives))]), 3)
    log(f"threshold from 5-fold cross-validation on the training share: {threshold}")
    model = LogisticRegression(C=params.C, solver="liblinear").fit(vstack([x, x_gov]), np.concatenate([y, y_gov]))
    weights = model.coef_[0].astype(np.float32)
    bias = float(model.intercept_[0])
    scored = rumour.RumourModel(weights, bias, "").probabilities(featurizer.transform([r["text"] for r in test_rows]))
    metrics = _metrics([r["label"] for r in test_rows], scored, threshold)
    log(f"held out ({len(test_rows)} posts): " + ", ".join(f"{k}={v}" for k, v in metrics.items()))

    buffer = io.BytesIO()
    np.save(buffer, weights)
    version = "rumour-" + hashlib.sha256(buffer.getvalue() + repr(bias).encode()).hexdigest()[:12]
    out_dir.mkdir(parents=True, exist_ok=True)
    model_file = out_dir / "rumour.npz"
    with zipfile.ZipFile(model_file, "w", zipfile.ZIP_DEFLATED) as archive:
        # Fixed timestamps: the same data gives the same bytes.
        header = json.dumps({"format": rumour.FORMAT, "bias": bias, "version": version}).encode()
        for name, data in (("header.json", header), ("weights.npy", buffer.getvalue())):
            archive.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    meta_file = out_dir / "rumour.meta.json"
    meta_file.write_text(json.dumps({
        "version": version,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data": {"path": "rumour_weibo/ced_posts.jsonl",
                 "sha256": hashlib.sha256((data_dir / "ced_posts.jsonl").read_bytes()).hexdigest(),
                 "fields_used": ["text"], "train_posts": len(train_rows), "held_out_posts": len(test_rows),
                 "government_negatives": {"path": "classifiers/data/ad_gov.tsv", "posts": len(gov),
                                          "sha256": hashlib.sha256(GOV_POSTS.read_bytes()).hexdigest()},
                 "split": f"by dup_cluster, {HELD_OUT:.0%} of each label held out, seed {SEED}"},
        "params": asdict(params),
        "threshold": threshold,
        "metrics": {"held_out": metrics},
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return model_file, meta_file


def _metrics(labels: list[int], scores: np.ndarray, threshold: float) -> dict:
    flagged = scores >= threshold
    labels_arr = np.array(labels, dtype=bool)
    tp = int((flagged & labels_arr).sum())
    fp = int((flagged & ~labels_arr).sum())
    positives, negatives = int(labels_arr.sum()), int((~labels_arr).sum())
    return {
        "precision": round(tp / max(1, tp + fp), 3),
        "recall": round(tp / max(1, positives), 3),
        "non_rumours_flagged": round(fp / max(1, negatives), 3),
        "threshold": threshold,
    }
