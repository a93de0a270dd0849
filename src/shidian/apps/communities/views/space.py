"""The community list, a community's home page, its resources and its message board."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.communities import space as svc
from shidian.apps.communities.models import Community, CommunityMember, Post, Resource
from shidian.apps.communities.panels import PANELS
from shidian.apps.core.access import FILL, MANAGE, VIEW, can, get_scoped_or_404


def _distance(a, b):
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    from shidian.engine.grouping.prepare import haversine_km

    return round(float(haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)), 1)


@login_required
def community_list(request):
    communities = Community.objects.restrict(request.user, VIEW).select_related(
        "lead_unit", "programme"
    )
    programme = request.GET.get("programme", "")
    kind = request.GET.get("kind", "")
    if programme.isdigit():
        communities = communities.filter(programme_id=int(programme))
    if kind:
        communities = communities.filter(kind=kind)
    communities = communities.prefetch_related("members__unit", "contacts")
    return render(request, "communities/list.html", {"communities": communities, "kind": kind})


def _board(request, community):
    posts = (
        Post.objects.restrict(request.user, VIEW)
        .filter(community=community, parent__isnull=True, deleted=False)
        .select_related("author", "unit")
        .prefetch_related("replies__author", "replies__unit")
    )
    return Paginator(posts, 20).get_page(request.GET.get("page"))


def detail_context(request, community: Community, **extra) -> dict:
    """Everything the community page shows; ``extra`` carries a failed form back to its place
    (errors inline, the user's input kept) instead of a separate error page."""
    from shidian.apps.communities.forms import ContactForm

    lead = community.lead_unit
    members = []
    for mem in CommunityMember.objects.filter(  # scoping: ok community is visible
        community=community, left_on__isnull=True
    ).select_related("unit", "unit__zone"):
        members.append(
            {"m": mem, "km": _distance(mem.unit, lead) if lead and not mem.is_lead else None}
        )
    may_manage = can(request.user, MANAGE, community)
    ctx = {
        "community": community,
        "members": members,
        "contacts": community.contacts.select_related("unit"),
        "resources": Resource.objects.restrict(request.user, VIEW).filter(community=community),
        "page": _board(request, community),
        "may_fill": can(request.user, FILL, community),
        "may_manage": may_manage,
        "community_panels": PANELS,
        "resource_errors": [],
        "resource_values": {},
        "post_errors": [],
        "post_body": "",
    }
    if may_manage:
        ctx["contact_form"] = ContactForm(community)
    ctx.update(extra)
    return ctx


def render_detail(request, community: Community, *, status: int = 200, **extra):
    return render(
        request,
        "communities/detail.html",
        detail_context(request, community, **extra),
        status=status,
    )


@login_required
def community_detail(request, community_id: int):
    community = get_scoped_or_404(Community, request.user, VIEW, pk=community_id)
    return render_detail(request, community)


@login_required
@require_POST
def resource_add(request, community_id: int):
    community = get_scoped_or_404(Community, request.user, VIEW, pk=community_id)
    values = {"title": request.POST.get("title", ""), "url": request.POST.get("url", "")}
    try:
        svc.resource_add(
            by=request.user, community=community, upload=request.FILES.get("file"), **values
        )
    except ValidationError as exc:
        # The file input cannot be refilled by a browser; title and link are kept.
        return render_detail(
            request,
            community,
            status=400,
            resource_errors=exc.messages,
            resource_values=values,
        )
    messages.success(request, _("资源已分享。"))
    return redirect(reverse("communities:detail", args=[community.pk]) + "#cm-resources")


@login_required
@require_POST
def resource_remove(request, space_resource_id: int):
    res = get_scoped_or_404(Resource, request.user, VIEW, pk=space_resource_id)
    svc.resource_remove(by=request.user, resource=res)
    return redirect("communities:detail", res.community_id)


@login_required
def resource_download(request, space_resource_id: int):
    res = get_scoped_or_404(Resource, request.user, VIEW, pk=space_resource_id)
    if res.kind == Resource.Kind.LINK:
        return redirect(res.url)
    if not res.file:
        raise Http404
    return FileResponse(res.file.open("rb"), as_attachment=True, filename=res.file_name)


@login_required
@require_POST
def post_add(request, community_id: int):
    community = get_scoped_or_404(Community, request.user, VIEW, pk=community_id)
    parent = None
    if request.POST.get("parent", "").isdigit():
        parent = get_scoped_or_404(
            Post, request.user, VIEW, pk=int(request.POST["parent"]), community=community
        )
    body = request.POST.get("body", "")
    try:
        svc.post_add(by=request.user, community=community, body=body, parent=parent)
    except ValidationError as exc:
        # A top-level post keeps its text; a reply's error shows above the board.
        kept = "" if parent else body
        if request.htmx:
            # 200, not 400: htmx swaps only successful responses, and the errors belong inline.
            return render(
                request,
                "communities/_board.html",
                detail_context(request, community, post_errors=exc.messages, post_body=kept),
            )
        return render_detail(
            request, community, status=400, post_errors=exc.messages, post_body=kept
        )
    if request.htmx:
        return render(request, "communities/_board.html", detail_context(request, community))
    return redirect(reverse("communities:detail", args=[community.pk]) + "#cm-board")


@login_required
@require_POST
def post_remove(request, space_post_id: int):
    post = get_scoped_or_404(Post, request.user, VIEW, pk=space_post_id)
    svc.post_remove(by=request.user, post=post)
    return redirect("communities:detail", post.community_id)


urlpatterns = [
    path("", community_list, name="list"),
    path("<int:community_id>/", community_detail, name="detail"),
    path("<int:community_id>/resources/add/", resource_add, name="resource_add"),
    path("resources/<int:space_resource_id>/", resource_download, name="resource_download"),
    path("resources/<int:space_resource_id>/remove/", resource_remove, name="resource_remove"),
    path("<int:community_id>/posts/add/", post_add, name="post_add"),
    path("posts/<int:space_post_id>/remove/", post_remove, name="post_remove"),
]
