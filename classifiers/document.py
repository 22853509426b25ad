"""What a check sees: both fields normalized once, plus the draft's declared options."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .text import Field


@dataclass(frozen=True)
class RepostInfo:
    """Structured repost fields an editor entered (004 6.3.1.4: source, time, author, title)."""

    source: str = ""
    original_author: str = ""
    original_title: str = ""
    original_url: str = ""
    original_published_at: str = ""

    @classmethod
    def from_dict(cls, data: dict | None) -> "RepostInfo | None":
        if not data:
            return None
        known = {k: str(v or "").strip() for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class ScreenOptions:
    # 002 §19: disciplinary notices and mandatory disclosures keep personal names.
    disclosure: bool = False
    repost: RepostInfo | None = None
    # The office's leader roster (leaders.RosterEntry rows) and the day it is checked for; the
    # check "expression" reads them, so the roster stays data passed in, never a database query.
    roster: tuple = ()
    as_of: date | None = None


@dataclass
class Document:
    title: Field
    body: Field
    options: ScreenOptions = field(default_factory=ScreenOptions)

    @classmethod
    def build(cls, title: str, body: str, options: ScreenOptions | None = None) -> "Document":
        return cls(Field("title", title or ""), Field("body", body or ""), options or ScreenOptions())

    @property
    def fields(self) -> tuple[Field, Field]:
        return (self.title, self.body)
