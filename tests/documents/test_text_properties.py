"""Property tests of the Chinese text helpers (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shidian.docgen.text import (
    CLOSING,
    OPENING,
    balance_title,
    doc_number,
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
