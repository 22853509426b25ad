"""Number-shaped personal information: ID cards, phones, bank cards, email, passports, plates.

Everything here runs on `Field.normalized` (full-width digits already half-width, lower case),
costs a few regex scans per field, and returns spans in normalized offsets; `pii.py` maps them
back to the original. Validation (GB 11643 check digit, Luhn, dates, region prefixes) is what
separates personal numbers from document numbers, amounts and dates (000 §17, 002 §19).
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

# ISO 7064 MOD 11-2 weights and check characters for the 18-digit resident ID (GB 11643-1999).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"

# A run of digits that may be split by single spaces or dashes (138 1234 5678, 0571-87654321),
# with an optional leading + (+86) or a parenthesised area code ((0571)87654321) and an
# optional trailing x (ID check digit). Letters on either side make it part of a code instead.
_RUN = re.compile(r"\+?(?:\(\d{3,4}\)|\d)(?:[ \-\u2014]?(?:\d|\(\d{3,4}\)))*x?")
_GROUP = re.compile(r"\+?\(?\d+\)?x?")
MASK_CHARS = frozenset("*×xX＊●○〇?？")

_EMAIL = re.compile(r"[a-z0-9][a-z0-9._%+\-]*@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,10}")
# Chinese passports: E + 8 digits, E + letter + 7 digits (2019 format), G + 8 digits (older);
# official/service/diplomatic P/S/D + 7 digits and permits (C/H/M) only with a passport cue.
_PASSPORT_STRONG = re.compile(r"(?<![a-z0-9])(?:e[a-hj-np-z]\d{7}|[eg]\d{8})(?![a-z0-9])")
_PASSPORT_WEAK = re.compile(r"(?<![a-z0-9])(?:[psd]\d{7}|[chm]\d{8}|[hm]\d{10})(?![a-z0-9])")
_PLATE_SEP = "[·•・‧∙. \\-]?"


@dataclass
class Hit:
    """One detected value, in normalized offsets; `prefix_end` marks what masking keeps as written."""

    category: str
    start: int
    end: int
    score: float
    kind: str = "private"  # "private" | "official" | "public" | "unconfirmed" (a name no context places)
    prefix_end: int | None = None
    details: dict = field(default_factory=dict)


def id18_valid(digits: str, regions: frozenset[str], earliest_year: int = 1900, today: datetime.date | None = None) -> bool:
    """GB 11643: province prefix, a real birth date, and the ISO 7064 MOD 11-2 check character."""
    if len(digits) != 18 or not digits[:17].isdigit() or digits[17] not in "0123456789x":
        return False
    if digits[:2] not in regions or not _valid_date(digits[6:14], earliest_year, today):
        return False
    return id18_check_char(digits[:17]) == digits[17]


def id18_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def id15_valid(digits: str, regions: frozenset[str]) -> bool:
    """Legacy 15-digit ID (before 1999): region prefix and a 19yymmdd birth date, no check digit."""
    return len(digits) == 15 and digits.isdigit() and digits[:2] in regions and _valid_date("19" + digits[6:12], 1900, None)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _valid_date(yyyymmdd: str, earliest_year: int, today: datetime.date | None) -> bool:
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return earliest_year <= born.year and born <= (today or datetime.date.today())


class NumberRecognizer:
    """All number-type recognizers over one normalized string."""

    def __init__(self, config: dict):
        idc = config["id_card"]
        self.regions = frozenset(idc["regions"])
        self.earliest_year = int(idc.get("earliest_birth_year", 1900))
        self.id_cues = tuple(idc.get("cues", ()))
        self.mobile_prefixes = tuple(config["mobile"]["prefixes"])
        self.public_phone_cues = tuple(config["landline"].get("public_cues", ()))
        self.bins = tuple(config["bank_card"]["bins"])
        self.bank_cues = tuple(config["bank_card"]["cues"])
        self.passport_cues = tuple(config["passport"]["cues"])
        self.public_domains = tuple(config["email"].get("public_domains", ()))
        self.negative_cues = tuple(config["negative"]["cues"])
        self.window = int(config["negative"].get("window", 12))
        provinces = re.escape(config["plate"]["provinces"])
        # 粤B·D12345 / 粤BD12345 (new energy, 6 after the letter) / 京A12345; never I or O.
        self._plate = re.compile(
            rf"[{provinces}][a-hj-np-z]{_PLATE_SEP}(?:[df][a-hj-np-z0-9]\d{{4}}|\d{{5}}[df]|[a-hj-np-z0-9]{{5}})(?![a-z0-9])"
        )

    def find(self, text: str, original_text=None) -> list[Hit]:
        """`original_text(start, end)` gives the original of a normalized span, where case survives."""
        hits: list[Hit] = []
        for m in _RUN.finditer(text):
            s, e = m.span()
            before = text[s - 1] if s else ""
            after = text[e] if e < len(text) else ""
            # Part of an alphanumeric code (91440300MA5D…, ICP, passport) or already masked.
            if _is_code_char(before) or _is_code_char(after) or before in MASK_CHARS or after in MASK_CHARS:
                continue
            hits.extend(self._classify_run(text, s, m.group()))
        hits.extend(self._emails(text))
        hits.extend(self._passports(text))
        hits.extend(self._plates(text, original_text))
        # 豫AS108G*, E1234****: a value next to a mask character is already de-identified.
        return [h for h in hits if text[h.start - 1:h.start] not in MASK_CHARS and text[h.end:h.end + 1] not in MASK_CHARS]

    # Digit runs ---------------------------------------------------------------------------

    def _classify_run(self, text: str, run_start: int, run: str) -> list[Hit]:
        groups = [(run_start + g.start(), run_start + g.end(), g.group()) for g in _GROUP.finditer(run)]
        hits: list[Hit] = []
        i = 0
        # Longest interpretation first: "0571 87654321 13812345678" is a landline then a mobile.
        while i < len(groups):
            for j in range(len(groups), i, -1):
                # A card or ID written in groups must be the whole run: 16 digits out of
                # "6201 2023 0001 0002 003" pass Luhn by chance and are not a card.
                whole = (i == 0 and j == len(groups)) or j - i == 1
                hit = self._classify(text, groups[i:j], whole)
                if hit:
                    hits.append(hit)
                    i = j
                    break
            else:
                i += 1
        return hits

    def _classify(self, text: str, groups: list[tuple[int, int, str]], whole: bool) -> Hit | None:
        start, end = groups[0][0], groups[-1][1]
        raw = "".join(g[2] for g in groups)
        if "x" in raw[:-1] or ("(" in raw and not raw.lstrip("+").startswith("(0")):
            return None
        digits = raw.replace("+", "").replace("(", "").replace(")", "")
        if not 11 <= len(digits) <= 19:
            return None  # years, amounts, postcodes, hotlines: nothing personal is that short
        before = text[max(0, start - self.window):start]
        negative = any(c in before for c in self.negative_cues)
        if whole and len(digits) == 18 and id18_valid(digits, self.regions, self.earliest_year):
            return Hit("id_card", start, end, 0.99 if self._cue(before, self.id_cues) else 0.95)
        if "x" in digits or raw.startswith("+") and not digits.startswith(("86", "0086")):
            return None
        if whole and len(digits) == 15 and id15_valid(digits, self.regions) and not negative:
            return Hit("id_card", start, end, 0.95 if self._cue(before, self.id_cues) else 0.7, details={"legacy": True})
        mobile = self._mobile(digits)
        if mobile is not None:
            # Keep +86 / 0086 as written; the policy masks the national number.
            prefix_end = self._prefix_end(groups, len(digits) - 11)
            return Hit("mobile", start, end, 0.95, prefix_end=prefix_end)
        area = _area_code(digits)
        if area and not raw.startswith("+"):
            kind = "public" if self._cue(before, self.public_phone_cues) else "private"
            return Hit("landline", start, end, 0.85 if kind == "private" else 0.4, kind, self._prefix_end(groups, area))
        if whole and 16 <= len(digits) <= 19 and not negative and luhn_valid(digits):
            by_bin = digits.startswith(self.bins)
            by_cue = self._cue(before, self.bank_cues)
            if by_bin or by_cue:
                return Hit("bank_card", start, end, 0.95 if by_cue else 0.8)
        return None

    def _mobile(self, digits: str) -> str | None:
        for prefix in ("0086", "86", ""):
            if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
                number = digits[len(prefix):]
                if number.startswith(self.mobile_prefixes):
                    return number
        return None

    @staticmethod
    def _prefix_end(groups: list[tuple[int, int, str]], n_digits: int) -> int | None:
        """Normalized index right after the first `n_digits` digits (the country/area prefix)."""
        if n_digits <= 0:
            return None
        seen = 0
        for gs, _ge, g in groups:
            for k, ch in enumerate(g):
                if ch.isdigit():
                    seen += 1
                    if seen == n_digits:
                        end = gs + k + 1
                        return end + 1 if g[k + 1:k + 2] == ")" else end
        return None

    @staticmethod
    def _cue(before: str, cues: tuple[str, ...]) -> bool:
        return any(c in before for c in cues)

    # Other shapes -------------------------------------------------------------------------

    def _emails(self, text: str) -> list[Hit]:
        hits = []
        for m in _EMAIL.finditer(text):
            domain = m.group().rsplit("@", 1)[1]
            public = any(domain == d or domain.endswith("." + d) for d in self.public_domains)
            hits.append(Hit("email", m.start(), m.end(), 0.4 if public else 0.95, "public" if public else "private"))
        return hits

    def _passports(self, text: str) -> list[Hit]:
        hits = []
        for m in _PASSPORT_STRONG.finditer(text):
            before = text[max(0, m.start() - self.window):m.start()]
            if not self._cue(before, self.negative_cues):  # 错误代码e82000171, 编号E12345678
                hits.append(Hit("passport", m.start(), m.end(), 0.85))
        for m in _PASSPORT_WEAK.finditer(text):
            if self._cue(text[max(0, m.start() - self.window):m.start()], self.passport_cues):
                hits.append(Hit("passport", m.start(), m.end(), 0.8))
        return hits

    def _plates(self, text: str, original_text) -> list[Hit]:
        hits = []
        for m in self._plate.finditer(text):
            tail = m.group()[2:].lstrip("·•・‧∙. -")
            # Real plates carry digits and are written in capitals; 沪abcde is an English word
            # after a place name, 监狱风云s03e08 an episode number.
            letter = original_text(m.start() + 1, m.start() + 2) if original_text else "A"
            if sum(ch.isdigit() for ch in tail) >= 3 and letter.isupper():
                hits.append(Hit("plate", m.start(), m.end(), 0.85))
        return hits


def _is_code_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _area_code(digits: str) -> int:
    """Length of the area code of a mainland landline number written with it, else 0.

    010 and 02x are three digits with an 8-digit local number; other area codes are four
    digits (0xxx) with 7 or 8. Local numbers never start with 0 or 1 (those are prefixes
    and service numbers such as 110, 12345).
    """
    if digits.startswith(("010", "02")) and len(digits) == 11 and digits[3] not in "01":
        return 3
    if len(digits) in (11, 12) and digits[0] == "0" and digits[1] in "3456789" and digits[4] not in "01":
        return 4
    return 0
