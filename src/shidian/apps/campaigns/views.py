"""Campaign pages: list (office and coordinator), open a campaign, the office dashboard
(completeness, ranking, distribution, weakest items, gaps), XLSX exports, reminders."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.campaigns import export_tables, selectors, services
from shidian.apps.campaigns.forms import CampaignForm
from shidian.apps.campaigns.models import Sheet, SheetStatus
from shidian.apps.campaigns.notices import request_base_url
from shidian.apps.campaigns.runkinds import EXPORT_KIND
from shidian.apps.core.access import MANAGE, REMIND, action_required, can, may
from shidian.apps.core.replica import replica_reads
from shidian.apps.core.scoping import scope_root
from shidian.apps.orgs.models import SchoolType
from shidian.apps.runs.services import run_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 100


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    context = {
        # Zones follow the campaigns of their schools like the office, limited to their subtree
        # (the dashboards read sheets through restrict(user)).
        "campaigns": selectors.campaigns_for(user=request.user)
        if may(request.user, REMIND)
        else [],
        "my_sheets": selectors.my_sheets(user=request.user),
        "notifications": selectors.notifications_for(user=request.user),
        "reviews": selectors.review_overview(user=request.user, limit=0),
    }
    return render(request, "campaigns/list.html", context)


@action_required(MANAGE)
def campaign_create(request: HttpRequest) -> HttpResponse:
    programme_id = request.GET.get("programme", "")
    form = CampaignForm(
        request.POST or None,
        user=request.user,
        programme_id=int(programme_id) if programme_id.isdigit() else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                unit=request.user.unit,
                user=request.user,
                name=data["name"],
                version=data["version"],
                opens_on=data["opens_on"],
                deadline=data["deadline"],
                accept_late=data["accept_late"],
                root=data["root"],
                school_types=data["school_types"],
                reviewers=data["reviewers"],
                phase=data["phase"],
                base_url=request_base_url(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已发布，受邀单位会收到通知。"))
            return redirect("campaigns:detail", campaign_id=campaign.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "campaigns/create.html", {"form": form}, status=status)


def _dashboard(request, campaign_id, *, reviews_part: bool = False):
    """The campaign and the sheets the user may see. Experts get only the parts about their own
    reviews (``reviews_part``); the self-score dashboards are a 404 for them."""
    campaign = selectors.campaign_for(user=request.user, campaign_id=campaign_id)
    if not reviews_part and not selectors.follows(user=request.user):
        raise Http404
    sheets = selectors.sheets_for(user=request.user, campaign=campaign)
    return campaign, sheets


def _ranking_rows(campaign, rows):
    """Add the school type label and per-dimension scores that _ranking_table.html shows."""
    dimensions = campaign.version.as_standard().dimensions
    labels = dict(SchoolType.choices)
    for row in rows:
        row["dims"] = [row["dimension_scores"].get(d.code, 0) for d in dimensions]
        row["type"] = labels.get(row["unit__school_type"], "")
    return rows


@login_required
@replica_reads
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    if not selectors.follows(user=request.user):
        campaign = selectors.campaign_for(user=request.user, campaign_id=campaign_id)
        return redirect(f"{reverse('campaigns:my_reviews')}?campaign={campaign.pk}")
    campaign, sheets = _dashboard(request, campaign_id)
    counts = selectors.completeness(sheets=sheets)
    total = sum(counts.values())
    done = sum(counts[s] for s in ("submitted", "resubmitted", "accepted"))
    manager = can(request.user, MANAGE, campaign)
    context = {
        "campaign": campaign,
        "counts": [(s, label, counts[s]) for s, label in SheetStatus.choices],
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 0,
        "manager": manager,
        "review_progress": selectors.review_progress(campaign=campaign) if manager else None,
        "top": _ranking_rows(campaign, selectors.ranking(sheets=sheets, limit=10)),
        "unranked": selectors.unranked_counts(counts=counts),
        "dimensions": campaign.version.as_standard().dimensions,
    }
    return render(request, "campaigns/detail.html", context)


@login_required
@replica_reads
def campaign_completeness(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign, sheets = _dashboard(request, campaign_id)
    status = request.GET.get("status", SheetStatus.NOT_OPENED)
    if status not in SheetStatus.values:
        raise Http404
    counts = selectors.completeness(sheets=sheets)
    paginator = Paginator(range(counts[status]), PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.units_by_status(
        sheets=sheets,
        status=status,
        offset=page.start_index() - 1 if counts[status] else 0,
        limit=PAGE,
    )
    labels = dict(SchoolType.choices)
    for row in rows:
        row["type"] = labels.get(row["unit__school_type"], "")
    context = {
        "campaign": campaign,
        "status": status,
        "counts": [(s, label, counts[s]) for s, label in SheetStatus.choices],
        "rows": rows,
        "page": page,
    }
    return render(request, "campaigns/completeness.html", context)


@login_required
@replica_reads
def campaign_ranking(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign, sheets = _dashboard(request, campaign_id)
    counts = selectors.completeness(sheets=sheets)
    counted = sum(counts[s] for s in selectors.RANKED)
    paginator = Paginator(range(counted), PAGE)
    page = paginator.get_page(request.GET.get("page"))
    offset = page.start_index() - 1 if counted else 0
    rows = _ranking_rows(campaign, selectors.ranking(sheets=sheets, offset=offset, limit=PAGE))
    context = {
        "campaign": campaign,
        "rows": rows,
        "page": page,
        "dimensions": campaign.version.as_standard().dimensions,
        "unranked": selectors.unranked_counts(counts=counts),
    }
    return render(request, "campaigns/ranking.html", context)


@login_required
@replica_reads
def campaign_analysis(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign, sheets = _dashboard(request, campaign_id, reviews_part=True)
    gaps = selectors.gap_summary(sheets=sheets, user=request.user)[:50]
    if not selectors.follows(user=request.user):
        context = {"campaign": campaign, "gaps": gaps, "reviews_only": True}
        return render(request, "campaigns/analysis.html", context)
    by_type = selectors.distribution(sheets=sheets, by="type")
    by_zone = selectors.distribution(sheets=sheets, by="zone")
    types = selectors.submitted_types(sheets=sheets)
    chosen = request.GET.get("type", "")
    if chosen not in {t["code"] for t in types}:
        chosen = ""
    context = {
        "campaign": campaign,
        "by_type": by_type,
        "by_zone": by_zone,
        "types": types,
        "chosen_type": chosen,
        "chosen_label": dict(SchoolType.choices).get(chosen, ""),
        "weakest": selectors.weakest_items(
            campaign=campaign, sheets=sheets, school_type=chosen or None
        ),
        "gaps": gaps,
        "chart_data": {
            "type": {
                "labels": [r["label"] for r in by_type],
                "avg": [r["avg"] for r in by_type],
                "min": [r["min"] for r in by_type],
                "max": [r["max"] for r in by_type],
            },
            "zone": {
                "labels": [r["label"] for r in by_zone],
                "avg": [r["avg"] for r in by_zone],
                "min": [r["min"] for r in by_zone],
                "max": [r["max"] for r in by_zone],
            },
            "names": {"avg": _("平均分"), "min": _("最低分"), "max": _("最高分")},
        },
    }
    return render(request, "campaigns/analysis.html", context)


@login_required
def campaign_export(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A dashboard table as XLSX: at once for a usual campaign; for a very large one (a
    province, a nation) as a Run (后台任务) whose card offers the file."""
    table = request.GET.get("table", "ranking")
    campaign, sheets = _dashboard(request, campaign_id, reviews_part=table == "gaps")
    if table not in export_tables.TABLES:
        raise Http404
    count = sheets.count()
    if count <= settings.CAMPAIGN_EXPORT_INLINE_MAX:
        data = export_tables.export_table(
            campaign=campaign, sheets=sheets, table=table, user=request.user
        )
        response = HttpResponse(data, content_type=XLSX)
        filename = export_tables.export_filename(campaign, table)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    root = scope_root(request.user)
    if request.method == "POST" and root is not None:
        run = run_start(
            EXPORT_KIND,
            by=request.user,
            unit=root,
            params={"campaign_id": campaign.pk, "table": table},
            subject=campaign,
        )
        return redirect("runs:detail", run_id=run.pk)
    context = {
        "title": _("导出 XLSX"),
        "explanation": _("共 %(n)d 份填报表，导出需要一些时间：将在后台生成 Excel，完成后可下载。")
        % {"n": count},
        "action": request.get_full_path(),
        "back_url": reverse("campaigns:detail", kwargs={"campaign_id": campaign.pk}),
    }
    return render(request, "runs/offer.html", context)


@require_POST
@login_required
def campaign_remind(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_for(user=request.user, campaign_id=campaign_id)
    # The office reminds every late unit; a zone reminds its own schools (core.access REMIND).
    if not Sheet.objects.restrict(request.user, REMIND).filter(round=campaign).exists():
        raise Http404
    from shidian.apps.campaigns.tasks import remind_campaign

    remind_campaign.enqueue(
        campaign_id=campaign.pk, base_url=request_base_url(request), user_id=request.user.pk
    )
    messages.success(request, _("已安排向尚未提交的单位发送提醒。"))
    if request.POST.get("next") == "home":
        return redirect("core:home")
    return redirect("campaigns:detail", campaign_id=campaign.pk)
