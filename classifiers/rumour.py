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
FORMAT = "rumour-hashed-char-ngrams-2"
CONFIG = "rumour.toml"
DEFAULT_THRESHOLD = 0.5
N_FEATURES = 2 ** 18
# Mixing constants of the n-gram hash (splitmix64-style); changing them changes the features.
_PRIME = np.uint64(1_000_003)
_SALTS = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_MIX = np.uint64(0xBF58476D1CE4E5B9)
MESSAGE = ("疑似谣言或未经证实的信息，违反《自治区国资委所属政务新媒体管理办法（试行）》第十三条第（六）项"
           "“不得散布谣言”。请审核人核实信息来源，确认属实后再发布。")
# Weibo furniture that says nothing about truth: links, [表情] codes, @mentions, //@ chains.
# Runs of spaces and line breaks are one space: news layout is not a rumour's signal.
_WHITESPACE = re.compile(r"\s+")
_NOISE = re.compile(r"https?://[!-~]+|\[[^\[\]\s]{1,8}\]|//@[^:：\s]{1,30}[:：]?|@[^\s:：,，。]{1,30}")


class RumourModelError(ValueError):
    pass


class Featurizer:
    """Hashed character 1–3-grams of the cleaned, normalized text, binary, L2-normalized: the
    same at training and at screening. Hashed with numpy over code points (no per-n-gram
    Python work), so scoring a draft costs a fraction of a millisecond."""

    @staticmethod
    def slots(normalized: str) -> np.ndarray:
        """Distinct feature slots of one normalized text."""
        cleaned = _WHITESPACE.sub(" ", _NOISE.sub(" ", normalized))
        codes = np.frombuffer(cleaned.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        grams = [codes * _SALTS[0]]
        if codes.size >= 2:
            grams.append((codes[:-1] * _PRIME + codes[1:]) * _SALTS[1])
        if codes.size >= 3:
            grams.append(((codes[:-2] * _PRIME + codes[1:-1]) * _PRIME + codes[2:]) * _SALTS[2])
        hashed = np.concatenate(grams)
        hashed ^= hashed >> np.uint64(29)
        hashed *= _MIX
        hashed ^= hashed >> np.uint64(32)
        return np.unique(hashed % np.uint64(N_FEATURES)).astype(np.int64)

    def transform(self, texts: list[str]):
        """Raw texts (training): normalized as drafts are, one sparse row each."""
        from scipy.sparse import csr_matrix

        rows = [self.slots(Field("body", t).normalized) for t in texts]
        indptr = np.cumsum([0] + [len(r) for r in rows])
        data = np.concatenate([np.full(len(r), 1 / np.sqrt(len(r))) if len(r) else np.zeros(0) for r in rows])
        indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        return csr_matrix((data, indices, indptr), shape=(len(texts), N_FEATURES))


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

    def probability(self, slots: np.ndarray) -> float:
        """One text's probability from its feature slots (binary, L2-normalized)."""
        if not len(slots):
            return 1.0 / (1.0 + np.exp(-self.bias))
        return float(1.0 / (1.0 + np.exp(-(self.weights[slots].sum() / np.sqrt(len(slots)) + self.bias))))


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
                score = self.model.probability(Featurizer.slots(text))
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
