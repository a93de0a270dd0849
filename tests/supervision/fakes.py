"""Fakes of the two contracts the league table reads (plans' completion, reports' timeliness),
so these tests run whether or not the real ones are on main. Per month ("YYYY-MM" of as_of /
start) a dict unit_id -> figures; a unit absent from a month has no plan / no report due."""

from __future__ import annotations

from dataclasses import dataclass, field

from shidian.apps.plans.progress import UnitCompletion
from shidian.apps.reports.completeness import UnitTimeliness


@dataclass
class FakeInputs:
    plans: dict[str, dict[int, UnitCompletion]] = field(default_factory=dict)
    reports: dict[str, dict[int, UnitTimeliness]] = field(default_factory=dict)
    calls: list = field(default_factory=list)

    def install(self, monkeypatch) -> None:
        monkeypatch.setattr("shidian.apps.plans.progress.completion_for", self.completion_for)
        monkeypatch.setattr("shidian.apps.reports.completeness.timeliness_for", self.timeliness_for)

    def completion_for(self, programme, *, as_of, unit_ids=None):
        self.calls.append(("plans", as_of))
        found = self.plans.get(f"{as_of.year}-{as_of.month:02d}", {})
        return {u: c for u, c in found.items() if unit_ids is None or u in set(unit_ids)}

    def timeliness_for(self, programme, *, start, end, unit_ids=None):
        self.calls.append(("reports", start, end))
        found = self.reports.get(f"{start.year}-{start.month:02d}", {})
        return {u: t for u, t in found.items() if unit_ids is None or u in set(unit_ids)}

    def month(
        self,
        month: str,
        units,
        *,
        rates,
        scheduled=0.5,
        on_time=None,
        late_tasks=None,
        missing=None,
        goal=None,
    ) -> None:
        """Set ``month``'s figures: ``rates`` one per unit (None: no plan), reports on time
        (1 of 1 by default), late tasks and missing reports per unit (default 0)."""
        self.plans[month] = {}
        self.reports[month] = {}
        for i, (unit, rate) in enumerate(zip(units, rates, strict=True)):
            if rate is not None:
                self.plans[month][unit.pk] = UnitCompletion(
                    unit_id=unit.pk,
                    rate=rate,
                    scheduled=scheduled,
                    behind=rate < scheduled,
                    tasks=10,
                    late_tasks=(late_tasks or {}).get(unit.code, 0),
                    weighting="count",
                    goal_progress=(goal or {}).get(unit.code, rate),
                )
            gone = (missing or {}).get(unit.code, 0)
            good = 1 if on_time is None else on_time[i]
            self.reports[month][unit.pk] = UnitTimeliness(
                unit_id=unit.pk, expected=1 + gone, on_time=good, late=1 - good, missing=gone
            )
