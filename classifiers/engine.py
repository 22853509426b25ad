"""The screening engine: normalize once, run every registered check, derive sensitivity and route."""
from __future__ import annotations

import dataclasses
import importlib
from typing import Protocol

from .anonymize import deidentify
from .document import Document, RepostInfo, ScreenOptions
from .findings import Finding
from .policy import RoutePolicy, sensitivity_of
from .resources import Resources
from .tokenize import Once, Tokenizer

# One line per check: a module exposing `build(resources) -> Check`.
REGISTRY = [
    "classifiers.ad",
    "classifiers.repost",
    "classifiers.pii",
    "classifiers.prohibited",
    "classifiers.sensitive",
    "classifiers.expression",
    "classifiers.rumour",
]


class Check(Protocol):
    name: str
    version: str | None  # model/data version worth reporting, if any

    def check(self, doc: Document) -> list[Finding]: ...


class Screener:
    def __init__(self, checks: list[Check], policy: RoutePolicy, resources: Resources, tokenizer: Tokenizer):
        self.checks = checks
        self.policy = policy
        self.resources = resources
        self.tokenizer = tokenizer
        self.wordlists_version = resources.version()

    @classmethod
    def load(cls, resources: Resources | None = None, registry: list[str] | None = None) -> "Screener":
        """Build every check and this Screener's own tokenizer: checks that read words get it as
        `resources.services["tokenizer"]`; the words a check names (`dictionary_words`, e.g.
        wordlist terms) join it before the first draft. Nothing outside this Screener changes."""
        resources = resources or Resources()
        tokenizer = Tokenizer()
        with_tokenizer = dataclasses.replace(resources, services={**resources.services, "tokenizer": tokenizer})
        checks = [importlib.import_module(name).build(with_tokenizer) for name in (registry or REGISTRY)]
        tokenizer.add_words(w for c in checks for w in getattr(c, "dictionary_words", ()))
        return cls(checks, RoutePolicy.load(resources), resources, tokenizer)

    def document(self, title: str, body: str, options: ScreenOptions | None = None) -> Document:
        """The draft with every view the checks read, tokenized by this Screener's tokenizer."""
        return Document.build(title, body, options, tokenizer=self.tokenizer)

    def screen(self, title: str, body: str, options: ScreenOptions | None = None) -> dict:
        doc = self.document(title, body, options)
        findings: list[Finding] = []
        for check in self.checks:
            findings.extend(check.check(doc))
        findings.sort(key=lambda f: (f.field != "title", f.start, f.end, f.check, f.category))
        sensitivity = sensitivity_of(findings)
        return {
            "sensitivity": sensitivity,
            "route": self.policy.route(sensitivity),
            "findings": [f.to_dict() for f in findings],
            "deidentified": {
                fld.name: self._deidentify(fld.original, [f for f in findings if f.field == fld.name])
                for fld in doc.fields
            },
            "versions": {
                "wordlists": self.wordlists_version,
                "models": {c.name: c.version for c in self.checks if getattr(c, "version", None)},
            },
        }

    def _deidentify(self, text: str, findings: list[Finding]) -> str:
        masker = next((c for c in self.checks if hasattr(c, "mask")), None)
        return deidentify(text, findings, masker.mask if masker else None)


# The shipped wordlists and models, loaded once per process.
default_screener = Once(Screener.load)


_redactor = None


def redact_numbers(text: str) -> str:
    """Free text with its ID, phone, bank card, e-mail, passport and plate numbers masked."""
    global _redactor
    if _redactor is None:
        from .pii import NumberRedactor

        _redactor = NumberRedactor(Resources())
    return _redactor.redact(text)


def screen(title: str, body: str, *, disclosure: bool = False, repost: dict | None = None) -> dict:
    """Screen one draft with the shipped wordlists and models (loaded once per process)."""
    options = ScreenOptions(disclosure=disclosure, repost=RepostInfo.from_dict(repost))
    return default_screener().screen(title, body, options)
