"""Reads for standards: lists, usable versions, item-by-item comparison."""

from __future__ import annotations

from dataclasses import dataclass

from shidian.apps.standards.models import Standard, StandardVersion
from shidian.engine.scoring import standard_to_dict
from shidian.engine.scoring.formats import item_to_dict


def standards_for(*, user):
    return Standard.objects.restrict(user).select_related("unit").prefetch_related("versions")


def usable_versions(*, user):
    """Published versions a user's office may pin in a campaign: its own subtree's and those of
    the units above it (a provincial standard used by a county)."""
    own = StandardVersion.objects.restrict(user).published()
    unit = getattr(user, "unit", None)
    if unit is None:
        return own.select_related("standard")
    above = StandardVersion.objects.published().filter(  # scoping: ok ancestors' standards
        standard__unit__in=unit.ancestors()
    )
    return (own | above).select_related("standard").order_by("standard__code", "-number")


@dataclass
class ItemChange:
    code: str
    kind: str  # added / removed / changed / same
    before: dict | None
    after: dict | None
    fields: list[str]


def versions_compare(*, old: StandardVersion, new: StandardVersion) -> list[ItemChange]:
    """Compare two versions item by item (matched by code)."""

    def flat(version):
        data = standard_to_dict(version.as_standard())
        out = {}
        for d in data["dimensions"]:
            for i in d["indicators"]:
                for item in i["items"]:
                    out[item["code"]] = {**item, "dimension": d["name"], "indicator": i["name"]}
        return out

    before, after = flat(old), flat(new)
    changes = []
    for code in list(before) + [c for c in after if c not in before]:
        a, b = before.get(code), after.get(code)
        if a is None:
            changes.append(ItemChange(code, "added", None, b, []))
        elif b is None:
            changes.append(ItemChange(code, "removed", a, None, []))
        else:
            fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            changes.append(ItemChange(code, "changed" if fields else "same", a, b, fields))
    return changes


__all__ = ["item_to_dict", "standards_for", "usable_versions", "versions_compare"]
