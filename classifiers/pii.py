"""The "pii" check: personal information that must be de-identified before publication.

000 §17 and 002 §19: information about citizens' privacy is de-identified, except in
disciplinary notices and mandatory disclosures (惩戒公示、强制性信息披露); 002 §29: accounts
must not publish content that harms users' rights. Detection is here and in pii_numbers.py /
pii_names.py; the masking policy is wordlists/pii/masking.toml, applied by anonymize.py.
"""
from __future__ import annotations

import bisect

from .anonymize import MaskingPolicy, deidentify
from .document import Document
from .findings import Finding
from .pii_names import AddressRecognizer, PersonRecognizer
from .pii_numbers import Hit, NumberRecognizer
from .text import Field

NAME = "pii"
VERSION = "1"

LABELS = {
    "id_card": "身份证号码",
    "mobile": "手机号码",
    "landline": "固定电话号码",
    "bank_card": "银行卡号",
    "email": "电子邮箱",
    "passport": "护照/通行证号码",
    "plate": "车牌号码",
    "person": "个人姓名",
    "address": "个人住址",
}
# Which mention of a name says who the person is: an official role anywhere wins, then a
# privacy context, then a public role; a name the model found with no context says least.
_KIND_RANK = {"official": 0, "private": 1, "public": 2, "unconfirmed": 3}
# Which details key tells each masking operator how much of the span to keep as written.
_PREFIX_KEY = {"person": "surname_len", "address": "region_len"}


