"""Writes of supervision: league tables (compute, publish), 督办 cases, the bulletin."""

from shidian.apps.supervision.services.bulletin import bulletin_generate
from shidian.apps.supervision.services.league import league_compute, league_publish

__all__ = ["bulletin_generate", "league_compute", "league_publish"]


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from shidian.apps.core.audit import register_actions

    register_actions(
        {
            "supervision.compute": _("计算月度排名"),
            "supervision.publish": _("发布月度排名"),
            "supervision.bulletin": _("生成月度通报"),
        }
    )
