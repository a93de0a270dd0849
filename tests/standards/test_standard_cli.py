"""`shidian standard import/export` through the typer app (Django set up lazily)."""

from __future__ import annotations

import io

import pytest
from typer.testing import CliRunner

from shidian.cli.app import app
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
