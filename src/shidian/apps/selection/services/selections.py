"""Creating and editing a selection, and the guards every step's service shares."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record
from shidian.apps.selection.models import Selection
from shidian.apps.submissions.models import Round

NAME_MAX = 200


def ensure_open(selection: Selection) -> None:
    """Refuse a change to a selection waiting for approval or approved (frozen)."""
    if selection.frozen:
        raise ValidationError(
            _("遴选结果已%(status)s，不能修改；如需调整，请由领导小组退回。")
            % {"status": selection.get_status_display()},
            code="not_editable",
        )


def locked(selection: Selection) -> Selection:
    """The selection re-read under a row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
    IMMEDIATE transactions serialise writers), so two writers of one step never interleave."""
    return Selection.objects.select_for_update().get(pk=selection.pk)  # scoping: ok re-read


def touch(selection: Selection) -> None:
    """The selection changed with one of its steps' rows (its ETag in the API follows)."""
    selection.save(update_fields=["updated_at"])


def next_number(model: type[models.Model], selection: Selection) -> int:
    """The next run number of ``model`` in ``selection`` (call under ``locked``)."""
    last = model.objects.filter(selection=selection).aggregate(n=models.Max("number"))["n"]
    return (last or 0) + 1


def _check(*, programme: Any, round_obj: Round, name: str, pilot_count: int) -> str:
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append(_("请填写遴选名称。"))
    elif len(name) > NAME_MAX:
        errors.append(_("名称不能超过 %(n)d 个字符。") % {"n": NAME_MAX})
    if round_obj.programme_id not in (None, programme.pk):
        errors.append(_("这项自查活动属于另一个试点项目。"))
    if round_obj.kind != "self_assessment":
        errors.append(_("请选择一项自查赋分活动。"))
    if pilot_count < 1:
        errors.append(_("试点学校数至少为 1。"))
    if errors:
        raise ValidationError(errors)
    return name


def open_cycles(programme: Any, selection: Selection | None = None) -> list[Any]:
    """The programme's cycles (batches) this selection fills, in number order: every cycle
    without pilots placed by something else (an earlier selection, or pilots named before the
    programme came to Shidian). A 5/5/4 programme whose first five pilots were announced
    already leaves cycles 2 and 3 (5 + 4) to this selection."""
    from shidian.apps.programmes.models import Participation
    from shidian.apps.programmes.states import WITH_BATCH

    placed = Participation.objects.filter(  # scoping: ok (the programme was looked up scoped)
        programme=programme, state__in=[s.value for s in WITH_BATCH], batch__isnull=False
    )
    if selection is not None:
        placed = placed.exclude(unit_id__in=selection.placements.values("unit_id"))
    taken = set(placed.values_list("batch_id", flat=True))
    return [c for c in programme.cycles.order_by("number") if c.pk not in taken]


def default_pilot_count(programme: Any) -> int:
    """The open batches' targets added up (5 + 5 + 4 = 14 for a new programme)."""
    return sum(c.target for c in open_cycles(programme)) or 1


@transaction.atomic
def selection_create(
    *,
    by: Any,
    programme: Any,
    round_obj: Round,
    name: str,
    recommend: bool = False,
    recommend_due: Any = None,
    pilot_count: int | None = None,
) -> Selection:
    require(by, MANAGE, programme)
    require(by, MANAGE, round_obj)
    count = default_pilot_count(programme) if pilot_count is None else int(pilot_count)
    name = _check(programme=programme, round_obj=round_obj, name=name, pilot_count=count)
    selection = Selection.objects.create(
        programme=programme,
        round=round_obj,
        name=name,
        recommend=recommend,
        recommend_due=recommend_due,
        pilot_count=count,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit_record(actor=by, action="selection.create", target=selection, summary=name)
    return selection


@transaction.atomic
def selection_update(
    *,
    by: Any,
    selection: Selection,
    name: str,
    recommend: bool,
    recommend_due: Any = None,
    pilot_count: int,
) -> Selection:
    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    name = _check(
        programme=selection.programme,
        round_obj=selection.round,
        name=name,
        pilot_count=int(pilot_count),
    )
    selection.name, selection.recommend = name, recommend
    selection.recommend_due, selection.pilot_count = recommend_due, int(pilot_count)
    selection.save(
        update_fields=["name", "recommend", "recommend_due", "pilot_count", "updated_at"]
    )
    audit_record(actor=by, action="selection.update", target=selection, summary=name)
    return selection
