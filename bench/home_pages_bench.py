"""Home pages for a county of 7,167 schools: what each role sees first, timed.

    python bench/home_pages_bench.py [--database-url URL] [--runs 30]

Builds (or reuses, in --workdir) the population and the 100-item campaign of
campaign_ingest_bench.py, spreads the sheets over every status, moves the deadline to tomorrow
(so a zone has schools behind), gives an expert a grant on the whole campaign (7,167
assignments) and a school coordinator two open tasks. Then it times GET / for a school, a zone,
the office, the leading group and the expert with Django's test client (warm: one untimed
request first), median and p95 of --runs requests.

Baseline in the same run: the same pages with the to-do providers and home cards switched off
(the home page as it was before them), so the ratio is the cost of "what to do next".
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from campaign_ingest_bench import ensure_campaign, ensure_population, setup_django  # noqa: E402
from campaign_pages_bench import spread_statuses  # noqa: E402


def personas(county, campaign) -> dict:
    from django.utils import timezone

    from shidian.apps.accounts.models import User
    from shidian.apps.core.access import GrantRole
    from shidian.apps.core.models import Grant, target_label
    from shidian.apps.orgs.models import Level, OrgUnit

    zone = OrgUnit.objects.subtree(county).filter(level=Level.ZONE).order_by("path").first()
    school = OrgUnit.objects.subtree(zone).filter(level=Level.SCHOOL).order_by("path").first()
    made = {}
    for name, unit, role in (
        ("school", school, "coordinator"),
        ("zone", zone, "zone"),
        ("office", county, "office"),
        ("leader", county, "leading_group"),
        ("expert", county, "expert"),
    ):
        made[name], _ = User.objects.get_or_create(
            username=f"bench-home-{name}", defaults={"unit": unit, "role": role}
        )
    Grant.objects.get_or_create(
        user=made["expert"],
        role=GrantRole.EXPERT,
        target_type=target_label(campaign),
        target_id=campaign.pk,
        defaults={"owner_unit": county},
    )
    campaign.deadline = timezone.now() + timedelta(days=1)
    campaign.save(update_fields=["deadline"])
    campaign.sheets.filter(unit=school).update(status="returned", return_note="请补充佐证材料")
    return made


def time_home(users: dict, runs: int) -> dict[str, tuple[float, float]]:
    from django.test import Client

    results = {}
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        response = client.get("/")
        assert response.status_code == 200, (name, response.status_code)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get("/")
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        results[name] = (statistics.median(times), times[max(int(0.95 * runs) - 1, 0)])
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=7167)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--workdir", default="/tmp/shidian-home-bench")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("STATIC_MANIFEST", "0")  # no collectstatic needed for the test client
    setup_django(Path(args.workdir), args.database_url)
    from django.db import connection

    from shidian.apps.core import home_sections, todos

    county = ensure_population(args.units)
    campaign = ensure_campaign(county, args.items)
    spread_statuses(campaign)
    users = personas(county, campaign)
    print(f"database: {connection.vendor}; schools: {args.units}; runs: {args.runs}")
    with_todos = time_home(users, args.runs)
    saved = (list(todos._PROVIDERS), list(home_sections._SECTIONS))
    todos._PROVIDERS.clear()
    home_sections._SECTIONS.clear()
    baseline = time_home(users, args.runs)
    todos._PROVIDERS.extend(saved[0])
    home_sections._SECTIONS.extend(saved[1])
    print(f"{'home page':<14}{'median ms':>11}{'p95 ms':>9}{'baseline ms':>13}{'ratio':>7}")
    for name, (median, p95) in with_todos.items():
        base = baseline[name][0]
        print(f"{name:<14}{median:>11.1f}{p95:>9.1f}{base:>13.1f}{median / base:>7.2f}")


if __name__ == "__main__":
    main()
