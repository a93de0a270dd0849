"""GB/T 9704-2012 (党政机关公文格式) layout constants, in the units Word uses.

Word measures lengths in twips (1/20 pt) and font sizes in half-points. Chinese sizes: 2号 = 22 pt,
3号 = 16 pt, 4号 = 14 pt, 小四 = 12 pt.
"""

from __future__ import annotations

MM = 56.6929  # twips per millimetre
PT = 20  # twips per point


def mm(value: float) -> int:
    return round(value * MM)


PAGE_W_MM, PAGE_H_MM = 210, 297
TOP_MM = 37  # top margin (天头)
LEFT_MM = 28  # binding margin (订口)
BLOCK_W_MM, BLOCK_H_MM = 156, 225  # text block (版心)
RIGHT_MM = PAGE_W_MM - LEFT_MM - BLOCK_W_MM  # 26
BOTTOM_MM = PAGE_H_MM - TOP_MM - BLOCK_H_MM  # 35

LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

SIZE_2 = 22.0  # 2号: title
SIZE_3 = 16.0  # 3号: body
SIZE_4 = 14.0  # 4号: page number, 版记
SIZE_XIAO4 = 12.0

# 22 lines in 225 mm: an exact line pitch of 28.95 pt (579 twips; 23 lines would not fit).
LINE_TWIPS = 579
# 28 characters of 16 pt (448 pt) are wider than 156 mm (442.2 pt): condense every character by
# 0.25 pt (5 twips) so that 28 fit and a 29th does not (28 x 15.75 = 441 pt; 29 x 15.75 = 456.75).
CHAR_CONDENSE_TWIPS = -5
CHAR_PITCH_TWIPS = SIZE_3 * PT + CHAR_CONDENSE_TWIPS  # 315
BLOCK_W_TWIPS = mm(BLOCK_W_MM)

# Page number: "— 1 —" in 4号, its line 7 mm below the text block.
PAGE_NUMBER_GAP_MM = 7
PAGE_NUMBER_SIDE_TWIPS = int(SIZE_4 * PT)  # "one character's space" from the edge

# Fonts: the official names stay in the .docx; fontconfig maps them (see fonts.conf).
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEI = "黑体"
FONT_KAI = "楷体_GB2312"
FONT_SONG = "宋体"

RED = "FF0000"
