"""Property tests of the Chinese text helpers (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shidian.docgen.text import (
    CLOSING,
    OPENING,
    WORD_JOINER,
    balance_title,
    doc_number,
    keep_together,
    normalise_number,
    width,
)

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
PIECES = st.one_of(CJK, st.sampled_from(list("，、（）《》“”0123456789年的关于")))


@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=60).map("".join))
def test_balanced_title_keeps_text_and_rules(title):
    title = title.strip() or "标题"
    lines = balance_title(title).split("\n")
    assert "".join(lines) == title
    if len(lines) > 1:
        assert all(width(line) <= 18 for line in lines[:-1])
        for line in lines[1:]:
            if not all(ch in CLOSING for ch in line):
                assert line[0] not in CLOSING or width(line) > 18
        for line in lines[:-1]:
            assert line[-1] not in OPENING or all(ch in OPENING for ch in line)


@given(
    st.text(alphabet=st.sampled_from(list("蒲教发函办字")), min_size=1, max_size=5),
    st.integers(min_value=1990, max_value=2100),
    st.integers(min_value=1, max_value=9999),
)
def test_document_number_round_trip(prefix, year, seq):
    text = doc_number(prefix, year, seq)
    assert normalise_number(text, where="n") == text
    assert "〔" in text and not text.split("〕")[1].startswith("0")


@given(st.lists(st.one_of(PIECES, st.sampled_from(["〔", "〕", "号", "月", "日"])), max_size=40))
def test_keep_together_only_adds_joiners(pieces):
    text = "".join(pieces)
    glued = keep_together(text)
    assert glued.replace(WORD_JOINER, "") == text
    assert keep_together(glued) == glued


def test_keep_together_glues_dates_and_numbers():
    glued = keep_together("于2021年3月5日印发蒲教发〔2021〕17号文，占10%")
    j = WORD_JOINER
    assert f"2{j}0{j}2{j}1{j}年{j}3{j}月{j}5{j}日" in glued
    assert f"〔{j}2{j}0{j}2{j}1{j}〕{j}1{j}7{j}号" in glued
    assert glued.endswith("占10%")  # kept whole by the runs' Western language, no joiner
