"""Times as people read them: in the site's zone (settings.TIME_ZONE), with the zone named.

The database keeps UTC; pages show local time through Django's template filters. Exports and
e-mails are read outside the page, so they say which zone they are in, derived from the
setting (a bureau in Urumqi may run on its own zone).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Zones with a name people use; any other zone is shown by its IANA name.
ZONE_NAMES = {
    "Asia/Shanghai": gettext_lazy("北京时间"),
    "Asia/Chongqing": gettext_lazy("北京时间"),
    "Asia/Harbin": gettext_lazy("北京时间"),
    "PRC": gettext_lazy("北京时间"),
    "Asia/Hong_Kong": gettext_lazy("香港时间"),
    "Asia/Macau": gettext_lazy("澳门时间"),
    "Asia/Taipei": gettext_lazy("台北时间"),
    "UTC": gettext_lazy("协调世界时"),
}
FORMAT = "%Y-%m-%d %H:%M"


def utc_offset_text(offset: timedelta | None) -> str:
    """UTC+8, UTC+5:30, UTC-3, UTC."""
    minutes = int((offset or timedelta(0)).total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(at: datetime | None = None) -> str:
    """The site's zone as a reader knows it, e.g. "北京时间 UTC+8"."""
    zone = timezone.get_default_timezone()
    key = getattr(zone, "key", str(zone))
    offset = timezone.localtime(at or timezone.now(), zone).utcoffset()
    name = ZONE_NAMES.get(key, key)
    if key == "UTC":
        return str(name)
    return _("%(zone)s %(offset)s") % {"zone": name, "offset": utc_offset_text(offset)}


def local_text(value: datetime | None) -> str:
    """``value`` in the site's zone as "2026-12-02 17:00" (blank for None)."""
    if value is None:
        return ""
    return timezone.localtime(value, timezone.get_default_timezone()).strftime(FORMAT)
