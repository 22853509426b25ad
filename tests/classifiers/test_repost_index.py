"""The originals index: containment-based near-duplicate search with the share of copied text.

ORIGINALS / UNRELATED / records(): a small made-up library, also used by test_repost.py.
"""
from hypothesis import given, settings, strategies as st

from classifiers.originals import OriginalsIndex

ORIGINALS = {
    "o-river": (
        "沿江城市共护一江清水",
        "本月以来，沿江多个城市联合开展河道清理行动，累计清理岸线垃圾一千二百余吨。"
        "各地环保部门建立跨区域联合执法机制，对沿岸排污口逐一登记建档。\n"
        "记者在江边看到，过去堆满杂物的滩涂已经种上了芦苇和水杉，不少市民前来散步锻炼。"
        "当地居民表示，江水一年比一年清了，候鸟也回来了。\n"
        "下一步，沿江城市将继续推进污水管网改造，力争年底前实现城镇污水全收集、全处理，"
        "让一江清水持续向东流。",
    ),
    "o-grain": (
        "秋粮收购有序推进 农民售粮更便捷",
        "进入十月，主产区秋粮收购全面展开。粮食部门提前组织收储企业检修烘干设备，增加收购网点，"
        "方便农民就近售粮。\n"
        "在一处收购点，种粮大户老王把刚收获的玉米运来检验，不到半小时就拿到了粮款。"
        "他说，今年雨水调和，亩产比去年多了一百来斤，价格也稳。\n"
        "有关负责人介绍，今年将继续执行最低收购价政策，加强市场监测，严厉打击压级压价、"
        "拖欠粮款等坑农害农行为，切实保护种粮农民利益。",
    ),
    "o-school": (
        "新学期校园安全检查启动",
        "为保障新学期师生安全，教育部门会同公安、消防、市场监管等部门，对辖区学校开展全面安全检查。"
        "检查重点包括校舍结构、消防设施、食堂卫生和校车运营等方面。\n"
        "检查组在一所小学发现两处灭火器过期，当场要求学校限期更换，并对食堂从业人员健康证进行核验。"
        "对发现的问题，检查组逐项登记，明确整改责任人和完成时限。\n"
        "教育部门表示，将建立安全隐患整改台账，实行销号管理，确保每一个问题都整改到位。",
    ),
}

UNRELATED = (
    "社区开展重阳敬老活动",
    "重阳节当天，街道社区组织志愿者走访辖区独居老人，为他们送去重阳糕和生活用品。"
    "志愿者还为老人测量血压、打扫房间，陪老人聊天拉家常。"
    "社区负责人表示，将把关爱老人活动常态化，建立一对一结对帮扶机制。",
)


def records():
    return [(doc_id, title, body) for doc_id, (title, body) in ORIGINALS.items()]

TITLE, BODY = ORIGINALS["o-grain"]


def index():
    return OriginalsIndex.from_records(records())


def test_exact_copy_is_found_with_full_shares():
    [match] = index().query(BODY)
    assert match.id == "o-grain"
    assert match.share_of_original == 1.0 and match.share_of_draft == 1.0
    # one region from the first to the last copied character (the final "。" is not content)
    assert match.spans == ((0, len(BODY) - 1),)


def test_trimmed_reordered_and_retyped_copy_is_found():
    paragraphs = BODY.split("\n")
    draft = "\n".join([paragraphs[2], paragraphs[0]])  # a paragraph dropped, the rest reordered
    draft = draft.replace("，", ",").replace("秋粮", "秋糧")  # half-width commas, Traditional script
    [match] = index().query(draft)
    assert match.id == "o-grain"
    assert 0.5 < match.share_of_original < 0.8
    assert match.share_of_draft > 0.95


def test_copy_embedded_in_a_longer_draft_reports_where_it_is():
    intro = "编者按：" + UNRELATED[1]
    draft = intro + "\n" + BODY + "\n欢迎转发。"
    [match] = index().query(draft)
    assert match.id == "o-grain" and match.share_of_original == 1.0
    assert 0.4 < match.share_of_draft < 0.8
    start, end = match.spans[0][0], match.spans[-1][1]
    assert draft[start:end].startswith("进入十月") and draft[start:end].endswith("种粮农民利益")


def test_unrelated_text_matches_nothing():
    assert index().query(UNRELATED[1]) == []
    assert index().query("") == []


