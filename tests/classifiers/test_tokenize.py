"""The Screener's tokenizer: its own dictionary, nothing process-global changed, jieba agrees."""
from __future__ import annotations

import logging

import jieba
import pytest

from classifiers.engine import Screener
from classifiers.resources import Resources
from classifiers.tokenize import DictionaryError, Dictionary, Tokenizer, dictionary

DRAFT = "他在家中吸毒品后"


def findings(screener: Screener, body: str) -> list[tuple]:
    return [(f["check"], f["category"], f["text"], f["action"]) for f in screener.screen("", body)["findings"]]


def test_building_another_screener_leaves_this_one_unchanged():
    screener = Screener.load()
    before = findings(screener, DRAFT)
    drugs = Resources().read_text("prohibited/drugs.txt")
    for extra in ("家中吸毒", "吸毒品后", "在家中吸"):
        # A validated and then abandoned override: a throwaway Screener with the term in its list.
        Screener.load(Resources(overrides={"prohibited/drugs.txt": drugs + f"\n{extra}\n"}))
        assert findings(screener, DRAFT) == before
    assert ("prohibited", "drugs", "毒品", "block") in before
    assert not any(f[2] == "吸毒" for f in before)  # 吸|毒品: 吸毒 does not stand on word edges


def test_a_screener_s_words_stay_in_its_own_tokenizer():
    mine = Tokenizer(["家中吸毒"])
    other = Tokenizer()
    assert [t.word for t in mine.tokens(DRAFT)][:3] == ["他", "在", "家中吸毒"]
    assert "家中吸毒" not in [t.word for t in other.tokens(DRAFT)]
    assert mine.freq("家中吸毒") > 0 and other.freq("家中吸毒") == 0


@pytest.fixture(scope="module")
def reference():
    """jieba itself, the reference implementation, with its own tokenizer instance."""
    jieba.setLogLevel(logging.WARNING)
    t = jieba.Tokenizer()
    t.initialize()
    return t


@pytest.mark.parametrize("text, terms", [
    ("要做好消毒品采购工作", ["毒品"]),  # 消毒|品: no 毒品
    ("展示西藏独特的文化", ["藏独"]),  # 西藏|独特: no 藏独
    ("他在家中吸毒品后被查获", ["毒品", "吸毒"]),
    ("严禁贩卖毒品和冰毒", ["毒品", "冰毒", "贩卖毒品"]),
    ("支持藏独分子的言论", ["藏独"]),
])
def test_rjieba_agrees_with_jieba_on_wordlist_boundary_cases(reference, text, terms):
    mine = Tokenizer(terms)
    for term in terms:
        if not reference.FREQ.get(term):
            reference.add_word(term)  # the reference instance only; never jieba's global one
    assert [(t.word, t.start, t.end) for t in mine.tokens(text)] == list(reference.tokenize(text, HMM=True))


def test_the_precomputed_dictionary_is_jieba_s(reference):
    d = dictionary()
    for word in ("毒品", "西藏", "独特", "消毒", "王小明", "中华人民共和国"):
        assert d.count(word) == reference.FREQ.get(word, 0)
    assert "中华人" in d.packed and d.count("中华人") == reference.FREQ["中华人"] == 0  # prefixes, as jieba keeps them
    assert d.tag("毒品") == "n" and d.tag("中华人") is None


def test_a_missing_dictionary_says_how_to_rebuild_it(tmp_path):
    with pytest.raises(DictionaryError, match="build_dictionary.py"):
        Dictionary.load(tmp_path / "absent.bin")
    (tmp_path / "bad.bin").write_bytes(b"not zlib")
    with pytest.raises(DictionaryError, match="cannot be read"):
        Dictionary.load(tmp_path / "bad.bin")
