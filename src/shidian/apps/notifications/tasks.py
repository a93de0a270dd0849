"""Background tasks: thin wrappers that take plain values and call a service."""

from __future__ import annotations

from django_tasks import task


@task()
def send_messages(*, messages: list[list[str]]) -> int:
    """[subject, body, address] triples, one e-mail each."""
    from shidian.apps.notifications.mail import send_messages_now

    return send_messages_now(messages=messages)
