"""The steps of a selection in the seed programme's order, for the overview and the step bar.

Each step has a page (its URL name takes ``selection_id``) and a one-line state computed from
what the step stored. Steps are shown in order; a step whose inputs do not exist yet says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from shidian.apps.selection.models import Selection, SelectionStatus


@dataclass(frozen=True)
class Step:
    key: str
    label: Any  # lazy
    url_name: str
    state: Callable[[Selection], tuple[bool, str]]  # (done, summary)
    shown: Callable[[Selection], bool] = lambda s: True


def _recommend(s: Selection, zone_id: int | None = None) -> tuple[bool, str]:
    rows = s.recommendations.all()
    n = (rows.filter(zone_id=zone_id) if zone_id else rows).count()
    return n > 0, ngettext("已推荐 %(n)d 所", "已推荐 %(n)d 所", n) % {"n": n}


def _shortlist(s: Selection) -> tuple[bool, str]:
    runs = s.shortlist_runs.count()
    if s.shortlist_id:
        n = s.shortlisted.count()
        return True, ngettext("入围 %(n)d 所", "入围 %(n)d 所", n) % {"n": n}
    return False, ngettext("已测算 %(n)d 次", "已测算 %(n)d 次", runs) % {"n": runs}


def _review(s: Selection) -> tuple[bool, str]:
    experts, pairs = s.panel.count(), s.assignments.count()
    return pairs > 0, _("专家 %(e)d 位，分配 %(p)d 项") % {"e": experts, "p": pairs}


def _reconcile(s: Selection) -> tuple[bool, str]:
    if s.reconciliation_id:
        return True, _("已采用第 %(n)d 次汇总") % {"n": s.reconciliation.number}
    return False, _("尚未汇总")


def _batches(s: Selection) -> tuple[bool, str]:
    n = s.placements.count()
    return n > 0, ngettext("已安排 %(n)d 所", "已安排 %(n)d 所", n) % {"n": n}


def _controls(s: Selection) -> tuple[bool, str]:
    n = s.controls.values("control").distinct().count()
    return n > 0, ngettext("对照学校 %(n)d 所", "对照学校 %(n)d 所", n) % {"n": n}


def _design(s: Selection) -> tuple[bool, str]:
    return s.controls.exists(), _("可检测的最小效应")


def _approval(s: Selection) -> tuple[bool, str]:
    return s.status == SelectionStatus.APPROVED, str(s.get_status_display())


# Labels have a context of their own: "推荐上报" is also a participation state (Recommended).
STEPS: list[Step] = [
    Step(
        "recommend",
        pgettext_lazy("selection step", "推荐上报"),
        "selection:recommend",
        _recommend,
        shown=lambda s: s.recommend,
    ),
    Step(
        "shortlist",
        pgettext_lazy("selection step", "入围名单"),
        "selection:shortlist",
        _shortlist,
    ),
    Step(
        "review",
        pgettext_lazy("selection step", "专家复评"),
        "selection:review",
        _review,
    ),
    Step(
        "reconcile",
        pgettext_lazy("selection step", "评分汇总"),
        "selection:reconcile",
        _reconcile,
    ),
    Step(
        "batches",
        pgettext_lazy("selection step", "批次安排"),
        "selection:batches",
        _batches,
    ),
    Step(
        "controls",
        pgettext_lazy("selection step", "对照组"),
        "selection:controls",
        _controls,
    ),
    Step(
        "design",
        pgettext_lazy("selection step", "设计检验"),
        "selection:design",
        _design,
    ),
    Step(
        "approval",
        pgettext_lazy("selection step", "审批与通知"),
        "selection:approval",
        _approval,
    ),
]


# The steps someone who does not follow the whole selection (a zone with a quota) may open.
OPEN_TO_ZONES = frozenset({"recommend"})


def steps_of(
    selection: Selection, *, current: str = "", with_state: bool = True, user: Any = None
) -> list[dict[str, Any]]:
    """The visible steps with their URL and, ``with_state``, done flag and summary (the
    overview shows them; the step bar of every step page does not need them). Given ``user``,
    only the steps they may open are listed."""
    from shidian.apps.selection.selectors import follows

    shown = [s for s in STEPS if s.shown(selection)]
    zone_only = user is not None and not follows(user, selection)
    if zone_only:
        shown = [s for s in shown if s.key in OPEN_TO_ZONES]
    rows = []
    for number, step in enumerate(shown, start=1):
        done, summary = False, ""
        if with_state:
            if zone_only and step.key == "recommend":  # its own recommendations, not the county's
                done, summary = _recommend(selection, user.unit_id)
            else:
                done, summary = step.state(selection)
        rows.append(
            {
                "number": number,
                "key": step.key,
                "label": step.label,
                "url": reverse(step.url_name, kwargs={"selection_id": selection.pk}),
                "done": done,
                "summary": summary,
                "current": step.key == current,
            }
        )
    return rows
