"""The recommendation step (推荐上报): the office sets a quota per zone, each zone recommends
its own candidate schools within it, each with a reason; the office may recommend on a zone's
behalf. Recommending moves the school's participation eligible -> recommended, withdrawing
moves it back, through ``programmes.services``.

A school belongs to the zone its ``zone`` field names, or, when that is empty, to the zone
above it in the tree. Zones are bound by ``Selection.recommend_due`` (the last day they may
recommend or withdraw); the office is not, so it can still act for a zone that missed it. Once
the shortlist is adopted, nothing here changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.core.access import FILL, MANAGE, can, require
from shidian.apps.core.services import audit_record
from shidian.apps.orgs.models import Level, OrgUnit
from shidian.apps.programmes import services as programme_services
from shidian.apps.programmes.models import Participation, ParticipationState
from shidian.apps.selection.candidates import candidate_frame
from shidian.apps.selection.models import Recommendation, Selection, SelectionStatus, ZoneQuota
from shidian.apps.selection.services.selections import ensure_open, locked, touch
from shidian.textclean import clean_text

REASON_MAX = 500
QUOTA_MAX = 1000
NOTIFY_KIND = "selection.quota"


# --- reads -------------------------------------------------------------------------------


def scope_zones(selection: Selection) -> list[OrgUnit]:
    """The zones under the programme's scope root, in tree order."""
    root = selection.programme.scope_root
    return list(OrgUnit.objects.subtree(root).filter(level=Level.ZONE).order_by("path"))


def zone_of(unit: OrgUnit, zones: Iterable[OrgUnit]) -> OrgUnit | None:
    """The zone ``unit`` belongs to among ``zones``: its zone field, else the zone above it."""
    zones = list(zones)
    if unit.zone_id is not None:
        return next((z for z in zones if z.pk == unit.zone_id), None)
    return next((z for z in zones if unit.path.startswith(z.path) and unit.pk != z.pk), None)


def zone_schools_q(zone: OrgUnit) -> Q:
    """Units of ``zone`` by the rule of :func:`zone_of`."""
    upper = zone.subtree_upper_bound
    return Q(zone_id=zone.pk) | Q(zone__isnull=True, path__gt=zone.path, path__lt=upper)


def deadline_passed(selection: Selection, today: datetime.date | None = None) -> bool:
    due = selection.recommend_due
    return due is not None and (today or timezone.localdate()) > due


def due_at(selection: Selection) -> datetime.datetime | None:
    """The end of the deadline day, as a moment (for the home page's todo)."""
    if selection.recommend_due is None:
        return None
    end = datetime.datetime.combine(selection.recommend_due, datetime.time(23, 59))
    return timezone.make_aware(end)


def zone_candidates(selection: Selection, zone: OrgUnit):
    """The candidates of ``zone`` (``candidate_frame`` rows: submitted or accepted sheet, not
    withdrawn), best self-assessed score first."""
    ids = list(OrgUnit.objects.filter(zone_schools_q(zone)).values_list("pk", flat=True))
    frame = candidate_frame(selection, unit_ids=ids)
    return frame.sort_values(["score", "id"], ascending=[False, True], kind="stable")


def candidates_by_zone(selection: Selection, zones: Sequence[OrgUnit]) -> dict[int, Any]:
    """The candidates of each zone (zone pk -> ``candidate_frame`` rows, best score first), from
    one reading of the population."""
    frame = candidate_frame(selection)
    by_id = {z.pk: z for z in zones}
    where = {}
    for unit in OrgUnit.objects.filter(pk__in=[int(i) for i in frame["unit_id"]]).only(
        "pk", "path", "zone_id"
    ):
        zone = by_id.get(unit.zone_id) if unit.zone_id is not None else zone_of(unit, zones)
        where[unit.pk] = zone.pk if zone is not None else None
    frame = frame.assign(zone_id=frame["unit_id"].map(lambda u: where.get(int(u))))
    frame = frame.sort_values(["score", "id"], ascending=[False, True], kind="stable")
    return {z.pk: frame[frame["zone_id"] == z.pk] for z in zones}


def candidate_counts(selection: Selection, zones: Sequence[OrgUnit]) -> dict[int, int]:
    """How many candidates each zone has (zone pk -> count)."""
    return {pk: len(rows) for pk, rows in candidates_by_zone(selection, zones).items()}


@dataclass
class QuotaRow:
    zone: OrgUnit
    quota: int | None
    used: int
    candidates: int
    suggested: int = 0

    @property
    def remaining(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.used, 0)


