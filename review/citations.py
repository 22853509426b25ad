"""The deploying office's own rules: findings and messages cite rule codes (002 §19, 003 §13(七) …);
wordlists/citations.tsv (editable by administrators like any wordlist) says, for each code, which of
the office's documents and articles it is, in plain words. Pages show those, never the bare code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

CITATIONS = "citations.tsv"
# A rule code as the wordlists and checks write it: document number, then an article.
CODE = re.compile(r"00[0-9] (?:§\d+(?:\([一二三四五六七八九十]+\))?|\d+(?:\.\d+)+|[一二三四五六七八九十]+(?:\.\d+|\([一二三四五六七八九十]+\))?)")


@dataclass(frozen=True)
class Citation:
    code: str
    source: str  # the office's document and article
    plain: str  # what it asks, in plain words


def parse(text: str) -> dict[str, Citation]:
    table = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not all(p.strip() for p in parts):
            raise ValueError(f"第 {number} 行须为三列（代码、出处、说明），用制表符分隔")
        code, source, plain = (p.strip() for p in parts)
        table[code] = Citation(code, source, plain)
    return table


def load(session: Session) -> dict[str, Citation]:
    from .admin import wordlist_text

    return parse(wordlist_text(session, CITATIONS)[0])


def lookup(table: dict[str, Citation], code: str) -> Citation | None:
    """The longest code in the table that `code` starts with: 003 §13(七) falls back to 003 §13."""
    while code:
        if code in table:
            return table[code]
        shorter = re.sub(r"(\([^()]*\)|\.\d+|§\d+|[一二三四五六七八九十]+)$", "", code).rstrip(" .")
        if shorter == code:
            return None
        code = shorter
    return None


def in_text(table: dict[str, Citation], text: str) -> list[Citation]:
    """Every rule a message or finding cites, in order, once each."""
    found = []
    for match in CODE.finditer(text or ""):
        citation = lookup(table, match.group(0))
        if citation is not None and citation not in found:
            found.append(citation)
    return found


def plain_text(table: dict[str, Citation], text: str) -> str:
    """The text with each rule code replaced by the office's own document and article."""
    def replace(match):
        citation = lookup(table, match.group(0))
        return citation.source if citation else match.group(0)

    return CODE.sub(replace, text or "")
