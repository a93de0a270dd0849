"""How a run stops early: Cancelled (someone asked) and RunError (a coded, translatable failure).

A kind raises ``RunError("code", param=value)``; the run stores the code and params, and the
page asks the kind's ``describe_error`` for the sentence in the reader's language. Anything else
a kind raises is a bug: the traceback goes to the log and the person reads "internal".
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class Cancelled(Exception):
    """Raised by ``progress(...)`` when cancel was requested; the executor records it."""


class RunError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = {k: _jsonable(v) for k, v in params.items()}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# Codes the runs machinery itself records (kinds add theirs through describe_error).
GENERIC = {
    "internal": _("任务出现内部错误，已记录在服务器日志中。请稍后重试，或联系管理员。"),
    "unknown_kind": _("这种任务已不再提供（%(kind)s）。"),
    "interrupted": _("任务被中断（服务器重启或进程退出），可以重试。"),
    "not_found": _("任务要处理的对象已不存在。"),
}
