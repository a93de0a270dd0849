"""The app's settings, read when used (so tests can override them), with their defaults.

The lead may set them from environment variables in config/settings.py; every one has a
default that works on a laptop.
"""

from __future__ import annotations

import datetime

from django.conf import settings


def dedup_window() -> datetime.timedelta:
    """The same message to the same person about the same thing is written once per window."""
    return datetime.timedelta(seconds=getattr(settings, "NOTIFICATIONS_DEDUP_WINDOW", 600))


def mail_per_hour() -> int:
    """E-mails one person gets per hour; beyond it the rest wait for one summary e-mail."""
    return int(getattr(settings, "NOTIFICATIONS_MAIL_PER_HOUR", 20))


def digest_hour() -> int:
    """The local hour the daily digest leaves."""
    return int(getattr(settings, "NOTIFICATIONS_DIGEST_HOUR", 17))


def webhook_timeout() -> float:
    return float(getattr(settings, "NOTIFICATIONS_WEBHOOK_TIMEOUT", 10))


def webhook_max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS", 6))


def webhook_backoff() -> float:
    """Seconds before the first retry; each later retry waits twice as long."""
    return float(getattr(settings, "NOTIFICATIONS_WEBHOOK_BACKOFF", 60))


# Link-local (cloud metadata at 169.254.169.254), unspecified and multicast addresses are refused;
# private and loopback addresses are allowed because bureau intranets use them.
DEFAULT_BLOCKED = ("169.254.0.0/16", "fe80::/10", "0.0.0.0/8", "224.0.0.0/4", "::/128", "ff00::/8")


def webhook_blocked_networks() -> tuple[str, ...]:
    return tuple(getattr(settings, "NOTIFICATIONS_WEBHOOK_BLOCKED_NETWORKS", DEFAULT_BLOCKED))


def webhook_proxy() -> str:
    """An HTTP(S) proxy for pushes ("" = direct; environment proxies are ignored on purpose)."""
    return str(getattr(settings, "NOTIFICATIONS_WEBHOOK_PROXY", ""))
