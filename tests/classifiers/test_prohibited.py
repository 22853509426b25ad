"""Check "prohibited": categories, word boundaries, evasion, context, wordlist format."""
from __future__ import annotations

import functools

from pathlib import Path

import pytest

from classifiers import prohibited
from classifiers.document import Document
from classifiers.lexicon import WordlistError, parse_wordlist
from classifiers.resources import WORDLIST_DIR, Resources
from classifiers.tokenize import Tokenizer


@functools.cache
def tokenizer_for(check) -> Tokenizer:
    """A check used alone: its wordlist terms join a tokenizer of its own, as in a Screener."""
    return Tokenizer(check.dictionary_words)


@pytest.fixture(scope="module")
def check():
    return prohibited.build(Resources())


def findings(check, body, title=""):
    return check.check(Document.build(title, body, tokenizer=tokenizer_for(check)))


def categories(check, body, title=""):
    return {(f.category, f.action) for f in findings(check, body, title)}


# One plain sentence per category, as an editor might (wrongly) write it.
CATEGORY_SAMPLES = [
    ("unconstitutional", "有人鼓吹要废除宪法。"),
    ("national_security", "他公开支持台独。"),
    ("national_honour", "视频里有人焚烧国旗。"),
    ("ethnic_hatred", "此文意在煽动民族仇恨。"),
    ("cult_superstition", "大师上门算命，保你平安。"),
    ("rumour_disorder", "明天大家集体散步到市政府。"),
    ("pornography", "本站提供黄色视频。"),
    ("gambling", "来我们的平台网上赌博，日赚千元。"),
    ("violence_terror", "群里转发暴恐视频。"),
    ("crime_instigation", "出租针孔摄像头，一天五十元。"),
    ("history_distortion", "有人公然否认南京大屠杀。"),
    ("insult_defamation", "这个狗官不作为。"),
    ("illegal_organisation", "某离岸社团以协会名义发证收费。"),
    ("drugs", "有冰毒，价格好商量。"),
    ("weapons", "本店出售各类仿真枪。"),
    ("fraud", "专业办假证、虚开发票，联系微信。"),
    ("classified", "绝密★启用前\n关于某项目的安排"),
    ("internal_document", "以上意见妥否，请批示。"),
    ("vulgarity", "卧槽，这个活动太棒了。"),
]


@pytest.mark.parametrize("category,body", CATEGORY_SAMPLES)
def test_each_blocking_category_blocks_its_sample(check, category, body):
    assert (category, "block") in categories(check, body)


@pytest.mark.parametrize("category,body", [
    ("personal_opinion", "我个人认为这项政策不太合理。"),
    ("over_entertainment", "亲们，么么哒，快来参加活动吧！"),
])
def test_tone_categories_warn_the_editor(check, category, body):
    assert (category, "warn") in categories(check, body)


def test_every_shipped_category_has_a_sample_here():
    shipped = {p.stem for p in (WORDLIST_DIR / "prohibited").glob("*.txt")}
    sampled = {c for c, _ in CATEGORY_SAMPLES} | {"personal_opinion", "over_entertainment"}
    assert shipped == sampled


def test_every_message_cites_a_rule(check):
    for category in check.lexicon.categories:
        assert "《" in category.message and ("第" in category.message), category.id
        assert category.rule, category.id


@pytest.mark.parametrize("body,category", [
    ("药店新到一批消毒品。", "drugs"),
    ("西藏独特的自然风光吸引游客。", "national_security"),
    ("这是该平台独有的服务。", "national_security"),
    ("气象台发布暴雨黄色预警。", "pornography"),
    ("舞台独白打动了观众。", "national_security"),
    ("体操王子李宁。", "pornography"),
])
def test_jieba_word_boundaries_prevent_false_matches(check, body, category):
    assert category not in {c for c, _ in categories(check, body)}


def test_a_word_that_swallows_the_term_still_counts(check):
    # jieba keeps 贩卖毒品 as one token; it contains 毒品 as a whole.
    assert ("drugs", "block") in categories(check, "他贩卖毒品给学生。")


