"""Chinese text helpers: display width, balanced title lines, dates and document numbers."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

from shidian.docgen.errors import DataInvalid

CLOSING = "，。、；：？！）」』》〉】〕’”…—·,.;:?!)]}%"
OPENING = "（「『《〈【〔‘“([{"
# A title line may end after these (keeps words whole: "关于|公布", "名单的|通知").
GOOD_BREAK_AFTER = "的和与及年度、，"

WORD_JOINER = "\u2060"
# Dates and document numbers mix Han characters and digits. LibreOffice's Chinese line breaker
# may break at any character that is not a forbidden one, so "2021年|3月" and "〔2021〕17|号"
# happen; numbers and Latin words alone are kept whole by the Western language (en-US) of
# their runs. A word joiner between every character, listed as a character that can neither
# start nor end a line (base.NO_LINE_START/END, uno_update.py), keeps these together: the
# breaker steps back over joiners until it is before the whole group. Word honours U+2060 too.
_KEEP_TOGETHER = re.compile(
    r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日|〔\d{4}〕\d+号"
)


def width(text: str) -> float:
    """Width in body characters: CJK and full-width count 1, everything else 1/2."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def keep_together(text: str) -> str:
    """``text`` with word joiners inside its dates and document numbers (idempotent)."""
    text = text.replace(WORD_JOINER, "")
    return _KEEP_TOGETHER.sub(lambda m: WORD_JOINER.join(m.group(0)), text)


def balance_title(title: str, *, per_line: int = 18) -> str:
    """Break a long title into lines of similar length (a trapezoid), never before a closing
    mark or after an opening one. Returns the lines joined with newlines."""
    title = title.strip()
    if "\n" in title or width(title) <= per_line:
        return title
    n = math.ceil(width(title) / per_line)
    lines: list[str] = []
    rest = title
    for k in range(n, 1, -1):
        target = width(rest) / k
        best, best_score = 1, None
        for cut in range(1, len(rest)):
            w = width(rest[:cut])
            if w > per_line or abs(w - target) > 5:
                continue
            if rest[cut] in CLOSING or rest[cut - 1] in OPENING:
                continue
            if rest[cut - 1].isascii() and rest[cut].isascii():
                continue  # never split a number or a Latin word
            good = rest[cut - 1] in GOOD_BREAK_AFTER or rest[cut - 2 : cut] == "关于"
            score = abs(w - target) - (4 if good else 0)
            # A trapezoid: the upper line a little shorter is fine, much longer is not.
            if best_score is None or score < best_score:
                best, best_score = cut, score
        lines.append(rest[:best])
        rest = rest[best:]
    lines.append(rest)
    return "\n".join(lines)


def parse_date(value: object, *, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DataInvalid(f"{where}: expected a date like 2021-03-05", code="date") from exc


def cn_date(day: dt.date) -> str:
    """成文日期 with Arabic numerals and no leading zeros: 2021年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


NUMBER_RE = re.compile(r"^(?P<prefix>.+?)〔(?P<year>\d{4})〕(?P<seq>\d+)号$")


def doc_number(prefix: str, year: int, seq: int) -> str:
    """发文字号: 蒲教发〔2021〕17号 (六角括号, no leading zeros, no 第)."""
    return f"{prefix}〔{int(year)}〕{int(seq)}号"


def normalise_number(value: object, *, where: str) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, dict):
        try:
            return doc_number(str(value["prefix"]), int(value["year"]), int(value["seq"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise DataInvalid(f"{where}: number needs prefix, year and seq", code="number") from exc
    text = str(value).strip().replace("[", "〔").replace("]", "〕")
    text = text.replace("（", "〔").replace("）", "〕").replace("(", "〔").replace(")", "〕")
    m = NUMBER_RE.match(text)
    if not m:
        raise DataInvalid(f"{where}: a number looks like 蒲教发〔2021〕17号", code="number")
    return doc_number(m["prefix"], int(m["year"]), int(m["seq"]))
