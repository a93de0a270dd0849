"""What a formation groups and how: its set-up (params), its schools, and the engine's arrays.

``clean_params`` normalises the set-up; ``units_of`` lists the schools; ``self_totals`` reads
their latest accepted self-assessment totals; ``Inputs`` turns them into the GroupingSpec and
the balance panel's arrays. Reads only: the writes are in services.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.formations.models import Formation
from shidian.engine.grouping import GroupingSpec

FEATURES = {
    "self_total": gettext_lazy("自评总分"),
    "students": gettext_lazy("学生数"),
    "teachers": gettext_lazy("教师数"),
    "classes": gettext_lazy("班级数"),
}
SELF_TOTAL = "self_total"  # the unit's latest accepted self-assessment total (自查赋分)
LEAD_RULES = {
    "students": gettext_lazy("学生数最多"),
    SELF_TOTAL: gettext_lazy("自评总分最高"),
}
CATEGORIES = {
    "locality": gettext_lazy("城乡"),
    "zone": gettext_lazy("片区"),
}


def clean_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Normalise the set-up; ValidationError for shapes no run can use."""
    p = dict(raw or {})
    out: dict[str, Any] = {
        "school_types": [str(s) for s in p.get("school_types") or []],
        "localities": [str(s) for s in p.get("localities") or []],
        "states": [str(s) for s in p.get("states") or []],
        "features": [f for f in p.get("features") or ["students"] if f in FEATURES],
        "categories": [c for c in p.get("categories") or [] if c in CATEGORIES],
        "lead_codes": [str(c).strip() for c in p.get("lead_codes") or [] if str(c).strip()],
        "apart": [list(map(str, pr)) for pr in p.get("apart") or []],
        "together": [list(map(str, pr)) for pr in p.get("together") or []],
        "seed": int(p.get("seed") or 0),
        "lead_by": p.get("lead_by") if p.get("lead_by") in LEAD_RULES else "students",
    }
    for key in ("n_groups", "size_min", "size_max"):
        value = p.get(key)
        out[key] = int(value) if value not in (None, "") else None
    km = p.get("max_km")
    out["max_km"] = float(km) if km not in (None, "") else None
    if not out["n_groups"] or out["n_groups"] < 1:
        raise ValidationError(_("请填写要组建的共同体数量（至少 1 个）。"), code="n_groups")
    if out["max_km"] is not None and out["max_km"] <= 0:
        raise ValidationError(_("距离上限须为正数（公里）。"), code="max_km")
    for pair in out["apart"] + out["together"]:
        if len(pair) != 2:
            raise ValidationError(_("学校对须为两所学校的代码。"), code="pairs")
    return out


def units_of(formation: Formation):
    """The schools a formation groups (ordered by code)."""
    from shidian.apps.orgs.models import Level, OrgUnit

    p = formation.params or {}
    if formation.programme_id and p.get("states") is not None and formation.programme_id:
        from shidian.apps.programmes.models import Participation

        part = Participation.objects.filter(programme_id=formation.programme_id)  # scoping: ok
        if p.get("states"):
            part = part.filter(state__in=p["states"])
        qs = OrgUnit.objects.filter(pk__in=part.values("unit_id"))  # scoping: ok via formation
        qs = qs.filter(pk__in=OrgUnit.objects.subtree(formation.owner_unit).values("pk"))
    else:
        qs = OrgUnit.objects.subtree(formation.owner_unit)
    qs = qs.filter(level=Level.SCHOOL, is_active=True)
    if p.get("school_types"):
        qs = qs.filter(school_type__in=p["school_types"])
    if p.get("localities"):
        qs = qs.filter(locality__in=p["localities"])
    return list(qs.order_by("code"))


def self_totals(units: list, programme_id: int | None = None) -> dict[int, float]:
    """Unit id -> the total of its latest accepted self-assessment sheet (自查赋分).

    Latest by the round's deadline (then the sheet's submission); with a programme, only that
    programme's rounds count. Units without an accepted sheet are absent.
    """
    from shidian.apps.campaigns.models import Sheet, SheetStatus

    sheets = Sheet.objects.filter(  # scoping: ok the formation's own units, read for the engine
        unit_id__in=[u.pk for u in units], status=SheetStatus.ACCEPTED
    )
    if programme_id:
        sheets = sheets.filter(round__programme_id=programme_id)
    out: dict[int, float] = {}
    rows = sheets.order_by("unit_id", "-round__deadline", "-submitted_at", "-pk").values_list(
        "unit_id", "total"
    )
    for unit_id, total in rows:
        out.setdefault(unit_id, float(total))
    return out


