"""The monthly bulletin for a batch of 7,167 pilots: league table -> bulletin .docx, timed.

    python bench/bulletin_bench.py [--database-url URL] [--workdir DIR] [--runs 3]

Builds (or reuses, in --workdir) the 7,167-school county of campaign_ingest_bench.py, a
programme over it with every school a pilot of batch 1 (set directly with one UPDATE: the
participation moves are not what is measured), and fake plan/report figures (the contracts'
dataclasses, seeded). Times league_compute and league_publish once (the first publish opens
the 督办 cases), then bulletin_generate (the documents app's generation: data, docgen, the
stored .docx; the PDF run is switched off) --runs times, printing the median.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from campaign_ingest_bench import ensure_population, setup_django  # noqa: E402

N_UNITS = 7167
NAME = "基准县智慧校园创建（通报基准）"
MONTH = "2026-05"


def ensure_programme(county):
    from shidian.apps.programmes.models import Participation, Programme
    from shidian.apps.programmes.services import CycleInput, programme_create

    programme = Programme.objects.filter(name=NAME).first()
    if programme is None:
        programme = programme_create(
            by=None,
            unit=county,
            name=NAME,
            start_year=2026,
            end_year=2028,
            scope_root=county,
            scope_levels=["school"],
            cycles=[CycleInput(2026, N_UNITS), CycleInput(2027, 1), CycleInput(2028, 1)],
        )
    batch1 = programme.cycles.get(number=1)
    Participation.objects.filter(programme=programme).update(state="pilot", batch=batch1)
    return programme, batch1


def install_fakes(unit_ids: list[int]) -> None:
    import shidian.apps.documents.services as documents
    import shidian.apps.plans.progress as plans
    import shidian.apps.reports.completeness as reports
    from shidian.apps.plans.progress import UnitCompletion
    from shidian.apps.reports.completeness import UnitTimeliness

    rng = random.Random(12)
    plan = {}
    report = {}
    for u in unit_ids:
        rate = rng.random()
        plan[u] = UnitCompletion(
            unit_id=u,
            rate=rate,
            scheduled=0.42,
            behind=rate < 0.42,
            tasks=20,
            late_tasks=rng.choice([0, 0, 0, 1, 3]),
            weighting="count",
            goal_progress=rng.random(),
        )
        on_time = rng.choice([0, 1, 1, 1])
        report[u] = UnitTimeliness(
            unit_id=u, expected=1, on_time=on_time, late=1 - on_time, missing=0
        )
    plans.completion_for = lambda programme, *, as_of, unit_ids=None: plan
    reports.timeliness_for = lambda programme, *, start, end, unit_ids=None: report
    documents.pdf_available = lambda: False  # the .docx is measured; the PDF is a Run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--workdir", default="var/bench-bulletin")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_django(Path(args.workdir), args.database_url)

    from shidian.apps.accounts.models import User
    from shidian.apps.supervision.models import LeagueTable, SupervisionCase
    from shidian.apps.supervision.services import bulletin_generate, league_compute, league_publish

    county = ensure_population(N_UNITS)
    programme, batch1 = ensure_programme(county)
    office, _ = User.objects.get_or_create(
        username="bench-bulletin-office", defaults={"unit": county, "role": "office"}
    )
    from shidian.apps.programmes.models import Participation

    ids = list(
        Participation.objects.filter(programme=programme, batch=batch1).values_list(
            "unit_id", flat=True
        )
    )
    install_fakes(ids)
    # Start clean each run, so compute and the first publish are timed every time.
    LeagueTable.objects.filter(programme=programme).delete()
    SupervisionCase.objects.filter(programme=programme).delete()
    t = time.perf_counter()
    table = league_compute(programme=programme, cycle=batch1, month=MONTH, by=office)
    compute_s = time.perf_counter() - t
    t = time.perf_counter()
    league_publish(table=table, by=office)
    publish_s = time.perf_counter() - t
    print(f"league_compute ({len(ids)} units): {compute_s:.2f} s")
    print(f"league_publish (first month, opens the cases): {publish_s:.2f} s")
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        document = bulletin_generate(table=table, by=office)
        times.append(time.perf_counter() - t)
    size = document.docx.size
    print(
        f"bulletin_generate ({len(ids)} units, docx {size / 1024:.0f} KiB): "
        f"median {statistics.median(times):.2f} s of {args.runs} "
        f"({', '.join(f'{x:.2f}' for x in times)})"
    )


if __name__ == "__main__":
    main()
