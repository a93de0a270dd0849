"""Formation benchmark: 80 communities from 7,167 synthetic schools, 30 km, 5 features.

Same code path as the ``formations.form`` Run: ``formations.inputs.Inputs`` builds the
GroupingSpec from (unsaved) OrgUnit rows, ``engine.grouping.group_items`` solves it; then the
move panel (``BalancePanel.check_move`` + ``move`` + ``summary``) is timed. The five balanced
features are the self-assessment total, students and teachers (numeric) and locality and zone
(category counts); ``--no-categories`` keeps the three numeric ones. Run:

    PYTHONPATH=src DJANGO_SETTINGS_MODULE=shidian.config.settings .venv/bin/python \
        bench/formation_bench.py [--n 7167] [--k 80] [--km 30]

Besides each feature's largest deviation it prints the geographic floor: the communities that
share schools within reach form connected clusters, and a cluster's mean is the same whatever the
partition, so no partition can get a feature's deviation below that cluster's.
"""

from __future__ import annotations

import argparse
import resource
import time

import django
import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=7167)
    ap.add_argument("--k", type=int, default=80)
    ap.add_argument("--km", type=float, default=30.0)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument(
        "--no-categories",
        action="store_true",
        help="balance only the numeric features (self-assessment total, students, teachers)",
    )
    args = ap.parse_args()
    django.setup()
    from shidian.apps.formations.inputs import Inputs, clean_params
    from shidian.apps.formations.models import Formation
    from shidian.apps.orgs.models import OrgUnit
    from shidian.engine.errors import InfeasibleError
    from shidian.engine.grouping import group_items
    from shidian.engine.grouping.panel import BalancePanel

    rng = np.random.default_rng(7)
    n, k = args.n, args.k
    # k clusters of schools (a county of towns), each within ~15 km of its centre
    centres = np.column_stack([28 + rng.random(k) * 3, 112 + rng.random(k) * 3])
    home = np.arange(n) % k
    jitter = rng.normal(scale=0.03, size=(n, 2))
    units = []
    totals = {}
    for i in range(n):
        totals[i + 1] = float(np.clip(rng.normal(80, 8), 40, 100))
        lat, lon = centres[home[i]] + jitter[i]
        units.append(
            OrgUnit(
                pk=i + 1,
                code=f"S{i:05d}",
                name=f"school {i}",
                level="school",
                latitude=float(lat),
                longitude=float(lon),
                students=int(rng.integers(50, 3000)),
                teachers=int(rng.integers(5, 200)),
                classes=int(rng.integers(3, 60)),
                locality=str(rng.choice(["urban", "town", "rural"])),
                zone_id=int(rng.integers(1, 6)),
            )
        )
    leads = [f"S{g:05d}" for g in range(k)]  # one school of each cluster leads
    f = Formation(
        name="bench",
        params=clean_params(
            {
                "n_groups": k,
                "features": ["self_total", "students", "teachers"],
                "size_min": 40,
                "size_max": 140,
                "categories": [] if args.no_categories else ["locality", "zone"],
                "lead_codes": leads,
                "max_km": args.km,
            }
        ),
    )
    t0 = time.perf_counter()
    inputs = Inputs(f, units=units, totals=totals)
    spec = inputs.spec(f)
    spec.time_limit = args.time_limit
    t1 = time.perf_counter()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        result = group_items(spec)
    except InfeasibleError as exc:
        print(f"engine refused after {time.perf_counter() - t1:.2f} s: {exc}")
        return
    t2 = time.perf_counter()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n_cats = len(f.params["categories"])
    print(
        f"schools {n}, communities {k}, max_km {f.params['max_km']}, 3 numeric features "
        f"+ {n_cats} categories, sizes 40..140"
    )
    print(f"spec building   {1000 * (t1 - t0):8.1f} ms")
    print(f"engine          {t2 - t1:8.2f} s  (method {result.method})")
    print(f"peak RSS        {rss1:8.0f} MB  (before the engine {rss0:.0f} MB)")
    floor, item_comp = geographic_floor(inputs, result)
    for name, excess, unavoidable in category_floor(inputs, result, item_comp):
        print(
            f"  {name}: {excess} school(s) outside the floor/ceil counts, "
            f"{unavoidable} of them unavoidable within the clusters (at these sizes)"
        )
    for fb, low in zip(result.features, floor, strict=True):
        print(
            f"  {fb.name}: max deviation {fb.max_deviation_sd:.3f} SD "
            f"(geographic floor {low:.3f} SD)"
        )
    for c in result.constraints:
        print(f"  {c.name}: {'ok' if c.holds else 'BROKEN'} ({c.detail})")
    for note in result.notes:
        print(f"  note: {note}")

    t3 = time.perf_counter()
    panel = BalancePanel(
        features=inputs.features,
        feature_names=inputs.feature_names,
        categories=inputs.categories,
        category_names=inputs.category_names,
        category_levels=inputs.category_levels,
        labels=result.labels,
        k=k,
        leads=result.leads,
        coords=inputs.coords,
        max_km=inputs.max_km,
        item_names=[u.code for u in units],
    )
    panel.summary()
    t4 = time.perf_counter()
    free = np.setdiff1d(np.arange(n), result.leads)
    times, checks, refused = [], [], 0
    for item in rng.choice(free, size=50, replace=False):
        to = int(rng.integers(0, k))
        s = time.perf_counter()
        breaches = panel.check_move(int(item), to)
        checks.append(time.perf_counter() - s)
        if breaches:
            refused += 1
            # a legal move for the timing: another group whose lead is within reach
            km = panel.km_to_lead
            to = next(
                (
                    g
                    for g in range(k)
                    if g != panel.labels[item] and (km(int(item), g) or 0) <= args.km
                ),
                int(panel.labels[item]),
            )
        s = time.perf_counter()
        panel.move(int(item), to)
        panel.summary()
        times.append(time.perf_counter() - s)
    print(f"panel build     {1000 * (t4 - t3):8.1f} ms")
    print(
        f"check_move      {1000 * np.median(checks):8.2f} ms median, "
        f"{1000 * max(checks):.2f} ms max (50 moves, {refused} refused)"
    )
    print(
        f"move + panel    {1000 * np.median(times):8.1f} ms median, "
        f"{1000 * max(times):.1f} ms max (50 moves)"
    )


