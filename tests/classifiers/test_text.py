"""Field views: evasion forms fold away, and every normalized, content and token index maps back."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.text import SEPARATORS, ZERO_WIDTH, Field, _fold, _to_simplified, fold
from classifiers.tokenize import plain_tokenizer


def test_traditional_script_becomes_simplified():
    assert Field("body", "賭博網站").normalized == "赌博网站"


def test_full_width_forms_and_case_fold():
    assert Field("body", "ＡＢＣ１２３Ｋ粉").normalized == "abc123k粉"


def test_zero_width_characters_are_removed_everywhere():
    assert Field("body", "赌\u200b博a\u200db").normalized == "赌博ab"


def test_separators_are_removed_only_between_chinese_characters():
    assert Field("body", "赌·博，赌 博，赌*博").normalized == "赌博,赌博,赌博"
    assert Field("body", "a b 1.5").normalized == "a b 1.5"


def test_span_maps_back_over_removed_characters():
    fld = Field("body", "请勿赌 · 博！")
    start = fld.normalized.index("赌博")
    assert fld.original_text(start, start + 2) == "赌 · 博"
    assert fld.original_span(start, start + 2) == (2, 7)


def test_case_folding_never_changes_length():
    # "İ".lower() is two characters; the map would break if it were applied.
    fld = Field("body", "İ赌博ﬁ")
    assert len(fld.normalized) == len(fld._starts)
    start = fld.normalized.index("赌博")
    assert fld.original_text(start, start + 2) == "赌博"


def test_nul_and_astral_characters_keep_the_map():
    fld = Field("body", "a\x00b賭𠀀博")
    assert len(fld.normalized) == len(fld._starts)
    assert fld.normalized.endswith("赌𠀀博")


def test_empty_field():
    fld = Field("title", "")
    assert fld.normalized == ""
    assert fld.original_span(0, 0) == (0, 0)


noise = st.sampled_from(sorted(SEPARATORS | ZERO_WIDTH))
chunks = st.lists(
    st.one_of(st.sampled_from("赌博毒品色情網絡國家ａＢ１。，"), noise, st.characters(blacklist_categories=("Cs",))),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(chunks)
def test_every_normalized_index_maps_to_an_original_character(parts):
    original = "".join(parts)
    fld = Field("body", original)
    assert len(fld._starts) == len(fld.normalized)
    previous = -1
    for i in range(len(fld.normalized)):
        start, end = fld.original_span(i, i + 1)
        assert previous < start < end <= len(original)
        previous = start
        # The normalized character came from that original character alone.
        assert fld.original[start] not in ZERO_WIDTH


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="赌博毒品色情网络国家的了", min_size=1, max_size=20), st.data())
def test_spans_of_chinese_text_with_noise_renormalize_to_the_same_text(core, data):
    # Insert noise between characters; each normalized span maps to an original slice
    # that normalizes back to exactly that span.
    pieces = [core[0]]
    for ch in core[1:]:
        pieces.append(data.draw(st.text(alphabet=sorted(SEPARATORS | ZERO_WIDTH), max_size=3)))
        pieces.append(ch)
    fld = Field("body", "".join(pieces))
    assert fld.normalized == core
    i = data.draw(st.integers(0, len(core) - 1))
    j = data.draw(st.integers(i + 1, len(core)))
    assert Field("body", fld.original_text(i, j)).normalized == core[i:j]


@settings(max_examples=200, deadline=None)
@given(chunks)
def test_content_view_maps_each_character_to_its_folded_original(parts):
    original = "".join(parts)
    fld = Field("body", original)
    assert len(fld.content) == len(fld.content_indices) == len(fld.content_codes)
    for ch, at in zip(fld.content, fld.content_indices.tolist()):
        assert fld.folded[at] == ch
        assert ch.isascii() and ch.isalnum() or "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@settings(max_examples=100, deadline=None)
@given(chunks)
def test_tokens_cover_the_normalized_text_exactly(parts):
    fld = Field("body", "".join(parts), plain_tokenizer())
    assert "".join(t.word for t in fld.tokens) == fld.normalized
    for token in fld.tokens:
        assert fld.normalized[token.start:token.end] == token.word
        assert fld.word_at(token.start) == fld.word_at(token.end - 1) == (token.start, token.end)


def test_the_content_view_is_what_copies_are_compared_on():
    fld = Field("body", "國務院：ＡＢ１, 消费券！")
    assert fld.content == "国务院ab1消费券"
    assert [fld.original[i] for i in fld.content_indices.tolist()][:3] == list("國務院")


def test_a_field_without_a_tokenizer_says_so():
    with pytest.raises(ValueError, match="without a tokenizer"):
        Field("title", "标题").tokens


@settings(max_examples=300, deadline=None)
@given(st.one_of(chunks.map("".join), st.text(max_size=40)))
def test_fold_is_the_per_character_fold_whichever_path_it_takes(text):
    assert fold(text) == _to_simplified("".join(_fold(ch) for ch in text))
    assert fold(text.upper()) == _to_simplified("".join(_fold(ch) for ch in text.upper()))


@pytest.mark.parametrize("text", ["ΟΔΟΣ ΣΑΣ", "İstanbul", "ＡＢＣ１２３", "ﬁle", "cafe\u0301", "國務院", "①②", "Straße"])
def test_fold_edge_cases_match_the_per_character_fold(text):
    assert fold(text) == _to_simplified("".join(_fold(ch) for ch in text))
    assert len(fold(text)) == len(text)


def test_tokens_between_cuts_the_tokens_that_cross_an_edge():
    fld = Field("body", "他在家中吸毒品后", plain_tokenizer())
    assert [t.word for t in fld.tokens] == ["他", "在", "家中", "吸", "毒品", "后"]
    assert fld.tokens_between(3, 6) == [("中", 0, 1), ("吸", 1, 2), ("毒", 2, 3)]
    assert fld.tokens_between(6, 99) == [("品", 0, 1), ("后", 1, 2)]
    assert fld.tokens_between(8, 12) == []


def test_stars_and_boxes_are_separators():
    assert Field("body", "六☆合☆彩□开□奖").normalized == "六合彩开奖"
    assert Field("body", "绝密★启用前").normalized == "绝密★启用前"
