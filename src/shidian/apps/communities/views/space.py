"""The community list and a community's page (owned by the space helper; stub for now)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from shidian.apps.communities.models import Community
from shidian.apps.core.access import VIEW, get_scoped_or_404


@login_required
def community_list(request):
    communities = Community.objects.restrict(request.user, VIEW).select_related("lead_unit")
    return render(request, "communities/list.html", {"communities": communities})


@login_required
def community_detail(request, community_id: int):
    community = get_scoped_or_404(Community, request.user, VIEW, pk=community_id)
    return render(request, "communities/detail.html", {"community": community})


urlpatterns = [
    path("", community_list, name="list"),
    path("<int:community_id>/", community_detail, name="detail"),
]
