"""Expert review (专家评审): the reviewer's page per sheet, the reviewer's list of assignments,
and the office's release of the reviews. What anyone sees of the reviews is decided by
``Review.objects.restrict`` (blind until released); these views only ask and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.campaigns import reviews, selectors
from shidian.apps.campaigns.models import Review
from shidian.apps.campaigns.review_presenters import review_groups
from shidian.apps.campaigns.views_sheet import _sheet
from shidian.apps.core.access import MANAGE, REVIEW, can
from shidian.engine.scoring import Method

PAGE = 100


@login_required
def sheet_review(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = _sheet(request, sheet_id)
    campaign = sheet.campaign
    is_reviewer = can(request.user, REVIEW, sheet)
    manager = can(request.user, MANAGE, campaign)
    if not (is_reviewer or manager):
        raise Http404
    standard = campaign.version.as_standard()
    visible = Review.objects.restrict(request.user).filter(submission=sheet)
    mine = visible.filter(reviewer=request.user).first()
    posted, remarks, status = None, None, 200
    if request.method == "POST":
        if not is_reviewer:
            raise Http404
        posted = {item.code: request.POST.get(f"r-{item.code}", "") for item in standard.items()}
        remarks = {
            key: request.POST.get(key, "") for key in ("strengths", "weaknesses", "suggestions")
        }
        vetoes = {i.code for i in standard.items() if i.method == Method.VETO}
        try:
            reviews.review_save(
                sheet=sheet,
                reviewer=request.user,
                item_scores={c: v for c, v in posted.items() if c not in vetoes},
                vetoes={c: v for c, v in posted.items() if c in vetoes},
                **remarks,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            # Re-render with what the reviewer typed, so a typo does not cost the whole form.
            messages.error(request, _("未保存：") + "；".join(exc.messages))
            status = 400
        else:
            messages.success(request, _("评审意见已保存。"))
            return redirect("campaigns:review", sheet_id=sheet.pk)
    gaps = selectors.review_gaps(sheet=sheet, user=request.user)
    context = {
        "sheet": sheet,
        "campaign": campaign,
        "gaps": gaps,
        "groups": review_groups(
            sheet=sheet,
            standard=standard,
            gaps=gaps,
            evidence=sheet.evidence.all(),
            mine=mine,
            posted=posted,
        ),
        "mine": mine,
        "remarks": remarks,
        "is_reviewer": is_reviewer,
        "can_review": is_reviewer and campaign.reviews_released_at is None,
        "manager": manager,
        "reviews": visible.select_related("reviewer").order_by("pk"),
        "max_total": standard.max_total(),
    }
    return render(request, "campaigns/review.html", context, status=status)


@login_required
def my_reviews(request: HttpRequest) -> HttpResponse:
    """Every sheet the user reviews, to do first; ``?campaign=`` narrows to one campaign."""
    campaign = None
    if request.GET.get("campaign", "").isdigit():
        campaign = selectors.campaign_for(
            user=request.user, campaign_id=int(request.GET["campaign"])
        )
    assignments = selectors.review_assignments(user=request.user, campaign=campaign)
    page = Paginator(assignments, PAGE).get_page(request.GET.get("page"))
    campaigns = {row.campaign_id: row.campaign for row in page}
    context = {
        "page": page,
        "rows": page.object_list,
        "campaign": campaign,
        "query": f"campaign={campaign.pk}&" if campaign else "",
        "campaigns": list(campaigns.values()),
        "todo": assignments.filter(scored=False).count(),
        "total": page.paginator.count,
    }
    return render(request, "campaigns/my_reviews.html", context)


@require_POST
@login_required
def campaign_release_reviews(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_for(user=request.user, campaign_id=campaign_id)
    try:
        reviews.reviews_release(campaign=campaign, user=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("评审结果已公布，专家现在可以看到汇总的核定结果。"))
    return redirect("campaigns:detail", campaign_id=campaign.pk)
