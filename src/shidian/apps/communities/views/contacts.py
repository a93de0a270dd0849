"""Contact people on a community's page: the lead school and the office add, change, remove;
members read the list (the page itself)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.communities import services
from shidian.apps.communities.forms import ContactForm
from shidian.apps.communities.models import Community, CommunityContact
from shidian.apps.communities.views.space import render_detail
from shidian.apps.core.access import MANAGE, get_scoped_or_404


def _back(community_id: int):
    return redirect(reverse("communities:detail", args=[community_id]) + "#cm-contacts")


def _save(request, community: Community, contact: CommunityContact | None):
    form = ContactForm(community, request.POST, contact=contact)
    if form.is_valid():
        try:
            services.contact_put(
                by=request.user, community=community, contact=contact, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("联系人已保存。"))
            return _back(community.pk)
    extra = {"contact_form": form} if contact is None else {"edit_form": form, "editing": contact}
    return render_detail(request, community, status=400, **extra)


@login_required
@require_POST
def contact_add(request, community_id: int):
    community = get_scoped_or_404(Community, request.user, MANAGE, pk=community_id)
    return _save(request, community, None)


@login_required
def contact_edit(request, community_contact_id: int):
    """GET: the community page with this contact's row as a form; POST: save it."""
    contact = get_scoped_or_404(
        CommunityContact.objects.select_related("community"),
        request.user,
        MANAGE,
        pk=community_contact_id,
    )
    community = contact.community
    if request.method == "POST":
        return _save(request, community, contact)
    form = ContactForm(community, contact=contact)
    return render_detail(request, community, edit_form=form, editing=contact)


@login_required
@require_POST
def contact_remove(request, community_contact_id: int):
    contact = get_scoped_or_404(
        CommunityContact.objects.select_related("community"),
        request.user,
        MANAGE,
        pk=community_contact_id,
    )
    community_id = contact.community_id
    services.contact_remove(by=request.user, contact=contact)
    messages.success(request, _("联系人已删除。"))
    return _back(community_id)


urlpatterns = [
    path("<int:community_id>/contacts/add/", contact_add, name="contact_add"),
    path("contacts/<int:community_contact_id>/edit/", contact_edit, name="contact_edit"),
    path("contacts/<int:community_contact_id>/remove/", contact_remove, name="contact_remove"),
]
