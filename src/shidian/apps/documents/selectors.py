"""Reads of the documents app (always restricted to the user's subtree)."""

from __future__ import annotations

from typing import Any

from shidian.apps.documents.models import Document, DocumentTemplate, TemplateVersion


def documents_for(user: Any):
    return (
        Document.objects.restrict(user)
        .select_related(
            "unit", "author", "template_version__template", "programme", "cycle", "subject_unit"
        )
        .order_by("-created_at", "-pk")
    )


def programmes_with_documents(user: Any) -> list[tuple[int, str]]:
    """The programmes the user's documents are about (the list's filter)."""
    return list(
        Document.objects.restrict(user)
        .filter(programme__isnull=False)
        .values_list("programme_id", "programme__name")
        .distinct()
        .order_by("programme__name")
    )


def templates_for(user: Any, *, kind: str | None = None):
    qs = DocumentTemplate.objects.restrict(user).select_related("unit", "current")
    return qs.filter(kind=kind) if kind else qs


def versions_of(template: DocumentTemplate):
    return TemplateVersion.objects.filter(template=template).select_related("uploaded_by")


# Issuing bodies are the education bureaus of the administrative levels; a zone or a school
# issues under its own name.
BUREAU_SUFFIX = {"province": "教育厅", "city": "教育局", "county": "教育局"}
ALREADY_A_BODY = ("教育厅", "教育局", "教育委员会", "教委", "教体局")


def issuer_for(unit: Any) -> str:
    """The issuing body (发文机关) of ``unit``: 蒲阳县 -> 蒲阳县教育局."""
    name = str(unit.name).strip()
    suffix = BUREAU_SUFFIX.get(str(unit.level), "")
    if not suffix or name.endswith(ALREADY_A_BODY):
        return name
    return name + suffix


def number_prefix_for(unit: Any) -> str:
    """A suggested 机关代字 (蒲阳县 -> 蒲教发); the office changes it when its own differs."""
    name = str(unit.name).strip()
    return f"{name[0]}教发" if name else ""


def schools_for_document(unit: Any, *, count: int, mix: tuple[str, ...]) -> list[Any]:
    """``count`` schools under ``unit``, taking the school types of ``mix`` in turn and, within a
    type, a zone not yet used when there is one (the path order keeps it deterministic)."""
    from shidian.apps.orgs.models import OrgUnit

    pools: dict[str, list[Any]] = {}
    for school in (
        OrgUnit.objects.subtree(unit)
        .schools()
        .filter(school_type__in=set(mix), is_active=True)
        .select_related("zone")
        .order_by("path")
    ):
        pools.setdefault(school.school_type, []).append(school)
    picked: list[Any] = []
    zones: set[Any] = set()
    while len(picked) < count and any(pools.values()):
        for school_type in mix:
            pool = pools.get(school_type)
            if not pool or len(picked) >= count:
                continue
            school = next((s for s in pool if s.zone_id not in zones), pool[0])
            pool.remove(school)
            zones.add(school.zone_id)
            picked.append(school)
    return picked