class PiiCheck:
    name = NAME
    version = VERSION

    def __init__(self, resources):
        self.numbers = NumberRecognizer(resources.read_toml("pii/numbers.toml"))
        self.persons = PersonRecognizer(resources)
        self.addresses = AddressRecognizer(resources, self.persons.words)
        self.address_exclude = frozenset(self.persons.private_cue_words)
        self.policy = MaskingPolicy.from_toml(resources.read_toml("pii/masking.toml"))

    def check(self, doc: Document) -> list[Finding]:
        found = {fld.name: self._recognize(fld) for fld in doc.fields}
        self._add_repeated_names(doc, found)
        findings: list[Finding] = []
        for fld in doc.fields:
            findings.extend(self._finding(fld, hit, doc.options.disclosure) for hit in _resolve(found[fld.name]))
        return findings

    def _recognize(self, fld: Field) -> list[Hit]:
        if not fld.original:
            return []
        text = fld.normalized
        return self.numbers.find(text, fld.original_text) + self.persons.find(fld) + self.addresses.find(fld, self.address_exclude)

    @staticmethod
    def _add_repeated_names(doc: Document, found: dict[str, list[Hit]]) -> None:
        """A name found once in context (驾驶员周文昌) is a person's name wherever else the draft
        repeats it (于是周文昌在车里…); masking only the first mention would leave it readable."""
        names: dict[str, Hit] = {}
        for fld in doc.fields:
            for hit in found[fld.name]:
                if hit.category == "person":
                    name = fld.normalized[hit.start:hit.end]
                    if name not in names or _KIND_RANK[hit.kind] < _KIND_RANK[names[name].kind]:
                        names[name] = hit
        for fld in doc.fields:
            for hit in found[fld.name]:
                first = names.get(fld.normalized[hit.start:hit.end]) if hit.category == "person" else None
                if first is not None and first.kind == "official" and hit.kind != "official":
                    # 巴西总统卢拉 … 为卢拉夫妇: named in the role once, an official throughout.
                    hit.kind, hit.score = "official", first.score
                elif first is not None and first.kind == "private" and hit.kind == "unconfirmed":
                    # 驾驶员周文昌 … 于是周文昌: a private individual at every mention.
                    hit.kind = "private"
            starts = {h.start for h in found[fld.name] if h.category == "person"}
            for name, first in names.items():
                i = fld.normalized.find(name)
                while i >= 0:
                    text = fld.normalized
                    inside_word = name.isascii() and (  # elaine is not a mention inside elaines
                        i and text[i - 1].isascii() and text[i - 1].isalnum()
                        or i + len(name) < len(text) and text[i + len(name)].isascii() and text[i + len(name)].isalnum())
                    if i not in starts and not inside_word:
                        prefix = None if first.prefix_end is None else i + first.prefix_end - first.start
                        found[fld.name].append(Hit("person", i, i + len(name), first.score - 0.05, first.kind, prefix, {"cue": "repeat"}))
                    i = fld.normalized.find(name, i + len(name))

    def mask(self, finding: Finding) -> str:
        return self.policy.mask(finding)

    def _finding(self, fld: Field, hit: Hit, disclosure: bool) -> Finding:
        start, end = fld.original_span(hit.start, hit.end)
        details = dict(hit.details)
        details["kind"] = hit.kind
        if hit.prefix_end is not None and hit.prefix_end > hit.start:
            details[_PREFIX_KEY.get(hit.category, "keep_prefix")] = fld.original_span(hit.start, hit.prefix_end)[1] - start
        action, message = self._decide(hit, disclosure)
        return Finding(
            check=NAME,
            category=hit.category,
            field=fld.name,
            start=start,
            end=end,
            text=fld.original[start:end],
            score=hit.score,
            action=action,
            message=message,
            details=details,
        )

    def _decide(self, hit: Hit, disclosure: bool) -> tuple[str, str]:
        label = LABELS[hit.category]
        if disclosure and hit.category in self.policy.disclosure_keep:
            # 002 §19: disciplinary notices and mandatory disclosures publish names as written.
            return "warn", f"{label}：本稿标记为惩戒公示/强制性信息披露，依规定保留原文，请审核人确认。（002 §19）"
        if hit.kind == "official" and not self.policy.setting("person", "mask_officials", False):
            return "warn", f"{label}：公职人员以职务身份出现，默认不去标识化，请审核人确认。（002 §19）"
        if hit.kind == "unconfirmed":
            return "warn", f"{label}：疑似个人姓名，未见隐私语境（如患者、当事人、村民），请审核人确认是否去标识化。（000 §17、002 §19）"
        if hit.kind == "public" and hit.category == "person":
            return "warn", f"{label}：疑似以公开身份出现的公众人物（如赛事成绩），默认不去标识化，请审核人确认。（002 §19）"
        if hit.kind == "public":
            return "warn", f"{label}：疑似机构公开的联系方式、邮箱或地点，默认不去标识化，请审核人确认。（002 §19、§29）"
        return "mask", f"{label}：涉及公民个人信息，发布前须去标识化处理。（000 §17、002 §19、§29）"


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Overlaps resolved by a sort and a sweep: the longer span wins (an email over the mobile
    number in its local part, an address over a number inside it), then the higher score."""
    kept: list[Hit] = []
    starts: list[int] = []  # taken spans never overlap, so sorted starts also sort their ends
    ends: list[int] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), -h.score, h.start)):
        i = bisect.bisect_right(starts, hit.start)
        if hit.end <= hit.start or (i and ends[i - 1] > hit.start) or (i < len(starts) and starts[i] < hit.end):
            continue
        starts.insert(i, hit.start)
        ends.insert(i, hit.end)
        kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def build(resources) -> PiiCheck:
    return PiiCheck(resources)


class NumberRedactor:
    """Masks number-shaped personal data in free text (comments, reasons, notes) that is never
    screened as a draft. Names need a draft's context to tell a citizen from an official, so
    only numbers are taken here; every number found is masked, whatever its context."""

    def __init__(self, resources):
        self.numbers = NumberRecognizer(resources.read_toml("pii/numbers.toml"))
        self.policy = MaskingPolicy.from_toml(resources.read_toml("pii/masking.toml"))

    def redact(self, text: str) -> str:
        if not text or not any(ch.isdigit() or ch == "@" for ch in text):
            return text
        fld = Field("body", text)
        findings = []
        for hit in _resolve(self.numbers.find(fld.normalized, fld.original_text)):
            start, end = fld.original_span(hit.start, hit.end)
            findings.append(Finding(check=NAME, category=hit.category, field="body", start=start, end=end,
                                    text=text[start:end], score=hit.score, action="mask", message=""))
        return deidentify(text, findings, self.policy.mask)
