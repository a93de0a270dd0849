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
from shidian.apps.formations.board import board_figures, draft_state
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


def _context(formation, error=None, **marks):
    """The board's context; ``marks`` (previous figures, touched communities, the moved unit,
    the unit a refused move named) let a move show what it changed or why it was refused."""
    ctx = {"formation": formation, "error": error, "groups": [], "panel": None}
    if not formation.draft:
        return ctx
    panel, inputs = services.panel_of(formation)
    error_unit = marks.pop("error_unit", None)
    b = board_figures(formation, panel, inputs, **marks)
    ctx.update(
        groups=b["groups"],
        panel=b["summary"],
        changed_count=b["changed_count"],
        marked=marks.get("previous") is not None,
        error_unit=error_unit,
        choices=range(1, panel.k + 1),
    )
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
    htmx = bool(request.headers.get("HX-Request"))
    error = None
    try:
        unit_id = int(request.POST.get("unit") or 0)
        to_group = int(request.POST.get("to") or 0) - 1
    except (ValueError, TypeError):
        unit_id, to_group, error = 0, -1, _("请选择目标共同体。")
    before = draft_state(formation) if htmx else None
    if error is None:
        try:
            services.draft_move(
                by=request.user, formation=formation, unit_id=unit_id, to_group=to_group
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    formation.refresh_from_db()
    if htmx:
        if error:  # nothing changed: the board as it is, with the reason beside the school
            ctx = _context(formation, error, error_unit=unit_id)
        else:
            ctx = _context(
                formation,
                previous=before["figures"] if before else None,
                touched=(before["labels"].get(unit_id, -1), to_group) if before else (),
                moved_unit=unit_id,
            )
        return render(request, "formations/_board.html", ctx, status=422 if error else 200)
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
