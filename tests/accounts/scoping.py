"""URL kwargs and public URLs of the accounts app, for tests/core/test_url_scoping.py."""


def _victim_user(tree):
    """An account inside county A (the outsider's scope is county B)."""
    from tests.conftest import make_user

    return make_user("victim", tree.school, "coordinator", full_name="甲县受害者").pk


def _victim_invitation(tree):
    from datetime import timedelta

    from django.utils import timezone

    from shidian.apps.accounts.models import Invitation

    now = timezone.now()
    return Invitation.objects.create(
        email="victim@example.org",
        role="coordinator",
        unit=tree.school,
        nonce="x" * 32,
        sent_at=now,
        expires_at=now + timedelta(days=7),
    ).pk


def _victim_batch(tree):
    """A bulk-creation batch of county A (the outsider's scope is county B)."""
    from shidian.apps.accounts.models import AccountBatch

    return AccountBatch.objects.create(unit=tree.county, role="coordinator").pk


URL_KWARG_FACTORIES: dict = {
    "batch_id": _victim_batch,
    "user_id": _victim_user,
    "invitation_id": _victim_invitation,
}
PUBLIC_URL_NAMES = {
    "accounts:login",
    "accounts:logout",
    "accounts:invitation_accept",
    "accounts:activate",
    "accounts:activate_password",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
