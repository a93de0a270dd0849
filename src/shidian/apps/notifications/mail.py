"""Sending mail now (called from the task worker, never from a request)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail


def send_mail_now(*, subject: str, body: str, to: list[str]) -> int:
    # One message per recipient so addresses are not disclosed to each other.
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in to]
    return send_mass_mail(messages, fail_silently=False)


def send_messages_now(*, messages: list[list[str]]) -> int:
    """Send [subject, body, address] triples, one message each."""
    return send_mass_mail(
        [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for subject, body, to in messages],
        fail_silently=False,
    )
