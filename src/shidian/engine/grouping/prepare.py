"""Turn a GroupingSpec into the Problem the search works on: features, components, distances."""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from shidian.engine.errors import EngineInputError, InfeasibleError
from shidian.engine.grouping.spec import GroupingSpec, Problem, validate

EARTH_RADIUS_KM = 6371.0088


def standardize(x: np.ndarray) -> np.ndarray:
    """z-scores with the sample SD; a constant column becomes zeros (it cannot be balanced)."""
    mean = x.mean(axis=0)
    sd = x.std(axis=0, ddof=1) if x.shape[0] > 1 else np.zeros(x.shape[1])
    sd = np.where(sd > 0, sd, 1.0)
    return (x - mean) / sd


def kplus_features(x: np.ndarray) -> np.ndarray:
    """anticlust's k-plus: the features and their squared deviations from the mean, standardized.

    The variance objective on these balances group means and group variances at once.
    """
    squared = (x - x.mean(axis=0)) ** 2
    return standardize(np.hstack([x, squared]))


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def build_problem(spec: GroupingSpec) -> Problem:
    validate(spec)
    x_report = np.asarray(spec.features, dtype=float)
    n = x_report.shape[0]
    k = spec.n_groups
    if spec.objective == "kplus":
        x = kplus_features(x_report) if x_report.shape[1] else x_report
    elif spec.standardize:
        x = standardize(x_report)
    else:
        x = x_report.copy()
    size_lo = spec.size_min if spec.size_min is not None else n // k
    size_hi = spec.size_max if spec.size_max is not None else -(-n // k)
    equal = spec.size_min is None and spec.size_max is None

    cats: list[np.ndarray] = []
    n_levels: list[int] = []
    if spec.categories is not None:
        c = np.asarray(spec.categories)
        if c.ndim == 1:
            c = c[:, None]
        for t in range(c.shape[1]):
            _, codes = np.unique(c[:, t], return_inverse=True)
            cats.append(codes.astype(np.int64))
            n_levels.append(int(codes.max()) + 1)

    fixed = (
        np.full(n, -1, dtype=np.int64)
        if spec.fixed is None
        else np.asarray(spec.fixed, dtype=np.int64).copy()
    )
    apart = np.asarray(spec.apart, dtype=np.int64).reshape(-1, 2)
    together = np.asarray(spec.together, dtype=np.int64).reshape(-1, 2)
    comp = _components(n, together)
    _check_components(spec, comp, apart, fixed, size_hi, together)

    lead_mask = None
    if spec.lead_candidates is not None:
        lead_mask = np.asarray(spec.lead_candidates, dtype=bool)
    lead_km = None
    if spec.max_km is not None:
        coords = np.asarray(spec.coords, dtype=float)
        if not np.all(np.isfinite(coords)):
            raise EngineInputError("Latitude/longitude must be numbers for every item.")
        assert lead_mask is not None  # validate() requires leads with --max-km
        cand = np.flatnonzero(lead_mask)
        if n * cand.size > 50_000_000:
            raise EngineInputError(
                "--max-km: too many items x possible leads (over 50 million pairs); "
                "split the input by region first."
            )
        lead_km = haversine_km(
            coords[:, :1], coords[:, 1:2], coords[cand, 0][None, :], coords[cand, 1][None, :]
        ).astype(np.float32)
        nearest = lead_km.min(axis=1)
        far = np.flatnonzero(nearest > spec.max_km)
        if far.size:
            raise InfeasibleError(
                f"Item {spec.item(int(far[0]))} is {nearest[far[0]]:.1f} km from the nearest "
                f"possible lead, more than --max-km {spec.max_km:g} ({far.size} item(s) in all). "
                "Raise --max-km or mark a nearer lead.",
            )
    return Problem(
        n=n,
        k=k,
        size_lo=size_lo,
        size_hi=size_hi,
        equal_sizes=equal,
        x_report=x_report,
        x=np.ascontiguousarray(x, dtype=float),
        cats=cats,
        n_levels=n_levels,
        lead_mask=lead_mask,
        apart=apart,
        together_comp=comp,
        fixed=fixed,
        lead_km=lead_km,
        lead_cands=np.flatnonzero(lead_mask) if lead_mask is not None else None,
        max_km=spec.max_km,
    )


def _components(n: int, pairs: np.ndarray) -> np.ndarray:
    if pairs.size == 0:
        return np.arange(n, dtype=np.int64)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    return comp.astype(np.int64)


def _check_components(spec, comp, apart, fixed, size_hi, together) -> None:
    """Name the together/apart/fixed combinations that can never hold."""
    if together.size == 0:
        return
    sizes = np.bincount(comp)
    big = np.flatnonzero(sizes > size_hi)
    if big.size:
        members = np.flatnonzero(comp == big[0])
        raise InfeasibleError(
            f"Together pairs join {sizes[big[0]]} items "
            f"({', '.join(spec.item(m) for m in members[:8])}) "
            f"but a group holds at most {size_hi}.",
        )
    for a, b in apart:
        if comp[a] == comp[b]:
            raise InfeasibleError(
                f"Items {spec.item(a)} and {spec.item(b)} must be apart "
                "but together pairs link them."
            )
    for c in np.unique(comp[fixed >= 0]):
        groups = np.unique(fixed[(comp == c) & (fixed >= 0)])
        if groups.size > 1:
            members = np.flatnonzero(comp == c)
            raise InfeasibleError(
                "Items linked by together pairs are fixed to different groups ("
                f"{', '.join(spec.item(m) for m in members[:8])})."
            )
