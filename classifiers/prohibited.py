"""Check "prohibited": content the regulations forbid, one category per class.

003 §13 (ten classes), 003 网站管理办法 §15 (classified and internal documents), 000 §17 and
002 §27 (personal opinion and emotion), 001 三.6 (over-entertainment, vulgarity), plus the
operational classes (gambling, drugs, weapons, pornography, fraud). Each category is one file
in wordlists/prohibited/; a crackdown, warning, education or refutation context lowers a
block to escalate for categories marked `@context on` (see context.py).
"""
from __future__ import annotations

from .context import ContextCues
from .evasion import Evasion
from .lexicon import Lexicon, WordlistCheck

NAME = "prohibited"


def build(resources) -> WordlistCheck:
    lexicon = Lexicon.load(resources, "prohibited", NAME, Evasion.load(resources))
    return WordlistCheck(NAME, lexicon, ContextCues.load(resources))
