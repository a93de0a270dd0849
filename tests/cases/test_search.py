"""Segmentation, search, filters and highlighting of the case library."""

from __future__ import annotations

import pytest

from shidian.apps.cases import selectors, text
from tests.cases.factories import published
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_two_character_words_are_cut_out_of_longer_runs():
    words = text.tokens("我校作为试点学校，在课堂教学中开展了研究")
    assert "试点" in words
    assert "课堂" in words
    assert text.query_terms("试点学校") == ["试点", "学校"]
    assert text.query_terms("  课堂  ") == ["课堂"]


def test_highlight_escapes_everything_but_the_marks():
    html = text.highlight('<script>alert("试点")</script>课堂', ["试点", "课堂"])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>试点</mark>" in html and "<mark>课堂</mark>" in html


def test_snippet_centres_on_the_first_hit():
    long = "无关内容。" * 40 + "这里讲到课堂评价。" + "其他。" * 40
    piece = text.snippet(long, ["课堂"])
    assert "<mark>课堂</mark>" in piece
    assert piece.startswith("…")


def test_body_renders_paragraphs_and_only_known_images():
    html = text.render_body(
        "第一段<b>\n\n[图片:5]\n\n[图片:6]\n第二段", lambda pk: "/img/5" if pk == 5 else None
    )
    assert html.count("<p>") == 2
    assert '<img src="/img/5"' in html
    assert "&lt;b&gt;" in html
    assert "[图片:6]" not in html


def test_search_finds_two_character_words(tree):
    case = published(tree)
    office = make_user("case-office2", tree.county, "office")
    for q in ("试点", "课堂", "课堂 试点", "智慧课堂", "备课"):
        result = selectors.search(office, q)
        assert [c.pk for c in result.cases] == [case.pk], q
    assert selectors.search(office, "课堂 体育").total == 0
    assert selectors.search(office, "不存在的词").total == 0


def test_filters_by_tag_and_school_type(tree):
    first = published(tree)  # A1-1: primary, maths
    second = published(tree, tree.school2, subject="chinese", theme="management")  # junior high
    office = make_user("case-office3", tree.county, "office")
    assert selectors.search(office, "试点", subject="maths").cases == [first]
    assert selectors.search(office, "试点", school_type="junior_high").cases == [second]
    assert selectors.search(office, "", theme="management").cases == [second]
    assert selectors.search(office, "", school_type="primary", subject="chinese").total == 0
    assert selectors.search(office, "").total == 2


def test_title_hits_rank_first(tree):
    body_only = published(tree, title="一所学校的探索", summary="说明。", body="提到了分层作业。")
    in_title = published(tree, tree.school2, title="分层作业设计", summary="作业。", body="正文。")
    office = make_user("case-office4", tree.county, "office")
    assert selectors.search(office, "分层作业").cases == [in_title, body_only]


def test_pagination(tree):
    from shidian.apps.cases.services import case_publish  # noqa: F401
    from tests.tracking_world import pilot_world

    w = pilot_world(tree)
    for unit in w.pilots[:5]:
        published(tree, unit)
    office = make_user("case-office5", tree.county, "office")
    page1 = selectors.search(office, "课堂", per_page=2)
    page3 = selectors.search(office, "课堂", per_page=2, page=3)
    assert (page1.total, page1.pages, len(page1.cases)) == (5, 3, 2)
    assert len(page3.cases) == 1 and not page3.has_next
    assert {c.pk for c in page1.cases}.isdisjoint({c.pk for c in page3.cases})


def test_reindex_keeps_counts(tree):
    from shidian.apps.cases.models import CaseTermStat
    from shidian.apps.cases.services import case_index, stats_rebuild

    case = published(tree)
    before = dict(CaseTermStat.objects.values_list("term", "cases"))
    case_index(case=case)
    assert dict(CaseTermStat.objects.values_list("term", "cases")) == before
    stats_rebuild()
    assert dict(CaseTermStat.objects.values_list("term", "cases")) == before
    assert before["试点"] == 1
