"""Programmes for tests: a 2021-2023 programme over county A with cycles 5/5/4."""

from __future__ import annotations

from shidian.apps.programmes.services import CycleInput, programme_create

CYCLES = [CycleInput(2021, 5), CycleInput(2022, 5), CycleInput(2023, 4)]


def programme(tree, *, by=None, name="2021-2023 智慧校园创建", **extra):
    from shidian.apps.programmes.models import Programme

    existing = Programme.objects.filter(unit=tree.county, name=name).first()
    if existing is not None:
        return existing
    fields = {
        "start_year": 2021,
        "end_year": 2023,
        "scope_root": tree.county,
        "cycles": CYCLES,
    }
    fields.update(extra)
    return programme_create(by=by, unit=tree.county, name=name, **fields)


def participation(tree):
    from shidian.apps.programmes.models import Participation

    return Participation.objects.get(programme=programme(tree), unit=tree.school)
