"""De-identification: replace every `mask` finding's span; separate from detection (as Presidio).

The policy (which operator and how much to keep, per PII category) is data in
`wordlists/pii/masking.toml`; the operators are small length-preserving functions, so a masked
text keeps every offset of the original (002 §19: personal information is de-identified).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .findings import Finding

# Characters an operator never masks: they carry the format, not the value (138-****-5678, 粤B·*****).
SEPARATORS = frozenset(" \t\u3000-－—·•・‧∙.()（）+＋@＠:：/")


def mask_all(text: str, keep_first: int = 0, mask_char: str = "*") -> str:
    return text[:keep_first] + mask_char * (len(text) - keep_first)


def keep_ends(text: str, keep_first: int = 0, keep_last: int = 0, keep_prefix: int = 0, mask_char: str = "*") -> str:
    """Mask the letters/digits of `text[keep_prefix:]` except the first and last few; keep separators."""
    head, value = text[:keep_prefix], text[keep_prefix:]
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    if keep_first + keep_last >= len(positions):
        # Too short to keep both ends and still hide something: hide everything.
        keep_first, keep_last = 0, 0
    hidden = set(positions[keep_first:len(positions) - keep_last])
    return head + "".join(mask_char if i in hidden else ch for i, ch in enumerate(value))


def keep_surname(text: str, surname_len: int = 1, mask_char: str = "*") -> str:
    """王小明 -> 王**, 欧阳娜娜 -> 欧阳**, 买买提·艾力 -> 买**·** (the dot is kept)."""
    keep = max(1, min(surname_len, len(text) - 1))
    return text[:keep] + "".join(ch if ch in SEPARATORS else mask_char for ch in text[keep:])


def keep_region(text: str, region_len: int = 0, mask_char: str = "*") -> str:
    """杭州市西湖区文三路1号 -> 杭州市西湖区*******: the administrative prefix stays."""
    return text[:region_len] + mask_char * (len(text) - region_len)


def mask_email(text: str, keep_first: int = 1, mask_char: str = "*") -> str:
    at = max(text.rfind("@"), text.rfind("＠"))
    if at <= 0:
        return mask_all(text, 0, mask_char)
    keep = min(keep_first, at - 1)
    return text[:keep] + mask_char * (at - keep) + text[at:]


@dataclass(frozen=True)
class MaskingPolicy:
    """Per-category operator settings, read from masking.toml."""

    categories: dict[str, dict] = field(default_factory=dict)
    mask_char: str = "*"
    disclosure_keep: frozenset[str] = frozenset()

    @classmethod
    def from_toml(cls, data: dict) -> "MaskingPolicy":
        mask_char = str(data.get("mask_char", "*"))
        if len(mask_char) != 1:
            raise ValueError("masking.toml: mask_char must be one character (masks keep offsets)")
        categories = {k: dict(v) for k, v in data.items() if isinstance(v, dict) and k != "disclosure"}
        for name, spec in categories.items():
            if spec.get("operator", "mask_all") not in OPERATORS:
                raise ValueError(f"masking.toml: [{name}] unknown operator {spec.get('operator')!r}")
        keep = frozenset(data.get("disclosure", {}).get("keep", ()))
        return cls(categories, mask_char, keep)

    def setting(self, category: str, key: str, default=None):
        return self.categories.get(category, {}).get(key, default)

    def mask(self, finding: Finding) -> str:
        spec = self.categories.get(finding.category, {})
        operator = spec.get("operator", "mask_all")
        details = finding.details or {}
        text = finding.text
        if operator == "keep_ends":
            return keep_ends(
                text,
                int(spec.get("keep_first", 0)),
                int(spec.get("keep_last", 0)),
                int(details.get("keep_prefix", 0)),
                self.mask_char,
            )
        if operator == "keep_surname":
            return keep_surname(text, int(details.get("surname_len", 1)), self.mask_char)
        if operator == "keep_region":
            return keep_region(text, int(details.get("region_len", 0)), self.mask_char)
        if operator == "email":
            return mask_email(text, int(spec.get("keep_first", 1)), self.mask_char)
        return mask_all(text, 0, self.mask_char)


OPERATORS = ("keep_ends", "keep_surname", "keep_region", "email", "mask_all")


def deidentify(text: str, findings: list[Finding], operator=None) -> str:
    """Apply `operator(finding) -> replacement` to each non-overlapping mask span, left to right."""
    operator = operator or (lambda f: mask_all(f.text))
    out: list[str] = []
    cursor = 0
    for f in sorted((f for f in findings if f.action == "mask"), key=lambda f: (f.start, -f.end)):
        if f.start < cursor:  # overlaps a span already masked
            continue
        out.append(text[cursor:f.start])
        out.append(operator(f))
        cursor = f.end
    out.append(text[cursor:])
    return "".join(out)
