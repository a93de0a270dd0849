"""Bulk exchange (批量交换): report values and sheet answers in and out as CSV, JSON or XLSX,
keyed by natural keys, like DHIS2's dataValueSets."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "shidian.apps.exchange"
    label = "exchange"
    verbose_name = _("批量交换")

    def ready(self) -> None:
        from shidian.apps.core.audit import register_actions
        from shidian.apps.core.daily import register_daily
        from shidian.apps.exchange.cleanup import purge_pending_uploads

        register_daily(purge_pending_uploads)
        register_actions({"exchange.import": _("批量导入数据")})
