"""The one result type every check returns; its dict form is the screening JSON contract."""
from __future__ import annotations

from dataclasses import dataclass, field

ACTIONS = ("block", "escalate", "mask", "warn")
FIELDS = ("title", "body")


@dataclass(frozen=True)
class Finding:
    check: str  # "prohibited", "sensitive_topic", "pii", "ad", "repost", ...
    category: str  # category id inside the check, part of the contract
    field: str  # "title" | "body"
    start: int  # str index into the ORIGINAL field text
    end: int  # exclusive
    text: str  # == original_field[start:end]
    score: float  # 0..1
    action: str  # one of ACTIONS
    message: str  # Chinese explanation, citing the rule
    evidence: tuple[str, ...] = ()
    details: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self):
        if self.action not in ACTIONS:
            raise ValueError(f"unknown action {self.action!r}")
        if self.field not in FIELDS:
            raise ValueError(f"unknown field {self.field!r}")
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")

    def to_dict(self) -> dict:
        data = {
            "check": self.check,
            "category": self.category,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(float(self.score), 4),
            "action": self.action,
            "message": self.message,
        }
        if self.evidence:
            data["evidence"] = list(self.evidence)
        if self.details:
            data["details"] = self.details
        return data
