"""The engine's problems are told from one table (core.engine_messages): a Chinese sentence on
the Chinese page, an English one on the English page, never English inside Chinese.

Before, a workbook upload said ``单元格 H4（D1.1.1）：the number cannot be negative`` and the
online sheet ``score must be between 0 and 4``.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from shidian.apps.campaigns import reviews, sheets
from shidian.apps.campaigns.workbook import SHEET
from shidian.apps.core.engine_messages import FIELDS, SENTENCES, describe
from shidian.engine.errors import EngineInputError
from shidian.engine.scoring import MESSAGES, AnswerError, problem
from tests.campaigns.factories import campaign, full_answers, sheet, xlsx_bytes
from tests.conftest import make_user

CJK = re.compile(r"[\u4e00-\u9fff]")
# Words a user types into the file itself, quoted as they are in the English sentences.
LITERALS = ("评分要点", "分值", "其他", "是", "否")
VALUES = {"higher", "lower"}  # the YAML values of "direction", quoted in both languages


def _placeholders(code: str) -> set[str]:
    return set(re.findall(r"\{(\w+)", MESSAGES[code])) | {"item"}


def _sample(code: str):
    params = {name: "X1" for name in _placeholders(code)}
    if "field" in params:
        params["field"] = "max_score"
    if "kind" in params:
        params["kind"] = "item"
    return problem(code, row=3, **params)


def test_every_engine_code_has_a_sentence_using_only_its_params():
    assert set(MESSAGES) <= set(SENTENCES)
    for code in MESSAGES:
        used = set(re.findall(r"%\((\w+)\)s", str(SENTENCES[code])))
        assert used <= _placeholders(code), code


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_each_problem_reads_as_one_language(code):
    with translation.override("zh-hans"):
        chinese = describe(_sample(code))
    with translation.override("en"):
        english = describe(_sample(code))
    engine_words = set(re.findall(r"[a-z]{5,}", MESSAGES[code])) - VALUES
    assert CJK.search(chinese), chinese
    assert not engine_words & set(re.findall(r"[a-z]{5,}", chinese)), chinese
    assert english != chinese
    stripped = english
    for literal in LITERALS:
        stripped = stripped.replace(literal, "")
    assert not CJK.search(stripped.replace("；", "")), english


def test_fields_and_kinds_are_translated_in_their_own_context():
    found = problem("too_long", item="D1.1.1", field="text", limit=2000, length=2500)
    with translation.override("zh-hans"):
        assert describe(found) == "D1.1.1 的评分要点内容有 2500 个字符，超过上限 2000。"
    with translation.override("en"):
        assert describe(found) == (
            "The text of D1.1.1 has 2500 characters, more than the 2000 allowed."
        )
        # the column title 名称 elsewhere keeps its own (capitalised) translation
        assert str(FIELDS["name"]) == "name"


def test_answer_errors_and_errors_without_a_code():
    error = AnswerError("answer_out_of_range", item="D2.1.2", min=0, max=4.0)
    with translation.override("zh-hans"):
        assert describe(error) == "得分应在 0 到 4 之间。"
    with translation.override("en"):
        assert describe(error) == "The score must be between 0 and 4."
    plain = EngineInputError("--unit X: no such unit code")
    assert plain.code is None and plain.params == {}
    assert describe(plain) == "--unit X: no such unit code"
    coded = EngineInputError("x", code="answer_negative", params={"item": "A"})
    with translation.override("zh-hans"):
        assert describe(coded) == "数值不能为负数。"


@pytest.mark.django_db
def test_a_negative_number_in_a_workbook_is_told_in_chinese_then_in_english(
    coordinator_client, tree
):
    target = sheet(tree)
    url = reverse("campaigns:workbook", kwargs={"sheet_id": target.pk})
    wb = load_workbook(io.BytesIO(coordinator_client.get(url).content))
    row = next(r for r in wb[SHEET].iter_rows(min_row=4) if r[0].value == "D1.1.2")
    row[7].value = -5
    data = xlsx_bytes(wb)
    upload = reverse("campaigns:upload", kwargs={"sheet_id": target.pk})
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = coordinator_client.post(upload, {"file": SimpleUploadedFile("a.xlsx", data)})
    cell = f"H{row[0].row}"
    assert f"单元格 {cell}（D1.1.2）：数值不能为负数。" in body.content.decode()
    coordinator_client.cookies["shidian_language"] = "en"
    body = coordinator_client.post(upload, {"file": SimpleUploadedFile("a.xlsx", data)})
    text = body.content.decode()
    assert f"Cell {cell} (D1.1.2): The number cannot be negative." in text
    assert "cannot be negative" not in text.replace("The number cannot be negative.", "")


@pytest.mark.django_db
def test_the_online_sheet_says_the_range_in_the_users_language(coordinator_client, tree):
    target = sheet(tree)
    url = reverse("campaigns:sheet_item", kwargs={"sheet_id": target.pk})
    response = coordinator_client.post(url, {"code": "D2.1.2", "value": "5", "version": 0})
    assert response.status_code == 400
    assert response.json()["message"] == "得分应在 0 到 4 之间。"
    coordinator_client.cookies["shidian_language"] = "en"
    response = coordinator_client.post(url, {"code": "D2.1.2", "value": "5", "version": 0})
    assert response.json()["message"] == "The score must be between 0 and 4."


@pytest.mark.django_db
def test_validate_answers_gives_one_sentence_per_item(tree):
    standard = campaign(tree).version.as_standard()
    with translation.override("zh-hans"):
        _answers, problems = sheets.validate_answers(
            standard, {"D2.1.2": {"value": 9}, "D1.1.3": {"value": "Z"}}
        )
    assert problems == {
        "D2.1.2": "得分应在 0 到 4 之间。",
        "D1.1.3": "等级“Z”不在可选范围（A/B/C/D）内。",
    }


@pytest.mark.django_db
def test_a_reviewers_score_out_of_range_or_not_a_number(tree, coordinator):
    expert = make_user("expert", tree.county, "expert")
    opened = campaign(tree)
    opened.reviewers.add(expert)
    target = sheet(tree)
    standard = target.campaign.version.as_standard()
    sheets.sheet_save_all(
        sheet=target, user=coordinator, answers=full_answers(standard), base_version=0
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        reviews.review_save(sheet=target, reviewer=expert, item_scores={"D2.1.2": "9"})
    assert caught.value.messages == ["D2.1.2：得分应在 0 到 4 之间。"]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        reviews.review_save(sheet=target, reviewer=expert, item_scores={"D2.1.2": "abc"})
    assert caught.value.messages == ["D2.1.2: “abc” is not a number."]
