"""A stratified random draw of units, reproducible from its seed.

The population is a list of ``(unit_id, stratum)`` pairs; the stratum is any text key the
caller builds (zone, school type, locality or a join of them). Sizes per stratum come either
from a total split proportionally by the largest-remainder method or from a fixed number per
stratum. Units are drawn without replacement inside each stratum with
``numpy.random.default_rng(seed)``, strata visited in sorted key order and units sorted by id
first, so the same population, sizes and seed always give the same draw whatever order the
caller listed them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from shidian.engine.errors import EngineInputError

MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class Draw:
    chosen: tuple[int, ...]  # unit ids, by stratum then in draw order
    allocation: dict[str, int]  # stratum -> units drawn
    population: dict[str, int]  # stratum -> units available
    seed: int
    by_stratum: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _strata(population: Iterable[tuple[int, str]]) -> dict[str, list[int]]:
    strata: dict[str, list[int]] = {}
    seen: set[int] = set()
    for unit_id, key in population:
        unit_id = int(unit_id)
        if unit_id in seen:
            raise EngineInputError(
                f"unit {unit_id} is listed twice in the population",
                code="sampling_duplicate_unit",
                params={"unit": unit_id},
            )
        seen.add(unit_id)
        strata.setdefault(str(key), []).append(unit_id)
    return {k: sorted(v) for k, v in sorted(strata.items())}


def allocate_proportional(sizes: Mapping[str, int], total: int) -> dict[str, int]:
    """``total`` split over strata in proportion to their ``sizes`` (largest remainder; ties go
    to the larger stratum, then the smaller key). Never more than a stratum holds."""
    available = sum(sizes.values())
    if total < 0:
        raise EngineInputError("the draw size must not be negative", code="sampling_negative")
    if total > available:
        raise EngineInputError(
            f"cannot draw {total} units from a population of {available}",
            code="sampling_too_many",
            params={"size": total, "population": available},
        )
    if available == 0:
        return {k: 0 for k in sizes}
    exact = {k: Fraction(total * n, available) for k, n in sizes.items()}
    floors = {k: int(q) for k, q in exact.items()}
    left = total - sum(floors.values())
    order = sorted(sizes, key=lambda k: (-(exact[k] - floors[k]), -sizes[k], k))
    for k in order[:left]:
        floors[k] += 1
    return {k: floors[k] for k in sorted(sizes)}


def allocate_fixed(sizes: Mapping[str, int], per_stratum: Mapping[str, int]) -> dict[str, int]:
    """The given number from each stratum; every stratum must hold that many."""
    unknown = sorted(set(per_stratum) - set(sizes))
    if unknown:
        raise EngineInputError(
            f"no units in stratum {', '.join(unknown)}",
            code="sampling_unknown_stratum",
            params={"strata": unknown},
        )
    short = sorted(k for k, n in per_stratum.items() if n > sizes[k])
    if short:
        raise EngineInputError(
            "strata with fewer units than asked: "
            + ", ".join(f"{k} ({per_stratum[k]} > {sizes[k]})" for k in short),
            code="sampling_stratum_short",
            params={"strata": short},
        )
    if any(n < 0 for n in per_stratum.values()):
        raise EngineInputError("the draw size must not be negative", code="sampling_negative")
    return {k: int(per_stratum.get(k, 0)) for k in sorted(sizes)}


def stratified_draw(
    population: Iterable[tuple[int, str]],
    *,
    seed: int,
    size: int | None = None,
    per_stratum: Mapping[str, int] | None = None,
) -> Draw:
    """Draw ``size`` units proportionally, or ``per_stratum`` units from each named stratum."""
    if (size is None) == (per_stratum is None):
        raise EngineInputError(
            "give either a total size or a number per stratum", code="sampling_size_mode"
        )
    if not 0 <= int(seed) <= MAX_SEED:
        raise EngineInputError("the seed must be between 0 and 2^63-1", code="sampling_seed")
    strata = _strata(population)
    sizes = {k: len(v) for k, v in strata.items()}
    if per_stratum is not None:
        allocation = allocate_fixed(sizes, per_stratum)
    else:
        allocation = allocate_proportional(sizes, int(size))  # type: ignore[arg-type]
    rng = np.random.default_rng(int(seed))
    by_stratum: dict[str, tuple[int, ...]] = {}
    for key, ids in strata.items():
        k = allocation[key]
        picks: list[int] = list(rng.choice(len(ids), size=k, replace=False)) if k else []
        by_stratum[key] = tuple(ids[int(i)] for i in picks)
    chosen = tuple(u for key in strata for u in by_stratum[key])
    return Draw(
        chosen=chosen,
        allocation=allocation,
        population=sizes,
        seed=int(seed),
        by_stratum=by_stratum,
    )
