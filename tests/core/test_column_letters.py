"""Spreadsheet column letters come from one helper: ``chr(65 + i)`` breaks after column Z."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shidian.cli.group_cmd import group_name
from shidian.xlsxcell import column_letter

SRC = Path(__file__).resolve().parents[2] / "src" / "shidian"
# Ways people compute a letter from an index by hand.
HAND_MADE = re.compile(
    r"chr\(\s*(65|ord\(\s*['\"]A['\"]\s*\))" r"|['\"]ABCDEFGHIJKLMNOPQRSTUVWXYZ['\"]"
)
# Group names A, B, ..., Z, AA are a naming scheme, not a column; tested below past Z.
ALLOWED = {SRC / "xlsxcell.py", SRC / "cli" / "group_cmd.py"}


def test_no_hand_made_column_letters():
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path not in ALLOWED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if HAND_MADE.search(line)
    ]
    assert not offenders, "use shidian.xlsxcell.column_letter:\n" + "\n".join(offenders)


@pytest.mark.parametrize("index,letter", [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ")])
def test_column_letters_and_group_names_go_past_z(index, letter):
    assert column_letter(index) == letter
    assert group_name(index) == letter


def test_a_workbook_value_column_past_z_is_named_right():
    from shidian.apps.orgs.unitfile import UnitFileError, read_unit_file

    # The merged-header message names the cells; a header merged at AA..AB must say so.
    from tests.orgs.files import xlsx

    header = ["代码", "名称"] + [f"x{i}" for i in range(26)]
    data = xlsx([["A9", "某校"] + [""] * 26], header, merge="AA1:AB1")
    with pytest.raises(UnitFileError) as info:
        read_unit_file(data, "wide.xlsx", max_bytes=10**7)
    assert info.value.params["cells"] == "AA1:AB1"
