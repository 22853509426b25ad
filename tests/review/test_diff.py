"""review.diff: both texts come back out of the diff; changes are character-precise in Chinese."""
from hypothesis import given, settings
from hypothesis import strategies as st

from review.diff import apply, diff_text

chinese = st.text(alphabet=st.sampled_from(list("政务新媒体发布审核通知，。\n市区县abc1")), max_size=200)


@settings(max_examples=200, deadline=None)
@given(chinese, chinese)
def test_diff_reproduces_both_texts(old, new):
    d = diff_text(old, new)
    assert apply(d, "old") == old and apply(d, "new") == new
    assert d.changed == (old != new)


def test_inserted_words_inside_a_chinese_line_are_marked_exactly():
    d = diff_text("定于周五开会。\n请准时参加。", "定于周五在三楼会议室开会。\n请准时参加。")
    assert [(s.op, s.text) for s in d.segments if s.op != "equal"] == [("insert", "在三楼会议室")]
    assert d.inserted == 6 and d.deleted == 0


def test_replaced_paragraph_shows_deletion_and_insertion():
    d = diff_text("第一段。\n旧的第二段。\n", "第一段。\n新的第二段。\n")
    assert ("delete", "旧") in [(s.op, s.text) for s in d.segments]
    assert ("insert", "新") in [(s.op, s.text) for s in d.segments]
