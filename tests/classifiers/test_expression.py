"""Check "expression": typos, banned terms, outdated names and leaders; offsets and suggestions."""
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers import Resources, ScreenOptions, Screener
from classifiers.expression import ExpressionDataError, parse_banned, parse_outdated
from classifiers.leaders import RosterEntry

ROSTER = (
    RosterEntry("王建国", "县委书记", 1, "县委", date(2021, 6, 1), None),
    RosterEntry("李明华", "县长", 2, "县委", date(2021, 7, 1), None),
    RosterEntry("张志强", "副县长", 3, "县委", date(2022, 1, 1), None),
    RosterEntry("赵刚", "副县长", 4, "县委", date(2019, 1, 1), date(2023, 12, 31)),
    RosterEntry("赵刚", "县政协主席", 5, "县委", date(2024, 1, 1), None),
)
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def screener():
    return Screener.load(registry=["classifiers.expression"])


def expression(screener, body, title="", roster=(), resources=None):
    options = ScreenOptions(roster=roster, as_of=TODAY)
    s = screener if resources is None else Screener.load(resources, registry=["classifiers.expression"])
    return [f for f in s.screen(title, body, options)["findings"] if f["check"] == "expression"]


def apply(text, findings):
    for f in sorted(findings, key=lambda f: -f["start"]):
        if f["details"]["suggestion"] is not None:
            text = text[:f["start"]] + f["details"]["suggestion"] + text[f["end"]:]
    return text


@pytest.mark.parametrize("body, wrong, right", [
    ("内蒙古自治区乌兰察布市大力培育发展大数局产业。", "局", "据"),
    ("要进一步健全体制机智，推动高质量发展。", "智", "制"),
])
def test_typo_is_found_with_its_correction(screener, body, wrong, right):
    (f,) = [f for f in expression(screener, body) if f["category"] == "typo"]
    assert body[f["start"]:f["end"]] == f["text"] == wrong
    assert f["details"]["suggestion"] == right and f["details"]["severity"] == 2 and f["action"] == "warn"


@pytest.mark.parametrize("body", [
    "要进一步健全体制机制，推动高质量发展。",
    "内蒙古自治区乌兰察布市大力培育发展大数据产业。",
    "国务院总理主持召开国务院常务会议，研究部署稳就业工作。",
])
def test_correct_official_text_has_no_typo(screener, body):
    assert [f for f in expression(screener, body) if f["category"] == "typo"] == []


def test_typo_offsets_map_through_traditional_and_full_width(screener):
    body = "ＡＢ  要進一步健全體制機智。"
    (f,) = [f for f in expression(screener, body) if f["category"] == "typo"]
    assert body[f["start"]:f["end"]] == f["text"] == "智"


def test_banned_term_with_suggestion_and_severity(screener):
    body = "他是一名残废人，也是维族同胞。"
    found = {f["text"]: f for f in expression(screener, body) if f["category"] == "banned_term"}
    assert found["残废人"]["details"]["suggestion"] == "残疾人"
    assert found["维族"]["details"]["suggestion"] == "维吾尔族"
    assert "新华社" in found["残废人"]["message"]
    assert apply(body, found.values()) == "他是一名残疾人，也是维吾尔族同胞。"


def test_severity_four_escalates(screener):
    (f,) = [f for f in expression(screener, "所谓东突厥斯坦是分裂势力的说法。") if f["category"] == "banned_term"]
    assert f["details"]["severity"] == 4 and f["action"] == "escalate" and f["details"]["suggestion"] is None


def test_quoted_term_is_not_flagged(screener):
    findings = [f for f in expression(screener, "坚决反对“台独”分裂活动，台独没有出路。") if f["category"] == "banned_term"]
    assert [(f["text"], f["start"]) for f in findings] == [("台独", 13)]


def test_exception_phrase_keeps_the_word(screener):
    assert [f for f in expression(screener, "全县村长期坚持垃圾分类。") if f["category"] == "banned_term"] == []


def test_office_list_adds_terms():
    office = "一带一路战略\t“一带一路”倡议\t2\t本单位规定：称倡议\t\n"
    resources = Resources(overrides={"expression/banned_office.tsv": office})
    (f,) = [f for f in expression(None, "推进一带一路战略。", resources=resources) if f["category"] == "banned_term"]
    assert (f["text"], f["details"]["suggestion"]) == ("一带一路战略", "“一带一路”倡议")


