"""Attribution forms of 000 §17 / 002 §20 / 004 6.3.1.4 parsed from title and body."""
import pytest
from hypothesis import given, settings, strategies as st

from classifiers.attribution import parse
from classifiers.document import Document


def items(title, body):
    attribution = parse(Document.build(title, body))
    return attribution, {(i.kind, i.name or i.value) for i in attribution.items}


@pytest.mark.parametrize(
    "body, kind, value",
    [
        ("正文。\n来源：人民日报", "source", "人民日报"),
        ("正文。\n來源：人民日報", "source", "人民日报"),  # Traditional script
        ("正文。\n来源丨新华社", "source", "新华社"),
        ("正文。\n来源 新华社", "source", "新华社"),
        ("正文。（来源：新华网）", "source", "新华网"),
        ("【来源：光明日报】正文。", "source", "光明日报"),
        ("正文。\n本文转载自微信公众号“学习强国”", "source", "学习强国"),
        ("正文。\n转自人民日报客户端", "source", "人民日报"),
        ("正文。\n转载自：中国政府网", "source", "中国政府网"),
        ("正文。\n原标题：《稳岗资金直达市场主体》", "original_title", "稳岗资金直达市场主体"),
        ("正文。\n作者：张三", "author", "张三"),
        ("正文。\n作者｜张三", "author", "张三"),
        ("正文。\n原文链接：https://www.people.com.cn/n1/2024/0101/c1.html", "url", "https://www.people.com.cn/n1/2024/0101/c1.html"),
        ("正文。\n编辑：李四", "editor", "李四"),
        ("正文。\n转载时间：2024年1月2日", "time", "2024年1月2日"),
        ("新华社北京1月1日电（记者张三 李四）正文。", "author", "张三李四"),
        ("央视网消息（新闻联播）：正文。", "source", "央视网"),
    ],
)
def test_each_attribution_form_is_parsed(body, kind, value):
    _, found = items("标题", body)
    assert (kind, value) in found


def test_several_items_on_one_line_are_split_even_when_spaces_were_normalized_away():
    attribution, found = items("标题", "正文。\n来源：人民日报  作者：张三  编辑：李四")
    assert {("source", "人民日报"), ("author", "张三"), ("editor", "李四")} <= found
    for item in attribution.items:  # spans point into the original text
        assert "：" in "正文。\n来源：人民日报  作者：张三  编辑：李四"[item.start:item.end]


def test_source_with_url_gives_domain_and_date_gives_time():
    attribution, _ = items("标题", "正文 [来源: https://www.gov.cn/xinwen/2024-01/01/content_1.htm 2024-01-01]")
    source = attribution.first("source")
    assert source.domain == "www.gov.cn"
    assert attribution.first("time").value == "2024-01-01"


def test_account_forms_give_platform_and_name():
    attribution, _ = items("标题", "正文\n来源：微信公众号“共产党员”")
    assert (attribution.first("source").platform, attribution.first("source").name) == ("微信公众号", "共产党员")
    attribution, _ = items("标题", "正文\n来源：人民日报微博")
    assert (attribution.first("source").platform, attribution.first("source").name) == ("微博", "人民日报")


@pytest.mark.parametrize("title, marker", [("【转载】我们的新时代", "【转载】"), ("转载｜我们的新时代", "转载｜"),
                                           ("[轉載] 我们的新时代", "[轉載]")])
def test_title_marker_declares_a_repost(title, marker):
    attribution, _ = items(title, "正文。")
    assert attribution.declared and attribution.marker.text == marker


@pytest.mark.parametrize(
    "body",
    [
        "资金来源：财政拨款。作者认为这是对的。",  # 资金来源 is not an attribution; 作者认为 is a sentence
        "我们来源源不断地推进工作。",
        "本报讯（记者 张三）今天上午，全市召开会议。",  # the publishing unit itself
    ],
)
def test_running_text_is_not_attribution(body):
    attribution, found = items("标题", body)
    assert not attribution.declared
    assert not any(kind == "source" for kind, _ in found)


def test_dateline_names_a_source_but_does_not_declare_a_repost():
    attribution, _ = items("标题", "新华社北京1月1日电 正文。")
    assert attribution.first("source").name == "新华社"
    assert not attribution.declared


_PIECES = ["来源", "來源", "转载自", "原标题", "作者", "编辑", "原文链接", "：", ":", "｜", " ", "\n", "【", "】",
           "（", "）", "人民日报", "新华社", "北京1月1日电", "2024-01-01", "https://www.gov.cn/a", "“", "”", "。", "文", "资金"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30), st.lists(st.sampled_from(_PIECES), max_size=6))
def test_items_always_point_into_the_original_text(body_pieces, title_pieces):
    title, body = "".join(title_pieces), "".join(body_pieces)
    attribution = parse(Document.build(title, body))
    for item in attribution.items:
        text = title if item.field == "title" else body
        assert 0 <= item.start <= item.end <= len(text)
        assert item.value and item.kind in ("source", "author", "original_title", "url", "time", "editor")
