"""The annual report as booklet data for the documents app (cover, contents, one chapter per
section), and its generation through ``documents.services.document_generate``.

The text is written in the active language (the Run runs in its starter's language): Chinese,
or English for an English reader. The data carries ``annual_report: {programme, year}``, which
docgen ignores and the report page uses to find a programme's reports.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shidian.apps.evaluation.annual.chart import event_study_png
from shidian.apps.evaluation.annual.content import AnnualContent, percent
from shidian.docgen.text import cn_date

CHART_NAME = "event_study.png"
MARKER = "annual_report"


def day_text(day: dt.date) -> str:
    """2026年12月31日 in Chinese, 2026-12-31 otherwise."""
    zh = (get_language() or "zh-hans").lower().startswith("zh")
    return cn_date(day) if zh else day.isoformat()


def title_of(content: AnnualContent) -> str:
    return _("%(programme)s%(year)s年度自评报告") % {
        "programme": content.programme.name,
        "year": content.year,
    }


def _table(columns: list[str], rows: list[list[Any]], widths: list[int]) -> dict[str, Any]:
    return {
        "table": {
            "columns": columns,
            "rows": [[str(c) for c in row] for row in rows],
            "widths": widths,
        }
    }


def _targets(c: AnnualContent) -> list[Any]:
    t = c.targets
    body: list[Any] = [{"heading": _("试点学校数量"), "level": 2}]
    if t.batches:
        body.append(
            _("截至%(year)s年，项目共设%(batches)s个批次，计划试点学校%(target)s所，实有试点学校"
              "%(actual)s所，完成目标的%(rate)s。")
            % {
                "year": c.year,
                "batches": len(t.batches),
                "target": t.target_total,
                "actual": t.actual_total,
                "rate": percent(t.actual_total / t.target_total if t.target_total else None),
            }
        )  # fmt: skip
        rows = [
            [_("第%(n)s批") % {"n": b.number}, b.year, b.target, b.actual, percent(b.rate)]
            for b in t.batches
        ]
        rows.append([_("合计"), "", t.target_total, t.actual_total, percent(
            t.actual_total / t.target_total if t.target_total else None)])  # fmt: skip
        body.append(
            _table(
                [_("批次"), _("年度"), _("目标数"), _("实有试点"), _("完成率")],
                rows,
                [30, 24, 34, 34, 34],
            )
        )
    else:
        body.append(_("截至%(year)s年，项目尚未设立批次。") % {"year": c.year})
    body.append({"heading": _("创建方案执行"), "level": 2})
    if t.plans:
        body.append(
            _("截至%(date)s，%(plans)s所试点学校的创建方案在执行中，平均计划完成率%(rate)s，"
              "平均序时进度%(scheduled)s，其中%(behind)s所滞后于序时进度。")
            % {
                "date": day_text(c.as_of),
                "plans": t.plans,
                "rate": percent(t.plan_rate),
                "scheduled": percent(t.plan_scheduled),
                "behind": t.plans_behind,
            }
        )  # fmt: skip
    else:
        body.append(_("截至%(date)s，还没有经批准的创建方案。") % {"date": day_text(c.as_of)})
    body.append({"heading": _("共同体"), "level": 2})
    body.append(
        _("项目共有%(n)s个共同体，成员校%(schools)s所（项目未设共同体数量目标）。")
        % {"n": t.communities, "schools": t.community_schools}
    )
    return body


def _coverage(c: AnnualContent) -> list[Any]:
    cov = c.coverage
    columns = [
        _("学校类型"),
        _("范围内单位"),
        _("试点"),
        _("对照"),
        _("通过验收"),
        _("退出"),
        _("共同体成员校"),
        _("试点覆盖率"),
    ]
    rows = [
        [r.label, r.in_scope, r.pilots, r.controls, r.passed, r.withdrawn, r.community,
         percent(r.share)]
        for r in [*cov.rows, cov.total]
    ]  # fmt: skip
    body: list[Any] = [
        _("按学校类型统计项目范围内的单位（“试点”含通过验收、有条件通过和未通过验收的试点学校；"
          "“通过验收”含有条件通过）。"),
        _table(columns, rows, [26, 20, 16, 16, 20, 14, 24, 20]),
        {"heading": _("参与状态"), "level": 2},
        _table([_("状态"), _("单位数")], [[label, n] for _s, label, n in cov.states], [80, 76]),
    ]  # fmt: skip
    return body


def _reporting_rows(rows: list[Any]) -> list[list[Any]]:
    return [
        [r.label, r.expected, r.on_time, r.late, r.missing, r.pending, percent(r.completeness),
         percent(r.timeliness)]
        for r in rows
    ]  # fmt: skip


def _reporting(c: AnnualContent) -> list[Any]:
    rep = c.reporting
    if not rep.total.expected:
        return [_("%(year)s年没有到期的调度报表。") % {"year": c.year}]
    columns = [_("应报"), _("按时"), _("迟报"), _("缺报"), _("未到期"), _("完整率"), _("及时率")]
    widths = [32, 16, 16, 16, 16, 18, 20, 22]
    t = rep.total
    return [
        _("%(year)s年到期的调度报表共%(expected)s份，按时报送%(on_time)s份，迟报%(late)s份，"
          "缺报%(missing)s份，尚未到期%(pending)s份；完整率%(complete)s，及时率%(timely)s。")
        % {
            "year": c.year,
            "expected": t.expected,
            "on_time": t.on_time,
            "late": t.late,
            "missing": t.missing,
            "pending": t.pending,
            "complete": percent(t.completeness),
            "timely": percent(t.timeliness),
        },
        {"heading": _("按单位层级"), "level": 2},
        _table([_("单位层级"), *columns], _reporting_rows([*rep.by_level, t]), widths),
        {"heading": _("按片区"), "level": 2},
        _table([_("片区"), *columns], _reporting_rows([*rep.by_zone, t]), widths),
    ]  # fmt: skip


def _rectification(c: AnnualContent) -> list[Any]:
    rect = c.rectification
    t = rect.total
    rows = [[r.label, r.issued, r.closed, r.open, r.overdue] for r in [*rect.rows, t]]
    return [
        _("%(year)s年下达整改事项%(issued)s项，截至%(date)s已销号%(closed)s项，未销号%(open)s项，"
          "其中逾期%(overdue)s项（逾期：未销号且已过整改期限）。")
        % {
            "year": c.year,
            "issued": t.issued,
            "date": day_text(c.as_of),
            "closed": t.closed,
            "open": t.open,
            "overdue": t.overdue,
        },
        _table([_("来源"), _("下达"), _("已销号"), _("未销号"), _("其中逾期")], rows,
               [36, 30, 30, 30, 30]),
    ]  # fmt: skip


def chart_labels() -> dict[str, str]:
    return {
        "twfe": _("双向固定效应"),
        "cs": _("Callaway & Sant'Anna"),
        "x": _("相对进入年份的时期（0 = 进入当年）"),
        "y": _("效果估计（分）"),
        "pre": _("进入前"),
        "post": _("进入后"),
    }


def _impact(c: AnnualContent) -> tuple[list[Any], list[tuple[str, bytes]]]:
    imp = c.impact
    ev = imp.evaluation
    facts = _(
        "结果指标：%(outcome)s；试点学校%(pilots)s所，对照学校%(controls)s所；时期：%(periods)s。"
    ) % {
        "outcome": imp.outcome,
        "pilots": imp.pilots,
        "controls": imp.controls,
        "periods": "、".join(str(p) for p in imp.periods) or "—",
    }
    if ev.refusal:
        return [facts, {"heading": _("无法给出估计"), "level": 2}, ev.refusal], []
    head = imp.headline()
    body: list[Any] = [
        facts,
        _("主要结论：按%(method)s，估计效果为%(estimate)s分，95%%置信区间%(ci)s，p值%(p)s。")
        % {
            "method": head.label,
            "estimate": head.shown["estimate"],
            "ci": head.shown["ci"],
            "p": p_text(head.p_value),
        },
        {"heading": _("估计结果"), "level": 2},
        _table(
            [_("估计方法"), _("估计值"), _("标准误"), _("95% 置信区间"), _("p 值")],
            [[r.label, r.shown["estimate"], r.shown["se"], r.shown["ci"], p_text(r.p_value)]
             for r in ev.estimates],
            [50, 22, 22, 42, 20],
        ),
    ]  # fmt: skip
    assets = []
    if ev.chart:
        png = event_study_png(ev.chart, labels=chart_labels())
        assets.append((CHART_NAME, png))
        body += [
            {"heading": _("事件研究"), "level": 2},
            {"image": CHART_NAME, "caption": _("事件研究：各期效果估计及 95% 置信区间"),
             "width_mm": 130},
            _table(
                [_("相对时期"), _("双向固定效应"), _("95% 置信区间"), _("CS 动态效应"),
                 _("95% 置信区间")],
                [[row["rel"], *_pair(row["twfe"]), *_pair(row["cs"])] for row in ev.dynamic],
                [24, 26, 40, 26, 40],
            ),
        ]  # fmt: skip
    body.append({"heading": _("结果说明"), "level": 2})
    body += list(ev.meaning)
    body.append({"heading": _("注意事项"), "level": 2})
    body += list(ev.notes)
    body += [
        _("结果指标来自学校自查赋分，由学校自行填报，可能受评分尺度变化影响。"),
        _("对照学校为从未参与的学校；没有纳入协变量，标准误按单位聚类。"),
    ]
    return body, assets


def p_text(p: float | None) -> str:
    """A p-value as a report writes it: below 0.001 as "<0.001", else three decimals."""
    if p is None or p != p:
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _pair(cell: dict | None) -> list[str]:
    return ["—", "—"] if not cell else [cell["estimate"], cell["ci"]]


def report_data(
    content: AnnualContent, *, issuer: str, today: dt.date
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """The booklet data and its images (the event-study chart)."""
    impact, assets = _impact(content)
    chapters = [
        (_("一、目标任务完成情况"), _targets(content)),
        (_("二、覆盖情况"), _coverage(content)),
        (_("三、报表报送情况"), _reporting(content)),
        (_("四、整改落实情况"), _rectification(content)),
        (_("五、项目效果评估"), impact),
    ]
    data = {
        "issuer": issuer,
        "title": title_of(content),
        "subtitle": _("统计截至%(date)s") % {"date": day_text(content.as_of)},
        "date": today.isoformat(),
        "toc": True,
        "chapters": [{"title": title, "body": body} for title, body in chapters],
        MARKER: {"programme": content.programme.pk, "year": content.year},
    }
    return data, assets


def report_generate(*, by: Any, content: AnnualContent, today: dt.date) -> Any:
    """Store the report as a booklet of the programme's unit (its own booklet template when it
    has one); the documents app compiles it and makes the PDF in its own runs."""
    from shidian.apps.documents.models import DocumentTemplate, Kind
    from shidian.apps.documents.selectors import issuer_for
    from shidian.apps.documents.services import document_generate

    programme = content.programme
    unit = programme.unit
    template = (
        DocumentTemplate.objects.filter(  # scoping: ok the programme unit's own templates
            unit=unit, kind=Kind.BOOKLET, current__isnull=False
        )
        .order_by("pk")
        .first()
    )
    data, assets = report_data(content, issuer=issuer_for(unit), today=today)
    return document_generate(
        unit=unit,
        user=by,
        kind=Kind.BOOKLET,
        data=data,
        template_version=template.current if template else None,
        assets=assets,
        about={"programme": programme, "cycle": None, "subject_unit": None},
    )


__all__ = ["CHART_NAME", "MARKER", "report_data", "report_generate", "title_of"]
