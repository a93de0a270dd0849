"""Login throttling on top of django-axes: per user name and address, and per address alone.

Axes locks a user name from one client address after ``AXES_FAILURE_LIMIT`` failures. That alone
lets one address try a few passwords against every account of a county; so an address whose
failures, across all user names and within the cool-off, reach ``LOGIN_ADDRESS_FAILURE_LIMIT`` is
locked too (for every user name). The limit is much higher than the per-user one because a school
puts all its teachers behind one address. The address is ``core.clientip.client_ip``.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from shidian.apps.core.clientip import client_ip


def address_failures(address: str) -> int:
    """Failed logins from ``address`` within the cool-off, whatever the user name."""
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler; an address over its own limit counts as over the per-user one.

    Axes asks ``get_failures`` both before a login (is it locked?) and after a failure (lock it
    now?), so answering here keeps the two decisions and the lockout page in step.
    """

    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if limit > 0:
            address = getattr(request, "axes_ip_address", None) or client_ip(request)
            if address_failures(address) >= limit:
                return max(failures, get_failure_limit(request, credentials))
        return failures