def category_floor(inputs, result, item_comp):
    """Per category: the count excess over floor/ceil, and the part no partition can avoid."""
    from shidian.engine.grouping.spec import category_bounds

    if inputs.categories is None:
        return []
    labels = result.labels
    k = len(result.leads)
    sizes = np.bincount(labels, minlength=k)
    group_comp = np.zeros(k, dtype=np.int64)
    group_comp[labels] = item_comp
    out = []
    for t, name in enumerate(inputs.category_names):
        codes = inputs.categories[:, t]
        lv = int(codes.max()) + 1
        cnt = np.zeros((k, lv), dtype=np.int64)
        np.add.at(cnt, (labels, codes), 1)
        lo, hi = category_bounds(np.bincount(codes, minlength=lv), sizes, len(labels))
        excess = int((np.maximum(cnt - hi, 0) + np.maximum(lo - cnt, 0)).sum())
        unavoidable = 0
        for c in np.unique(group_comp):
            gs = group_comp == c
            have = cnt[gs].sum(axis=0)
            unavoidable += int(
                (
                    np.maximum(have - hi[gs].sum(axis=0), 0)
                    + np.maximum(lo[gs].sum(axis=0) - have, 0)
                ).sum()
            )
        out.append((name, excess, unavoidable))
    return out


def geographic_floor(inputs, result):
    """Per feature: the largest deviation (SD) of a cluster of communities sharing schools."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from shidian.engine.grouping.prepare import haversine_km

    x = inputs.features
    if inputs.coords is None or inputs.max_km is None:
        return [0.0] * x.shape[1], np.zeros(len(x), dtype=np.int64)
    c = inputs.coords
    leads = result.leads
    km = haversine_km(c[:, :1], c[:, 1:2], c[leads, 0][None, :], c[leads, 1][None, :])
    reach = km <= inputs.max_km  # (N, K)
    reach[leads, np.arange(len(leads))] = True
    rows, cols = np.nonzero(reach)
    first = np.argmax(reach, axis=1)
    k = len(leads)
    graph = coo_matrix((np.ones(rows.size), (first[rows], cols)), shape=(k, k))
    _, comp = connected_components(graph, directed=False)
    item_comp = comp[first]
    mu, sd = x.mean(axis=0), x.std(axis=0, ddof=1)
    out = []
    for col in range(x.shape[1]):
        dev = [abs(x[item_comp == g, col].mean() - mu[col]) / sd[col] for g in np.unique(comp)]
        out.append(float(max(dev)) if sd[col] > 0 else 0.0)
    return out, item_comp


if __name__ == "__main__":
    main()
