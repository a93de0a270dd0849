"""Absolute links and the recipient's language for messages read outside the site.

E-mails are read outside the site, so their links are absolute: ``settings.SITE_URL`` when it
is set (the address people use, behind any proxy), else the address of the request that caused
them, else the local default of ``shidian serve``.
"""

from __future__ import annotations

from django.conf import settings

LOCAL_SITE_URL = "http://127.0.0.1:8000"


def site_url(base_url: str = "") -> str:
    return (getattr(settings, "SITE_URL", "") or base_url or LOCAL_SITE_URL).rstrip("/")


def absolute(path: str, base_url: str = "") -> str:
    """``path`` ("/campaigns/sheets/3/") as an address that works from a mail client."""
    if path.startswith(("http://", "https://")):
        return path
    return site_url(base_url) + path


def request_base_url(request) -> str:
    """The address of the site as the request reached it (when SITE_URL is not set)."""
    return request.build_absolute_uri("/").rstrip("/")


def recipient_language(user) -> str:
    """The language to write to ``user`` in. Accounts keep no language per person yet, so
    everyone gets the site's language (Chinese), whoever triggered the message."""
    return settings.LANGUAGE_CODE
