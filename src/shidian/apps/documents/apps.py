from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "shidian.apps.documents"
    label = "documents"
    verbose_name = _("公文")

    def ready(self) -> None:
        from shidian.apps.core.audit import register_actions

        register_actions(
            {
                "documents.generate": _("生成公文"),
                "documents.cancel": _("取消生成"),
                "documents.pdf_retry": _("重新生成 PDF"),
                "documents.template_create": _("创建公文模板"),
                "documents.template_upload": _("上传模板新版本"),
                "documents.template_rollback": _("回退模板版本"),
            }
        )
