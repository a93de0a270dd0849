"""What coordinators are told when a campaign opens, before it closes and when their sheet is
returned: an in-app notice and an e-mail that links to the unit's own sheet and says what to do
and by when, in the recipient's language.

E-mails are read outside the site, so their links are absolute: ``settings.SITE_URL`` when it
is set (the address people use, behind any proxy), else the address of the request that caused
them, else the local default of ``shidian serve``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from shidian.apps.campaigns.localtime import local_text, zone_label
from shidian.apps.notifications.links import (  # noqa: F401 (importable from here too)
    LOCAL_SITE_URL,
    recipient_language,
    request_base_url,
    site_url,
)
from shidian.apps.notifications.models import MESSAGE_MAX

OPEN, REMIND, RETURN = "open", "remind", "return"


@dataclass
class Notice:
    subject: str  # also the in-app notice
    body: str


def _deadline(campaign) -> str:
    return _("%(time)s（%(zone)s）") % {
        "time": local_text(campaign.deadline),
        "zone": zone_label(campaign.deadline),
    }


def compose(*, kind: str, campaign, sheet, link: str, item_count: int = 0) -> Notice:
    """The notice for one unit's sheet (``sheet`` carries the unit; the caller picks the
    language with translation.override)."""
    deadline = _deadline(campaign)
    values = {
        "unit": sheet.unit.name,
        "campaign": campaign.name,
        "deadline": deadline,
        "link": link,
        "office": campaign.unit.name,
    }
    late = (
        _("截止时间以后仍可提交，但会记为逾期。")
        if campaign.accept_late
        else _("截止时间以后将不能再提交。")
    )
    closing = _(
        "可以在网页上逐项填写（自动保存），也可以在该页面下载本单位的 Excel 表格，填好后上传。"
    )
    footer = _("此邮件由试点系统自动发送，请勿直接回复。")
    if kind == OPEN:
        subject = _("请在 %(deadline)s 前完成“%(name)s”自查赋分") % {
            "deadline": local_text(campaign.deadline),
            "name": campaign.name,
        }
        main = (
            _(
                "%(office)s发起了“%(campaign)s”自查赋分。请在 %(deadline)s 前登录系统，"
                "填写并提交本单位的自查表："
            )
            % values
        )
    elif kind == REMIND:
        subject = _("提醒：“%(name)s”将于 %(deadline)s 截止，贵单位尚未提交") % {
            "name": campaign.name,
            "deadline": local_text(campaign.deadline),
        }
        main = _(
            "“%(campaign)s”自查赋分将于 %(deadline)s 截止，贵单位的自查表尚未提交"
            "（当前状态：%(status)s，已填 %(answered)s / %(items)s 项）。"
            "请打开下面的链接，填完后点击“提交”："
        ) % {
            **values,
            "status": sheet.get_status_display(),
            "answered": sheet.answered,
            "items": item_count,
        }
    elif kind == RETURN:
        subject = _("%(campaign)s：自查表被退回修改") % values
        main = (
            _(
                "%(office)s退回了贵单位的“%(campaign)s”自查表。请按意见修改后，"
                "在 %(deadline)s 前重新提交："
            )
            % values
        )
        details = []
        if sheet.return_note:
            details.append(_("退回说明：%(note)s") % {"note": sheet.return_note})
        if sheet.comments:
            details.append(
                _("%(n)s 个评分要点附有修改意见（%(codes)s），打开自查表即可看到。")
                % {"n": len(sheet.comments), "codes": "、".join(sorted(sheet.comments))}
            )
        if details:
            main = main + "\n\n" + "\n".join(details)
    else:
        raise ValueError(kind)
    greeting = _("%(unit)s：") % values
    body = "\n\n".join([greeting, main, link, late, closing, footer]) + "\n"
    return Notice(subject=subject[:MESSAGE_MAX], body=body)


def sheet_link(*, sheet_id: int, base_url: str = "") -> str:
    return site_url(base_url) + reverse("campaigns:sheet", kwargs={"sheet_id": sheet_id})


def compose_for(
    *, user, kind: str, campaign, sheet, base_url: str = "", item_count: int = 0
) -> Notice:
    with translation.override(recipient_language(user)):
        return compose(
            kind=kind,
            campaign=campaign,
            sheet=sheet,
            link=sheet_link(sheet_id=sheet.pk, base_url=base_url),
            item_count=item_count,
        )
