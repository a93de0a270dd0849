"""The board of a formation's draft: the balance panel per community, ready for the template.

Read-only. ``board_figures(formation, panel, inputs)`` turns the engine's ``BalancePanel`` into
the summary (per feature: overall mean, largest deviation and where; per category level: the
range of counts over communities against the ideal) and one entry per community (size, lead,
feature means with their deviation in SDs, category counts with display labels, each member's
distance to the lead). Every printed figure also goes into ``figures`` under a stable key, so a
move can mark exactly what it changed on screen (``previous``: the figures before the move).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.template.defaultfilters import floatformat

from shidian.apps.formations.models import Formation
from shidian.engine.grouping.panel import BalancePanel
from shidian.engine.grouping.spec import category_bounds


def _num(value: float | None, places: int) -> str:
    # Django's floatformat (half up), as the rest of the pages print numbers
    return "—" if value is None or value != value else str(floatformat(value, places))


def _signed(value: float | None) -> str:
    if value is None or value != value:
        return "—"
    text = str(floatformat(abs(value), 2))
    if text.strip("0.") == "":
        return text
    return ("+" if value > 0 else "−") + text


def level_labels(formation: Formation, levels: list[list[str]]) -> list[list[str]]:
    """Display labels of each category's level codes: 城区/镇区/乡村 for locality (the
    set-up form's choices), the zone's name for a zone id; "—" for a school without one."""
    from shidian.apps.orgs.models import Locality, OrgUnit

    cats = (formation.params or {}).get("categories") or []
    locality = {str(v): str(label) for v, label in Locality.choices}
    zone_ids = [int(v) for c, lv in zip(cats, levels, strict=False) if c == "zone" for v in lv if v]
    zones = OrgUnit.objects.in_bulk(zone_ids)  # scoping: ok zones of the formation's own schools
    out = []
    for c, lv in zip(cats, levels, strict=False):
        if c == "locality":
            out.append([locality.get(v, v) if v else "—" for v in lv])
        elif c == "zone":
            out.append([zones[int(v)].name if v and int(v) in zones else (v or "—") for v in lv])
        else:
            out.append([v or "—" for v in lv])
    return out


def board_figures(
    formation: Formation,
    panel: BalancePanel,
    inputs: Any,
    *,
    labels_of_levels: list[list[str]] | None = None,
    previous: dict[str, str] | None = None,
    touched: tuple[int, ...] = (),
    moved_unit: int | None = None,
) -> dict[str, Any]:
    """The summary, the communities and the flat ``figures`` of the panel's current state."""
    s = panel.summary()
    k, n = panel.k, panel.n
    sizes = np.asarray(s.sizes)
    level_names = (
        labels_of_levels
        if labels_of_levels is not None
        else level_labels(formation, panel.category_levels)
    )
    max_km = inputs.max_km
    figures: dict[str, str] = {}

    def cell(key: str, text: str, **extra: Any) -> dict[str, Any]:
        figures[key] = text
        changed = previous is not None and previous.get(key) != text
        return {"text": text, "changed": changed, **extra}

    groups: list[dict[str, Any]] = [
        {"number": g + 1, "index": g, "lead": None, "members": [], "touched": g in touched}
        for g in range(k)
    ]
    for i, unit in enumerate(inputs.units):
        km = s.lead_km[i]
        groups[int(panel.labels[i])]["members"].append(
            {
                "unit": unit,
                "item": i,
                "km_value": None if km != km else float(km),
                "is_lead": bool(panel.lead_of_item[i] >= 0),
                "moved": unit.pk == moved_unit,
            }
        )
    for g in groups:
        members = g["members"]
        members.sort(key=lambda r: (not r["is_lead"], r["unit"].code))
        far = max((r["km_value"] for r in members if r["km_value"] is not None), default=None)
        for r in members:
            if r["is_lead"]:
                g["lead"] = r["unit"]
            r["km"] = cell(f"km:{r['unit'].pk}", _num(r["km_value"], 1))
            r["is_far"] = far is not None and r["km_value"] == far and not r["is_lead"]
            r["over"] = (
                max_km is not None and r["km_value"] is not None and (r["km_value"] > max_km + 1e-6)
            )
        g["size"] = cell(f"size:{g['index']}", str(len(members)))
        g["far"] = cell(
            f"far:{g['index']}",
            _num(far, 1),
            over=bool(max_km is not None and far is not None and far > max_km + 1e-6),
        )
        g["features"] = []
        g["categories"] = []

    features = []
    for j, f in enumerate(s.features):
        means = np.asarray(f.group_means, dtype=float)
        devs = (means - f.mean) / f.sd if f.sd > 0 else np.zeros(k)
        devs = np.where(sizes > 0, devs, np.nan)
        worst = int(np.nanargmax(np.abs(devs))) if k and not np.all(np.isnan(devs)) else None
        for g in groups:
            gi = g["index"]
            g["features"].append(
                {
                    "name": f.name,
                    "mean": cell(f"mean:{j}:{gi}", _num(means[gi], 1)),
                    "dev": cell(f"dev:{j}:{gi}", _signed(devs[gi])),
                    "worst": gi == worst and f.sd > 0,
                }
            )
        features.append(
            {
                "name": f.name,
                "mean": cell(f"sum-mean:{j}", _num(f.mean, 1)),
                "sd": _num(f.sd, 1),
                "max_dev": cell(f"sum-dev:{j}", _num(f.max_deviation_sd, 2)),
                "worst": cell(f"sum-worst:{j}", "—" if worst is None else str(worst + 1)),
            }
        )

    categories = []
    for t, c in enumerate(s.categories):
        counts = np.asarray(c["counts"], dtype=np.int64).reshape(k, -1)
        totals = counts.sum(axis=0)
        lo, hi = category_bounds(totals, sizes, max(n, 1))
        names = level_names[t] if t < len(level_names) else c["levels"]
        levels = []
        for lv, label in enumerate(names):
            col = counts[:, lv]
            off = int(np.sum((col < lo[:, lv]) | (col > hi[:, lv])))
            levels.append(
                {
                    "label": label,
                    "total": int(totals[lv]),
                    "range": cell(f"cat-range:{t}:{lv}", f"{int(col.min())}–{int(col.max())}"),
                    # a community's ideal is its share of the level: floor..ceil of size x share
                    "ideal": _num(float(totals[lv]) / k if k else 0.0, 1),
                    "bounds": f"{int(lo[:, lv].min())}–{int(hi[:, lv].max())}",
                    "off": cell(f"cat-off:{t}:{lv}", str(off)),
                    "off_count": off,
                }
            )
        categories.append({"name": c["name"], "levels": levels})
        for g in groups:
            gi = g["index"]
            g["categories"].append(
                {
                    "name": c["name"],
                    "levels": [
                        {
                            "label": names[lv],
                            "count": cell(f"cat:{t}:{lv}:{gi}", str(int(counts[gi, lv]))),
                            "off": not lo[gi, lv] <= counts[gi, lv] <= hi[gi, lv],
                        }
                        for lv in range(counts.shape[1])
                    ],
                }
            )

    worst_km = cell("worst-km", _num(s.worst_km, 1))
    over_km = sum(1 for g in groups for r in g["members"] if r["over"])
    return {
        "groups": groups,
        "summary": {
            "features": features,
            "categories": categories,
            "worst_km": worst_km if s.worst_km is not None else None,
            "max_km": max_km,
            "over_km": over_km,
        },
        "figures": figures,
        "changed_count": sum(
            1 for key in figures if previous is not None and (previous.get(key) != figures[key])
        ),
    }


def draft_state(formation: Formation) -> dict[str, Any] | None:
    """The draft's printed figures and each unit's community, taken before a move so that the
    board after it can mark what changed (None without a draft)."""
    from shidian.apps.formations.services import panel_of

    if not formation.draft:
        return None
    panel, inputs = panel_of(formation)
    figures = board_figures(formation, panel, inputs)["figures"]
    labels = {u.pk: int(panel.labels[i]) for i, u in enumerate(inputs.units)}
    return {"figures": figures, "labels": labels}
