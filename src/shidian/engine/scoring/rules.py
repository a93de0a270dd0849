"""Scoring rules written the way bureaus write them: method names, level tables, thresholds.

Thresholds are read from text such as ``≥95%:5；≥70%:3；其他:0`` (more is better),
``≤10:5；≤15:3；其他:0`` (less is better: pupils per computer), ``90%-100%:5；70%-89%:3``,
``达到95%以上得5分，60%以下不得分``. Full-width punctuation is folded first (NFKC). The direction
comes from the operators; a step that points the other way is accepted only as the "rest"
(``≥60%:3；<60%:0``). The accepted spellings are listed in docs/standards-campaigns.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shidian.engine.scoring.model import Direction, Item, Level, Method, Problem, Threshold

# Written into exports, in this order of preference; every alias below is read back.
METHOD_NAMES = {
    Method.SCORE: "直接赋分",
    Method.LEVELS: "等级",
    Method.YES_NO: "是否",
    Method.NUMBER: "数值",
    Method.RATIO: "比值",
    Method.VETO: "一票否决",
}
_ALIASES = {
    Method.SCORE: "直接赋分 赋分 打分 直接打分 评分 酌情赋分 酌情打分 自评赋分 分值",
    Method.LEVELS: "等级 等第 等次 等级评定 等第评定 分等级 档次",
    Method.YES_NO: "是否 有无 是/否 有/无 是或否 有或无 判断 是否达标",
    Method.NUMBER: "数值 数量 数值计分 按数值 数字 计数",
    Method.RATIO: "比例 占比 比值 比率 百分比 按比例 比例计分",
    Method.VETO: "一票否决 否决项 否决 一票否决项 否决指标",
}
METHOD_ALIASES: dict[str, Method] = {m.value: m for m in Method}
for _method, _names in _ALIASES.items():
    METHOD_ALIASES.update({name: _method for name in _names.split()})


def fold(text: str) -> str:
    """Full-width forms to ASCII (：；，（）％＞＝ and digits), spaces dropped."""
    text = unicodedata.normalize("NFKC", text)
    for old, new in (("≧", "≥"), ("⩾", "≥"), ("≦", "≤"), ("⩽", "≤"), (">=", "≥"), ("<=", "≤")):
        text = text.replace(old, new)
    return re.sub(r"\s+", "", text)


def method_from_text(value: Any) -> Method | None:
    """The method a cell names, or None when it names none we know."""
    key = fold(str(value)).lower()
    return METHOD_ALIASES.get(key) or METHOD_ALIASES.get(key.removesuffix("法").rstrip("型"))


# --- numbers and scores ----------------------------------------------------------------------
_SCORE_RE = re.compile(r"^(?:得|计|给|赋)?(\d+(?:\.\d+)?)分?$")


def parse_score(text: str, max_score: float | None) -> float | None:
    """ "5", "5分", "得5分", "满分", "不得分" -> a number; None when it is none of these."""
    text = fold(text)
    if text in ("满分", "得满分", "计满分") and max_score is not None:
        return max_score
    if text in ("不得分", "不计分", "0分"):
        return 0.0
    match = _SCORE_RE.match(text)
    return float(match.group(1)) if match else None


# --- levels ------------------------------------------------------------------------------------
_SPLIT_RE = re.compile(r"[;,\n、]")


def split_steps(text: str) -> list[str]:
    return [part for part in _SPLIT_RE.split(fold(text)) if part]


def parse_levels(text: str, max_score: float | None) -> tuple[list[Level], list[str]]:
    """``A=10;B=8`` or ``优秀:10；良好:8`` -> (levels, the parts that could not be read)."""
    levels, bad = [], []
    for part in split_steps(text):
        match = re.match(r"^([^=:]+?)[=:](.+)$", part)
        score = parse_score(match.group(2), max_score) if match else None
        if match is None or score is None:
            bad.append(part)
            continue
        levels.append(Level(match.group(1), score))
    return levels, bad


# --- thresholds --------------------------------------------------------------------------------
_UP, _DOWN = "up", "down"
_PREFIXES = {
    "≥": (_UP, False),
    "大于等于": (_UP, False),
    "不低于": (_UP, False),
    "不少于": (_UP, False),
    "不小于": (_UP, False),
    "达到": (_UP, False),
    "达": (_UP, False),
    ">": (_UP, True),
    "高于": (_UP, True),
    "超过": (_UP, True),
    "大于": (_UP, True),
    "多于": (_UP, True),
    "≤": (_DOWN, False),
    "小于等于": (_DOWN, False),
    "不高于": (_DOWN, False),
    "不超过": (_DOWN, False),
    "不多于": (_DOWN, False),
    "不大于": (_DOWN, False),
    "<": (_DOWN, True),
    "低于": (_DOWN, True),
    "不足": (_DOWN, True),
    "少于": (_DOWN, True),
    "小于": (_DOWN, True),
}
# "以上/以下" include the number itself, as in Chinese legal usage (刑法第九十九条).
_SUFFIXES = {"及以上": (_UP, False), "以上": (_UP, False), "及以下": (_DOWN, False)}
_SUFFIXES.update({"以下": (_DOWN, False), "以内": (_DOWN, False)})
FALLBACK_WORDS = {
    "其他",
    "其它",
    "其余",
    "否则",
    "以下",
    "其他情况",
    "其余情况",
    "未达到",
    "不达标",
}


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUM = r"\d+(?:\.\d+)?"
_UNIT = r"(?:(?!及以上|以上|及以下|以下|以内)[A-Za-z\u4e00-\u9fff/]){1,4}"
_CONDITION_RE = re.compile(
    rf"^(?P<label>.*?)(?P<op>{_alternation(_PREFIXES)})?"
    rf"(?P<a>{_NUM})(?P<pa>%)?(?:{_UNIT})?"
    rf"(?:(?:-|~|—|–|至|到)(?P<b>{_NUM})(?P<pb>%)?(?:{_UNIT})?)?"
    rf"(?P<suffix>{_alternation(_SUFFIXES)})?$"
)


@dataclass
class Step:
    """One written step: ``way`` up/down/None (a plain number or a range), or a fallback."""

    text: str
    score: float
    way: str | None = None
    strict: bool = False
    low: float = 0.0
    high: float | None = None  # set for a range
    fallback: bool = False


def _split_condition(part: str) -> tuple[str, str] | None:
    part = part.replace("不得分", ":0").replace("不计分", ":0").replace("得满分", ":满分")
    for sep in (":", "="):
        if sep in part:
            cond, _sep, score = part.rpartition(sep)
            return cond, score
    if "得" in part:
        cond, _sep, score = part.rpartition("得")
        return cond, score
    return None


def _step(part: str, percent: float, max_score: float | None) -> Step | None:
    """One step; ``percent`` is what 100% stands for (1 for a ratio, 100 for a number)."""
    split = _split_condition(part)
    if split is None:
        return None
    cond, score_text = split
    score = parse_score(score_text, max_score)
    if score is None:
        return None
    if cond in FALLBACK_WORDS:
        return Step(part, score, fallback=True)
    match = _CONDITION_RE.match(cond)
    if match is None:
        return None
    prefix = _PREFIXES.get(match.group("op") or "")
    suffix = _SUFFIXES.get(match.group("suffix") or "")
    if prefix and suffix and prefix[0] != suffix[0]:
        return None  # "不足60%以上" says two things
    way, strict = prefix or suffix or (None, False)
    percent_b = match.group("pb") is not None
    a_scale = 100 / percent if (match.group("pa") or percent_b) else 1.0
    step = Step(part, score, way, strict, float(match.group("a")) / a_scale)
    if match.group("b") is not None:
        if way is not None:
            return None  # "≥90-100" is not a rule
        step.high = float(match.group("b")) / (100 / percent if percent_b else 1.0)
    return step


def looks_like_thresholds(text: str) -> bool:
    """True when every step's condition is a number, a range or "其他" (not a level name)."""
    steps = [_step(part, 1.0, 1.0) for part in _join_pieces(text)]
    read = [s for s in steps if s is not None]
    return bool(steps) and len(read) == len(steps) and any(not s.fallback for s in read)


