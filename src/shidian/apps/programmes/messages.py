"""The user's-language text of the states module's refusal codes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shidian.apps.programmes.states import TransitionError


def state_label(value: str) -> str:
    from shidian.apps.programmes.models import ParticipationState

    try:
        return str(ParticipationState(value).label)
    except ValueError:
        return value


def describe(exc: TransitionError) -> str:
    p = exc.params
    if exc.code == "illegal":
        return _("不能从“%(frm)s”改为“%(to)s”。") % {
            "frm": state_label(str(p["frm"])),
            "to": state_label(str(p["to"])),
        }
    if exc.code == "reason_required":
        return _("改为“%(to)s”须填写理由。") % {"to": state_label(str(p["to"]))}
    if exc.code == "batch_required":
        return _("确定为试点须选择批次。")
    if exc.code == "unknown_batch":
        return _("第%(batch)s批不属于本项目。") % {"batch": p["batch"]}
    if exc.code == "same_batch":
        return _("该单位已是第%(batch)s批试点。") % {"batch": p["batch"]}
    if exc.code == "batch_not_allowed":
        return _("改为“%(to)s”时不能选择批次。") % {"to": state_label(str(p["to"]))}
    if exc.code == "unknown_state":
        return _("未知状态：%(state)s。") % {"state": p["state"]}
    return _("状态变更不合规则。")
