"""Invitation e-mail: plain text, in the inviter's language, sent after the commit."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

log = logging.getLogger(__name__)


def accept_url(*, base_url: str, token: str) -> str:
    return base_url.rstrip("/") + reverse("accounts:invitation_accept", kwargs={"token": token})


def send_invitation(*, invitation: Any, token: str, base_url: str, inviter: Any) -> None:
    context = {
        "invitation": invitation,
        "inviter": inviter,
        "link": accept_url(base_url=base_url, token=token),
        "unit": invitation.unit,
        "role": invitation.get_role_display(),
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context)
    body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(
        " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [invitation.email],
    )
    log.info("invitation %s sent to %s", invitation.pk, invitation.email)
