"""The unit's own offline workbook: written with openpyxl, read back with python-calamine.

The identity (sheet, unit, campaign and standard version) is signed with the site's secret
(HMAC via ``django.core.signing``) and kept in a very-hidden sheet that Excel, WPS and
LibreOffice users cannot unhide from the menus. Header, guidance and formula cells are locked
by sheet protection; only the yellow answer cells are open, with drop-downs for levels and
yes/no. Reading never trusts the layout blindly: columns are found by their header titles and
items by their code, so a workbook re-saved by another spreadsheet program still reads.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.core import signing
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from shidian.engine.scoring import Item, Method, Standard
from shidian.engine.scoring.score import threshold_checks
from shidian.fileguard import PackageRejected, open_package
from shidian.xlsxcell import column_letter, set_text

SHEET = "自查表"
ID_SHEET = "_shidian"
SALT = "shidian.campaigns.workbook"
HEADER_ROW = 3
FIRST_ROW = 4
HEADERS = {
    "code": "编号",
    "dimension": "一级指标",
    "indicator": "二级指标",
    "text": "评分要点",
    "guidance": "评分说明",
    "max": "分值",
    "method": "评分方式",
    "value": "填报",
    "numerator": "分子",
    "denominator": "分母",
    "score": "自评得分",
    "comment": "退回意见",
}
COLUMN_LETTERS = dict(zip(HEADERS, "ABCDEFGHIJKL", strict=True))
METHOD_HINTS = {
    Method.SCORE: "直接赋分",
    Method.LEVELS: "选择等级",
    Method.YES_NO: "选择是/否",
    Method.NUMBER: "填写数值",
    Method.RATIO: "填写分子和分母",
    Method.VETO: "一票否决：选择是/否",
}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_RATIO = 150
PASSWORD = "shidian"  # deters casual edits only: the signature is what protects the identity


def sign_identity(
    *, sheet_id: int, unit_id: int, campaign_id: int, version_id: int, sheet_version: int
) -> str:
    """``sheet_version`` is the sheet's version when the workbook was written: an upload can
    then tell which items were edited online since and would go back to older values."""
    return signing.Signer(salt=SALT).sign(
        f"{sheet_id}:{unit_id}:{campaign_id}:{version_id}:{sheet_version}"
    )


def _formula(item: Item, row: int, weight: float) -> str:
    h, i, j = f"H{row}", f"I{row}", f"J{row}"
    if item.method == Method.SCORE:
        inner = f"IF(ISNUMBER({h}),MIN({h},{item.max_score:g}),0)"
    elif item.method == Method.LEVELS:
        inner = "0"
        for level in reversed(item.levels):
            inner = f'IF(UPPER({h})="{level.label}",{level.score:g},{inner})'
    elif item.method == Method.YES_NO:
        inner = f'IF({h}="是",{item.max_score:g},0)'
    elif item.method in (Method.NUMBER, Method.RATIO):
        value = h if item.method == Method.NUMBER else f"{i}/{j}"
        inner = f"{item.fallback:g}"
        for op, threshold in reversed(threshold_checks(item.thresholds, item.direction)):
            inner = f"IF({value}{op}{threshold.bound:g},{threshold.score:g},{inner})"
        if item.method == Method.RATIO:
            inner = f"IF(AND(ISNUMBER({i}),ISNUMBER({j}),{j}>0),{inner},0)"
        else:
            inner = f"IF(ISNUMBER({h}),{inner},0)"
    else:
        return "=0"
    return f"={inner}*{weight:g}" if weight != 1 else f"={inner}"


def build_workbook(*, sheet, standard: Standard, title: str) -> bytes:
    """The pre-filled workbook for one sheet (answers and return comments included)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    # Every value goes through set_text: a name or answer stored before input was cleaned
    # may hold control characters, which openpyxl refuses (the download would fail).
    set_text(ws["A1"], title)
    ws["A1"].font = Font(bold=True, size=14)
    set_text(
        ws["A2"],
        _("请只在黄色单元格填写：等级和是/否用下拉选择；比值项填写分子和分母。满分 %(max)s。")
        % {"max": f"{standard.max_total():g}"},
    )
    ws.append([])
    for col, name in zip("ABCDEFGHIJKL", HEADERS.values(), strict=True):
        set_text(ws[f"{col}{HEADER_ROW}"], name)
        ws[f"{col}{HEADER_ROW}"].font = Font(bold=True)
        ws[f"{col}{HEADER_ROW}"].fill = PatternFill("solid", fgColor="EEF1F4")
    open_cell = Protection(locked=False)
    yellow = PatternFill("solid", fgColor="FFF8C5")
    wrap = Alignment(wrap_text=True, vertical="top")
    validations: dict[str, DataValidation] = {}

    def validate(key: str, cell: str, **kwargs) -> None:
        if key not in validations:
            validations[key] = DataValidation(allow_blank=True, showErrorMessage=True, **kwargs)
            validations[key].error = _("请从下拉列表中选择或填写有效的数值")
            ws.add_data_validation(validations[key])
        validations[key].add(cell)

    weights = standard.item_weight()
    row = FIRST_ROW
    answers, comments = sheet.answers or {}, sheet.comments or {}
    for dimension, indicator, item in standard.item_paths():
        answer = answers.get(item.code) or {}
        values = [
            item.code,
            dimension.name,
            indicator.name,
            item.text,
            item.guidance or None,
            item.max_score,
            METHOD_HINTS[item.method],
            answer.get("value"),
            answer.get("numerator"),
            answer.get("denominator"),
            None,  # the formula, set below: set_text would write it as text
            comments.get(item.code),
        ]
        for col, value in zip("ABCDEFGHIJKL", values, strict=True):
            if value is not None:
                set_text(ws[f"{col}{row}"], value)
        ws[f"K{row}"] = _formula(item, row, weights[item.code])
        ws[f"D{row}"].alignment = wrap
        inputs = ["I", "J"] if item.method == Method.RATIO else ["H"]
        for col in inputs:
            ws[f"{col}{row}"].protection = open_cell
            ws[f"{col}{row}"].fill = yellow
        cell = f"H{row}"
        if item.method == Method.LEVELS:
            labels = ",".join(level.label for level in item.levels)
            validate(f"levels:{labels}", cell, type="list", formula1=f'"{labels}"')
        elif item.method in (Method.YES_NO, Method.VETO):
            validate("yes_no", cell, type="list", formula1='"是,否"')
        elif item.method == Method.SCORE:
            validate(
                f"score:{item.max_score:g}",
                cell,
                type="decimal",
                operator="between",
                formula1="0",
                formula2=f"{item.max_score:g}",
            )
        elif item.method == Method.NUMBER:
            validate("number", cell, type="decimal", operator="greaterThanOrEqual", formula1="0")
        else:
            for col in inputs:
                validate(
                    "number",
                    f"{col}{row}",
                    type="decimal",
                    operator="greaterThanOrEqual",
                    formula1="0",
                )
        row += 1
    set_text(ws[f"D{row}"], _("合计"))
    ws[f"D{row}"].font = Font(bold=True)
    ws[f"K{row}"] = f"=SUM(K{FIRST_ROW}:K{row - 1})"
    ws[f"K{row}"].font = Font(bold=True)
    for col, width in zip("ABCDEFGHIJKL", [9, 12, 14, 36, 30, 6, 12, 10, 8, 8, 9, 24], strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"H{FIRST_ROW}"
    ws.protection.sheet = True
    ws.protection.password = PASSWORD
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    hidden = wb.create_sheet(ID_SHEET)
    hidden["A1"] = sign_identity(
        sheet_id=sheet.pk,
        unit_id=sheet.unit_id,
        campaign_id=sheet.campaign_id,
        version_id=sheet.campaign.version_id,
        sheet_version=sheet.version,
    )
    hidden.sheet_state = "veryHidden"
    hidden.protection.sheet = True
    hidden.protection.password = PASSWORD
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class WorkbookError(Exception):
    """A workbook that cannot be used; ``message`` names the cell when there is one."""

    def __init__(self, message: str, *, cell: str = "", code: str = "bad_workbook"):
        super().__init__(message)
        self.message = message
        self.cell = cell
        self.code = code


@dataclass
class ReadWorkbook:
    sheet_id: int
    unit_id: int
    campaign_id: int
    version_id: int
    # The sheet's version when the workbook was written; None for workbooks written before
    # it was recorded.
    sheet_version: int | None = None
    raw: dict[str, dict] = field(default_factory=dict)  # item code -> raw answer
    cells: dict[str, str] = field(default_factory=dict)  # item code -> cell of its answer


def check_zip(data: bytes) -> None:
    """Refuse oversized files, non-zips and zip bombs before any XML is parsed."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise WorkbookError(_("文件超过 5 MB，不是本系统导出的自查表。"), code="too_large")
    try:
        open_package(data, max_uncompressed=MAX_UNCOMPRESSED, max_ratio=MAX_RATIO).close()
    except PackageRejected as exc:
        if exc.code == "zip_bomb":
            raise WorkbookError(
                _("文件解压后异常巨大（疑似压缩炸弹），已拒绝。"), code="zip_bomb"
            ) from exc
        raise WorkbookError(_("文件已损坏或不是 XLSX 格式。"), code="corrupt") from exc


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_workbook(data: bytes) -> ReadWorkbook:
    """Read identity and raw answers; raises WorkbookError with a message naming the cell."""
    from python_calamine import CalamineWorkbook

    check_zip(data)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = wb.sheet_names
        if ID_SHEET not in names or SHEET not in names:
            raise WorkbookError(
                _("这不是本系统导出的自查表（缺少身份信息），请重新下载本单位的表格。"),
                code="no_identity",
            )
        token = _text((wb.get_sheet_by_name(ID_SHEET).to_python(nrows=1) or [[None]])[0][0])
        rows = wb.get_sheet_by_name(SHEET).to_python()
    except WorkbookError:
        raise
    except Exception as exc:  # calamine raises its own error types for broken XML/zip parts
        raise WorkbookError(_("文件已损坏，无法读取。"), code="corrupt") from exc
    try:
        parts = [int(part) for part in signing.Signer(salt=SALT).unsign(token).split(":")]
        if len(parts) == 4:
            parts.append(None)
        sheet_id, unit_id, campaign_id, version_id, sheet_version = parts
    except (signing.BadSignature, ValueError) as exc:
        raise WorkbookError(
            _("表格的身份签名无效（被修改过），请重新下载本单位的表格。"),
            cell=f"{ID_SHEET}!A1",
            code="bad_signature",
        ) from exc
    result = ReadWorkbook(sheet_id, unit_id, campaign_id, version_id, sheet_version)
    header = rows[HEADER_ROW - 1] if len(rows) >= HEADER_ROW else []
    columns = {}
    titles = {title: key for key, title in HEADERS.items()}
    for index, value in enumerate(header):
        key = titles.get(_text(value))
        if key:
            columns[key] = index
    missing = [
        HEADERS[k] for k in ("code", "value", "numerator", "denominator") if k not in columns
    ]
    if missing:
        raise WorkbookError(
            _("第 %(row)s 行缺少表头：%(cols)s") % {"row": HEADER_ROW, "cols": "、".join(missing)},
            cell=f"A{HEADER_ROW}",
            code="bad_layout",
        )
    c_code, c_value = columns["code"], columns["value"]
    c_num, c_den = columns["numerator"], columns["denominator"]
    for offset, values in enumerate(rows[HEADER_ROW:], start=HEADER_ROW + 1):
        code = _text(values[c_code]) if c_code < len(values) else ""
        if not code:
            continue

        def cell(index, values=values):
            value = values[index] if index < len(values) else None
            return None if value == "" else value

        result.raw[code] = {
            "value": cell(c_value),
            "numerator": cell(c_num),
            "denominator": cell(c_den),
        }
        result.cells[code] = f"{column_letter(c_value)}{offset}"
        result.cells[code + ":ratio"] = f"{column_letter(c_num)}{offset}"
    return result
