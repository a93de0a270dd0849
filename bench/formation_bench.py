"""Formation benchmark: 80 communities from 7,167 synthetic schools, 30 km, 5 features.

Same code path as the ``formations.form`` Run: ``services.Inputs`` builds the GroupingSpec from
(unsaved) OrgUnit rows, ``engine.grouping.group_items`` solves it; then the move panel
(``BalancePanel.move`` + ``summary``) is timed. Run:

    PYTHONPATH=src DJANGO_SETTINGS_MODULE=shidian.config.settings .venv/bin/python \
        bench/formation_bench.py [--n 7167] [--k 80]
"""

from __future__ import annotations

import argparse
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
        "--categories",
        action="store_true",
        help="also balance locality and zone (at this scale with 30 km: no simple start)",
    )
    args = ap.parse_args()
    django.setup()
    from shidian.apps.formations.models import Formation
    from shidian.apps.formations.services import Inputs, clean_params
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
    for i in range(n):
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
                "features": ["students", "teachers", "classes"],
                "size_min": 40,
                "size_max": 140,
                "categories": ["locality", "zone"] if args.categories else [],
                "lead_codes": leads,
                "max_km": args.km,
            }
        ),
    )
    t0 = time.perf_counter()
    inputs = Inputs(f, units=units)
    spec = inputs.spec(f)
    spec.time_limit = args.time_limit
    t1 = time.perf_counter()
    try:
        result = group_items(spec)
    except InfeasibleError as exc:
        print(f"engine refused after {time.perf_counter() - t1:.2f} s: {exc}")
        print("retrying without the distance limit (leads and features kept)")
        f.params["max_km"] = None
        inputs = Inputs(f, units=units)
        spec = inputs.spec(f)
        spec.time_limit = args.time_limit
        t1 = time.perf_counter()
        result = group_items(spec)
    t2 = time.perf_counter()
    print(
        f"schools {n}, communities {k}, max_km {f.params['max_km']}, 3 numeric features "
        f"(+2 categories: {args.categories}), sizes 40..140"
    )
    print(f"spec building   {1000 * (t1 - t0):8.1f} ms")
    print(f"engine          {t2 - t1:8.2f} s  (method {result.method})")
    for fb in result.features:
        print(f"  {fb.name}: max deviation {fb.max_deviation_sd:.3f} SD")
    for c in result.constraints:
        print(f"  {c.name}: {'ok' if c.holds else 'BROKEN'} ({c.detail})")

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
    times = []
    for item in rng.choice(free, size=50, replace=False):
        s = time.perf_counter()
        panel.move(int(item), int(rng.integers(0, k)))
        panel.summary()
        times.append(time.perf_counter() - s)
    print(f"panel build     {1000 * (t4 - t3):8.1f} ms")
    print(
        f"move + panel    {1000 * np.median(times):8.1f} ms median, "
        f"{1000 * max(times):.1f} ms max (50 moves)"
    )


if __name__ == "__main__":
    main()