def quota_rows(selection: Selection, *, suggest_total: int | None = None) -> list[QuotaRow]:
    """Per zone of the scope: quota (None = none set), used, candidates and, for
    ``suggest_total`` places, the share proportional to the zone's candidates."""
    zones = scope_zones(selection)
    quotas = dict(selection.zone_quotas.values_list("zone_id", "quota"))
    used = dict(
        selection.recommendations.values("zone_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("zone_id", "n")
    )
    counts = candidate_counts(selection, zones)
    shares = suggest_quotas(counts, suggest_total) if suggest_total else {}
    return [
        QuotaRow(z, quotas.get(z.pk), used.get(z.pk, 0), counts[z.pk], shares.get(z.pk, 0))
        for z in zones
    ]


def suggest_quotas(counts: dict[int, int], total: int) -> dict[int, int]:
    """``total`` places shared in proportion to ``counts`` (largest remainders; never more
    than a zone's candidates)."""
    pool = sum(counts.values())
    total = max(0, min(int(total), pool))
    if not pool or not total:
        return {k: 0 for k in counts}
    exact = {k: total * n / pool for k, n in counts.items()}
    shares = {k: int(v) for k, v in exact.items()}
    left = total - sum(shares.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - shares[k]), k))[:left]:
        shares[k] += 1
    return shares


def recommendations_of(selection: Selection, *, zone: OrgUnit | None = None):
    qs = selection.recommendations.select_related("unit", "zone", "by").order_by(
        "zone__path", "unit__code"
    )
    return qs.filter(zone=zone) if zone is not None else qs


# --- writes ------------------------------------------------------------------------------


def _ensure_step_open(selection: Selection) -> None:
    ensure_open(selection)
    if not selection.recommend:
        raise ValidationError(_("这次遴选不设片区推荐上报。"), code="closed")
    if selection.shortlist_id:
        raise ValidationError(_("入围名单已采用，推荐结果不能再修改。"), code="closed")