@pytest.mark.parametrize("body,text", [
    ("今晚一起賭博，日赚千元", "賭博"),  # traditional script
    ("今晚一起赌 博，日赚千元", "赌 博"),  # space between characters
    ("今晚一起赌·博，日赚千元", "赌·博"),  # middle dot
    ("今晚一起赌\u200b博，日赚千元", "赌\u200b博"),  # zero-width space
    ("今晚一起赌＊博，日赚千元", "赌＊博"),  # full-width asterisk
    ("今晚一起賭 ·\u200c 博，日赚千元", "賭 ·\u200c 博"),  # all at once
    ("出售Ｋ粉", "Ｋ粉"),  # full-width latin
    ("出售K粉", "K粉"),  # upper case
])
def test_evasion_forms_are_caught_with_offsets_in_the_original(check, body, text):
    blocks = [f for f in findings(check, body) if f.action == "block"]
    assert blocks, body
    hit = next(f for f in blocks if f.text == text)
    assert body[hit.start:hit.end] == text


@pytest.mark.parametrize("body,cue", [
    ("公安机关严厉打击赌博违法犯罪活动。", "打击"),
    ("社区开展禁毒宣传，讲解毒品危害。", "禁毒"),
    ("开展反邪教警示教育，揭露邪教本质。", "反邪教"),
    ("提醒广大群众远离黄色网站。", "提醒"),
    ("辟谣：网传“某地出现赌博窝点”不实。", "辟谣"),
])
def test_protective_context_escalates_instead_of_blocking(check, body, cue):
    found = findings(check, body)
    assert found
    assert all(f.action == "escalate" for f in found if f.check == "prohibited")
    assert any(cue in f.details.get("context", {}).get("cue", "") for f in found)
    assert all("主要领导" in f.message for f in found)


def test_quoted_rumour_over_several_sentences_is_covered_by_the_refutation(check):
    body = (
        "近日，网上流传一段话：“今晚全城可以网上赌博。大家快去娱乐城下注！”"
        "对此，市公安局予以澄清，上述内容为谣言。"
    )
    found = findings(check, body)
    gambling = [f for f in found if f.category == "gambling"]
    assert len(gambling) >= 2
    assert all(f.action == "escalate" for f in gambling)


def test_quoted_rumour_under_a_refutation_title(check):
    found = findings(check, "有人发帖称：“周末广场有人聚众赌博。”", title="警方辟谣")
    assert [f.action for f in found if f.category == "gambling"] == ["escalate"]


def test_the_same_quote_without_refutation_blocks(check):
    found = findings(check, "有人发帖称：“周末广场有人聚众赌博。”")
    assert [f.action for f in found if f.category == "gambling"] == ["block"]


def test_context_two_sentences_away_does_not_excuse(check):
    found = findings(check, "我们坚决打击违法行为。今天天气很好。本平台提供网上赌博服务。")
    assert ("gambling", "block") in {(f.category, f.action) for f in found}


@pytest.mark.parametrize("body,category", [
    # Anti-drug reporting: the condemnation is in the neighbouring sentence.
    ("各地持续开展禁毒人民战争。吸毒者除非得到毒品，否则痛苦难耐，这就是毒瘾。", "drugs"),
    ("吸毒者一旦成瘾，除非他们得到毒品，否则就会走向毁灭。", "drugs"),
    # A CPPCC member condemning separatism: the cue follows the quoted term.
    ("全国政协委员表示，“港独”言论挑战“一国两制”原则底线。对此必须依法严惩。", "national_security"),
    ("他说，“港独”分子的图谋注定失败。", "national_security"),
    ("警方驳斥了所谓“网上赌博合法”的说法。", "gambling"),
])
def test_condemnation_in_the_sentence_or_its_neighbour_escalates(check, body, category):
    found = [f for f in findings(check, body) if f.category == category]
    assert found, body
    assert {f.action for f in found} == {"escalate"}


def test_classified_marking_blocks_even_in_warning_context(check):
    found = findings(check, "严禁将标有绝密★的文件外传。")
    assert ("classified", "block") in {(f.category, f.action) for f in found}


def test_multi_word_pattern_needs_both_parts_in_one_sentence(check):
    assert ("weapons", "block") in categories(check, "低价出售各种型号的枪，量大从优。")
    assert "weapons" not in {c for c, _ in categories(check, "出售农产品。枪声响起。")}
    span = next(f for f in findings(check, "现出售二手猎枪一把") if f.category == "weapons")
    assert span.text in ("出售二手猎枪", "猎枪")


