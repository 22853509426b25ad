"""The repost check: every finding category of issue #6 (000 §17, 002 §20, 003 §12, 004 6.3.1.4)."""
import pytest

from classifiers import RepostInfo, Resources, ScreenOptions, Screener
from classifiers.engine import REGISTRY
from classifiers.originals import OriginalsIndex
from classifiers.originals import clean_text
from classifiers.repost import changed_figures

from .test_repost_index import ORIGINALS, UNRELATED, records

TITLE, BODY = ORIGINALS["o-river"]
FULL = "\n来源：人民日报 2024-10-01\n作者：张三\n原标题：《沿江城市共护一江清水》"


@pytest.fixture(scope="module")
def screener():
    resources = Resources(services={"originals": OriginalsIndex.from_records(records())})
    return Screener.load(resources, registry=["classifiers.repost"])


@pytest.fixture(scope="module")
def no_library():
    return Screener.load(Resources(), registry=["classifiers.repost"])


def findings(screener, title, body, repost=None):
    result = screener.screen(title, body, ScreenOptions(repost=repost))
    for f in result["findings"]:  # the contract: the text is exactly the span of the original field
        assert f["text"] == (title if f["field"] == "title" else body)[f["start"]:f["end"]]
    return {f["category"]: f for f in result["findings"]}


def test_the_check_is_registered():
    assert "classifiers.repost" in REGISTRY


def test_original_work_has_no_repost_findings(screener):
    assert findings(screener, *UNRELATED) == {}


def test_complete_attribution_from_an_approved_source_is_informative(screener):
    found = findings(screener, TITLE, BODY + FULL)
    assert set(found) == {"approved_source"}
    f = found["approved_source"]
    assert f["action"] == "warn" and f["details"]["approved"] == "人民日报" and f["details"]["level"] == "central"
    assert "人民日报" in f["text"]


@pytest.mark.parametrize(
    "line, approved, matched_by",
    [
        ("来源：中新网", "中国新闻社", "name"),  # alias
        ("来源：人民日报客户端", "人民日报", "name"),
        ("转载自微信公众号“央视新闻”", "中央广播电视总台", "name"),
        ("原文链接：https://m.news.cn/2024-10/01/c_1.htm", "新华社", "domain"),  # subdomain of news.cn
        ("来源：https://www.people.com.cn/n1/1.html", "人民网", "domain"),
    ],
)
def test_approved_sources_match_by_alias_and_domain(no_library, line, approved, matched_by):
    f = findings(no_library, "标题", "正文。\n" + line)["approved_source"]
    assert (f["details"]["approved"], f["details"]["matched_by"]) == (approved, matched_by)


@pytest.mark.parametrize("line", ["来源：某某市应急管理局", "轉載來源:深圳市政府辦公廳",  # as in 000's own footer
                                  "原文链接：http://yjj.moumou.gov.cn/a/1.html"])
def test_a_party_or_government_organ_is_an_acceptable_source(no_library, line):
    f = findings(no_library, "标题", "正文。\n" + line)["approved_source"]
    assert f["details"]["level"] == "government"


def test_administrators_edits_to_the_approved_list_apply(no_library):
    assert "unapproved_source" in findings(no_library, "标题", "正文。\n来源：某某晚报")
    base = Resources().read_text("approved_sources.tsv")
    edited = Resources(overrides={"approved_sources.tsv": base + "某某晚报\t某某晚报客户端\tmoumou.example.cn\tlocal\n"})
    screener = Screener.load(edited, registry=["classifiers.repost"])
    assert findings(screener, "标题", "正文。\n来源：某某晚报客户端")["approved_source"]["details"]["level"] == "local"
    assert "approved_source" in findings(screener, "标题", "正文。\n原文链接：https://www.moumou.example.cn/a.html")


def test_unapproved_source_escalates(no_library):
    f = findings(no_library, "标题", "正文。\n来源：某某科技有限公司")["unapproved_source"]
    assert f["action"] == "escalate" and f["details"]["source"] == "某某科技有限公司"