@transaction.atomic
def zone_quotas_set(
    *, by: Any, selection: Selection, quotas: dict[int, int | None]
) -> list[ZoneQuota]:
    """Set the quota of each zone in ``quotas`` (zone pk -> places; None or 0 removes it).
    A quota below what the zone already recommended is refused. Zones whose quota is new or
    changed are told, after commit, by notification."""
    require(by, MANAGE, selection)
    selection = locked(selection)
    _ensure_step_open(selection)
    zones = {z.pk: z for z in scope_zones(selection)}
    current = {q.zone_id: q for q in selection.zone_quotas.all()}
    used = dict(
        selection.recommendations.values("zone_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("zone_id", "n")
    )
    errors, changed = [], []
    for zone_id, quota in quotas.items():
        zone = zones.get(zone_id)
        if zone is None:
            errors.append(_("所选片区不在本项目的参与范围内。"))
            continue
        quota = quota or 0
        if quota < 0 or quota > QUOTA_MAX:
            errors.append(
                _("%(zone)s：名额应在 0 到 %(max)d 之间。") % {"zone": zone.name, "max": QUOTA_MAX}
            )
        elif quota < used.get(zone_id, 0):
            errors.append(
                _("%(zone)s已推荐 %(n)d 所学校，名额不能少于 %(n)d。")
                % {"zone": zone.name, "n": used[zone_id]}
            )
    if errors:
        raise ValidationError(errors)
    for zone_id, quota in quotas.items():
        quota, row = quota or 0, current.get(zone_id)
        if not quota:
            if row is not None:
                row.delete()
            continue
        if row is None:
            row = ZoneQuota.objects.create(selection=selection, zone=zones[zone_id], quota=quota)
        elif row.quota != quota:
            row.quota = quota
            row.save(update_fields=["quota"])
        else:
            continue
        changed.append(row)
    audit_record(
        actor=by,
        action="selection.quotas",
        target=selection,
        unit=selection.programme.unit,
        summary=", ".join(f"{zones[q.zone_id].name}: {q.quota}" for q in changed)[:300],
        data={str(q.zone_id): q.quota for q in changed},
    )
    touch(selection)
    _notify_zones(selection, changed)
    return list(selection.zone_quotas.select_related("zone"))


def _notify_zones(selection: Selection, quotas: Sequence[ZoneQuota]) -> None:
    from shidian.apps.accounts.models import User
    from shidian.apps.notifications.services import notify

    link = reverse("selection:recommend", kwargs={"selection_id": selection.pk})
    for quota in quotas:
        users = User.objects.filter(unit_id=quota.zone_id, role="zone", is_active=True)
        if selection.recommend_due:
            subject = _("%(name)s：请在 %(due)s 前推荐不超过 %(n)d 所学校") % {
                "name": selection.name,
                "due": selection.recommend_due.isoformat(),
                "n": quota.quota,
            }
        else:
            subject = _("%(name)s：请推荐不超过 %(n)d 所学校") % {
                "name": selection.name,
                "n": quota.quota,
            }
        notify(users, NOTIFY_KIND, subject, link=link, target=selection)


def _acting_zone(by: Any, selection: Selection, zone: OrgUnit) -> tuple[ZoneQuota, bool]:
    """The zone's quota and whether ``by`` acts as the office (on the zone's behalf).
    Raises PermissionDenied when ``by`` may neither manage the selection nor fill the quota."""
    office = by is None or can(by, MANAGE, selection)
    quota = ZoneQuota.objects.filter(selection=selection, zone=zone).first()  # scoping: ok
    if not office and (quota is None or not can(by, FILL, quota)):
        raise PermissionDenied
    if quota is None:
        raise ValidationError(_("%(zone)s没有推荐名额。") % {"zone": zone.name})
    return quota, office


def _mover(by: Any, office: bool) -> Any:
    # programmes.services moves participations for who manages the programme; a zone's move
    # was allowed here (FILL on its quota), so it goes through as the system, recorded as the
    # zone's account (``actor``).
    return by if office else None


@transaction.atomic
def recommendations_add(
    *, by: Any, selection: Selection, zone: OrgUnit, picks: Sequence[tuple[int, str]]
) -> list[Recommendation]:
    """``zone`` recommends the schools ``picks`` (unit pk, reason), all or none: a school not
    among the zone's candidates, a missing or too long reason, more than the places left, or
    (for a zone account) a passed deadline refuses the whole lot."""
    quota, office = _acting_zone(by, selection, zone)
    selection = locked(selection)
    _ensure_step_open(selection)
    quota = ZoneQuota.objects.filter(pk=quota.pk).first()  # scoping: ok re-read under the lock
    if quota is None:
        raise ValidationError(_("%(zone)s没有推荐名额。") % {"zone": zone.name})
    if not office and deadline_passed(selection):
        raise ValidationError(
            _("推荐截止日期（%(due)s）已过，不能再推荐。")
            % {"due": selection.recommend_due.isoformat()},
            code="late",
        )
    if not picks:
        raise ValidationError(_("请勾选要推荐的学校。"))
    frame = zone_candidates(selection, zone)
    candidates = {int(r.unit_id): r for r in frame.itertuples()}
    errors, clean = [], []
    for unit_id, reason in picks:
        row = candidates.get(int(unit_id))
        if row is None:
            errors.append(_("所选学校不是本片区已提交自查表的候选学校。"))
            continue
        reason = clean_text(reason or "", multiline=True)
        if row.recommended:
            errors.append(_("%(school)s已被推荐。") % {"school": row.name})
        elif not reason:
            errors.append(_("请填写%(school)s的推荐理由。") % {"school": row.name})
        elif len(reason) > REASON_MAX:
            errors.append(
                _("%(school)s的推荐理由不能超过 %(n)d 个字。")
                % {"school": row.name, "n": REASON_MAX}
            )
        clean.append((int(unit_id), reason))
    if len({u for u, _r in clean}) != len(clean):
        errors.append(_("同一所学校只能推荐一次。"))
    used = selection.recommendations.filter(zone=zone).count()
    if not errors and used + len(clean) > quota.quota:
        errors.append(
            _("%(zone)s的推荐名额为 %(quota)d 名，已用 %(used)d 名，这次最多还能推荐 %(left)d 所。")
            % {
                "zone": zone.name,
                "quota": quota.quota,
                "used": used,
                "left": max(quota.quota - used, 0),
            }
        )
    if errors:
        raise ValidationError(errors)
    actor = by if getattr(by, "is_authenticated", False) else None
    parts = {
        p.unit_id: p
        for p in Participation.objects.filter(  # scoping: ok checked above
            programme=selection.programme_id, unit_id__in=[u for u, _r in clean]
        ).select_related("programme", "unit")
    }
    made = []
    for unit_id, reason in clean:
        participation = parts[unit_id]
        if participation.state != ParticipationState.ELIGIBLE:
            raise ValidationError(
                _("%(school)s目前是“%(state)s”，不能推荐。")
                % {"school": participation.unit.name, "state": participation.get_state_display()}
            )
        programme_services.participation_move(
            by=_mover(by, office),
            actor=by,
            participation=participation,
            to=ParticipationState.RECOMMENDED,
            reason=reason,
        )
        rec = Recommendation.objects.create(
            selection=selection, unit_id=unit_id, zone=zone, reason=reason, by=actor
        )
        audit_record(
            actor=by,
            action="selection.recommend",
            target=selection,
            unit=participation.unit,
            summary=f"{zone.name}: {participation.unit.name}",
            data={"on_behalf": office, "reason": reason[:200]},
        )
        made.append(rec)
    touch(selection)
    return made


@transaction.atomic
def recommendation_on_behalf(
    *, by: Any, selection: Selection, unit_id: int, reason: str
) -> Recommendation:
    """The office recommends one school for the zone it belongs to (the zone follows from the
    school), with the rules of :func:`recommendations_add`."""
    require(by, MANAGE, selection)
    unit = OrgUnit.objects.filter(pk=unit_id).first()  # scoping: ok a candidate, checked below
    zone = zone_of(unit, scope_zones(selection)) if unit is not None else None
    if zone is None:
        raise ValidationError(_("这所学校不属于任何片区。"))
    return recommendations_add(by=by, selection=selection, zone=zone, picks=[(unit.pk, reason)])[0]


@transaction.atomic
def recommendation_withdraw(*, by: Any, selection: Selection, unit_id: int) -> None:
    """Withdraw the recommendation of a school (its zone before the deadline, or the office),
    moving the school back to eligible."""
    rec = (
        Recommendation.objects.filter(selection=selection, unit_id=unit_id)  # scoping: ok
        .select_related("zone", "unit")
        .first()
    )
    if rec is None:
        raise ValidationError(_("这所学校没有被推荐。"))
    _quota, office = _acting_zone(by, selection, rec.zone)
    selection = locked(selection)
    _ensure_step_open(selection)
    if not office and deadline_passed(selection):
        raise ValidationError(
            _("推荐截止日期（%(due)s）已过，不能再撤回。")
            % {"due": selection.recommend_due.isoformat()},
            code="late",
        )
    participation = Participation.objects.select_related("programme").get(  # scoping: ok
        programme=selection.programme_id, unit_id=unit_id
    )
    if participation.state == ParticipationState.RECOMMENDED:
        programme_services.participation_move(
            by=_mover(by, office),
            actor=by,
            participation=participation,
            to=ParticipationState.ELIGIBLE,
            reason=_("撤回推荐（原推荐理由：%(reason)s）") % {"reason": rec.reason},
        )
    rec.delete()
    touch(selection)
    audit_record(
        actor=by,
        action="selection.recommend_withdraw",
        target=selection,
        unit=rec.unit,
        summary=f"{rec.zone.name}: {rec.unit.name}",
        data={"on_behalf": office},
    )


# --- home page ---------------------------------------------------------------------------


def recommend_todos(user: Any, now: datetime.datetime) -> list:
    """For a zone account: each open selection where it has places left before the deadline."""
    from shidian.apps.core.todos import FILL_TASK, Todo

    if getattr(user, "role", "") != "zone" or user.unit_id is None:
        return []
    today = timezone.localdate(now)
    quotas = (
        ZoneQuota.objects.restrict(user, FILL)
        .filter(selection__recommend=True, selection__shortlist__isnull=True)
        .exclude(selection__status__in=[SelectionStatus.PENDING, SelectionStatus.APPROVED])
        .filter(Q(selection__recommend_due__isnull=True) | Q(selection__recommend_due__gte=today))
        .select_related("selection")
        .annotate(
            used=Count(
                "selection__recommendations",
                filter=Q(selection__recommendations__zone_id=F("zone_id")),
            )
        )
    )
    todos = []
    for quota in quotas[:50]:
        selection, used = quota.selection, quota.used
        if used >= quota.quota:
            continue
        todos.append(
            Todo(
                kind=FILL_TASK,
                title=selection.name,
                action=_("推荐候选学校（还可推荐 %(n)d 所）") % {"n": quota.quota - used},
                url=reverse("selection:recommend", kwargs={"selection_id": selection.pk}),
                due=due_at(selection),
            )
        )
    return todos


def register() -> None:
    """Called once from SelectionConfig.ready(): this step's todo providers, home sections and
    audit action names."""
    from shidian.apps.core.audit import register_actions
    from shidian.apps.core.todos import register_todo_provider

    register_actions(
        {
            "selection.quotas": gettext_lazy("设置推荐名额"),
            "selection.recommend": gettext_lazy("推荐学校"),
            "selection.recommend_withdraw": gettext_lazy("撤回推荐"),
        }
    )
    register_todo_provider(recommend_todos)
