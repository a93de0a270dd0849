"""A bureau's own standard file, written the way published bureau tables are written.

The layout (a title row, then 项目 / 评价指标 / 评价内容 / 分值 with merged cells) follows the
南京市中小学智慧校园评估细则 and the 江苏省中小学智慧校园申报自评表; the item wording and the
rules copy the style of those tables and of the 昌吉州中小学校信息化环境评估细则 ("师机比不低于
1:1", "生机比不低于8:1", "公用经费用于信息化支出的比例不低于10%", "≥20M ... ≥100M"). The
rules are written in the 评分标准 column with the bureaus' operators, full-width punctuation,
percentages, ranges and "其他"; the methods use their usual names (比例, 占比, 有无, 等第...).
The scores are ours, for the example only; it is not an official document.

``python -m tests.standards.bureau`` rewrites examples/standards/bureau-smart-campus.xlsx.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "standards"
BUREAU_XLSX = EXAMPLE / "bureau-smart-campus.xlsx"
TITLE = "示例县中小学智慧校园示范校评估细则（示例）"
HEADER = ["项目", "评价指标", "评价内容", "分值", "评分方式", "评分标准", "分子", "分母", "佐证"]
# (项目, 评价指标, 评价内容, 分值, 评分方式, 评分标准, 分子, 分母, 佐证)
ROWS: list[tuple] = [
    ("一、智慧环境", "校园网络", "实现宽带网络校校通，千兆进校、百兆进班。", 2, "有无", "", "", "")
    + ("是",),
    (
        None,
        None,
        "无线校园网络覆盖教学区和办公区。",
        3,
        "比例",
        "≥95%：3；≥70%：2；其他：0",
        "无线覆盖的教室数",
        "教室总数",
        "",
    ),
    (None, None, "出口带宽（M）。", 3, "数值", "≥100M：3；≥50M：2；≥20M：1；其他：0", "", "", ""),
    (
        None,
        "信息终端",
        "教师均配有办公用计算机，师机比不低于1:1。",
        2,
        "比值",
        "≥100%：2；≥80%：1；其他：0",
        "配有计算机的教师数",
        "专任教师数",
        "",
    ),
    (
        None,
        None,
        "学生配有学习用计算机，生机比（学生数÷学生用计算机数）不高于10:1。",
        3,
        "数值",
        "≤10：3；≤15：2；其他：0",
        "",
        "",
        "",
    ),
    (
        None,
        None,
        "每个教室配有多媒体教学设备。",
        4,
        "占比",
        "90%-100%：4；70%-89%：2；70%以下：0",
        "配有多媒体设备的教室数",
        "教室总数",
        "是",
    ),
    (
        "二、智慧教学",
        "课堂应用",
        "教师常态化应用信息技术开展教学。",
        5,
        "等第",
        "优秀：5；良好：4；合格：3；不合格：0",
        "",
        "",
        "",
    ),
    (
        None,
        "教师发展",
        "教师信息技术应用能力提升工程2.0校本研修参训率。",
        4,
        "比率",
        "达到95%以上得4分，80%-94%得2分，80%以下不得分",
        "参训教师数",
        "专任教师数",
        "",
    ),
    (
        "三、保障机制",
        "经费保障",
        "公用经费用于信息化支出的比例不低于10%。",
        3,
        "比例",
        "≥10%：3；≥5%：1；其他：0",
        "信息化支出（万元）",
        "公用经费（万元）",
        "是",
    ),
    (None, "组织保障", "成立学校信息化工作领导小组，校长任组长。", 2, "是否", "", "", "", ""),
    (None, "网络安全", "建立网络信息安全保障制度并落实。", 2, "打分", "", "", "", ""),
    (None, None, "发生重大网络安全事件。", 0, "一票否决", "", "", "", ""),
]


def bureau_workbook(rows: list[tuple] = ROWS, header: list[str] = HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "评估细则"
    ws.append([TITLE])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    # merge the 项目 and 评价指标 cells over their items, as the published tables do
    for column in (1, 2):
        start = 3
        for index in range(3, 3 + len(rows) + 1):
            last = index == 3 + len(rows)
            if last or (index > start and ws.cell(index, column).value is not None):
                if index - 1 > start:
                    ws.merge_cells(
                        start_row=start, end_row=index - 1, start_column=column, end_column=column
                    )
                start = index
    for line in ws.iter_rows(min_row=3):
        for cell in line:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for letter, width in zip("ABCDEFGHI", [12, 12, 44, 6, 10, 34, 16, 12, 6], strict=True):
        ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    BUREAU_XLSX.write_bytes(bureau_workbook())
    print(f"wrote {BUREAU_XLSX}")
