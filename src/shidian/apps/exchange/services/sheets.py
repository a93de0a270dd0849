"""Self-assessment sheet answers (自查赋分填报): one row per unit, campaign and scoring item.

Keys: ``unit`` (the unit's code), ``campaign`` (the campaign's id, as in its page address),
``item`` (the scoring item's code in the campaign's standard version), and ``value`` as the
sheet takes it: a level (A-D), a score, 是/否, a number, or for a ratio item
``numerator/denominator`` (``9/10``). Each answer is cleaned and scored by the same
``campaigns.sheets.clean_answer`` as the sheet page and the workbook upload.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError

from shidian.apps.campaigns.models import KIND, Campaign, Sheet
from shidian.apps.campaigns.sheets import clean_answer
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
from shidian.apps.standards.models import StandardVersion
from shidian.engine.scoring import Method

AREA = "campaigns"
KEYS = ("unit", "campaign", "item")
COLUMNS = (*KEYS, "value")
EXPORT_COLUMNS = (*COLUMNS, "status")


def raw_answer(item, raw: Any) -> dict | None:
    """The sheet's answer shape from one cell."""
    if isinstance(raw, dict):
        return raw
    if item.method == Method.RATIO:
        if raw is None or str(raw).strip() == "":
            return None
        numerator, _sep, denominator = str(raw).partition("/")
        return {"numerator": numerator.strip(), "denominator": denominator.strip()}
    return {"value": raw}


def answer_text(answer: dict) -> str:
    if "numerator" in answer:
        return f"{number_text(answer.get('numerator'))}/{number_text(answer.get('denominator'))}"
    return number_text(answer.get("value"))


def sheet_answers_import(
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
    campaign_ids = {c for _i, k, _v in keyed if (c := int_key(k[1])) is not None}
    sheets = (
        Sheet.objects.restrict(user, VIEW)
        .filter(round_id__in=campaign_ids, unit__in=list(units.values()))
        .select_related("round__version")
        .defer("comments", "scores", "dimension_scores")
    )
    rounds: dict[int, Any] = {}
    by_key: dict[tuple[str, int], Sheet] = {}
    codes = {u.pk: u.code for u in units.values()}
    for sheet in sheets.iterator(chunk_size=2000):
        sheet.round = rounds.setdefault(sheet.round_id, sheet.round)
        by_key[(codes[sheet.unit_id], sheet.round_id)] = sheet
    seen = Campaign.objects.restrict(user, VIEW).filter(pk__in=campaign_ids)
    campaigns = {c.pk: c for c in seen.select_related("version")} | rounds
    items = {
        pk: {item.code: item for item in c.version.as_standard().items()}
        for pk, c in campaigns.items()
        if c.kind == KIND and c.version_id
    }
    cells = []
    for index, (unit_code, campaign_key, code), raw in keyed:
        campaign_id = int_key(campaign_key)
        if unit_code not in units:
            summary.add(REJECTED, index, "unit_out_of_scope")
        elif campaign_id not in items:
            summary.add(REJECTED, index, "campaign_not_found")
        elif code not in items[campaign_id]:
            summary.add(REJECTED, index, "item_not_found")
        elif (unit_code, campaign_id) not in by_key:
            summary.add(REJECTED, index, "not_expected")
        else:
            item = items[campaign_id][code]
            try:
                value = clean_answer(item, raw_answer(item, raw))
            except ValidationError as exc:
                summary.add(REJECTED, index, "invalid_value", " ".join(exc.messages))
                continue
            if value is None:
                summary.add(REJECTED, index, "blank_value")
                continue
            cells.append(Cell(index, by_key[(unit_code, campaign_id)], code, value))
    return import_cells(
        user=user, cells=cells, summary=summary, area=AREA, progress=progress, total=len(rows)
    )


def sheet_answers_export(
    *, user, campaign_id: int | None = None, unit_code: str = ""
) -> Iterator[dict[str, Any]]:
    """Every stored answer of the sheets the user sees (drafts too, with their status), by
    campaign, unit and the standard's item order."""
    sheets = Sheet.objects.restrict(user, VIEW).exclude(answers={})
    if campaign_id is not None:
        sheets = sheets.filter(round_id=campaign_id)
    if unit_code:
        lookup = subtree_filter(user, unit_code)
        if lookup is None:
            return
        sheets = sheets.filter(**lookup)
    rows = sheets.order_by("round_id", "unit__code").values_list(
        "unit__code", "round_id", "round__version_id", "answers", "status"
    )
    positions: dict[int, dict[str, int]] = {}
    for unit, campaign, version_id, answers, status in rows.iterator(chunk_size=2000):
        if campaign not in positions:
            version = StandardVersion.objects.get(pk=version_id)  # scoping: ok the sheet's
            items = version.as_standard().items()
            positions[campaign] = {item.code: i for i, item in enumerate(items)}
        position = positions[campaign]
        for code in sorted(answers, key=lambda c: (position.get(c, len(position)), c)):
            yield {
                "unit": unit,
                "campaign": campaign,
                "item": code,
                "value": answer_text(answers[code]),
                "status": status,
            }
