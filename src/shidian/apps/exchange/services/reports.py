"""Report values (定期报告数据): one row per unit, form, period and field.

Keys: ``unit`` (the unit's code), ``form`` (the report form's id, as in its page address),
``period`` (the period key: 2026-W09, 2026-03, 2026-Q1, 2026-S2, 2026), ``field`` (the field
code), and ``value`` as the fill page takes it (a number, a percentage, 是/否 or 1/0, a choice
label, a text, ``na`` for "not applicable"). The value is written into the unit's report of
that period (its Submission) through the submission services, cleaned by the form's own
field rules; the values a unit submitted are what the indexed figures read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError

from shidian.apps.core.access import VIEW
from shidian.apps.exchange.services.apply import Cell, Progress, import_cells
from shidian.apps.exchange.services.common import (
    int_key,
    keyed_rows,
    number_text,
    subtree_filter,
    visible_units,
)
from shidian.apps.exchange.summary import REJECTED, Summary
from shidian.apps.reports.kind import KIND, NA, clean_field
from shidian.apps.reports.models import ReportField, ReportForm, ReportPeriod
from shidian.apps.submissions.models import Submission

AREA = "reports"
KEYS = ("unit", "form", "period", "field")
COLUMNS = (*KEYS, "value")
EXPORT_COLUMNS = (*COLUMNS, "status")


def _visible_submissions(user):
    return Submission.objects.restrict(user, VIEW).filter(round__kind=KIND)


def report_values_import(
    *,
    user,
    rows: list[dict[str, Any]],
    strategy: str,
    dry_run: bool,
    progress: Progress | None = None,
) -> Summary:
    summary = Summary(strategy=strategy, dry_run=dry_run)
    keyed = keyed_rows(rows, KEYS, summary)
    units = visible_units(user, {k[0] for _i, k, _v in keyed})
    form_ids = {f for _i, k, _v in keyed if (f := int_key(k[1])) is not None}
    period_keys = sorted({k[2] for _i, k, _v in keyed})
    subs = (
        _visible_submissions(user)
        .filter(
            round__report_period__form_id__in=form_ids,
            round__report_period__key__in=period_keys,
            unit__in=list(units.values()),
        )
        .select_related("round__report_period")
        .defer("comments", "scores", "dimension_scores")
    )
    # One round object per period, so the kind's cached fields serve all its reports.
    rounds: dict[int, Any] = {}
    by_key: dict[tuple[str, int, str], Submission] = {}
    codes = {u.pk: u.code for u in units.values()}
    for sub in subs.iterator(chunk_size=2000):
        sub.round = rounds.setdefault(sub.round_id, sub.round)
        period = sub.round.report_period
        by_key[(codes[sub.unit_id], period.form_id, period.key)] = sub
    # Forms the user sees as their office, or through a report of theirs.
    seen_forms = set(
        ReportForm.objects.restrict(user, VIEW).filter(pk__in=form_ids).values_list("pk", flat=True)
    ) | {r.report_period.form_id for r in rounds.values()}
    periods = set(
        ReportPeriod.objects.filter(form_id__in=seen_forms).values_list(  # scoping: ok seen
            "form_id", "key"
        )
    )
    fields = {
        (f.form_id, f.code): f
        for f in ReportField.objects.filter(form_id__in=seen_forms)  # scoping: ok seen forms
    }
    cells = []
    for index, (unit_code, form_key, period_key, code), raw in keyed:
        form_id = int_key(form_key)
        if unit_code not in units:
            summary.add(REJECTED, index, "unit_out_of_scope")
        elif form_id not in seen_forms:
            summary.add(REJECTED, index, "form_not_found")
        elif (form_id, period_key) not in periods:
            summary.add(REJECTED, index, "period_not_found")
        elif (form_id, code) not in fields:
            summary.add(REJECTED, index, "field_not_found")
        elif (unit_code, form_id, period_key) not in by_key:
            summary.add(REJECTED, index, "not_expected")
        else:
            try:
                value = clean_field(fields[(form_id, code)], raw)
            except ValidationError as exc:
                summary.add(REJECTED, index, "invalid_value", " ".join(exc.messages))
                continue
            if value is None:
                summary.add(REJECTED, index, "blank_value")
                continue
            cells.append(Cell(index, by_key[(unit_code, form_id, period_key)], code, value))
    return import_cells(
        user=user, cells=cells, summary=summary, area=AREA, progress=progress, total=len(rows)
    )


def value_text(answer: Any) -> str:
    """An answer as the import takes it back unchanged (yes/no is stored as 1/0)."""
    return NA if answer == NA else number_text(answer)


def report_values_export(
    *,
    user,
    form_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    unit_code: str = "",
) -> Iterator[dict[str, Any]]:
    """Every stored answer of the reports the user sees (drafts too, with their status), by
    form, period, unit and the form's field order."""
    subs = _visible_submissions(user).exclude(answers={})
    if form_id is not None:
        subs = subs.filter(round__report_period__form_id=form_id)
    if start is not None:
        subs = subs.filter(round__report_period__starts_on__gte=start)
    if end is not None:
        subs = subs.filter(round__report_period__ends_on__lte=end)
    if unit_code:
        lookup = subtree_filter(user, unit_code)
        if lookup is None:
            return
        subs = subs.filter(**lookup)
    subs = subs.order_by(
        "round__report_period__form_id", "round__report_period__starts_on", "unit__code"
    ).values_list(
        "unit__code",
        "round__report_period__form_id",
        "round__report_period__key",
        "answers",
        "status",
    )
    positions: dict[int, dict[str, int]] = {}
    for unit, form, period, answers, status in subs.iterator(chunk_size=2000):
        if form not in positions:
            found = ReportField.objects.filter(form_id=form)  # scoping: ok form seen above
            codes = found.order_by("order", "pk").values_list("code", flat=True)
            positions[form] = {code: i for i, code in enumerate(codes)}
        position = positions[form]
        for code in sorted(answers, key=lambda c: (position.get(c, len(position)), c)):
            yield {
                "unit": unit,
                "form": form,
                "period": period,
                "field": code,
                "value": value_text(answers[code]),
                "status": status,
            }
