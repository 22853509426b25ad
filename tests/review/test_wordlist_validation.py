"""Validating an administrator's wordlist edit builds a throwaway Screener; it must leave every
other Screener in the process as it was (issue #19: it used to add its terms to jieba's global
dictionary, and 他在家中吸毒品后 then gave a 吸毒 block and lost 毒品)."""
from __future__ import annotations

from classifiers import Resources, default_screener
from review.admin import validate_wordlist

DRAFT = "他在家中吸毒品后"


def findings() -> list[tuple]:
    return [(f["check"], f["category"], f["text"], f["action"]) for f in default_screener().screen("", DRAFT)["findings"]]


def test_validating_and_abandoning_an_override_changes_no_running_screener():
    before = findings()
    drugs = Resources().read_text("prohibited/drugs.txt")
    validate_wordlist("prohibited/drugs.txt", drugs + "\n家中吸毒\n")  # validated, then never saved
    assert findings() == before
    assert [f[2] for f in before if f[1] == "drugs"] == ["毒品"]
