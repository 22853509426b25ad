"""Check "sensitive_topic": every hit escalates to the top leader (002 §17)."""
from __future__ import annotations

import functools

import pytest

from classifiers import sensitive
from classifiers.document import Document
from classifiers.engine import Screener
from classifiers.resources import WORDLIST_DIR, Resources
from classifiers.tokenize import Tokenizer


@functools.cache
def tokenizer_for(check) -> Tokenizer:
    """A check used alone: its wordlist terms join a tokenizer of its own, as in a Screener."""
    return Tokenizer(check.dictionary_words)


@pytest.fixture(scope="module")
def check():
    return sensitive.build(Resources())


def categories(check, body, title=""):
    return {(f.category, f.action) for f in check.check(Document.build(title, body, tokenizer=tokenizer_for(check)))}


SAMPLES = [
    ("sudden_incident", "某化工厂发生爆炸，造成3人死亡。"),
    ("mass_incident", "部分工人因讨薪在厂区门口聚集。"),
    ("disaster", "受台风影响，沿海多地出现灾情。"),
    ("epidemic", "我市新增确诊病例2例。"),
    ("personnel", "经研究决定，任命张某为局长，免去李某副局长职务。"),
    ("major_policy", "关于调整城乡居民最低工资标准的通知。"),
]


@pytest.mark.parametrize("category,body", SAMPLES)
def test_each_topic_escalates(check, category, body):
    assert (category, "escalate") in categories(check, body)


def test_every_shipped_topic_has_a_sample_here():
    assert {p.stem for p in (WORDLIST_DIR / "sensitive").glob("*.txt")} == {c for c, _ in SAMPLES}


def test_messages_cite_article_17_and_the_top_leader(check):
    found = check.check(Document.build("突发", "某地发生地震", tokenizer=tokenizer_for(check)))
    assert found
    for f in found:
        assert f.check == "sensitive_topic"
        assert "第十七条" in f.message and "主要领导" in f.message


def test_context_never_lowers_a_sensitive_topic(check):
    # A refutation of an epidemic rumour is still about an epidemic.
    assert ("epidemic", "escalate") in categories(check, "网传我市出现疫情，经核实系谣言。")


def test_yellow_rainstorm_warning_is_a_disaster_not_pornography():
    screener = Screener.load(registry=["classifiers.prohibited", "classifiers.sensitive"])
    result = screener.screen("", "气象台发布暴雨黄色预警。")
    assert [(f["check"], f["category"]) for f in result["findings"]] == [("sensitive_topic", "disaster")]
    assert result["sensitivity"] == "important"
    assert "leader" in result["route"]


def test_boundaries_apply_to_topics_too(check):
    # 任职 inside 担任职务? jieba keeps 担任/职务, so 任职 is not a word here.
    assert "personnel" not in {c for c, _ in categories(check, "他长期担任职务。")}


def test_ordinary_text_is_general(check):
    assert categories(check, "市图书馆举办读书分享会，吸引众多市民参加。") == set()
