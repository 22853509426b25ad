"""The screening engine: normalize once, run every registered check, derive sensitivity and route."""
from __future__ import annotations

import importlib
import threading
from typing import Protocol

from .anonymize import deidentify
from .document import Document, RepostInfo, ScreenOptions
from .findings import Finding
from .policy import RoutePolicy, sensitivity_of
from .resources import Resources

# One line per check: a module exposing `build(resources) -> Check`.
REGISTRY = [
    "classifiers.ad",
    "classifiers.repost",
    "classifiers.pii",
    "classifiers.prohibited",
    "classifiers.sensitive",
    "classifiers.rumour",
]


class Check(Protocol):
    name: str
    version: str | None  # model/data version worth reporting, if any

    def check(self, doc: Document) -> list[Finding]: ...


class Screener:
    def __init__(self, checks: list[Check], policy: RoutePolicy, resources: Resources):
        self.checks = checks
        self.policy = policy
        self.resources = resources
        self.wordlists_version = resources.version()

    @classmethod
    def load(cls, resources: Resources | None = None, registry: list[str] | None = None) -> "Screener":
        resources = resources or Resources()
        checks = [importlib.import_module(name).build(resources) for name in (registry or REGISTRY)]
        return cls(checks, RoutePolicy.load(resources), resources)

    def screen(self, title: str, body: str, options: ScreenOptions | None = None) -> dict:
        doc = Document.build(title, body, options)
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


_default: Screener | None = None
_default_lock = threading.Lock()


def default_screener() -> Screener:
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Screener.load()
    return _default


def screen(title: str, body: str, *, disclosure: bool = False, repost: dict | None = None) -> dict:
    """Screen one draft with the shipped wordlists and models (loaded once per process)."""
    options = ScreenOptions(disclosure=disclosure, repost=RepostInfo.from_dict(repost))
    return default_screener().screen(title, body, options)
