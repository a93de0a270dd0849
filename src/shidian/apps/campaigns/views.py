"""Campaign pages: list (office and coordinator), open a campaign, the office dashboard
(completeness, ranking, distribution, weakest items, gaps), XLSX exports, reminders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.campaigns import exports, selectors, services
from shidian.apps.campaigns.forms import CampaignForm
from shidian.apps.campaigns.localtime import local_text, zone_label
from shidian.apps.campaigns.models import SheetStatus
from shidian.apps.campaigns.notices import request_base_url
from shidian.apps.core.access import MANAGE, REMIND, action_required, can, may
from shidian.apps.orgs.models import SchoolType

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
    form = CampaignForm(request.POST or None, user=request.user)
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
    table = request.GET.get("table", "ranking")
    campaign, sheets = _dashboard(request, campaign_id, reviews_part=table == "gaps")
    labels = dict(SchoolType.choices)
    statuses = dict(SheetStatus.choices)
    extra: list[tuple[str, list[str], list[list]]] = []
    zone = zone_label()
    if table == "ranking":
        dimensions = campaign.version.as_standard().dimensions
        headers = [
            _("名次"),
            _("代码"),
            _("单位"),
            _("学校类型"),
            _("片区"),
            _("状态"),
            _("自评总分"),
            _("一票否决"),
        ] + [d.name for d in dimensions]
        rows = [
            [
                r["rank"],
                r["unit__code"],
                r["unit__name"],
                str(labels.get(r["unit__school_type"], "")),
                r["unit__zone__name"] or "",
                str(statuses[r["status"]]),
                r["total"],
                _("是") if r["vetoed"] else "",
            ]
            + [r["dimension_scores"].get(d.code, 0) for d in dimensions]
            for r in selectors.ranking(sheets=sheets, limit=None)
        ]
        # Units not yet submitted are listed apart, without a rank.
        extra.append(
            (
                _("未提交（不参加排名）"),
                [
                    _("代码"),
                    _("单位"),
                    _("学校类型"),
                    _("片区"),
                    _("状态"),
                    _("已填要点"),
                    _("更新时间（%(zone)s）") % {"zone": zone},
                ],
                [
                    [
                        r["unit__code"],
                        r["unit__name"],
                        str(labels.get(r["unit__school_type"], "")),
                        r["unit__zone__name"] or "",
                        str(statuses[r["status"]]),
                        r["answered"],
                        local_text(r["updated_at"]) if r["status"] != "not_opened" else "",
                    ]
                    for r in selectors.unranked_rows(sheets=sheets)
                ],
            )
        )
    elif table == "completeness":
        headers = [
            _("代码"),
            _("单位"),
            _("学校类型"),
            _("状态"),
            _("已填要点"),
            # The page shows local time; the file says which zone it is in.
            _("提交时间（%(zone)s）") % {"zone": zone},
            _("更新时间（%(zone)s）") % {"zone": zone},
        ]
        rows = [
            [
                r["unit__code"],
                r["unit__name"],
                str(labels.get(r["unit__school_type"], "")),
                str(statuses[r["status"]]),
                r["answered"],
                local_text(r["submitted_at"]),
                local_text(r["updated_at"]) if r["status"] != "not_opened" else "",
            ]
            for r in sheets.order_by("status", "unit__code").values(
                "unit__code",
                "unit__name",
                "unit__school_type",
                "status",
                "answered",
                "submitted_at",
                "updated_at",
            )
        ]
    elif table in ("type", "zone"):
        headers = [_("分组"), _("单位数"), _("平均分"), _("最低分"), _("最高分")]
        rows = [
            [r["label"], r["n"], r["avg"], r["min"], r["max"]]
            for r in selectors.distribution(sheets=sheets, by=table)
        ]
    elif table == "weakest":
        # All submitted sheets first, then each school type on its own (a filter in Excel).
        groups = [{"label": _("全部类型"), "code": None}] + selectors.submitted_types(sheets=sheets)
        headers = [
            _("学校类型"),
            _("编号"),
            _("一级指标"),
            _("二级指标"),
            _("评分要点"),
            _("分值"),
            _("平均得分"),
            _("得分率"),
            _("单位数"),
        ]
        rows = [
            [
                str(group["label"]),
                r["code"],
                r["dimension"],
                r["indicator"],
                r["text"],
                r["max"],
                r["avg"],
                r["share"],
                r["n"],
            ]
            for group in groups
            for r in selectors.weakest_items(
                campaign=campaign, sheets=sheets, limit=10_000, school_type=group["code"]
            )
        ]
    elif table == "gaps":
        headers = [
            _("单位"),
            _("自评总分"),
            _("自评否决"),
            _("核定总分"),
            _("核定为否决的人数"),
            _("差距"),
            _("评审人数"),
        ]
        rows = [
            [
                r["unit"],
                r["self"],
                _("是") if r["self_vetoed"] else "",
                r["reviewed"],
                r["vetoes"] or "",
                r["gap"],
                r["reviews"],
            ]
            for r in selectors.gap_summary(sheets=sheets, user=request.user)
        ]
    else:
        raise Http404
    data = exports.table_xlsx(table, [str(h) for h in headers], rows, extra=extra)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-{table}.xlsx"'
    return response


@require_POST
@login_required
def campaign_remind(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_for(user=request.user, campaign_id=campaign_id)
    if not can(request.user, MANAGE, campaign):
        raise Http404
    from shidian.apps.campaigns.tasks import remind_campaign

    remind_campaign.enqueue(campaign_id=campaign.pk, base_url=request_base_url(request))
    messages.success(request, _("已安排向尚未提交的单位发送提醒。"))
    return redirect("campaigns:detail", campaign_id=campaign.pk)
