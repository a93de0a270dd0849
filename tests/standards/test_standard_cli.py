"""`shidian standard import/export` through the typer app (Django set up lazily)."""

from __future__ import annotations

import io

import pytest
from typer.testing import CliRunner

from shidian.cli.app import app
from shidian.engine.errors import EngineInputError
from shidian.engine.scoring import read_xlsx
from tests.standards.factories import INFO, example
from tests.standards.test_standards import _bad_workbook

runner = CliRunner()


def test_dry_run_prints_rows_and_exits_2(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_bad_workbook())
    result = runner.invoke(app, ["standard", "import", str(bad), "--dry-run"])
    assert result.exit_code == 2
    assert "duplicate code" in result.output and "not a number" in result.output


def test_dry_run_of_a_good_file_writes_nothing():
    result = runner.invoke(app, ["standard", "import", str(INFO), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "47 items" in result.output and "nothing written" in result.output


@pytest.mark.django_db
def test_import_then_export(tree, tmp_path):
    result = runner.invoke(app, ["standard", "import", str(INFO), "--unit", "A", "--publish"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["standard", "export", "SCH-INFO", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert read_xlsx(io.BytesIO(out.read_bytes()).getvalue())[0] == example(INFO)


def _over_long_code() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["一级指标", "二级指标", "评分要点编号", "评分要点", "分值"])
    ws.append(["基础", "网络", "X" * 10_004, "光纤", 2])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _broken_sheet_xml() -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(_bad_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("long.xlsx", _over_long_code(), "more than the 64"),  # exited 0 before
        ("broken.xlsx", _broken_sheet_xml(), "not a readable XLSX file"),  # a traceback before
        ("shape.yaml", b"code: S\nname: x\ndimensions: 5\n", "must be a list"),
        ("control.yaml", b"code: S\nname: x\ndimensions: [a]\n", "must be a mapping"),
        ("notes.txt", b"hello", "use an .xlsx or .yaml file"),
    ],
)
def test_dry_run_exits_2_on_every_kind_of_problem(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(app, ["standard", "import", str(path), "--dry-run"])
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())  # rich wraps at the terminal's width
    assert expected in output and "nothing stored" in output


def test_a_note_longer_than_the_column_is_refused(tmp_path):
    result = runner.invoke(app, ["standard", "import", str(INFO), "--note", "说" * 301])
    assert result.exit_code != 0
    assert isinstance(result.exception, EngineInputError)
    assert "300" in result.exception.message
