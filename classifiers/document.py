"""What a check sees: both fields with every view computed once, plus the draft's declared options.

Like Presidio's `NlpArtifacts`, the Document is built once per draft by the Screener and handed
to every check; no check normalizes or tokenizes on its own. See text.Field for the views.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .text import Field
from .tokenize import Tokenizer, plain_tokenizer


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
    def build(cls, title: str, body: str, options: ScreenOptions | None = None, *,
              tokenizer: Tokenizer | None = None) -> "Document":
        """`tokenizer`: the Screener's (Screener.document does this); a check used alone may pass
        `Tokenizer(check.dictionary_words)`; without one, jieba's dictionary alone."""
        tokenizer = tokenizer or plain_tokenizer()
        # Tokens are computed on first use, once per field (most drafts give the wordlists no
        # candidate, and then nothing reads them).
        return cls(Field("title", title or "", tokenizer), Field("body", body or "", tokenizer), options or ScreenOptions())

    @property
    def fields(self) -> tuple[Field, Field]:
        return (self.title, self.body)
