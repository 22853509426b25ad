"""The screening engine end to end: contract, sensitivity, route, offsets, size limits."""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifiers import engine, screen
from classifiers.engine import Screener
from classifiers.resources import Resources
from classifiers.text import SEPARATORS, ZERO_WIDTH

MINE = ["classifiers.prohibited", "classifiers.sensitive"]


@pytest.fixture(scope="module")
def screener():
    return Screener.load(registry=MINE)


def test_prohibited_and_sensitive_checks_are_registered():
    assert {"classifiers.prohibited", "classifiers.sensitive"} <= set(engine.REGISTRY)


def test_result_contract(screener):
    result = screener.screen("标题", "本平台提供网上赌博服务。")
    assert set(result) == {"sensitivity", "route", "findings", "deidentified", "versions"}
    finding = result["findings"][0]
    assert set(finding) >= {"check", "category", "field", "start", "end", "text", "score", "action", "message"}
    assert result["versions"]["wordlists"] == Resources().version()
    assert result["deidentified"] == {"title": "标题", "body": "本平台提供网上赌博服务。"}


@pytest.mark.parametrize("body,sensitivity,route", [
    ("本平台提供网上赌博服务。", "blocked", ["editor", "dept_head", "leader"]),
    ("今晨我市发生地震，暂无人员伤亡报告。", "important", ["editor", "dept_head", "leader"]),
    ("公安机关严厉打击赌博违法犯罪。", "important", ["editor", "dept_head", "leader"]),
    ("市图书馆举办读书分享会。", "general", ["editor", "dept_head"]),
])
def test_sensitivity_and_route_follow_the_findings(screener, body, sensitivity, route):
    result = screener.screen("", body)
    assert result["sensitivity"] == sensitivity
    assert result["route"] == route


def test_route_comes_from_the_policy_file():
    policy = '[routes]\ngeneral = ["editor", "dept_head", "leader"]\nimportant = ["editor", "leader"]\nblocked = ["leader"]\n'
    custom = Screener.load(Resources(overrides={"policy.toml": policy}), registry=MINE)
    assert custom.screen("", "市图书馆举办读书分享会。")["route"] == ["editor", "dept_head", "leader"]
    assert custom.screen("", "今晨我市发生地震。")["route"] == ["editor", "leader"]


def test_empty_draft_is_general(screener):
    result = screener.screen("", "")
    assert result["sensitivity"] == "general"
    assert result["findings"] == []
    assert result["deidentified"] == {"title": "", "body": ""}


def test_findings_are_sorted_title_first(screener):
    result = screener.screen("地震速报", "网上赌博。地震。")
    keys = [(f["field"] != "title", f["start"]) for f in result["findings"]]
    assert keys == sorted(keys)
    assert result["findings"][0]["field"] == "title"


def test_one_megabyte_draft(screener):
    paragraph = "市政府召开常务会议，研究部署民生保障工作，推进平台独有的数据服务。" * 30 + "\n"
    body = paragraph * (1_000_000 // len(paragraph) + 1) + "本平台提供网上賭·博服务。"
    assert len(body) >= 1_000_000
    started = time.perf_counter()
    result = screener.screen("", body)
    elapsed = time.perf_counter() - started
    blocks = [f for f in result["findings"] if f["action"] == "block"]
    assert [f["text"] for f in blocks] == ["网上賭·博"]
    assert body[blocks[0]["start"]:blocks[0]["end"]] == "网上賭·博"
    assert elapsed < 20, f"1 MB took {elapsed:.1f} s"


def test_long_draft_without_punctuation_full_of_hits_stays_linear(screener):
    # Every hit asks for its sentence; with no sentence end the sentence is the whole draft.
    body = "严厉打击网上赌博" * 40_000  # 320,000 characters, 40,000 hits in one "sentence"
    started = time.perf_counter()
    result = screener.screen("", body)
    elapsed = time.perf_counter() - started
    gambling = [f for f in result["findings"] if f["category"] == "gambling"]
    assert len(gambling) == 40_000
    assert all(f["action"] == "escalate" for f in gambling)
    assert elapsed < 30, f"took {elapsed:.1f} s"


def test_module_level_screen_uses_the_default_screener():
    result = screen("", "今晨我市发生地震。")
    assert result["sensitivity"] in ("important", "blocked")
    assert any(f["check"] == "sensitive_topic" for f in result["findings"])


TERMS = ["赌博", "网上赌博", "冰毒", "黄色网站", "台独", "地震", "疫情", "任命", "绝密★", "妥否，请批示"]
FILLER = st.text(alphabet="的了是在我市政府工作会议平台独有西藏消毒品。，\n abc", max_size=12)
NOISE = st.text(alphabet=sorted(SEPARATORS | ZERO_WIDTH), max_size=2)


@st.composite
def drafts(draw):
    """Ordinary filler with known terms, each term split by random evasion noise."""
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        parts.append(draw(FILLER))
        term = draw(st.sampled_from(TERMS))
        if draw(st.booleans()):
            term = term.replace("赌", "賭").replace("网", "網").replace("疫", "疫")
        parts.append(term[0] + "".join(draw(NOISE) + ch for ch in term[1:]))
    parts.append(draw(FILLER))
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=drafts(), body=drafts())
def test_every_finding_text_is_the_original_slice(screener, title, body):
    result = screener.screen(title, body)
    fields = {"title": title, "body": body}
    for f in result["findings"]:
        original = fields[f["field"]]
        assert 0 <= f["start"] < f["end"] <= len(original)
        assert original[f["start"]:f["end"]] == f["text"]
        # The span starts and ends on visible characters, never on inserted noise.
        assert f["text"][0] not in SEPARATORS | ZERO_WIDTH
        assert f["text"][-1] not in SEPARATORS | ZERO_WIDTH
