"""Background tasks: thin wrappers that take plain values and call a service."""

from __future__ import annotations

from django_tasks import task


@task()
def send_messages(*, messages: list[list[str]]) -> int:
    """[subject, body, address] triples, one e-mail each."""
    from shidian.apps.notifications.mail import send_messages_now

    return send_messages_now(messages=messages)


@task()
def send_held_mail(*, user_ids: list[int], status: str) -> int:
    """One summary e-mail per person for their waiting notifications."""
    from shidian.apps.notifications.services.digests import held_mail_send

    return held_mail_send(status=status, user_ids=user_ids)


@task()
def send_webhook(*, delivery_id: int) -> str:
    from shidian.apps.notifications.services.webhooks import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id)


@task()
def sweep() -> dict[str, int]:
    """For a scheduler: waiting e-mails and due pushes (also ``manage.py notifications_sweep``)."""
    from shidian.apps.notifications.services.digests import held_mail_due
    from shidian.apps.notifications.services.webhooks import deliveries_retry_due

    return {"mails": held_mail_due(), "pushes": deliveries_retry_due()}
