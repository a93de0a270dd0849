"""Standards pages: list and import, a version's tree, export, publish, revise, compare."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shidian.apps.core.access import MANAGE, action_required, get_scoped_or_404
from shidian.apps.standards import selectors, services
from shidian.apps.standards.forms import ImportForm, ItemEditForm
from shidian.apps.standards.models import Standard, StandardVersion
from shidian.engine.scoring import Method, dump_yaml, write_xlsx
from shidian.engine.scoring.rules import rule_display

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
METHOD_LABELS = {
    Method.SCORE: gettext_lazy("直接赋分"),
    Method.LEVELS: gettext_lazy("等级"),
    Method.YES_NO: gettext_lazy("是否"),
    Method.NUMBER: gettext_lazy("数值"),
    Method.RATIO: gettext_lazy("比值"),
    Method.VETO: gettext_lazy("一票否决"),
}

# Readable names for the item fields a version comparison lists as changed.
FIELD_LABELS = {
    "text": gettext_lazy("评分要点"),
    "max_score": gettext_lazy("分值"),
    "method": gettext_lazy("评分方式"),
    "guidance": gettext_lazy("评分说明"),
    "evidence_required": gettext_lazy("佐证材料"),
    "weight": gettext_lazy("权重"),
    "levels": gettext_lazy("等级"),
    "thresholds": gettext_lazy("数值分档"),
    "direction": gettext_lazy("分档方向"),
    "fallback": gettext_lazy("其余情况得分"),
    "numerator": gettext_lazy("分子"),
    "denominator": gettext_lazy("分母"),
    "indicator": gettext_lazy("二级指标"),
    "dimension": gettext_lazy("一级指标"),
    "veto": gettext_lazy("一票否决"),
}


@action_required(MANAGE)
def standard_list(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        parsed = services.standard_parse_upload(upload=upload)
        problems = parsed.problems
        if parsed.ok and not form.cleaned_data["dry_run"]:
            version = services.standard_import(
                unit=request.user.unit,
                user=request.user,
                parsed=parsed.standard,
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("已导入为草稿版本，请检查后发布。"))
            return redirect("standards:version", version_id=version.pk)
        if parsed.ok:
            messages.success(
                request,
                _("检查通过：%(n)s 个评分要点，没有问题。") % {"n": len(parsed.standard.items())},
            )
    context = {
        "form": form,
        "problems": problems,
        "standards": selectors.standards_for(user=request.user),
    }
    return render(request, "standards/list.html", context)


@action_required(MANAGE)
def standard_detail(request: HttpRequest, standard_id: int) -> HttpResponse:
    standard = get_scoped_or_404(Standard, request.user, pk=standard_id)
    versions = standard.versions.order_by("-number")
    return render(request, "standards/detail.html", {"standard": standard, "versions": versions})


def _rows(version: StandardVersion) -> list[dict]:
    """The tree flattened with rowspans, the way the XLSX shows it."""
    engine = version.as_standard()
    rows = []
    for dimension in engine.dimensions:
        d_span = sum(len(i.items) for i in dimension.indicators)
        for ii, indicator in enumerate(dimension.indicators):
            for ik, item in enumerate(indicator.items):
                rule = rule_display(item)
                rows.append(
                    {
                        "dimension": dimension if ii == 0 and ik == 0 else None,
                        "d_span": d_span,
                        "indicator": indicator if ik == 0 else None,
                        "i_span": len(indicator.items),
                        "item": item,
                        "method": METHOD_LABELS[item.method],
                        "rule": rule,
                    }
                )
    return rows


@action_required(MANAGE)
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_scoped_or_404(
        StandardVersion.objects.select_related("standard"), request.user, pk=version_id
    )
    others = version.standard.versions.exclude(pk=version.pk).order_by("-number")
    context = {"version": version, "rows": _rows(version), "others": others}
    return render(request, "standards/version.html", context)


@action_required(MANAGE)
def version_export(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_scoped_or_404(
        StandardVersion.objects.select_related("standard"), request.user, pk=version_id
    )
    engine = version.as_standard()
    stem = f"{version.standard.code}-v{version.number}"
    if request.GET.get("format") == "yaml":
        response = HttpResponse(dump_yaml(engine), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.yaml"'
        return response
    buffer = io.BytesIO()
    write_xlsx(engine, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    return response


@require_POST
@action_required(MANAGE)
def version_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_scoped_or_404(StandardVersion, request.user, MANAGE, pk=version_id)
    services.version_publish(version=version, user=request.user)
    messages.success(request, _("已发布。发布后的版本不再修改，修订时会创建新版本。"))
    return redirect("standards:version", version_id=version.pk)


@require_POST
@action_required(MANAGE)
def version_new_draft(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_scoped_or_404(StandardVersion, request.user, MANAGE, pk=version_id)
    draft = services.version_new_draft(version=version, user=request.user)
    messages.info(request, _("已创建新版本草稿。"))
    return redirect("standards:version", version_id=draft.pk)


@action_required(MANAGE)
def version_item_edit(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_scoped_or_404(
        StandardVersion.objects.select_related("standard"), request.user, MANAGE, pk=version_id
    )
    code = request.GET.get("code", "")
    item = next((i for i in version.as_standard().items() if i.code == code), None)
    if item is None or version.is_published:
        raise Http404
    initial = {
        "text": item.text,
        "guidance": item.guidance,
        "max_score": item.max_score,
        "evidence_required": item.evidence_required,
    }
    form = ItemEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_update_item(
                version=version, user=request.user, code=code, changes=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("standards:version", version_id=version.pk)
    return render(
        request, "standards/item_edit.html", {"version": version, "item": item, "form": form}
    )


@action_required(MANAGE)
def version_compare(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_scoped_or_404(
        StandardVersion.objects.select_related("standard"), request.user, pk=version_id
    )
    other_id = request.GET.get("other")
    other = (
        get_scoped_or_404(StandardVersion, request.user, pk=other_id)
        if other_id
        else version.standard.versions.exclude(pk=version.pk).order_by("-number").first()
    )
    if other is None:
        raise Http404
    old, new = (other, version) if other.number < version.number else (version, other)
    changes = selectors.versions_compare(old=old, new=new)
    shown = [c for c in changes if c.kind != "same"]
    context = {
        "version": version,
        "old": old,
        "new": new,
        "changes": [(c, [FIELD_LABELS.get(f, f) for f in c.fields]) for c in shown],
        "same": len(changes) - len(shown),
    }
    return render(request, "standards/compare.html", context)