def mentions_thresholds(text: str) -> bool:
    """True when a text reads as a rule or at least tries to (an operator): a rule written in
    the guidance column is then read, and its mistakes reported, instead of ignored."""
    return looks_like_thresholds(text) or any(op in fold(text) for op in "≥≤<>")


def _join_pieces(text: str) -> list[str]:
    """Steps, with "达到95%以上，得5分" (a comma inside one step) glued back together."""
    parts, buffer = [], ""
    for piece in split_steps(text):
        buffer += piece
        if _split_condition(buffer) is not None:
            parts.append(buffer)
            buffer = ""
    if buffer:
        parts.append(buffer)
    return parts


@dataclass
class ParsedThresholds:
    thresholds: tuple[Threshold, ...]
    direction: Direction
    fallback: float
    problems: list[Problem]
    explicit: bool  # some step has an operator or a range, so the direction was read, not assumed


def parse_thresholds(
    text: str,
    *,
    ratio: bool,
    max_score: float | None,
    make: Callable[..., Problem],
) -> ParsedThresholds:
    """Read a written rule; ``make(code, value=...)`` builds the problems (row and item known).

    Percentages mean hundredths for a ratio (95% -> 0.95) and stay as written for a number (a
    unit reports 96 or 96%), so the answer and the threshold compare in the same unit.
    """
    problems: list[Problem] = []
    steps: list[Step] = []
    for part in _join_pieces(text):
        step = _step(part, 1.0 if ratio else 100.0, max_score)
        if step is None:
            problems.append(make("bad_thresholds", value=part))
        else:
            steps.append(step)
    direction = _direction(steps)
    main = _UP if direction == Direction.HIGHER else _DOWN
    thresholds: list[Threshold] = []
    fallback = 0.0
    for step in steps:
        if step.fallback:
            fallback = step.score
        elif step.way in (None, main):
            bound = step.low if step.high is None or main == _UP else step.high
            thresholds.append(Threshold(bound, step.score, step.strict))
    for step in steps:
        if step.way is not None and step.way != main:
            why = _rest_problem(step, thresholds, direction)
            if why:
                problems.append(make(why, value=step.text))
            else:
                fallback = step.score
    explicit = any(s.way is not None or s.high is not None for s in steps)
    return ParsedThresholds(tuple(thresholds), direction, fallback, problems, explicit)


