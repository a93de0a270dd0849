"""Security review: a programme office cannot bring back a system administrator's account."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shidian.apps.accounts import services
from shidian.apps.accounts.models import User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_office_cannot_reactivate_a_superuser(tree, office_user):
    admin = make_user("admin", tree.county, "office", is_superuser=True, is_active=False)
    with pytest.raises(ValidationError):
        services.user_reactivate(actor=office_user, user=admin)
    assert not User.objects.get(pk=admin.pk).is_active


def test_superuser_may_reactivate_a_superuser(tree):
    root = make_user("root", None, "office", is_superuser=True)
    admin = make_user("admin", tree.county, "office", is_superuser=True, is_active=False)
    services.user_reactivate(actor=root, user=admin)
    assert User.objects.get(pk=admin.pk).is_active
