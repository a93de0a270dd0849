"""Reads of the documents app (always restricted to the user's subtree)."""

from __future__ import annotations

from typing import Any

from shidian.apps.documents.models import Document, DocumentTemplate, TemplateVersion


def documents_for(user: Any):
    return (
        Document.objects.restrict(user)
        .select_related("unit", "author", "template_version__template")
        .order_by("-created_at", "-pk")
    )


def templates_for(user: Any, *, kind: str | None = None):
    qs = DocumentTemplate.objects.restrict(user).select_related("unit", "current")
    return qs.filter(kind=kind) if kind else qs


def versions_of(template: DocumentTemplate):
    return TemplateVersion.objects.filter(template=template).select_related("uploaded_by")
