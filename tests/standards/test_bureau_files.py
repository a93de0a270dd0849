"""The bureau's own standard files are accepted: operators, full-width punctuation, percentages,
"其他", ranges, less-is-better numbers and the usual method names (see tests/standards/bureau.py
for where the style comes from). Before, every one of these files was refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from typer.testing import CliRunner

from shidian.apps.standards.models import StandardVersion
from shidian.cli.app import app
from shidian.engine.scoring import (
    Direction,
    Method,
    dump_yaml,
    load_yaml,
    read_standard,
    score_item,
)
from tests.standards.bureau import BUREAU_XLSX, ROWS, bureau_workbook

runner = CliRunner()


def _read(data: bytes, name: str = "bureau.xlsx"):
    return read_standard(name=name, data=data)


def test_the_example_file_is_the_helpers_and_reads_without_problems():
    standard, problems, _rows = _read(BUREAU_XLSX.read_bytes(), BUREAU_XLSX.name)
    assert problems == []
    assert standard == _read(bureau_workbook(), BUREAU_XLSX.name)[0]
    assert len(standard.items()) == len(ROWS) == 12
    assert standard.max_total() == 33


def test_methods_rules_and_directions_as_the_bureau_meant_them():
    standard, _problems, rows = _read(bureau_workbook())
    items = {item.code: item for item in standard.items()}
    methods = [item.method for item in standard.items()]
    assert methods == [
        Method.YES_NO,
        Method.RATIO,
        Method.NUMBER,
        Method.RATIO,
        Method.NUMBER,
        Method.RATIO,
        Method.LEVELS,
        Method.RATIO,
        Method.RATIO,
        Method.YES_NO,
        Method.SCORE,
        Method.VETO,
    ]
    assert rows["D1.2.2"] == 7  # row 7 of the sheet: title, header, then the items
    pupils = items["D1.2.2"]  # 生机比 ≤10：3；≤15：2；其他：0
    assert pupils.direction == Direction.LOWER
    assert [score_item(pupils, {"value": v}) for v in (8, 10, 12, 15, 20)] == [3, 3, 2, 2, 0]
    wireless = items["D1.1.2"]  # 比例 ≥95%：3；≥70%：2；其他：0
    assert [(t.bound, t.score) for t in wireless.thresholds] == [(0.95, 3), (0.7, 2)]
    assert score_item(wireless, {"numerator": 19, "denominator": 20}) == 3
    assert score_item(wireless, {"numerator": 18, "denominator": 20}) == 2
    multimedia = items["D1.2.3"]  # 90%-100%：4；70%-89%：2；70%以下：0
    assert score_item(multimedia, {"numerator": 9, "denominator": 10}) == 4
    assert score_item(multimedia, {"numerator": 6, "denominator": 10}) == 0
    training = items["D2.2.1"]  # 达到95%以上得4分，80%-94%得2分，80%以下不得分
    assert score_item(training, {"numerator": 85, "denominator": 100}) == 2
    assert items["D2.1.1"].levels[0].label == "优秀"
    assert items["D1.1.1"].evidence_required and not items["D3.2.1"].evidence_required


def test_another_layout_with_a_rule_column_and_other_spellings():
    header = ["一级指标", "二级指标", "三级指标", "分值", "计分方式", "计分规则", "分子", "分母"]
    rows = [
        ("基础环境", "终端", "生机比", 5, "数量", "<=8:5;<=12:3;>12:0", "", ""),
        (None, None, "多媒体教室占比", 4, "比值", ">90%:4;>60%:2;否则:0", "多媒体教室", "教室"),
        (None, None, "建有录播室", 2, "是否", "", "", ""),
        (None, "应用", "课堂应用水平", 6, "等级评定", "A=6;B=4;C=2;D=0", "", ""),
        (None, None, "校本资源建设", 3, "直接赋分", "", "", ""),
        (None, None, "发生网络安全事故", 0, "否决项", "", "", ""),
        (None, None, "带宽（M）", 3, "数值", "≥100：3；≥50：2；以下：0", "", ""),
    ]
    standard, problems, _ = _read(bureau_workbook(rows, header))
    assert problems == []
    pupils, share, *_rest, bandwidth = standard.items()
    assert pupils.direction == Direction.LOWER
    assert [score_item(pupils, {"value": v}) for v in (8, 9, 12, 13)] == [5, 3, 3, 0]
    assert [t.strict for t in share.thresholds] == [True, True]
    assert score_item(share, {"numerator": 9, "denominator": 10}) == 2  # not above 90%
    assert score_item(bandwidth, {"value": 60}) == 2


def test_problems_in_a_bureau_file_stand_on_their_rows():
    rows = list(ROWS)
    rows[2] = (None, None, "出口带宽（M）。", 3, "数值", "≥100M：很多", "", "", "")
    rows[4] = (None, None, "生机比", 3, "神秘方法", "", "", "", "")
    rows[5] = (None, None, "多媒体", 4, "占比", "≥95：4", "多媒体教室数", "教室总数", "")
    _standard, problems, _ = _read(bureau_workbook(rows))
    found = {(p.code, p.row) for p in problems}
    assert ("bad_thresholds", 5) in found
    assert ("missing_thresholds", 5) not in found  # written, only unreadable
    assert ("bad_method", 7) in found
    assert ("ratio_bound_above_one", 8) in found  # 95 for a ratio: 95% was meant
    assert all(3 <= p.row <= 14 for p in problems)


def test_yaml_accepts_written_rules_and_keeps_the_direction():
    text = """code: S