@pytest.mark.parametrize("source", ["网络", "来源网络", "网友投稿", "網友投稿", "朋友圈"])
def test_untraceable_source_escalates(no_library, source):
    f = findings(no_library, "标题", f"正文。\n来源：{source}")["untraceable_source"]
    assert f["action"] == "escalate"


def test_declared_repost_without_a_source_is_blocked(no_library):
    f = findings(no_library, "标题", "正文。", RepostInfo(original_title="原题", original_author="张三"))["missing_source"]
    assert f["action"] == "block"
    assert "missing_source" in findings(no_library, "【转载】标题", "正文。")
    assert "missing_source" in findings(no_library, "标题", "正文。\n原标题：《原题》")


@pytest.mark.parametrize("body", ["【转载】正文。", "（转载）正文。", "转载：正文。", "  [转载] 正文。", "转载｜正文。"])
def test_a_marker_opening_the_body_declares_a_repost_as_in_the_title(no_library, body):
    f = findings(no_library, "标题", body)["missing_source"]
    assert f["action"] == "block"
    assert f["field"] == "body" and body[f["start"]:f["end"]] == f["text"] and "转载" in f["text"]


@pytest.mark.parametrize("body", ["正文。【转载】不在开头。", "欢迎转载，请注明出处以外的内容。", "转载请联系本报。"])
def test_repost_words_later_in_the_body_declare_nothing(no_library, body):
    assert "missing_source" not in findings(no_library, "标题", body)


def test_structured_repost_fields_count_as_attribution(screener):
    info = RepostInfo(source="新华社", original_author="张三", original_title=TITLE, original_published_at="2024-10-01")
    assert set(findings(screener, TITLE, BODY, info)) == {"approved_source"}


def test_unattributed_copy_is_blocked_with_the_original_and_share(screener):
    draft = "编者按：" + UNRELATED[1] + "\n" + BODY
    f = findings(screener, "我们身边的变化", draft)["unattributed_copy"]
    assert f["action"] == "block"
    [original] = f["details"]["originals"]
    assert original["id"] == "o-river" and original["share_of_original"] == 1.0
    assert 0.4 < original["share_of_draft"] < 0.8
    assert f["text"].startswith("本月以来")


# Two broadcasts of one template: the same wording, another event (another date, another session).
LIVE_2024 = ("本台明天将直播十四届全国人大二次会议闭幕会",
             "十四届全国人大二次会议将于3月11日下午3时在北京人民大会堂举行闭幕会。"
             "届时中央广播电视总台所属中央电视台综合频道、新闻频道、中文国际频道、中国国际电视台各外语频道、"
             "4K超高清频道，中央人民广播电台中国之声、大湾区之声，中国国际广播电台环球资讯广播，"
             "以及央视新闻客户端、央视网、央广网、国际在线等将进行现场直播，敬请收看。")
LIVE_2025 = ("本台明天将直播十四届全国人大三次会议闭幕会",
             LIVE_2024[1].replace("二次会议", "三次会议").replace("3月11日下午3时", "3月11日下午3时30分"))


@pytest.fixture(scope="module")
def template_library():
    index = OriginalsIndex.from_records(records() + [("live-2024", *LIVE_2024)])
    return Screener.load(Resources(services={"originals": index}), registry=["classifiers.repost"])


def test_same_template_with_other_figures_is_another_event_not_a_copy(template_library):
    assert findings(template_library, *LIVE_2025) == {}
    f = findings(template_library, *LIVE_2024)["unattributed_copy"]  # the broadcast itself is a copy
    assert f["details"]["originals"][0]["id"] == "live-2024"


def test_a_declared_repost_that_changes_figures_is_altered_content(template_library):
    found = findings(template_library, LIVE_2024[0], LIVE_2025[1] + "\n来源：央视网 2024-03-10\n作者：央视网\n原标题：《本台明天将直播十四届全国人大二次会议闭幕会》")
    assert found["altered_content"]["details"]["original_id"] == "live-2024"