class Inputs:
    """Arrays for the engine and the panel, built once from a formation's units.

    ``totals`` (unit id -> self-assessment total) may be given to skip the database (bench).
    """

    def __init__(
        self,
        formation: Formation,
        units: list | None = None,
        totals: dict[int, float] | None = None,
    ) -> None:
        p = formation.params or {}
        self.units = units if units is not None else units_of(formation)
        self.index = {u.pk: i for i, u in enumerate(self.units)}
        self.by_code = {u.code: i for i, u in enumerate(self.units)}
        feats = p.get("features") or ["students"]
        self.feature_names = [str(FEATURES[f]) for f in feats]
        self.totals: dict[int, float] = {}
        self.missing_totals: list = []  # units without an accepted sheet (precheck refuses)
        self._fill = 0.0
        if SELF_TOTAL in feats or p.get("lead_by") == SELF_TOTAL:
            self.totals = (
                totals if totals is not None else self_totals(self.units, formation.programme_id)
            )
            self.missing_totals = [u for u in self.units if u.pk not in self.totals]
            if self.totals:  # a sheet withdrawn after the run counts as average on the panel
                self._fill = float(np.mean(list(self.totals.values())))
        self.features = np.array(
            [[self._value(u, f) for f in feats] for u in self.units], dtype=float
        ).reshape(len(self.units), len(feats))
        cats = p.get("categories") or []
        self.category_names = [str(CATEGORIES[c]) for c in cats]
        self.category_levels: list[list[str]] = []
        cols = []
        for c in cats:
            values = [str(getattr(u, f"{c}_id" if c == "zone" else c) or "") for u in self.units]
            levels = sorted(set(values))
            self.category_levels.append(levels)
            pos = {v: j for j, v in enumerate(levels)}
            cols.append([pos[v] for v in values])
        self.categories = np.array(cols, dtype=np.int64).T if cols else None
        self.max_km = p.get("max_km")
        self.coords = None
        if self.max_km is not None:
            missing = [u for u in self.units if u.latitude is None or u.longitude is None]
            if missing:
                raise ValidationError(
                    _("设置了距离上限，但以下学校缺少经纬度：%(names)s。请补全坐标或取消距离上限。")
                    % {"names": "、".join(f"{u.name}（{u.code}）" for u in missing[:10])},
                    code="coords",
                )
            self.coords = np.array([[u.latitude, u.longitude] for u in self.units], dtype=float)
        self.apart = self._pairs(p.get("apart") or [])
        self.together = self._pairs(p.get("together") or [])

    def _value(self, unit, feature: str) -> float:
        if feature == SELF_TOTAL:
            return float(self.totals.get(unit.pk, self._fill))
        return float(getattr(unit, feature) or 0)

    def _pairs(self, pairs) -> list[tuple[int, int]]:
        out, unknown = [], []
        for a, b in pairs:
            if a not in self.by_code or b not in self.by_code:
                unknown += [c for c in (a, b) if c not in self.by_code]
                continue
            out.append((self.by_code[a], self.by_code[b]))
        if unknown:
            raise ValidationError(
                _("学校对中的代码不在本次组建范围内：%(codes)s")
                % {"codes": "、".join(sorted(set(unknown))[:10])},
                code="pairs",
            )
        return out

    def lead_mask(self, formation: Formation) -> np.ndarray:
        p = formation.params or {}
        k = int(p["n_groups"])
        mask = np.zeros(len(self.units), dtype=bool)
        codes = p.get("lead_codes") or []
        if codes:
            unknown = [c for c in codes if c not in self.by_code]
            if unknown:
                raise ValidationError(
                    _("牵头校代码不在本次组建范围内：%(codes)s")
                    % {"codes": "、".join(unknown[:10])},
                    code="leads",
                )
            mask[[self.by_code[c] for c in codes]] = True
        elif p.get("lead_by") == SELF_TOTAL:
            # the strongest by self-assessment; a unit without an accepted sheet ranks last
            score = np.array([self.totals.get(u.pk, -np.inf) for u in self.units])
            mask[np.argsort(-score, kind="stable")[:k]] = True
        else:
            students = np.array([u.students or 0 for u in self.units])
            mask[np.argsort(-students, kind="stable")[:k]] = True
        return mask

    def spec(self, formation: Formation) -> GroupingSpec:
        p = formation.params or {}
        return GroupingSpec(
            features=self.features,
            feature_names=self.feature_names,
            n_groups=int(p["n_groups"]),
            categories=self.categories,
            category_names=self.category_names or None,
            category_levels=self.category_levels or None,
            size_min=p.get("size_min"),
            size_max=p.get("size_max"),
            lead_candidates=self.lead_mask(formation),
            apart=self.apart,
            together=self.together,
            coords=self.coords,
            max_km=self.max_km,
            seed=int(p.get("seed") or 0),
            item_names=[u.code for u in self.units],
            time_limit=60.0,
        )
