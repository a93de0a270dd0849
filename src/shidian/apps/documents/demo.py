"""Demo content for `shidian demo`: the shipped templates, the seed programme's notice
("关于公布2021年智慧校园创建学校名单的通知", regenerated from data) and, optionally, a ~30-page
booklet of demo cases with generated photos (compiled in the background).

The wording comes from the packaged samples (docgen/samples/), but the schools the documents
name are units of the demo county: a notice that lists schools the database does not have
would contradict every other page of the demo."""

from __future__ import annotations

import copy
from typing import Any

from django.utils import translation

from shidian.apps.documents import services
from shidian.apps.documents.models import Document, Kind
from shidian.apps.documents.selectors import issuer_for, schools_for_document
from shidian.apps.orgs.models import SchoolType
from shidian.docgen.demo_cases import booklet_data
from shidian.docgen.samples import sample_data

# The 2021 batch: five schools of different types (and zones where the county has them).
NOTICE_MIX = (
    SchoolType.PRIMARY,
    SchoolType.JUNIOR_HIGH,
    SchoolType.NINE_YEAR,
    SchoolType.SENIOR_HIGH,
    SchoolType.PRIMARY,
)
CONTACTS = ("王老师", "李老师", "赵老师", "刘老师", "陈老师")
SAMPLE_FIRST_SCHOOL = "蒲阳县实验小学"


def _zone_name(school: Any, county_name: str) -> str:
    if school.zone is None:
        return ""
    return school.zone.name.removeprefix(county_name) or school.zone.name


def notice_data(*, unit: Any) -> dict[str, Any]:
    """The sample notice, issued by ``unit`` and listing five of its real schools."""
    data = copy.deepcopy(sample_data(Kind.NOTICE))
    issuer = issuer_for(unit)
    data["issuer"] = issuer
    data["printer"] = f"{issuer}办公室"
    schools = schools_for_document(unit, count=5, mix=NOTICE_MIX)
    if not schools:
        data.pop("attachments", None)
        return data
    body = data["body"]
    body[0] = (
        body[0]
        .replace(SAMPLE_FIRST_SCHOOL, schools[0].name)
        .replace("等5所学校", f"等{len(schools)}所学校")
    )
    with translation.override("zh-hans"):  # the document is Chinese whatever the page is
        rows = [
            [
                str(i),
                school.name,
                str(school.get_school_type_display()),
                _zone_name(school, unit.name),
                CONTACTS[(i - 1) % len(CONTACTS)],
            ]
            for i, school in enumerate(schools, 1)
        ]
    data["attachments"][0]["body"][0]["table"]["rows"] = rows
    return data


def demo_documents(*, unit: Any, user: Any = None, booklet: bool = True) -> dict[str, Any]:
    """Create (once) the demo templates and documents for ``unit``; returns what was made."""
    templates = services.templates_ensure_shipped(unit=unit, user=user)
    by_kind = {t.kind: t for t in templates}
    data = notice_data(unit=unit)
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
        schools = schools_for_document(unit, count=10, mix=NOTICE_MIX)
        bdata, images = booklet_data(
            10, photos_per_case=2, schools=[s.name for s in schools] or None
        )
        bdata["issuer"] = issuer_for(unit)
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
