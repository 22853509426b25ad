"""Check "sensitive_topic": information that must reach the top leader before publication.

002 §17: important information, major sensitive events and information of overall
significance are signed off by the principal leader; major incidents, mass incidents,
disasters and epidemics may never be published without review. Every hit escalates;
context never lowers it (an article refuting an epidemic rumour is still about an epidemic).
"""
from __future__ import annotations

from .lexicon import Lexicon, WordlistCheck

NAME = "sensitive_topic"


def build(resources) -> WordlistCheck:
    return WordlistCheck(NAME, Lexicon.load(resources, "sensitive", NAME))
