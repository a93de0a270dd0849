from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shidian.apps.accounts"
    label = "accounts"
    verbose_name = _("账号")

    def ready(self) -> None:
        from shidian.apps.accounts import policies  # noqa: F401  (registers the access policies)
        from shidian.apps.core.audit import register_actions

        register_actions(
            {
                "accounts.invite": _("邀请用户"),
                "accounts.invite_resend": _("重新发送邀请"),
                "accounts.invite_revoke": _("撤销邀请"),
                "accounts.invite_accept": _("接受邀请"),
                "accounts.deactivate": _("停用账号"),
                "accounts.reactivate": _("启用账号"),
                "accounts.password_change": _("修改密码"),
                "accounts.password_reset": _("重置密码"),
                "accounts.demo_create": _("创建演示账号"),
            }
        )
