"""Campaign objects for tests: one campaign in county A inviting its two schools."""

from __future__ import annotations

import io
from datetime import timedelta

from tests.standards.factories import INFO, published_version


def campaign(tree, path=INFO, **extra):
    from django.utils import timezone

    from shidian.apps.campaigns.models import Campaign
    from shidian.apps.campaigns.services import campaign_create

    found = Campaign.objects.filter(unit=tree.county).first()  # scoping: ok test factory
    if found and not extra:
        return found
    return campaign_create(
        unit=tree.county,
        user=None,
        name=extra.pop("name", "2026年智慧校园自查赋分"),
        version=published_version(tree.county, path),
        opens_on=timezone.localdate(),
        deadline=extra.pop("deadline", timezone.now() + timedelta(days=10)),
        **extra,
    )


def sheet(tree, unit=None):
    from shidian.apps.campaigns.models import Sheet

    return Sheet.objects.get(round=campaign(tree), unit=unit or tree.school)  # scoping: ok


def evidence(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shidian.apps.campaigns.models import Evidence

    found = Evidence.objects.first()  # scoping: ok test factory
    if found:
        return found
    target = sheet(tree)
    return Evidence.objects.create(
        submission=target,
        item_code="D1.1.1",
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 test"),
        original_name="a.pdf",
        kind="pdf",
        size=13,
    )


def full_answers(standard, *, level="A", yes="是", ratio=(9, 10), number=1000, veto="否"):
    """Answers for every item of a standard (a complete sheet)."""
    answers = {}
    for item in standard.items():
        if item.method == "levels":
            answers[item.code] = {"value": level}
        elif item.method == "yes_no":
            answers[item.code] = {"value": yes}
        elif item.method == "veto":
            answers[item.code] = {"value": veto}
        elif item.method == "ratio":
            answers[item.code] = {"numerator": ratio[0], "denominator": ratio[1]}
        elif item.method == "number":
            answers[item.code] = {"value": number}
        else:
            answers[item.code] = {"value": item.max_score}
    return answers


def xlsx_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