def test_add_replace_remove_and_version():
    idx = index()
    version = idx.version
    assert idx.add(records()) == 0 and idx.version == version  # unchanged records are skipped
    rebuilt = OriginalsIndex.from_records(reversed(records()))
    assert rebuilt.version == version  # the version depends on content, not build order
    idx.add([("o-grain", TITLE, UNRELATED[1])])  # the original was replaced by other text
    assert idx.version != version and len(idx) == 3
    assert [m.id for m in idx.query(UNRELATED[1])] == ["o-grain"]
    assert idx.query(BODY) == []
    assert idx.remove("o-grain") and "o-grain" not in idx
    idx.compact()
    assert idx.query(UNRELATED[1]) == [] and len(idx) == 2


def test_many_segments_are_compacted_and_still_searchable():
    idx = OriginalsIndex(max_segments=2)
    for doc_id, title, body in records():
        idx.add([(doc_id, title, body)])
    assert len(idx._segments) <= 2
    assert [m.id for m in idx.query(ORIGINALS["o-school"][1])] == ["o-school"]


def test_queries_run_while_one_writer_adds():
    import threading

    idx = index()
    errors, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                assert [m.id for m in idx.query(BODY)][:1] == ["o-grain"]
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(200):
        idx.add([(f"extra-{i}", "其他", UNRELATED[1] + str(i))])
    stop.set()
    for t in threads:
        t.join()
    assert errors == [] and len(idx) == 203


_FRAGMENTS = [body[i : i + 40] for _, (_, body) in ORIGINALS.items() for i in range(0, len(body), 40)] + [
    "，", "\n", " ", "ＡＢＣ", "１２３", "編者按：", "\u200b", UNRELATED[1][:30]]
_INDEX = OriginalsIndex.from_records(records())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=25))
def test_spans_and_shares_are_always_within_bounds(pieces):
    text = "".join(pieces)
    for match in _INDEX.query(text, min_share=0.0, min_chars=0):
        assert 0.0 <= match.share_of_original <= 1.0 and 0.0 <= match.share_of_draft <= 1.0
        assert all(0 <= a < b <= len(text) for a, b in match.spans)
        assert match.copied_chars <= sum(b - a for a, b in match.spans)


_NOTICE = ("{name}同志的遗体{day}在北京八宝山革命公墓火化。"
           "{name}同志因病医治无效，于{date}在北京逝世，享年{age}岁。"
           "{name}同志逝世后，党和国家领导人前往医院看望或通过各种形式表示哀悼，并向其亲属表示慰问。"
           "{day}上午，八宝山革命公墓礼堂庄严肃穆，哀乐低回，党和国家领导人在哀乐声中缓步来到遗体前肃立默哀，"
           "向遗体三鞠躬，并与亲属一一握手，表示慰问。前往送别的还有有关方面负责同志。")
_PEOPLE = [("甲同", "二日", "一月一日", "九十"), ("乙和", "五日", "二月三日", "八十八"), ("丙安", "七日", "三月四日", "九十一"),
           ("丁平", "九日", "四月五日", "八十五"), ("戊康", "十日", "五月六日", "九十三"), ("己泰", "八日", "六月七日", "八十七")]


def _notice(name, day, date, age):
    return _NOTICE.format(name=name, day=day, date=date, age=age)


def test_boilerplate_shared_by_many_originals_is_not_evidence_of_copying():
    notices = [(f"n-{i}", f"{p[0]}同志遗体在京火化", _notice(*p)) for i, p in enumerate(_PEOPLE)]
    idx = OriginalsIndex.from_records(records() + notices)
    # a new notice of the same genre shares most of its text with every one of them, but only the
    # formula: far below the check's copy_share (0.5) once the formula is left out
    new = _notice("庚宁", "六日", "七月八日", "九十二")
    before = OriginalsIndex.from_records(records() + notices[:1]).query(new)
    assert before and before[0].share_of_original > 0.6  # alone in the library, the formula is not known as one
    assert all(m.share_of_original < 0.4 and m.share_of_draft < 0.4 for m in idx.query(new))
    # a story that is not formulaic is still found, and an exact copy of a notice still matches it first
    assert [m.id for m in idx.query(BODY)] == ["o-grain"]
    assert idx.query(_notice(*_PEOPLE[2]))[0].id == "n-2"


def test_boilerplate_is_recognised_incrementally_and_can_be_turned_off():
    notices = [(f"n-{i}", f"{p[0]}同志遗体在京火化", _notice(*p)) for i, p in enumerate(_PEOPLE)]
    new = _notice("庚宁", "六日", "七月八日", "九十二")
    idx = OriginalsIndex(max_segments=3)
    for record in records() + notices:  # one segment per add, compacted on the way
        idx.add([record])
    assert all(m.share_of_original < 0.4 for m in idx.query(new))
    off = OriginalsIndex.from_records(records() + notices, boilerplate_factor=None)
    assert off.query(new)[0].share_of_original > 0.6