name: 测试
dimensions:
  - code: D1
    name: 基础
    indicators:
      - code: D1.1
        name: 终端
        items:
          - code: A
            text: 生机比
            max_score: 5
            method: 数量
            thresholds: "≤10：5；≤15：3；其他：1"
          - code: B
            text: 多媒体教室占比
            max_score: 4
            method: 占比
            thresholds: ["≥90%:4", "≥60%:2"]
            numerator: 多媒体教室数
            denominator: 教室总数
"""
    standard, problems, _ = load_yaml(text)
    assert problems == []
    pupils, share = standard.items()
    assert (pupils.direction, pupils.fallback) == (Direction.LOWER, 1)
    assert [t.bound for t in share.thresholds] == [0.9, 0.6]
    again, problems, _ = load_yaml(dump_yaml(standard))
    assert again == standard and problems == []


def test_the_offline_workbook_formula_follows_the_direction():
    from shidian.apps.campaigns.workbook import _formula

    standard, _problems, _ = _read(bureau_workbook())
    items = {item.code: item for item in standard.items()}
    assert _formula(items["D1.2.2"], 7, 1) == "=IF(ISNUMBER(H7),IF(H7<=10,3,IF(H7<=15,2,0)),0)"
    assert _formula(items["D1.1.3"], 5, 1) == (
        "=IF(ISNUMBER(H5),IF(H5>=100,3,IF(H5>=50,2,IF(H5>=20,1,0))),0)"
    )


def test_the_command_line_checks_the_bureau_file(tmp_path):
    result = runner.invoke(app, ["standard", "import", str(BUREAU_XLSX), "--dry-run"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # rich wraps at the terminal's width
    assert "12 items" in output and "nothing written" in output


@pytest.mark.django_db
def test_the_page_imports_the_bureau_file(office_client, tree):
    upload = SimpleUploadedFile(BUREAU_XLSX.name, BUREAU_XLSX.read_bytes())
    response = office_client.post(reverse("standards:list"), {"file": upload})
    assert response.status_code == 302
    version = StandardVersion.objects.get()
    assert version.item_count == 12 and version.max_total == 33
    page = office_client.get(response["Location"]).content.decode()
    assert "≤10：3；≤15：2；其他：0" in page  # the less-is-better rule, as bureaus write it
    assert "≥95%：3；≥70%：2；其他：0" in page


def test_prose_in_the_rule_column_of_a_yes_no_item_is_kept_as_guidance():
    header = ["一级指标", "二级指标", "评分要点", "分值", "评分方式", "评分规则"]
    rows = [
        ("保障", "组织", "成立领导小组", 2, "有无", "有得2分，无不得分"),
        (None, None, "课堂应用", 4, "等第", "优秀:4；良好:3"),
        (None, None, "资源建设", 3, "打分", "A=3;B=1"),
    ]
    standard, problems, _ = _read(bureau_workbook(rows, header))
    assert problems == []  # was "bad_levels" on row 3
    group, levels, scored = standard.items()
    assert group.guidance == "有得2分，无不得分" and group.levels == ()
    assert [lv.label for lv in levels.levels] == ["优秀", "良好"]
    assert [lv.label for lv in scored.levels] == ["A", "B"]  # a level table is kept as one
