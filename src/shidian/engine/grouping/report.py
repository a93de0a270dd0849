"""Balance figures and constraint checks for a finished partition (recomputed from scratch)."""

from __future__ import annotations

import numpy as np

from shidian.engine.grouping.prepare import haversine_km
from shidian.engine.grouping.spec import (
    CategoryBalance,
    ConstraintCheck,
    FeatureBalance,
    GroupingSpec,
    Problem,
    category_bounds,
)


def feature_balance(x: np.ndarray, labels: np.ndarray, k: int, names: list[str]):
    out = []
    sizes = np.bincount(labels, minlength=k)
    for col, name in enumerate(names):
        values = x[:, col]
        mean = float(values.mean())
        sd = float(values.std(ddof=1)) if values.size > 1 else 0.0
        sums = np.bincount(labels, weights=values, minlength=k)
        means = np.where(sizes > 0, sums / np.maximum(sizes, 1), np.nan)
        dev = float(np.nanmax(np.abs(means - mean)) / sd) if sd > 0 else 0.0
        out.append(FeatureBalance(name, mean, sd, [float(m) for m in means], dev))
    return out


def category_balance(spec: GroupingSpec, p: Problem, labels: np.ndarray):
    out = []
    sizes = np.bincount(labels, minlength=p.k)
    for t, (codes, lv) in enumerate(zip(p.cats, p.n_levels, strict=True)):
        counts = np.zeros((p.k, lv), dtype=np.int64)
        np.add.at(counts, (labels, codes), 1)
        lo, hi = category_bounds(np.bincount(codes, minlength=lv), sizes, p.n)
        name = spec.category_names[t] if spec.category_names else f"category {t + 1}"
        levels = (
            [str(v) for v in spec.category_levels[t]]
            if spec.category_levels
            else [str(v) for v in range(lv)]
        )
        holds = bool(np.all((counts >= lo) & (counts <= hi)))
        out.append(CategoryBalance(name, levels, counts.tolist(), lo.tolist(), hi.tolist(), holds))
    return out


def check_constraints(
    spec: GroupingSpec, p: Problem, labels: np.ndarray, leads: np.ndarray | None, cats
) -> list[ConstraintCheck]:
    checks = []
    sizes = np.bincount(labels, minlength=p.k)
    ok = labels.shape == (p.n,) and labels.min() >= 0 and labels.max() < p.k
    checks.append(ConstraintCheck("one_group_each", bool(ok), f"{p.n} items in {p.k} groups"))
    checks.append(
        ConstraintCheck(
            "sizes",
            bool(sizes.min() >= p.size_lo and sizes.max() <= p.size_hi),
            f"sizes {sizes.min()}..{sizes.max()} (allowed {p.size_lo}..{p.size_hi})",
        )
    )
    if cats:
        bad = [c.name for c in cats if not c.holds]
        checks.append(
            ConstraintCheck(
                "categories",
                not bad,
                "every level within floor/ceil of its share"
                if not bad
                else f"unbalanced: {', '.join(bad)}",
            )
        )
    if len(p.apart):
        broken = int(np.sum(labels[p.apart[:, 0]] == labels[p.apart[:, 1]]))
        checks.append(
            ConstraintCheck("apart", broken == 0, f"{broken} of {len(p.apart)} pairs together")
        )
    if spec.together:
        pairs = np.asarray(spec.together).reshape(-1, 2)
        broken = int(np.sum(labels[pairs[:, 0]] != labels[pairs[:, 1]]))
        checks.append(
            ConstraintCheck("together", broken == 0, f"{broken} of {len(pairs)} pairs split")
        )
    if (p.fixed >= 0).any():
        idx = np.flatnonzero(p.fixed >= 0)
        broken = int(np.sum(labels[idx] != p.fixed[idx]))
        checks.append(ConstraintCheck("fixed", broken == 0, f"{broken} of {idx.size} moved"))
    if p.lead_mask is not None:
        good = bool(leads is not None and np.all(leads >= 0))
        if good and leads is not None:
            good = bool(
                np.all(p.lead_mask[leads])
                and np.array_equal(np.sort(labels[leads]), np.arange(p.k))
            )
        checks.append(ConstraintCheck("leads", bool(good), "exactly one marked lead per group"))
        if p.max_km is not None and good and leads is not None:
            coords = np.asarray(spec.coords, dtype=float)
            lead = leads[labels]
            km = haversine_km(coords[:, 0], coords[:, 1], coords[lead, 0], coords[lead, 1])
            worst = float(km.max())
            checks.append(
                ConstraintCheck(
                    "max_km",
                    worst <= p.max_km + 1e-6,
                    f"farthest member {worst:.2f} km from its lead (limit {p.max_km:g})",
                )
            )
    return checks