def test_exceptions_suppress_a_term(check):
    assert "drugs" not in {c for c, _ in categories(check, "云南发展工业大麻种植。")}
    assert "crime_instigation" not in {c for c, _ in categories(check, "审议反洗钱法修订草案。")}
    assert "violence_terror" not in {c for c, _ in categories(check, "巴勒斯坦伊斯兰圣战组织称。")}


def test_low_weight_term_escalates_with_a_note(check):
    found = [f for f in findings(check, "他们涉及洗钱") if f.category == "crime_instigation"]
    assert found and found[0].action == "escalate"


def test_overlapping_terms_report_the_longest_once(check):
    found = [f for f in findings(check, "网络赌博平台") if f.category == "gambling"]
    assert [(f.text, f.start, f.end) for f in found] == [("网络赌博平台", 0, 6)]


def test_title_findings_use_title_offsets(check):
    found = findings(check, "正文无问题。", title="网上赌博秘籍")
    assert [(f.field, f.start, f.end) for f in found if f.category == "gambling"] == [("title", 0, 4)]


def test_ordinary_government_text_has_no_block():
    text = (
        "市政府召开常务会议，研究部署安全生产和民生保障工作。会议强调，要坚持以人民为中心，"
        "扎实推进乡村振兴，做好稳就业、保民生各项工作，平台独有的数据服务向社会开放。"
        "各部门要发布暴雨黄色预警信息，做好消毒品采购，展示西藏独特的文化。"
        "个体工商户可到办税服务厅申请代开发票，办证中心提供帮办代办服务。"
    )
    check = prohibited.build(Resources())
    found = check.check(Document.build("工作动态", text, tokenizer=tokenizer_for(check)))
    assert [f for f in found if f.action == "block"] == []


# --- wordlist format -------------------------------------------------------------------

HEADER = "@action block\n@rule 003 §13(七)\n@message 测试：违反第十三条。\n"


def test_wordlist_lines_weights_notes_patterns_and_exceptions():
    category = parse_wordlist("x.txt", HEADER + "# comment\n赌博\n網上賭場 | 0.8 | 繁体也行\n出售...枪\n!博彩业\n", "x", "prohibited")
    assert [(t.text, t.weight, t.note, t.follow) for t in category.terms] == [
        ("赌博", 1.0, "", ""), ("网上赌场", 0.8, "繁体也行", ""), ("出售", 1.0, "", "枪"),
    ]
    assert category.exceptions == ["博彩业"]
    assert category.id == "x" and category.action == "block" and not category.context


@pytest.mark.parametrize("text,error", [
    (HEADER + "赌博 | heavy\n", "not a number"),
    (HEADER + "赌博 | 2\n", "weight must be"),
    (HEADER + "@colour red\n", "unknown directive"),
    ("@action block\n赌博\n", "@message is required"),
    (HEADER.replace("block", "delete"), "@action must be"),
    (HEADER + "出售...\n", "empty term"),
])
def test_wordlist_errors_name_the_file_and_line(text, error):
    with pytest.raises(WordlistError, match=error):
        parse_wordlist("prohibited/x.txt", text, "x", "prohibited")


def test_an_administrator_adds_a_category_without_code(tmp_path: Path):
    overrides = {"prohibited/lottery_scam.txt": HEADER + "@name 彩票骗局\n内部彩票号码\n"}
    check = prohibited.build(Resources(overrides=overrides))
    found = check.check(Document.build("", "提供内部彩票号码", tokenizer=Tokenizer(check.dictionary_words)))
    assert [(f.category, f.action, f.text) for f in found] == [("lottery_scam", "block", "内部彩票号码")]


# --- evasion (issue #16) ---------------------------------------------------------------


