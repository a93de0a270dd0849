"""Formation pages: list/create, the formation (communities, balance, moves), versions, adopt."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import MANAGE, VIEW, can, get_scoped_or_404
from shidian.apps.formations import services, sheets
from shidian.apps.formations.forms import FormationForm
from shidian.apps.formations.models import Formation, FormationVersion

OFFICE_ROLES = ("office", "admin", "leading_group")


def _office_unit(user):
    unit = getattr(user, "unit", None)
    if unit is None or not can(user, MANAGE, unit) or unit.level == "school":
        raise PermissionDenied
    return unit


def _create(request, owner_unit, programme=None):
    form = FormationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            formation = services.formation_create(
                by=request.user,
                owner_unit=owner_unit,
                programme=programme,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                params=form.params(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("formations:detail", formation_id=formation.pk), form
    return None, form


@login_required
def formation_list(request):
    unit = _office_unit(request.user)
    done, form = _create(request, unit)
    if done:
        return done
    formations = Formation.objects.restrict(request.user, VIEW).select_related("owner_unit")
    return render(
        request,
        "formations/list.html",
        {"formations": formations, "form": form, "unit": unit, "programme": None},
    )


@login_required
def programme_formations(request, programme_id: int):
    from shidian.apps.programmes.models import Programme

    programme = get_scoped_or_404(Programme, request.user, MANAGE, pk=programme_id)
    done, form = _create(request, programme.unit, programme)
    if done:
        return done
    formations = Formation.objects.restrict(request.user, VIEW).filter(programme=programme)
    return render(
        request,
        "formations/list.html",
        {"formations": formations, "form": form, "unit": programme.unit, "programme": programme},
    )


def _formation(request, formation_id):
    return get_scoped_or_404(
        Formation.objects.select_related("owner_unit", "programme"),
        request.user,
        MANAGE,
        pk=formation_id,
    )


def _context(formation, error=None):
    ctx = {"formation": formation, "error": error, "groups": [], "panel": None}
    if not formation.draft:
        return ctx
    panel, inputs = services.panel_of(formation)
    s = panel.summary()
    groups = [{"number": g + 1, "index": g, "lead": None, "members": []} for g in range(panel.k)]
    for i, unit in enumerate(inputs.units):
        g = groups[int(panel.labels[i])]
        row = {
            "unit": unit,
            "km": None if s.lead_km[i] != s.lead_km[i] else s.lead_km[i],
            "is_lead": panel.lead_of_item[i] >= 0,
        }
        if row["is_lead"]:
            g["lead"] = unit
        g["members"].append(row)
    for g in groups:
        g["members"].sort(key=lambda r: (not r["is_lead"], r["unit"].code))
        g["size"] = len(g["members"])
    ctx.update(groups=groups, panel=s, choices=range(1, panel.k + 1))
    return ctx


@login_required
def formation_detail(request, formation_id: int):
    formation = _formation(request, formation_id)
    ctx = _context(formation)
    ctx["versions"] = formation.versions.all()
    return render(request, "formations/detail.html", ctx)


@login_required
@require_POST
def formation_run(request, formation_id: int):
    formation = _formation(request, formation_id)
    try:
        run = services.formation_run(by=request.user, formation=formation)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect("formations:detail", formation_id=formation.pk)
    return redirect("runs:detail", run_id=run.pk)


@login_required
@require_POST
def formation_move(request, formation_id: int):
    formation = _formation(request, formation_id)
    error = None
    try:
        services.draft_move(
            by=request.user,
            formation=formation,
            unit_id=int(request.POST.get("unit") or 0),
            to_group=int(request.POST.get("to") or 0) - 1,
        )
    except (ValueError, TypeError):
        error = _("请选择目标共同体。")
    except ValidationError as exc:
        error = " ".join(exc.messages)
    formation.refresh_from_db()
    if request.headers.get("HX-Request"):
        status = 422 if error else 200
        return render(request, "formations/_board.html", _context(formation, error), status=status)
    if error:
        messages.error(request, error)
    return redirect("formations:detail", formation_id=formation.pk)


@login_required
@require_POST
def version_save(request, formation_id: int):
    formation = _formation(request, formation_id)
    try:
        version = services.version_save(
            by=request.user, formation=formation, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("已保存为第 %(n)s 版。") % {"n": version.number})
    return redirect("formations:detail", formation_id=formation.pk)


@login_required
def version_list(request, formation_id: int):
    formation = _formation(request, formation_id)
    versions = list(formation.versions.all())
    diff = None
    a, b = request.GET.get("a"), request.GET.get("b")
    if a and b:
        va = next((v for v in versions if str(v.number) == a), None)
        vb = next((v for v in versions if str(v.number) == b), None)
        if va and vb:
            diff = services.compare(formation, va, vb)
            diff.update(a=va, b=vb)
    return render(
        request,
        "formations/versions.html",
        {"formation": formation, "versions": versions, "diff": diff},
    )


@login_required
@require_POST
def version_adopt(request, formation_version_id: int):
    version = get_scoped_or_404(
        FormationVersion.objects.select_related("formation", "formation__owner_unit"),
        request.user,
        MANAGE,
        pk=formation_version_id,
    )
    try:
        done = services.version_adopt(by=request.user, version=version)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(
            request,
            _("已采用第 %(n)s 版，生成或更新了 %(c)s 个共同体。")
            % {"n": version.number, "c": len(done)},
        )
    return redirect("formations:versions", formation_id=version.formation_id)


@login_required
def formation_export(request, formation_id: int):
    formation = _formation(request, formation_id)
    number = request.GET.get("version")
    assignment = formation.draft
    if number:
        version = formation.versions.filter(number=number).first()
        assignment = version.assignment if version else assignment
    if not assignment:
        messages.error(request, _("尚无组建草稿，请先运行测算。"))
        return redirect("formations:detail", formation_id=formation.pk)
    response = HttpResponse(
        sheets.export_xlsx(formation, assignment),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="formation-{formation.pk}.xlsx"'
    return response


@login_required
@require_POST
def formation_import(request, formation_id: int):
    formation = _formation(request, formation_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要导入的 .xlsx 文件。"))
    else:
        try:
            sheets.import_xlsx(by=request.user, formation=formation, data=upload.read())
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("已导入名单，成为新的草稿；请核对后保存版本。"))
    return redirect(reverse("formations:detail", kwargs={"formation_id": formation.pk}))


urlpatterns = [
    path("", formation_list, name="list"),
    path("programme/<int:programme_id>/", programme_formations, name="programme"),
    path("<int:formation_id>/", formation_detail, name="detail"),
    path("<int:formation_id>/run/", formation_run, name="run"),
    path("<int:formation_id>/move/", formation_move, name="move"),
    path("<int:formation_id>/versions/", version_list, name="versions"),
    path("<int:formation_id>/versions/save/", version_save, name="version_save"),
    path("<int:formation_id>/export/", formation_export, name="export"),
    path("<int:formation_id>/import/", formation_import, name="import"),
    path("version/<int:formation_version_id>/adopt/", version_adopt, name="adopt"),
]
