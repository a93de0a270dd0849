"""Hypothesis strategies for standards and answers (shared by the scoring tests)."""

from __future__ import annotations

from hypothesis import strategies as st

from shidian.engine.scoring import (
    Dimension,
    Direction,
    Indicator,
    Item,
    Level,
    Method,
    Standard,
    Threshold,
)

TEXT = (
    st.text(alphabet="基础设施网络教学资源管理安全ABCabc0123 ", min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
HALVES = st.integers(min_value=0, max_value=40).map(lambda n: n / 2)
WEIGHTS = st.sampled_from([1.0, 0.5, 2.0, 1.5])


def _upto(maximum: float):
    return st.integers(0, int(maximum * 2)).map(lambda n: n / 2)


@st.composite
def items(draw, code: str) -> Item:
    method = draw(st.sampled_from(list(Method)))
    max_score = 0.0 if method == Method.VETO else draw(st.integers(1, 40)) / 2
    levels: tuple[Level, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    numerator = denominator = ""
    direction, fallback = Direction.HIGHER, 0.0
    if method == Method.LEVELS:
        labels = draw(st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=4, unique=True))
        levels = tuple(Level(label, draw(_upto(max_score))) for label in labels)
    if method in (Method.NUMBER, Method.RATIO):
        minima = draw(st.lists(st.integers(0, 100), min_size=1, max_size=4, unique=True))
        thresholds = tuple(
            Threshold(
                m / (100 if method == Method.RATIO else 1),
                draw(HALVES.filter(lambda v, mx=max_score: v <= mx)),
                draw(st.booleans()),
            )
            for m in sorted(minima, reverse=True)
        )
        direction = draw(st.sampled_from(list(Direction)))
        fallback = draw(st.one_of(st.just(0.0), HALVES.filter(lambda v, mx=max_score: v <= mx)))
    if method == Method.RATIO:
        numerator, denominator = "多媒体教室数", "教室数"
    return Item(
        code=code,
        text=draw(TEXT),
        max_score=max_score,
        method=method,
        guidance=draw(st.one_of(st.just(""), TEXT)),
        evidence_required=draw(st.booleans()),
        weight=draw(WEIGHTS),
        levels=levels,
        thresholds=thresholds,
        numerator_label=numerator,
        denominator_label=denominator,
        direction=direction,
        fallback=fallback,
    )


@st.composite
def standards(draw, max_dims: int = 3) -> Standard:
    dims = []
    for d in range(1, draw(st.integers(1, max_dims)) + 1):
        indicators = []
        for i in range(1, draw(st.integers(1, 3)) + 1):
            count = draw(st.integers(1, 4))
            its = tuple(draw(items(f"D{d}.{i}.{k}")) for k in range(1, count + 1))
            indicators.append(
                Indicator(
                    f"D{d}.{i}", draw(TEXT), its, draw(st.one_of(st.none(), HALVES)), draw(WEIGHTS)
                )
            )
        dims.append(
            Dimension(
                f"D{d}",
                draw(TEXT),
                tuple(indicators),
                draw(st.one_of(st.none(), HALVES)),
                draw(WEIGHTS),
            )
        )
    return Standard(
        code=draw(st.sampled_from(["STD-1", "SCH2024", "智慧校园"])),
        name=draw(TEXT),
        dimensions=tuple(dims),
        description=draw(st.one_of(st.just(""), TEXT)),
    )


@st.composite
def answer_for(draw, item: Item):
    if draw(st.integers(0, 9)) == 0:
        return None
    if item.method == Method.SCORE:
        return {"value": draw(st.floats(0, item.max_score))}
    if item.method == Method.LEVELS:
        return {"value": draw(st.sampled_from([level.label for level in item.levels]))}
    if item.method in (Method.YES_NO, Method.VETO):
        return {"value": draw(st.sampled_from(["是", "否", True, False]))}
    if item.method == Method.NUMBER:
        return {"value": draw(st.integers(0, 500))}
    den = draw(st.integers(0, 200))
    return {"numerator": draw(st.integers(0, den)), "denominator": den}


@st.composite
def standard_and_answers(draw):
    standard = draw(standards())
    answers = {item.code: draw(answer_for(item)) for item in standard.items()}
    return standard, answers
