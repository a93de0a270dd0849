"""The columns of a units file and the cleaning of one row. Pure Python: no Django import.

Values are returned typed (codes for level, school type and urban/rural; ints; floats; bools);
problems as codes with parameters (``Problem``) that the web translates (``orgs/messages.py``).

What a cell means for an existing unit: a column missing from the file and an empty cell both
keep the stored value (files exported from other systems are often partial, and a stray blank
must not wipe a school's data); only the marker ``（清空）`` (see ``CLEAR_MARKERS``) clears it.
A cleaned value appears in ``CleanRow.values`` as ``""`` (text) or ``None`` (numbers, yes/no);
a kept one is absent from it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shidian.textclean import clean_text

# key, Chinese header (the template's), English header, aliases (compared after normalising)
COLUMNS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("code", "代码", "code", ("单位代码", "学校代码", "机构代码")),
    ("name", "名称", "name", ("单位名称", "学校名称", "机构名称")),
    ("parent_code", "上级代码", "parent code", ("上级单位代码", "parent", "上级")),
    ("level", "层级", "level", ("级别",)),
    ("school_type", "学校类型", "school type", ("办学类型", "type")),
    ("locality", "城乡", "urban/rural", ("城乡类型", "城乡分类", "locality", "urban rural")),
    ("zone", "片区", "zone", ("所属片区", "学区")),
    ("address", "地址", "address", ("学校地址",)),
    ("latitude", "纬度", "latitude", ("lat",)),
    ("longitude", "经度", "longitude", ("lon", "lng")),
    ("students", "学生数", "students", ("在校生数", "学生人数")),
    ("teachers", "教师数", "teachers", ("教职工数", "教师人数")),
    ("classes", "班级数", "classes", ("班数",)),
    ("classrooms", "教室数", "classrooms", ("普通教室数",)),
    ("has_fibre", "光纤接入", "fibre", ("has fibre", "光纤")),
    ("multimedia_classrooms", "多媒体教室数", "multimedia classrooms", ()),
]
COLUMN_KEYS = [c[0] for c in COLUMNS]
ZH_HEADER = {c[0]: c[1] for c in COLUMNS}
INT_COLUMNS = ("students", "teachers", "classes", "classrooms", "multimedia_classrooms")
# Free text, kept as typed (after dropping control characters); references included.
TEXT_COLUMNS = ("name", "parent_code", "zone", "address")
CHOICE_COLUMNS = ("level", "school_type", "locality")

# Accepted values: the code, the Chinese label and common synonyms. tests/orgs checks that every
# model choice appears here, so the two never drift apart.
LEVEL_VALUES = {
    "province": ("省", "省级"),
    "city": ("市", "地市", "市级", "州"),
    "county": ("县（区）", "县(区)", "县", "区", "县区", "县级"),
    "zone": ("片区", "学区"),
    "school": ("学校",),
}
SCHOOL_TYPE_VALUES = {
    "senior_high": ("高中", "普通高中", "senior high"),
    "vocational": ("中职", "职高", "中等职业学校"),
    "complete_secondary": ("完全中学", "完中", "complete secondary"),
    "junior_high": ("初中", "初级中学", "junior high"),
    "nine_year": ("九年制", "九年一贯制", "九年一贯制学校", "nine-year", "nine year"),
    "primary": ("小学",),
    "teaching_point": ("教学点", "teaching point"),
    "kindergarten": ("幼儿园",),
    "special": ("特殊教育", "特教", "特殊教育学校"),
    "other": ("其他",),
}
LOCALITY_VALUES = {
    "urban": ("城区", "城市"),
    "town": ("镇区", "城镇", "镇"),
    "rural": ("乡村", "农村"),
}
# The one way to clear a stored value (an empty cell keeps it). The template's 说明 sheet, the
# upload page and docs/orgs.md show the first spelling; the others are accepted.
CLEAR_MARKERS = ("（清空）", "(清空)", "清空", "(clear)", "clear")
# Columns a unit cannot do without: clearing them is refused.
NOT_CLEARABLE = ("name", "parent_code", "level")
TRUE_VALUES = {"是", "有", "yes", "y", "true", "1", "✓", "√"}
FALSE_VALUES = {"否", "无", "no", "n", "false", "0", "×"}


def normalise(text: str) -> str:
    """Normalise a header or value for comparison: case, spaces, underscores, full-width marks."""
    text = text.strip().lower().replace("（", "(").replace("）", ")").replace("＊", "*")
    text = text.rstrip("*").strip()
    return re.sub(r"[\s_\-]+", " ", text)


def _lookup(values: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table = {}
    for code, synonyms in values.items():
        for name in (code, code.replace("_", " "), *synonyms):
            table[normalise(name)] = code
    return table


HEADER_LOOKUP = {
    normalise(alias): key
    for key, zh, en, aliases in COLUMNS
    for alias in (key, key.replace("_", " "), zh, en, *aliases)
}
LEVEL_LOOKUP = _lookup(LEVEL_VALUES)
SCHOOL_TYPE_LOOKUP = _lookup(SCHOOL_TYPE_VALUES)
LOCALITY_LOOKUP = _lookup(LOCALITY_VALUES)
CLEAR_LOOKUP = {normalise(marker) for marker in CLEAR_MARKERS}


@dataclass(frozen=True)
class Problem:
    """One reason a row is rejected: a code, its parameters and a plain English message."""

    code: str
    params: dict[str, Any]
    message: str

    def as_json(self) -> list[Any]:
        return [self.code, self.params]


@dataclass
class RawRow:
    line: int  # the row number a person sees in Excel (1-based, header included)
    values: dict[str, str]


# --- cleaning one row ---------------------------------------------------------------------------


@dataclass
class CleanRow:
    line: int
    code: str
    values: dict[str, Any]  # only the columns present in the file
    problems: list[Problem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "values": self.values}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CleanRow:
        return cls(line=data["line"], code=data["code"], values=dict(data["values"]))


def _problem(code: str, message: str, **params: Any) -> Problem:
    return Problem(code=code, params=params, message=message)


def is_clear_marker(text: str) -> bool:
    return normalise(text) in CLEAR_LOOKUP


def clean_row(row: RawRow, *, max_lengths: Mapping[str, int] | None = None) -> CleanRow:
    """Turn one row's text cells into typed values; collect every problem, not just the first.

    ``max_lengths`` (column key -> characters) comes from the model, so an over-long value is a
    row-level problem on every database rather than truncated or refused by PostgreSQL alone.
    """
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    limits = max_lengths or {}
    # Column order, not the dict's: rows come back from a JSON column (PostgreSQL's jsonb sorts
    # keys), and the plan's digest must not depend on how they were stored.
    cells = {key: clean_text(row.values[key] or "") for key in COLUMN_KEYS if key in row.values}
    code = cells.get("code", "")
    if not code:
        problems.append(_problem("missing_code", "The code is empty."))
    elif any(c.isspace() for c in code):
        problems.append(_problem("bad_code", f"Code '{code}' has spaces.", value=code))
    for key, text in cells.items():
        if key != "code" and not text:
            continue  # an empty cell keeps what is stored (a new unit gets no value)
        if key in limits and len(text) > limits[key]:
            problems.append(
                _problem(
                    "too_long",
                    f"{ZH_HEADER[key]}: {len(text)} characters, at most {limits[key]}.",
                    column=key,
                    length=len(text),
                    limit=limits[key],
                )
            )
            if key in TEXT_COLUMNS:
                values[key] = text  # shown in the preview; the row is rejected anyway
            continue
        if key == "code":
            continue
        if is_clear_marker(text):
            if key in NOT_CLEARABLE:
                problems.append(
                    _problem("cannot_clear", f"{ZH_HEADER[key]} cannot be cleared.", column=key)
                )
            else:
                values[key] = "" if key in TEXT_COLUMNS or key in CHOICE_COLUMNS else None
            continue
        if key in TEXT_COLUMNS:
            values[key] = text
        elif key in CHOICE_COLUMNS:
            lookup = {
                "level": LEVEL_LOOKUP,
                "school_type": SCHOOL_TYPE_LOOKUP,
                "locality": LOCALITY_LOOKUP,
            }[key]
            if normalise(text) in lookup:
                values[key] = lookup[normalise(text)]
            else:
                problems.append(
                    _problem(f"unknown_{key}", f"Unknown {key} '{text}'.", value=text, column=key)
                )
        elif key in INT_COLUMNS:
            values[key] = _integer(text, key, problems)
        elif key in ("latitude", "longitude"):
            values[key] = _coordinate(text, key, 90 if key == "latitude" else 180, problems)
        elif key == "has_fibre":
            norm = normalise(text)
            if norm in TRUE_VALUES or norm in FALSE_VALUES:
                values[key] = norm in TRUE_VALUES
            else:
                problems.append(
                    _problem("bad_boolean", f"'{text}' is not yes/no.", value=text, column=key)
                )
    return CleanRow(line=row.line, code=code, values=values, problems=problems)


def _integer(text: str, key: str, problems: list[Problem]) -> int | None:
    column = ZH_HEADER[key]
    if not text:
        return None
    try:
        number = float(text.replace(",", "").replace("，", ""))
    except ValueError:
        number = math.nan
    if math.isnan(number) or not number.is_integer() or number < 0 or number > 10**9:
        problems.append(
            _problem(
                "bad_number",
                f"{column}: '{text}' is not a whole number.",
                value=text,
                column=key,
            )
        )
        return None
    return int(number)


def _coordinate(text: str, key: str, limit: int, problems: list[Problem]) -> float | None:
    column = ZH_HEADER[key]
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if math.isnan(number) or abs(number) > limit:
        problems.append(
            _problem(
                "bad_number", f"{column}: '{text}' is not a coordinate.", value=text, column=key
            )
        )
        return None
    return round(number, 6)


def clean_rows(rows: Iterable[RawRow]) -> list[CleanRow]:
    return [clean_row(row) for row in rows]
