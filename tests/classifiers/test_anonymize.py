"""Masking operators and policy (002 §19 de-identification); offsets never move."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.anonymize import (
    MaskingPolicy,
    deidentify,
    keep_ends,
    keep_region,
    keep_surname,
    mask_email,
)
from classifiers.findings import Finding
from classifiers.resources import Resources


def finding(text: str, category: str, start: int = 0, action: str = "mask", **details) -> Finding:
    return Finding("pii", category, "body", start, start + len(text), text, 0.9, action, "msg", details=details)


def shipped_policy() -> MaskingPolicy:
    return MaskingPolicy.from_toml(Resources().read_toml("pii/masking.toml"))


def test_keep_ends_keeps_separators_and_masks_the_middle_digits():
    assert keep_ends("138-1234-5678", 3, 4) == "138-****-5678"
    assert keep_ends("+86 138 1234 5678", 3, 4, keep_prefix=4) == "+86 138 **** 5678"


def test_keep_ends_masks_everything_when_the_value_is_too_short_to_hide_anything():
    assert keep_ends("1234", 3, 4) == "****"


def test_keep_surname_handles_compound_surnames_and_middle_dots():
    assert keep_surname("王小明", 1) == "王**"
    assert keep_surname("欧阳娜娜", 2) == "欧阳**"
    assert keep_surname("买买提·艾力", 0) == "买**·**"


def test_keep_region_keeps_the_administrative_prefix():
    assert keep_region("杭州市西湖区文三路1号", 6) == "杭州市西湖区*****"


def test_mask_email_keeps_domain_and_first_letter():
    assert mask_email("zhangsan@163.com", 1) == "z*******@163.com"
    assert mask_email("a@b.cn", 1) == "*@b.cn"


def test_shipped_policy_masks_each_category_as_documented():
    policy = shipped_policy()
    assert policy.mask(finding("110105199003071239", "id_card")) == "110105********1239"
    assert policy.mask(finding("13812345678", "mobile")) == "138****5678"
    assert policy.mask(finding("0571-87654321", "landline", keep_prefix=4)) == "0571-******21"
    assert policy.mask(finding("6222021234567890128", "bank_card")) == "6222***********0128"
    assert policy.mask(finding("E12345678", "passport")) == "E******78"
    assert policy.mask(finding("粤B·D12345", "plate")) == "粤B·******"
    assert policy.mask(finding("王小明", "person", surname_len=1)) == "王**"
    assert policy.mask(finding("司马光明", "person", surname_len=2)) == "司马**"
    assert policy.mask(finding("zhangsan@163.com", "email")) == "z*******@163.com"


def test_unknown_category_is_masked_entirely():
    assert shipped_policy().mask(finding("秘密", "something_else")) == "**"


def test_policy_is_data_an_override_changes_the_operator():
    resources = Resources(overrides={"pii/masking.toml": '[mobile]\noperator = "keep_ends"\nkeep_first = 0\nkeep_last = 2\n'})
    policy = MaskingPolicy.from_toml(resources.read_toml("pii/masking.toml"))
    assert policy.mask(finding("13812345678", "mobile")) == "*********78"


def test_policy_rejects_unknown_operators_and_multi_character_masks():
    with pytest.raises(ValueError):
        MaskingPolicy.from_toml({"mobile": {"operator": "rot13"}})
    with pytest.raises(ValueError):
        MaskingPolicy.from_toml({"mask_char": "**"})


def test_deidentify_masks_only_mask_findings_and_skips_overlaps():
    text = "张三电话13812345678，李四"
    findings = [
        finding("13812345678", "mobile", start=4),
        finding("5678", "other", start=11),  # inside the mobile number: already masked
        finding("李四", "person", start=16, action="warn"),
    ]
    out = deidentify(text, findings, shipped_policy().mask)
    assert out == "张三电话138****5678，李四"


@st.composite
def text_and_findings(draw):
    text = draw(st.text(alphabet=st.sampled_from("王李欧阳张三 0123456789-·@abc，。市区路号"), min_size=0, max_size=60))
    spans = draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, len(text))), max_size=6))
    cats = ["id_card", "mobile", "landline", "bank_card", "email", "passport", "plate", "person", "address", "x"]
    findings = []
    for (a, b), cat in zip(spans, draw(st.lists(st.sampled_from(cats), min_size=len(spans), max_size=len(spans)))):
        s, e = min(a, b), max(a, b)
        details = {"surname_len": draw(st.integers(0, 3)), "region_len": draw(st.integers(0, 3)), "keep_prefix": draw(st.integers(0, 3))}
        findings.append(Finding("pii", cat, "body", s, e, text[s:e], 0.9, draw(st.sampled_from(["mask", "warn"])), "m", details=details))
    return text, findings


@settings(max_examples=300, deadline=None)
@given(text_and_findings())
def test_masking_never_changes_text_outside_findings(case):
    text, findings = case
    out = deidentify(text, findings, shipped_policy().mask)
    assert len(out) == len(text)
    covered = set()
    for f in findings:
        if f.action == "mask":
            covered.update(range(f.start, f.end))
    for i, ch in enumerate(text):
        if i not in covered:
            assert out[i] == ch
