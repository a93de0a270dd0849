"""Background tasks: thin wrappers that take ids and call a service."""

from __future__ import annotations

from django_tasks import task


@task()
def send_campaign_mail(*, subject: str, body: str, to: list[str]) -> int:
    # Kept so that tasks queued before send_campaign_messages existed still run.
    from shidian.apps.notifications.mail import send_mail_now

    return send_mail_now(subject=subject, body=body, to=to)


@task()
def send_campaign_messages(*, messages: list[list[str]]) -> int:
    """Kept for tasks queued before notifications.tasks.send_messages took over."""
    from shidian.apps.notifications.mail import send_messages_now

    return send_messages_now(messages=messages)


@task()
def remind_campaign(*, campaign_id: int, base_url: str = "", user_id: int | None = None) -> int:
    from shidian.apps.accounts.models import User
    from shidian.apps.campaigns.models import Campaign
    from shidian.apps.campaigns.services import campaign_remind

    campaign = Campaign.objects.select_related("unit", "version").get(  # scoping: ok task id
        pk=campaign_id
    )
    # Who asked decides which units are reminded (a zone: its own schools).
    user = User.objects.filter(pk=user_id).first() if user_id else None  # scoping: ok task id
    return campaign_remind(campaign=campaign, user=user, base_url=base_url)


@task()
def remind_due_campaigns(*, days_before: int = 3) -> int:
    from shidian.apps.campaigns.services import remind_due_campaigns as run

    return run(days_before=days_before)
