"""Check "rumour": 003 §13(六) forbids spreading rumours. A reviewer cannot know every rumour,
but the way rumours are written gives them away; this check asks a person to verify the source.

Two signals, each an `escalate` finding (never a block: only a person can say it is false):
- patterns (wordlists/rumour/*.txt, the lexicon's format): chain letters (转发……平安/厄运),
  unverified urgency (紧急扩散, 内部消息, 明天起全市……, 赶紧囤);
- a learned model on the title and the opening of the body (models/rumour.npz, trained by
  rumour_train.py on the text of the CED Weibo rumour set), for rumours in ordinary words;
  it reads only post-length drafts (wordlists/rumour.toml `model_max_body`).
A refutation (辟谣, 经核实, 谣言 …, the `refutation` cues of wordlists/context.txt) is not a
rumour: a draft that refutes is not flagged.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np

from .context import ContextCues
from .findings import Finding
from .lexicon import Lexicon
from .text import Field

NAME = "rumour"
MODEL_DIR = Path(__file__).resolve().parent / "models"
FORMAT = "rumour-hashed-char-ngrams-1"
CONFIG = "rumour.toml"
DEFAULT_THRESHOLD = 0.5
N_FEATURES = 2 ** 18
MESSAGE = ("疑似谣言或未经证实的信息，违反《自治区国资委所属政务新媒体管理办法（试行）》第十三条第（六）项"
           "“不得散布谣言”。请审核人核实信息来源，确认属实后再发布。")
# Weibo furniture that says nothing about truth: links, [表情] codes, @mentions, //@ chains.
_NOISE = re.compile(r"https?://[!-~]+|\[[^\[\]\s]{1,8}\]|//@[^:：\s]{1,30}[:：]?|@[^\s:：,，。]{1,30}")


class RumourModelError(ValueError):
    pass


class Featurizer:
    """Hashed character 1–3-grams of the cleaned, normalized text (the same at training and at
    screening)."""

    def __init__(self):
        from sklearn.feature_extraction.text import HashingVectorizer

        self.vectorizer = HashingVectorizer(analyzer="char", ngram_range=(1, 3), n_features=N_FEATURES,
                                            alternate_sign=False, binary=True, norm="l2")

    def transform(self, texts: list[str]):
        """Raw texts (training): normalized as drafts are, then cleaned."""
        return self.transform_normalized([Field("body", t).normalized for t in texts])

    def transform_normalized(self, texts: list[str]):
        return self.vectorizer.transform([_NOISE.sub(" ", t) for t in texts])


class RumourModel:
    def __init__(self, weights: np.ndarray, bias: float, version: str):
        # float64 once here: a float32 vector would be converted on every product.
        self.weights, self.bias, self.version = weights.astype(np.float64), bias, version

    @classmethod
    def load(cls, path: Path) -> "RumourModel":
        try:
            with zipfile.ZipFile(path) as archive:
                header = json.loads(archive.read("header.json"))
                weights = np.load(io.BytesIO(archive.read("weights.npy")), allow_pickle=False)
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise RumourModelError(f"rumour model at {path} cannot be read: {exc}; rebuild it with `review model train-rumour`") from exc
        if header.get("format") != FORMAT or weights.shape != (N_FEATURES,):
            raise RumourModelError(f"rumour model at {path} has format {header.get('format')!r}, expected {FORMAT!r}")
        return cls(weights, float(header["bias"]), header["version"])

    def probabilities(self, features) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(features @ self.weights + self.bias)))


class RumourCheck:
    name = NAME

    def __init__(self, patterns: Lexicon, refutations: ContextCues, model: RumourModel | None,
                 threshold: float, model_chars: int, model_max_body: int):
        self.patterns = patterns
        self.refutations = refutations
        self.model = model
        self.version = model.version if model else None
        self.threshold = threshold
        self.model_chars = model_chars
        self.model_max_body = model_max_body
        self.featurizer = Featurizer() if model else None

    def check(self, doc) -> list[Finding]:
        if self._refutes(doc):
            return []
        findings = []
        for fld in doc.fields:
            for hit in self.patterns.scan(fld):
                start, end = fld.original_span(hit.start, hit.end)
                findings.append(Finding(
                    NAME, hit.category.id, fld.name, start, end, fld.original[start:end], hit.term.weight,
                    "escalate", hit.category.message, details={"term": hit.term.label},
                ))
        # The model learned from posts (at most 222 characters): a long article is not one.
        if self.model and not findings and len(doc.body.original) <= self.model_max_body:
            text = (doc.title.normalized + "\n" + doc.body.normalized[: self.model_chars]).strip()
            if text:
                score = float(self.model.probabilities(self.featurizer.transform_normalized([text]))[0])
                if score >= self.threshold:
                    findings.append(Finding(
                        NAME, "learned", "body", 0, 0, "", score, "escalate",
                        MESSAGE + f"（模型判断为谣言的概率 {score:.0%}）", details={"model": self.version},
                    ))
        return findings

    def _refutes(self, doc) -> bool:
        return any(
            kind == "refutation"
            for fld in doc.fields
            for _, (_, _, kind) in (self.refutations.automaton.iter(fld.normalized) if self.refutations.cues else ())
        )


def build(resources) -> RumourCheck:
    config = resources.read_toml(CONFIG) if resources.exists(CONFIG) else {}
    model_path = Path(config.get("model", MODEL_DIR / "rumour.npz"))
    if not model_path.is_absolute():
        model_path = MODEL_DIR / model_path
    model = RumourModel.load(model_path) if config.get("model_enabled", True) else None
    return RumourCheck(
        Lexicon.load(resources, "rumour", NAME), ContextCues.load(resources), model,
        float(config.get("threshold", DEFAULT_THRESHOLD)), int(config.get("model_chars", 400)),
        int(config.get("model_max_body", 1000)),
    )
