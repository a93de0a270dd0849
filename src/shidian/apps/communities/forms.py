"""The contact-person form of a community page; the rules themselves live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.communities.models import Community, CommunityContact, CommunityMember


class ContactForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label=_("所在学校"), empty_label="—")
    name = forms.CharField(label=_("姓名"), max_length=60)
    duty = forms.CharField(
        label=_("职务"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：教务主任")}),
    )
    phone = forms.CharField(
        label=_("电话"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # A plain text field: the service checks the address and says so in our words.
    email = forms.CharField(
        label=_("邮箱"), max_length=254, required=False, widget=forms.EmailInput()
    )

    def __init__(
        self, community: Community, *args: Any, contact: CommunityContact | None = None, **kw: Any
    ) -> None:
        from shidian.apps.orgs.models import OrgUnit

        if contact is not None and not args and "data" not in kw:
            kw["initial"] = {
                "unit": contact.unit_id,
                "name": contact.name,
                "duty": contact.duty,
                "phone": contact.phone,
                "email": contact.email,
            }
        super().__init__(*args, **kw)
        self.contact = contact
        members = CommunityMember.objects.filter(community=community, left_on__isnull=True)
        self.fields["unit"].queryset = OrgUnit.objects.filter(
            pk__in=members.values("unit_id")
        ).order_by("code")
        self.auto_id = f"contact-{contact.pk if contact else 'new'}-%s"
