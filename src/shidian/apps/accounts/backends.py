"""The password backend: Django's own, reading the person's unit with the person."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# The dotted path sessions store (login(..., backend=PASSWORD_BACKEND)).
PASSWORD_BACKEND = "shidian.apps.accounts.backends.AccountBackend"


class AccountBackend(ModelBackend):
    """Every signed-in request reads its user, and the access rules then read the user's unit
    (its path scopes every query): one query with a join instead of two, on every request."""

    def get_user(self, user_id: Any) -> Any:
        users = get_user_model()._default_manager.select_related("unit")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
