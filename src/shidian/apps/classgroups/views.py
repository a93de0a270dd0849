"""Pages of the class tool: my lists, upload, the grouping page, moves, downloads, delete."""

from __future__ import annotations

import random

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.classgroups import services
from shidian.apps.classgroups.models import ClassList
from shidian.apps.classgroups.policies import TEACHER_ROLES
from shidian.apps.core.access import FILL, VIEW, action_required, get_scoped_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _teacher(request: HttpRequest) -> None:
    from django.core.exceptions import PermissionDenied

    if request.user.role not in TEACHER_ROLES and not request.user.is_superuser:
        raise PermissionDenied


def _get(request: HttpRequest, class_list_id: int, action: str = VIEW) -> ClassList:
    return get_scoped_or_404(ClassList, request.user, action, pk=class_list_id)


@action_required(VIEW)
def list_view(request: HttpRequest) -> HttpResponse:
    _teacher(request)
    lists = ClassList.objects.restrict(request.user, VIEW)
    return render(request, "classgroups/list.html", {"lists": lists})


@action_required(FILL)
def upload_view(request: HttpRequest) -> HttpResponse:
    _teacher(request)
    errors: list[str] = []
    values = {"name": "", "group_size": 6, "apart": ""}
    if request.method == "POST":
        values = {
            "name": request.POST.get("name", "").strip(),
            "group_size": request.POST.get("group_size", "6"),
            "apart": request.POST.get("apart", ""),
        }
        upload = request.FILES.get("file")
        try:
            size = int(values["group_size"])
        except ValueError:
            size = 0
        if not values["name"]:
            errors.append(_("请填写班级名称。"))
        if upload is None:
            errors.append(_("请选择班级名单文件（XLSX 或 CSV）。"))
        if not errors:
            try:
                parsed = services.parse_upload(upload.read(), upload.name, values["apart"])
                class_list = services.class_list_create(
                    by=request.user, name=values["name"], group_size=size, parsed=parsed
                )
            except ValidationError as exc:
                errors = list(exc.messages)
            else:
                return redirect("classgroups:detail", class_list_id=class_list.pk)
    return render(request, "classgroups/upload.html", {"errors": errors, "values": values})


@action_required(VIEW)
def template_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(services.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="class-list-template.xlsx"'
    return response


def _context(class_list: ClassList, error: str = "") -> dict:
    return {
        "class_list": class_list,
        "groups": services.groups(class_list),
        "balance": services.balance(class_list),
        "error": error,
    }


@action_required(VIEW)
def detail_view(request: HttpRequest, class_list_id: int) -> HttpResponse:
    from shidian.apps.classgroups import jobs
    from shidian.apps.classgroups.sheet import sheet_is_fresh

    class_list = _get(request, class_list_id)
    context = _context(class_list)
    context["sheet_run"] = jobs.sheet_run(request.user, class_list)
    context["sheet_fresh"] = sheet_is_fresh(class_list)
    return render(request, "classgroups/detail.html", context)


@require_POST
@action_required(FILL)
def move_view(request: HttpRequest, class_list_id: int) -> HttpResponse:
    class_list = _get(request, class_list_id, FILL)
    error = ""
    try:
        pupil = get_scoped_or_404(
            class_list.pupils.all(),
            request.user,
            FILL,
            pk=int(request.POST.get("pupil", "0") or 0),
        )
        group = int(request.POST.get("group", "-1"))
        services.pupil_move(class_list=class_list, pupil=pupil, group=group, by=request.user)
    except ValueError:
        error = _("请选择学生和目标小组。")
    except ValidationError as exc:
        error = " ".join(exc.messages)
    context = _context(class_list, error)
    if request.headers.get("HX-Request"):
        return render(request, "classgroups/_board.html", context, status=200)
    if error:
        messages.error(request, error)
    return redirect("classgroups:detail", class_list_id=class_list.pk)


@require_POST
@action_required(FILL)
def regroup_view(request: HttpRequest, class_list_id: int) -> HttpResponse:
    class_list = _get(request, class_list_id, FILL)
    try:
        size = int(request.POST.get("group_size") or class_list.group_size)
        services.class_list_regroup(
            class_list=class_list,
            by=request.user,
            seed=random.randint(1, 99999),
            group_size=size,
        )
    except (ValueError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("classgroups:detail", class_list_id=class_list.pk)


@action_required(VIEW)
def xlsx_view(request: HttpRequest, class_list_id: int) -> HttpResponse:
    class_list = _get(request, class_list_id)
    response = HttpResponse(services.export_xlsx(class_list), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="groups-{class_list.pk}.xlsx"'
    return response


@action_required(VIEW)
def docx_view(request: HttpRequest, class_list_id: int) -> HttpResponse:
    class_list = _get(request, class_list_id)
    response = HttpResponse(services.seating_docx(class_list), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="seating-{class_list.pk}.docx"'
    return response


@action_required(VIEW)
def print_view(request: HttpRequest, class_list_id: int) -> HttpResponse:
    class_list = _get(request, class_list_id)
    return render(request, "classgroups/print.html", _context(class_list))


@require_POST
@action_required(FILL)
def delete_view(request: HttpRequest, class_list_id: int) -> HttpResponse:
    class_list = _get(request, class_list_id, FILL)
    services.class_list_delete(class_list=class_list, by=request.user)
    messages.success(request, _("班级名单及全部学生信息已删除。"))
    return redirect("classgroups:list")


@require_POST
@action_required(FILL)
def sheet_start_view(request: HttpRequest, class_list_id: int) -> HttpResponse:
    from shidian.apps.classgroups import jobs

    class_list = _get(request, class_list_id, FILL)
    jobs.sheet_start(class_list=class_list, by=request.user)
    return redirect("classgroups:detail", class_list_id=class_list.pk)


@action_required(VIEW)
def sheet_pdf_view(request: HttpRequest, class_list_id: int) -> HttpResponse:
    from django.http import FileResponse, Http404

    from shidian.apps.classgroups.sheet import sheet_is_fresh

    class_list = _get(request, class_list_id)
    if not class_list.sheet_pdf:
        raise Http404
    if not sheet_is_fresh(class_list):
        # Never hand out a sheet that does not match the groups (a move or regroup since).
        messages.warning(request, _("分组在生成座位表之后有变动，请重新生成座位表 PDF。"))
        return redirect("classgroups:detail", class_list_id=class_list.pk)
    return FileResponse(
        class_list.sheet_pdf.open("rb"),
        as_attachment=True,
        filename=f"seating-{class_list.pk}.pdf",
        content_type="application/pdf",
    )
