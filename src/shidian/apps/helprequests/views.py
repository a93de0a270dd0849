"""Help request pages: thin views over services and scoped queries."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.communities.access import is_member
from shidian.apps.communities.models import Community
from shidian.apps.core.access import FILL, MANAGE, REVIEW, VIEW, can, get_scoped_or_404
from shidian.apps.core.replica import replica_reads
from shidian.apps.helprequests import services
from shidian.apps.helprequests.attachments import MAX_FILES
from shidian.apps.helprequests.models import HelpAttachment, HelpRequest, Status
from shidian.apps.helprequests.selectors import experts_for


def _errors(request, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


@login_required
def community_requests(request, community_id: int):
    community = get_scoped_or_404(Community, request.user, VIEW, pk=community_id)
    rows = (
        HelpRequest.objects.restrict(request.user, VIEW)
        .filter(community=community)
        .select_related("unit", "expert")
    )
    return render(
        request,
        "helprequests/community.html",
        {
            "community": community,
            "rows": rows,
            "today": timezone.localdate(),
            "may_ask": is_member(request.user, community) and can(request.user, FILL, community),
        },
    )


@login_required
def request_new(request, community_id: int):
    community = get_scoped_or_404(Community, request.user, FILL, pk=community_id)
    if not is_member(request.user, community):
        return HttpResponse(status=403)
    data = {"title": "", "description": "", "category": ""}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in data}
        try:
            req = services.request_create(
                by=request.user,
                community=community,
                uploads=request.FILES.getlist("files"),
                **data,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("援助申请已提交，等待牵头校或项目办公室分派专家。"))
            return redirect("helprequests:detail", help_request_id=req.pk)
    return render(
        request,
        "helprequests/new.html",
        {"community": community, "data": data, "max_files": MAX_FILES},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def request_detail(request, help_request_id: int):
    req = get_scoped_or_404(
        HelpRequest.objects.select_related("community", "unit", "expert"),
        request.user,
        VIEW,
        pk=help_request_id,
    )
    user = request.user
    may_manage = can(user, MANAGE, req)
    is_expert = req.expert_id == user.pk and can(user, REVIEW, req)
    is_requester = user.unit_id == req.unit_id and can(user, FILL, req)
    open_ = req.status != Status.CLOSED
    return render(
        request,
        "helprequests/detail.html",
        {
            "req": req,
            "thread": req.messages.select_related("author").prefetch_related("attachments"),
            "attachments": req.attachments.filter(message__isnull=True),
            "max_files": MAX_FILES,
            "may_route": may_manage and open_,
            "experts": experts_for(req) if may_manage and open_ else [],
            "may_answer": is_expert and req.status == Status.ROUTED,
            "may_confirm": is_requester and req.status == Status.ANSWERED,
            "may_comment": open_ and (is_expert or is_requester or may_manage),
            "overdue": req.is_overdue(),
            # An expert does not see the community itself: their way back is their own list.
            "sees_community": can(user, VIEW, req.community),
        },
    )


@login_required
@require_POST
def request_act(request, help_request_id: int):
    req = get_scoped_or_404(HelpRequest, request.user, VIEW, pk=help_request_id)
    act, by, post = request.POST.get("act", ""), request.user, request.POST
    files = request.FILES.getlist("files")
    try:
        if act == "route":
            if not can(by, MANAGE, req):
                raise PermissionDenied
            expert = experts_for(req).filter(pk=post.get("expert") or 0).first()
            due = parse_date(post.get("due_on", "") or "") if post.get("due_on") else None
            if post.get("due_on") and due is None:
                raise ValidationError(_("答复期限的日期格式不正确。"))
            services.request_route(by=by, request=req, expert=expert, due_on=due)
            messages.success(request, _("已分派专家。"))
        elif act == "answer":
            services.request_answer(by=by, request=req, body=post.get("body", ""), uploads=files)
            messages.success(request, _("答复已提交。"))
        elif act == "confirm":
            services.request_confirm(by=by, request=req)
            messages.success(request, _("援助申请已确认解决并关闭。"))
        elif act == "reopen":
            services.request_reopen(by=by, request=req, reason=post.get("body", ""), uploads=files)
            messages.success(request, _("援助申请已重新打开，等待专家再次答复。"))
        elif act == "comment":
            services.comment(by=by, request=req, body=post.get("body", ""), uploads=files)
        else:
            raise ValidationError(_("未知的操作。"))
    except ValidationError as exc:
        _errors(request, exc)
    if not can(by, VIEW, req):
        return redirect("helprequests:mine")
    return redirect("helprequests:detail", help_request_id=req.pk)


@login_required
def attachment_download(request, help_attachment_id: int):
    """A file of a request, for whoever sees the request (an expert: only one routed to them)."""
    found = get_scoped_or_404(HelpAttachment, request.user, VIEW, pk=help_attachment_id)
    if not found.file:
        raise Http404
    # Always as a download: the browser never renders an uploaded file inside our origin.
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


@login_required
def my_requests(request):
    rows = (
        HelpRequest.objects.restrict(request.user, REVIEW)
        .filter(expert_id=request.user.pk)
        .select_related("community", "unit")
    )
    return render(request, "helprequests/mine.html", {"rows": rows, "today": timezone.localdate()})


def _dashboard_rows(user):
    communities = Community.objects.restrict(user, MANAGE).order_by("number", "pk")
    visible = HelpRequest.objects.restrict(user, VIEW)
    overdue_ids = visible.overdue().values("pk")
    stats = {
        r["community_id"]: r
        for r in visible.filter(community__in=communities)
        .values("community_id")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status=Status.OPEN)),
            routed=Count("pk", filter=Q(status=Status.ROUTED)),
            answered=Count("pk", filter=Q(status=Status.ANSWERED)),
            closed=Count("pk", filter=Q(status=Status.CLOSED)),
            overdue=Count("pk", filter=Q(pk__in=overdue_ids)),
        )
    }
    empty = {"total": 0, "open": 0, "routed": 0, "answered": 0, "closed": 0, "overdue": 0}
    return [(c, stats.get(c.pk, empty)) for c in communities]


@login_required
@replica_reads
def dashboard(request):
    rows = _dashboard_rows(request.user)
    overdue = (
        HelpRequest.objects.restrict(request.user, MANAGE)
        .overdue()
        .select_related("community", "unit", "expert")[:200]
    )
    return render(request, "helprequests/dashboard.html", {"rows": rows, "overdue": overdue})


@login_required
def dashboard_xlsx(request):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("援助申请统计")
    ws.append(
        [_("共同体"), _("申请总数"), _("待分派"), _("待答复"), _("待确认"), _("已关闭"), _("逾期")]
    )
    for c, s in _dashboard_rows(request.user):
        ws.append(
            [c.name, s["total"], s["open"], s["routed"], s["answered"], s["closed"], s["overdue"]]
        )
    ws2 = wb.create_sheet(_("逾期援助申请"))
    ws2.append([_("共同体"), _("申请学校"), _("援助申请标题"), _("状态"), _("专家"), _("答复期限")])
    for r in (
        HelpRequest.objects.restrict(request.user, MANAGE)
        .overdue()
        .select_related("community", "unit", "expert")
    ):
        ws2.append(
            [
                r.community.name,
                r.unit.name,
                r.title,
                r.get_status_display(),
                str(r.expert) if r.expert else "",
                r.due_on.isoformat() if r.due_on else "",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = 'attachment; filename="help-requests.xlsx"'
    return resp
