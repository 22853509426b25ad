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
    # A yellow warning is a routine forecast (issue #16); a red one goes to the leader.
    assert result["sensitivity"] == "general"
    result = screener.screen("", "气象台发布暴雨红色预警。")
    assert result["sensitivity"] == "important"
    assert "leader" in result["route"]


def test_boundaries_apply_to_topics_too(check):
    # 任职 inside 担任职务? jieba keeps 担任/职务, so 任职 is not a word here.
    assert "personnel" not in {c for c, _ in categories(check, "他长期担任职务。")}


def test_ordinary_text_is_general(check):
    assert categories(check, "市图书馆举办读书分享会，吸引众多市民参加。") == set()


# --- routing precision (issue #16) -------------------------------------------------------


@pytest.mark.parametrize("title,body", [
    ("流感疫苗免费接种通知", "60岁以上老人可免费接种流感疫苗，请携带身份证到社区卫生服务中心预约接种。流感高发季节，接种疫苗是预防流感最有效的手段。"),
    ("天气预报", "市气象台预报，明天有中到大雨，局部暴雨，请市民出行注意安全。"),
    ("消防演练", "我局组织开展火灾应急疏散演练，提高干部职工应对火灾的能力。"),
    ("热线开通", "防汛热线12345已开通，遇有洪涝险隐患请及时拨打。"),
])
def test_a_routine_service_notice_warns_instead_of_going_to_the_leader(check, title, body):
    found = check.check(Document.build(title, body))
    assert found
    assert {f.action for f in found} == {"warn"}
    assert all("例行服务通知" in f.message for f in found)


@pytest.mark.parametrize("title,body", [
    ("流感疫情通报", "某学校发生流感聚集性疫情，已有2名学生住院，接种疫苗工作同步开展。"),
    ("暴雨情况", "气象台预报的暴雨已造成3人死亡，多地出现险情。"),
    ("事故通报", "演练结束后，某化工厂发生爆炸，造成1人受伤。"),
    ("流感疫情", "本市流感暴发，请市民预约接种。"),
])
def test_an_outbreak_deaths_or_an_incident_still_go_to_the_leader(check, title, body):
    found = check.check(Document.build(title, body))
    assert "escalate" in {f.action for f in found}


def test_appointments_are_never_routine(check):
    found = check.check(Document.build("任免通知", "经研究决定，任命张某为市疾控中心主任，负责疫苗接种工作。"))
    assert ("personnel", "escalate") in {(f.category, f.action) for f in found}


def test_repeated_hits_of_one_term_are_one_finding_with_a_count(check):
    body = "接种流感疫苗。流感多发。预防流感。流感疫苗免费。流感病毒。流感季。流感。"
    found = [f for f in check.check(Document.build("", body)) if f.category == "epidemic"]
    assert len(found) == 1
    assert found[0].details["count"] == 7
    assert body[found[0].start:found[0].end] == "流感"


def test_a_single_hit_has_no_count(check):
    found = check.check(Document.build("", "我市新增确诊病例2例。"))
    assert all("count" not in f.details for f in found)


def test_routine_file_errors_name_the_line():
    from classifiers.sensitive import RoutineNotice

    with pytest.raises(ValueError, match="routine.txt:2"):
        RoutineNotice.parse("接种 | routine\n暴发 | bad\n")
