"""Check "sensitive_topic": information that must reach the top leader before publication.

002 §17: important information, major sensitive events and information of overall
significance are signed off by the principal leader; major incidents, mass incidents,
disasters and epidemics may never be published without review. A hit escalates; context
never lowers it (an article refuting an epidemic rumour is still about an epidemic).

Two refinements keep the leader's queue for what matters:
- a routine service notice (free vaccination, a forecast, a drill, a hotline) that names a
  topic but holds no sign of an outbreak, deaths or an incident warns the editor instead
  (wordlists/routine.txt);
- repeated hits of one term are one finding, with `details.count`.
"""
from __future__ import annotations

import dataclasses

import ahocorasick

from .context import parse_cues
from .lexicon import Lexicon, WordlistCheck

NAME = "sensitive_topic"
ROUTINE_FILE = "routine.txt"
KINDS = ("routine", "severe")


class RoutineNotice:
    """Routine and severe cues; decides whether a draft is a routine service notice."""

    def __init__(self, cues: dict[str, str], categories: frozenset[str]):
        self.categories = categories
        self.automaton = ahocorasick.Automaton()
        for cue, kind in cues.items():
            self.automaton.add_word(cue, (cue, kind))
        if cues:
            self.automaton.make_automaton()
        self.size = len(cues)

    @classmethod
    def parse(cls, text: str, source: str = ROUTINE_FILE) -> "RoutineNotice":
        categories = next((frozenset(line.split()[1:]) for line in text.splitlines()
                           if line.strip().startswith("@categories")), frozenset())
        return cls(parse_cues(text, source, KINDS), categories)

    @classmethod
    def load(cls, resources) -> "RoutineNotice":
        return cls.parse(resources.read_text(ROUTINE_FILE)) if resources.exists(ROUTINE_FILE) else cls({}, frozenset())

    def routine_cue(self, doc) -> str | None:
        """The first routine cue of a draft without any severe cue, else None."""
        if not self.size:
            return None
        routine = None
        for fld in doc.fields:
            for _, (cue, kind) in self.automaton.iter(fld.normalized):
                if kind == "severe":
                    return None
                routine = routine or cue
        return routine


class SensitiveTopicCheck(WordlistCheck):
    def __init__(self, lexicon: Lexicon, routine: RoutineNotice):
        super().__init__(NAME, lexicon)
        self.routine = routine

    def check(self, doc) -> list:
        findings = _one_per_term(super().check(doc))
        if not any(f.category in self.routine.categories for f in findings):
            return findings
        cue = self.routine.routine_cue(doc)
        if cue is None:
            return findings
        return [
            dataclasses.replace(
                f, action="warn", score=f.score * 0.5,
                message=f.message + f"（例行服务通知（“{cue}”），未见疫情暴发、伤亡或事件发生，无需主要领导审核；如有重大情况请升级）",
                details={**f.details, "routine": {"cue": cue}},
            ) if f.category in self.routine.categories else f
            for f in findings
        ]


def _one_per_term(findings: list) -> list:
    """Repeated hits of one term: the first, with `details.count` (title before body)."""
    first: dict[tuple[str, str], object] = {}
    counts: dict[tuple[str, str], int] = {}
    for f in findings:
        key = (f.category, f.details.get("term", f.text))
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, f)
    return [
        dataclasses.replace(f, details={**f.details, "count": counts[key]}) if counts[key] > 1 else f
        for key, f in first.items()
    ]


def build(resources) -> SensitiveTopicCheck:
    return SensitiveTopicCheck(Lexicon.load(resources, "sensitive", NAME), RoutineNotice.load(resources))