def test_outdated_name_suggests_the_new_name(screener):
    body = "国家质检总局近日发布通知。"
    (f,) = [f for f in expression(screener, body) if f["category"] == "outdated_name"]
    assert (f["start"], f["end"], f["details"]["suggestion"]) == (0, 6, "国家市场监督管理总局")
    assert "2018年3月" in f["message"]


@pytest.mark.parametrize("body", [
    "2015年国家质检总局发布了该标准。",
    "原国家质检总局的职责已整合。",
    "组建国家市场监督管理总局，不再保留国家质检总局。",
    "各级农业部门要抓好春耕。",
    "国家金融监督管理总局发布通知。",
])
def test_outdated_name_in_history_or_inside_another_word_is_fine(screener, body):
    assert [f for f in expression(screener, body) if f["category"] == "outdated_name"] == []


def test_longest_outdated_name_wins(screener):
    (f,) = [f for f in expression(screener, "银保监会发布通知。") if f["category"] == "outdated_name"]
    assert f["text"] == "银保监会"


def test_leader_with_a_title_they_do_not_hold(screener):
    body = "副县长李明华主持会议。"
    (f,) = [f for f in expression(screener, body, roster=ROSTER) if f["category"] == "leader"]
    assert (f["text"], f["details"]["suggestion"], f["action"]) == ("副县长", "县长", "escalate")
    assert f["details"]["kind"] == "wrong_title" and "李明华" in f["message"]
    assert apply(body, [f]) == "县长李明华主持会议。"


def test_leader_with_the_right_title_is_fine(screener):
    body = "县委书记王建国、县长李明华、副县长张志强出席会议。"
    assert [f for f in expression(screener, body, roster=ROSTER) if f["category"] == "leader"] == []


def test_leaders_out_of_rank_order(screener):
    body = "县长李明华、县委书记王建国出席会议。"
    (f,) = [f for f in expression(screener, body, roster=ROSTER) if f["category"] == "leader"]
    assert f["details"]["kind"] == "order" and f["text"] == "王建国" and "王建国、李明华" in f["message"]


def test_title_after_its_valid_to_date(screener):
    body = "副县长赵刚调研春耕。"
    (f,) = [f for f in expression(screener, body, roster=ROSTER) if f["category"] == "leader"]
    assert f["details"]["kind"] == "expired_title" and f["details"]["suggestion"] == "县政协主席"
    assert "2023年12月31日" in f["message"]


def test_title_of_a_past_term_with_its_year_is_fine(screener):
    body = "2022年，时任副县长赵刚调研春耕。"
    assert [f for f in expression(screener, body, roster=ROSTER) if f["category"] == "leader"] == []


def test_no_roster_no_leader_findings(screener):
    assert [f for f in expression(screener, "副县长李明华主持会议。") if f["category"] == "leader"] == []


@pytest.mark.parametrize("parse, text", [
    (parse_banned, "残废人\t残疾人\t5\t理由\t"),
    (parse_banned, "残废人\t残疾人\t2\t\t"),
    (parse_outdated, "国家质检总局\t国家市场监督管理总局\t去年\t来源\t3\t"),
])
def test_bad_data_lines_are_reported(parse, text):
    with pytest.raises(ExpressionDataError, match="x.tsv:1"):
        parse("x.tsv", text)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="国家质检总局残废人维族县长李明华副体制机智大数局据。，“”台独 \u3000\u200b·ＡB", max_size=40))
def test_every_finding_text_is_the_original_slice(screener, body):
    for f in expression(screener, body, roster=ROSTER):
        assert body[f["start"]:f["end"]] == f["text"]
        assert f["details"]["severity"] in (1, 2, 3, 4)


def test_outdated_name_is_fine_in_a_draft_dated_before_the_change(screener):
    options = ScreenOptions(as_of=date(2017, 5, 1))
    findings = screener.screen("", "国家质检总局近日发布通知。", options)["findings"]
    assert [f for f in findings if f["category"] == "outdated_name"] == []


@pytest.mark.parametrize("body", [
    "支持审计、监察部门依法履行职责。",
    "美国农业部此前暂停了一项计划。",
    "制造所谓「台湾独立」国的主张。",
    "这样来来回回等候取餐。",
    "关系农业农村长远发展。",
    "其中港口作为支撑。",
])
def test_department_words_foreign_bodies_and_other_quotes_are_fine(screener, body):
    assert [f for f in expression(screener, body) if f["category"] in ("outdated_name", "banned_term")] == []
