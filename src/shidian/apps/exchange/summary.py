"""The import summary: counts (imported / updated / ignored / rejected) and the rows that were
rejected or skipped by the strategy, each with its index, a stable reason code and a message in
the caller's language. Pure: no Django models."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

CREATE, UPDATE, CREATE_AND_UPDATE = "CREATE", "UPDATE", "CREATE_AND_UPDATE"
STRATEGIES = (CREATE_AND_UPDATE, CREATE, UPDATE)
IMPORTED, UPDATED, IGNORED, REJECTED = "imported", "updated", "ignored", "rejected"
# More listed rows than this are counted, not listed: a summary stays small.
MAX_LISTED = 1000

REASONS: dict[str, Any] = {
    "missing_key": _("缺少必填的键（单位、期别、字段等）。"),
    "unit_out_of_scope": _("单位代码不存在，或不在您的管辖范围内。"),
    "form_not_found": _("找不到该报表。"),
    "period_not_found": _("该报表没有这个期别。"),
    "field_not_found": _("该报表没有这个字段。"),
    "campaign_not_found": _("找不到该次自查赋分。"),
    "item_not_found": _("该指标体系没有这个评分要点。"),
    "not_expected": _("该单位在这一期（这次）无需填报，或尚未开始填报。"),
    "blank_value": _("值为空；清除已填的数据请在填报页面上操作。"),
    "invalid_value": _("值不正确。"),
    "duplicate": _("文件中已有同一单位、同一期别、同一字段的数据。"),
    "forbidden": _("您无权填写该单位的数据。"),
    "locked": _("已提交或已通过，不能通过导入修改；如需更正，请先退回。"),
    "closed": _("填报已结束，不能导入。"),
    "conflict": _("导入期间该表被他人修改，请重新导入。"),
    "refused": _("保存被拒绝。"),
    "exists": _("已有数据；所选策略只新增，不修改。"),
    "not_existing": _("尚无数据；所选策略只修改，不新增。"),
}


@dataclass
class Summary:
    strategy: str = CREATE_AND_UPDATE
    dry_run: bool = False
    counts: dict[str, int] = field(
        default_factory=lambda: {IMPORTED: 0, UPDATED: 0, IGNORED: 0, REJECTED: 0}
    )
    rows: list[dict[str, Any]] = field(default_factory=list)
    unlisted: int = 0

    def add(self, outcome: str, index: int, code: str = "", message: str = "") -> None:
        self.counts[outcome] += 1
        if not code:
            return
        if len(self.rows) >= MAX_LISTED:
            self.unlisted += 1
            return
        text = message or str(REASONS.get(code, code))
        self.rows.append({"row": index, "outcome": outcome, "code": code, "message": text})

    def move(self, outcome: str, to: str, index: int, code: str, message: str = "") -> None:
        """A counted change that failed when written (the whole sheet refused)."""
        self.counts[outcome] -= 1
        self.add(to, index, code, message)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        self.rows.sort(key=lambda r: r["row"])
        return {
            "status": "ERROR" if self.counts[REJECTED] else "OK",
            "dry_run": self.dry_run,
            "strategy": self.strategy,
            "total": self.total,
            "counts": dict(self.counts),
            "rows": self.rows,
            "rows_not_listed": self.unlisted,
        }
