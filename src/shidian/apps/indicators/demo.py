"""Demo indicators on the demo county: fibre share by school type, multimedia classroom share,
students per teacher, and, when the programme has a published monthly report, its first
number field summed. Idempotent: an indicator of the same name is left as it is."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shidian.apps.indicators.models import Indicator
from shidian.apps.indicators.services import indicator_create


def load_demo(*, programme: Any, office: Any, password: str) -> dict[str, Any]:
    """``password`` is unused (no accounts are created); kept for the loaders' common shape."""
    del password
    unit = office.unit
    wanted = [
        {"name": _("光纤接入学校占比"), "source": "attribute", "attribute": "fibre"},
        {"name": _("多媒体教室占比"), "source": "attribute", "attribute": "multimedia"},
        {"name": _("生师比"), "source": "attribute", "attribute": "students_per_teacher"},
    ]
    from shidian.apps.reports.models import ReportField

    field = (
        ReportField.objects.filter(  # scoping: ok demo
            form__programme=programme, form__status="published", type__in=["number", "percent"]
        )
        .order_by("form__period_type", "form_id", "order", "pk")
        .first()
    )
    if field is not None:
        wanted.append(
            {
                "name": f"{field.form.name} · {field.label}",
                "source": "report_field",
                "report_field": field,
                "measure": "sum" if field.type == "number" else "mean",
                "programme": programme,
            }
        )
    created = []
    for spec in wanted:
        if Indicator.objects.filter(unit=unit, name=spec["name"]).exists():  # scoping: ok demo
            continue
        created.append(indicator_create(by=office, unit=unit, **spec))
    return {
        "created": len(created),
        "indicators": list(Indicator.objects.filter(unit=unit)),
    }  # ok demo