@pytest.mark.parametrize("draft, original, changed", [
    ("国家主席习近平将发表二〇二三年新年贺词，敬请收看", "国家主席习近平将发表二〇二六年新年贺词，敬请收看", [("三", "六")]),
    ("中共中央政治局12月9日召开会议，中共中央总书记主持会议", "中共中央政治局2月28日召开会议，中共中央总书记主持会议", [("12月9", "2月28")]),
    # rewording moves and drops words but writes no new number
    ("今年粮食产量达到一万三千亿斤，比上年增长百分之一点三", "粮食产量今年达到一万三千亿斤，比上年增长百分之一点三", []),
    ("截至3月15日，全市累计接种疫苗", "全市截至315，累计接种疫苗", []),
    ("沿江城市联合开展河道清理行动，累计清理垃圾", "沿江城市联合开展河道清理行动，累计清理垃圾", []),
])
def test_changed_figures(draft, original, changed):
    assert changed_figures(clean_text(draft), clean_text(original)) == changed


def test_without_a_library_attribution_findings_still_work(no_library):
    assert findings(no_library, TITLE, BODY) == {}  # nothing to compare a copy with
    assert "untraceable_source" in findings(no_library, TITLE, BODY + "\n来源：网络")


def test_altered_title_escalates_with_a_diff(screener):
    found = findings(screener, "沿江城市护水见成效", BODY + FULL)
    f = found["altered_title"]
    assert f["action"] == "escalate" and f["field"] == "title"
    assert f["details"]["diff"] == ["- 沿江城市共护一江清水", "+ 沿江城市护水见成效"]
    assert "altered_content" not in found


@pytest.mark.parametrize("prefix", ["【转载】", "转载｜"])
def test_repost_marker_is_not_an_altered_title(screener, prefix):
    assert "altered_title" not in findings(screener, prefix + TITLE, BODY + FULL)


def test_altered_content_escalates_with_removed_and_added_sentences(screener):
    changed = BODY.replace("当地居民表示，江水一年比一年清了，候鸟也回来了。", "当地居民纷纷点赞，说这是多年来最大的变化。")
    f = findings(screener, TITLE, changed + FULL)["altered_content"]
    assert f["action"] == "escalate"
    assert f["details"]["removed"] == ["当地居民表示，江水一年比一年清了，候鸟也回来了。"]
    assert f["details"]["added"] == ["当地居民纷纷点赞，说这是多年来最大的变化。"]
    assert "- 当地居民表示，江水一年比一年清了，候鸟也回来了。" in f["details"]["diff"]


def test_trimmed_repost_is_altered_content_but_reordering_is_not(screener):
    paragraphs = BODY.split("\n")
    trimmed = findings(screener, TITLE, "\n".join(paragraphs[:2]) + FULL)
    assert "altered_content" in trimmed and trimmed["altered_content"]["details"]["added"] == []
    reordered = findings(screener, TITLE, "\n".join(reversed(paragraphs)) + FULL)
    assert "altered_content" not in reordered


def test_incomplete_attribution_names_the_missing_items(screener, no_library):
    f = findings(no_library, "标题", "正文。\n来源：新华社")["incomplete_attribution"]
    assert f["action"] == "warn" and f["details"]["missing"] == ["time", "author", "original_title"]
    # Keeping the original title shows it: only time and author are missing here.
    f = findings(screener, TITLE, BODY + "\n来源：人民日报")["incomplete_attribution"]
    assert f["details"]["missing"] == ["time", "author"]


def test_a_dateline_names_the_source_of_a_copied_story(screener):
    draft = "新华社北京10月1日电（记者张三）" + BODY
    found = findings(screener, TITLE, draft)
    assert "unattributed_copy" not in found
    assert found["approved_source"]["details"]["approved"] == "新华社"
    assert found["incomplete_attribution"]["details"]["missing"] == ["time"]


def test_version_names_the_library(screener, no_library):
    assert screener.screen("t", "b")["versions"]["models"]["repost"].startswith("originals:3-")
    assert "repost" not in no_library.screen("t", "b")["versions"]["models"]