def _direction(steps: list[Step]) -> Direction:
    """More or less is better. Operators that all point one way decide; with ranges, or with
    a "rest" written the other way (``≥60%:3；<60%:0``), the best-scoring step tells: it sits
    at the high end or at the low end. Plain numbers ("0.9:10") keep their old meaning,
    "at least"."""
    said = [s for s in steps if not s.fallback and (s.way is not None or s.high is not None)]
    ways = {s.way for s in said if s.way is not None}
    if len(ways) == 1 and not any(s.high is not None for s in said):
        return Direction.HIGHER if ways == {_UP} else Direction.LOWER
    if not said:
        return Direction.HIGHER
    top = max(said, key=lambda s: s.score)
    bottom = min(said, key=lambda s: s.score)
    if top.low != bottom.low:
        return Direction.HIGHER if top.low > bottom.low else Direction.LOWER
    return Direction.LOWER if top.way == _DOWN else Direction.HIGHER


def _rest_problem(step: Step, thresholds: list[Threshold], direction: Direction) -> str:
    """ "" when a step pointing the other way is the rest of the rule (``<60%:0`` after
    ``≥60%:3``), else why not: it leaves a gap, or it overlaps the others."""
    if not thresholds:
        return "mixed_directions"
    if direction == Direction.HIGHER:
        edge = min(t.bound for t in thresholds)
        if abs(step.low - edge) < 1e-9:
            return ""
        return "threshold_gap" if step.low < edge else "mixed_directions"
    edge = max(t.bound for t in thresholds)
    if abs(step.low - edge) < 1e-9:
        return ""
    return "threshold_gap" if step.low > edge else "mixed_directions"


def thresholds_from_pairs(
    pairs: list[Any], *, make: Callable[..., Problem]
) -> tuple[list[Threshold], list[Problem]]:
    """YAML's ``[[0.9, 10], [0.6, 6]]``; a third element ``strict`` means > (or <)."""
    out, problems = [], []
    for pair in pairs:
        ok = isinstance(pair, list | tuple) and len(pair) in (2, 3)
        if ok and len(pair) == 3 and pair[2] not in ("strict", True):
            ok = False
        numbers = [_plain_number(v) for v in pair[:2]] if ok else []
        if not ok or None in numbers:
            problems.append(make("bad_thresholds", value=str(pair)))
            continue
        bound, score = numbers
        assert bound is not None and score is not None
        out.append(Threshold(bound, score, len(pair) == 3))
    return out, problems


def _plain_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(fold(str(value)))
    except ValueError:
        return None


# --- text forms (exports, the version page) ----------------------------------------------------
def _num(value: float) -> str:
    return f"{value:g}"


def levels_text(levels: tuple[Level, ...]) -> str:
    return ";".join(f"{level.label}={_num(level.score)}" for level in levels)


def thresholds_text(
    thresholds: tuple[Threshold, ...],
    direction: Direction = Direction.HIGHER,
    fallback: float = 0.0,
) -> str:
    """The rule as the reader reads it back: ``>=0.9:10;>=0.6:6``, ``<=10:5;其他:1``."""
    up = direction == Direction.HIGHER
    parts = [
        f"{('>' if t.strict else '>=') if up else ('<' if t.strict else '<=')}"
        f"{_num(t.bound)}:{_num(t.score)}"
        for t in thresholds
    ]
    if fallback:
        parts.append(f"其他:{_num(fallback)}")
    return ";".join(parts)


def rule_text(item: Item) -> str:
    """The item's level table or thresholds as one text (exports, pages, the workbook)."""
    if item.levels:
        return levels_text(item.levels)
    return thresholds_text(item.thresholds, item.direction, item.fallback)


def rule_display(item: Item) -> str:
    """The rule the way a bureau writes it, for pages: ``≥95%：3；≥70%：2；其他：0``.

    Display only (percentages are rounded for reading); files use :func:`rule_text`.
    """
    if item.levels:
        return "；".join(f"{level.label}：{_num(level.score)}" for level in item.levels)
    if not item.thresholds:
        return ""
    up = item.direction == Direction.HIGHER
    ratio = item.method == Method.RATIO
    parts = []
    for threshold in item.thresholds:
        op = (">" if threshold.strict else "≥") if up else ("<" if threshold.strict else "≤")
        bound = f"{round(threshold.bound * 100, 4):g}%" if ratio else _num(threshold.bound)
        parts.append(f"{op}{bound}：{_num(threshold.score)}")
    parts.append(f"其他：{_num(item.fallback)}")
    return "；".join(parts)