@pytest.mark.parametrize("body,text,term,form", [
    ("血☆脉☆激☆动☆六☆合☆彩", "六☆合☆彩", "六合彩", None),  # a separator
    ("今晚来赌😀😀博", "赌😀😀博", "赌博", "gapped"),  # emoji
    ("出售毒2品", "毒2品", "毒品", "gapped"),  # a digit
    ("来玩赌ab博", "赌ab博", "赌博", "gapped"),  # Latin letters
    ("来玩赌<>博", "赌<>博", "赌博", "gapped"),  # punctuation
    ("想玩dubo的来", "dubo", "赌博", "pinyin"),
    ("来玩赌bo", "赌bo", "赌博", "pinyin"),
    ("来玩du博", "du博", "赌博", "pinyin"),
    ("今晚LiuHeCai开奖", "LiuHeCai", "六合彩", "pinyin"),
    ("看lhc开奖", "lhc", "六合彩", "initials"),
    ("推荐堵博网站", "堵博网站", "赌博网站", "near_sound"),
    ("网上贝者博", "网上贝者博", "网上赌博", "split"),
    ("出售仿真木仓", "仿真木仓", "仿真枪", "split"),
    ("出售冰du", "冰du", "冰毒", "pinyin"),
])
def test_evasion_forms_block_with_exact_offsets_and_name_the_term(check, body, text, term, form):
    hit = next(f for f in findings(check, body) if f.text == text)
    assert hit.action == "block"
    assert body[hit.start:hit.end] == text
    assert hit.details["term"] == term
    assert hit.details.get("form") == form
    if form:
        assert "规避写法" in hit.message


@pytest.mark.parametrize("body", [
    "加强农村地下水监测网络体系建设。",  # 络体 would be 裸体 misspelt
    "对特定贫困人口因户因人落实保障措施。",  # 因户 / 阴户
    "三年里，我们与病毒的较量从未停止。",  # 病毒的 / 冰毒的
    "我和他打赌，博物馆明天开门。",  # 赌，博 across 打赌 and 博物馆
    "小王爱赌。博士生们很吃惊。",  # a sentence end is no gap
    "毒性检测结果：2024年品质合格。",  # gap too long
    "欢迎使用db数据库和app。",
    "艺术体操比赛现场，运动员牵手比心。",
    "毒品、枪支、赌具一律收缴。",
    "来玩赌，博物馆也去。",  # one comma is a clause break, not evasion
])
def test_official_text_is_not_read_as_evasion(check, body):
    assert [f for f in findings(check, body) if f.action == "block"] == []


def test_evasion_forms_are_only_made_for_blocking_terms():
    from classifiers import sensitive

    check = sensitive.build(Resources())
    assert check.lexicon.evasion is None


# --- vocabulary from lexicon_more (issue #16) ---------------------------------------------


@pytest.mark.parametrize("body,category,action", [
    ("中金时时彩平台，注册就送。", "gambling", "block"),
    ("长期走私军火，价格面议。", "weapons", "block"),
    ("专业办证刻章，加微信。", "fraud", "block"),
    ("代开国税发票，量大从优。", "fraud", "block"),
    ("出售假币，一比三。", "fraud", "block"),
    ("北京删帖公司，负面信息处理。", "fraud", "block"),
    ("出售考生信息，联系QQ。", "fraud", "block"),
    ("本店代开发票。", "fraud", "escalate"),  # also a tax-office service: a person decides
])
def test_invoices_certificates_counterfeit_money_paid_deletion_and_exam_data(check, body, category, action):
    assert (category, action) in categories(check, body)


@pytest.mark.parametrize("body", [
    "群众可到市民中心办证大厅办理，办证中心周末照常开放。",
    "纳税人可向税务机关申请代开发票。",
    "推行网上办证，企业少跑腿。",
    "考生信息以准考证为准，高考生名单由招生办公布。",
])
def test_government_services_named_like_fraud_are_not_blocked(check, body):
    assert [f for f in findings(check, body) if f.category == "fraud" and f.action == "block"] == []


@pytest.mark.parametrize("body,term", [
    ("wangshangdubopingtai", "网上赌博"),
    ("jintian chushoubingdu", "冰毒"),
])
def test_a_terms_pinyin_inside_a_longer_pinyin_run_counts(check, body, term):
    found = [f for f in findings(check, body) if f.action == "block"]
    assert found and all(body[f.start:f.end] == f.text for f in found)
    assert any(term in f.details["term"] for f in found)


@pytest.mark.parametrize("body", ["Dubois visited the museum.", "the doboard and dubonnet"])
def test_pinyin_inside_an_english_word_does_not_count(check, body):
    assert findings(check, body) == []


def test_a_near_sound_first_character_is_found_without_widening_the_automaton(check):
    # 堵博网站: the form is keyed by 博网站 and the character before must be a homophone of 赌.
    hit = next(f for f in findings(check, "推荐堵博网站") if f.category == "gambling")
    assert (hit.text, hit.details["form"], hit.details["term"]) == ("堵博网站", "near_sound", "赌博网站")
    assert "gambling" not in {f.category for f in findings(check, "推荐这个博网站")}
