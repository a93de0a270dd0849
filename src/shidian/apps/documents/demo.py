"""Demo content for `shidian demo`: the shipped templates, the seed programme's notice
("关于公布2021年智慧校园创建学校名单的通知", regenerated from data) and, optionally, a ~30-page
booklet of demo cases with generated photos (compiled in the background)."""

from __future__ import annotations

from typing import Any

from shidian.apps.documents import services
from shidian.apps.documents.models import Document, Kind
from shidian.docgen.demo_cases import booklet_data
from shidian.docgen.samples import sample_data


def demo_documents(*, unit: Any, user: Any = None, booklet: bool = True) -> dict[str, Any]:
    """Create (once) the demo templates and documents for ``unit``; returns what was made."""
    templates = services.templates_ensure_shipped(unit=unit, user=user)
    by_kind = {t.kind: t for t in templates}
    data = sample_data(Kind.NOTICE)
    notice = Document.objects.filter(unit=unit, title=data["title"]).first()  # scoping: ok demo
    if notice is None:
        notice = services.document_generate(
            unit=unit,
            user=user,
            kind=Kind.NOTICE,
            data=data,
            template_version=by_kind[Kind.NOTICE].current,
        )
    made: dict[str, Any] = {"templates": templates, "notice": notice, "booklet": None}
    if booklet:
        bdata, images = booklet_data(10, photos_per_case=2)
        existing = Document.objects.filter(  # scoping: ok demo
            unit=unit, kind=Kind.BOOKLET, title=bdata["title"]
        ).first()
        made["booklet"] = existing or services.document_generate(
            unit=unit,
            user=user,
            kind=Kind.BOOKLET,
            data=bdata,
            template_version=by_kind[Kind.BOOKLET].current,
            assets=images,
        )
    return made
