"""Demo data: the acceptance round of the demo programme's first batch, confirmed. Every pilot
filed its summary report and archive checklist (one marked a document missing, with a note),
two experts scored everyone, and the leading group confirmed the system's proposals: passes and
conditional passes (their rectification items due in two months), so the commendation list and
the roll-out plan have passed pilots to work with.

Through today's services only (acceptance_create, report_*, score_put, acceptance_confirm).
Idempotent: a second run finds the round and does nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

NAME = "第一批试点验收"
DOCUMENTS = ["创建方案及实施细则", "过程性资料（会议记录、活动台账）", "经费使用台账"]
# A minimal valid PDF: the demo's summary file and archive documents.
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n"
# each pilot's share of every item's maximum, by the pilots' code order: the first two and
# the fourth pass, the third falls between the lines, the fifth misses a document
SHARES = [0.93, 0.88, 0.72, 0.9, 0.91]
MISSING = {4: DOCUMENTS[2]}


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _experts() -> list[Any]:
    from shidian.apps.accounts.models import User

    found = User.objects.filter(role="expert", is_active=True)  # scoping: ok demo set-up
    named = found.filter(username="expert").first()
    rest = [u for u in found.order_by("username") if u != named]
    return [u for u in [named, *rest] if u is not None][:2]


def _leader(programme: Any) -> Any:
    from shidian.apps.accounts.models import User

    return (
        User.objects.filter(  # scoping: ok demo set-up
            role="leading_group", unit=programme.unit, is_active=True
        )
        .order_by("pk")
        .first()
    )


def _file(acceptance: Any, submission: Any, position: int) -> None:
    from shidian.apps.acceptance import services
    from shidian.apps.acceptance.kinds import documents_of

    missing = MISSING.get(position)
    name = submission.unit.name
    answers: dict[str, Any] = {
        "summary": (
            f"{name}三年试点创建工作总结：完成创建方案确定的各项任务，形成校本课程与教研"
            "制度，课堂教学方式有明显转变，家长满意度逐年提升。"
        )
    }
    for code, doc in documents_of(acceptance.round):
        if doc == missing:
            answers[code] = {"missing": True, "note": "原始台账在校舍维修中受潮，正在补录。"}
    services.report_save(
        submission=submission, user=None, answers=answers, base_version=submission.version
    )
    services.report_attach(
        submission=submission, user=None, item_code="summary_file", upload=_pdf("总结报告.pdf")
    )
    for code, doc in documents_of(acceptance.round):
        if doc != missing:
            services.report_attach(
                submission=submission, user=None, item_code=code, upload=_pdf(f"{code}.pdf")
            )
    submission.refresh_from_db()
    services.report_submit(submission=submission, user=None)


def _score(acceptance: Any, submission: Any, expert: Any, share: float, nudge: float) -> None:
    from shidian.apps.acceptance.services import score_put
    from shidian.apps.acceptance.services.scoring import scored_items

    scores = {
        i.code: round(min(i.max_score, max(0.0, i.max_score * (share + nudge))), 1)
        for i in scored_items(acceptance)
    }
    score_put(
        by=expert,
        submission=submission,
        scores=scores,
        vetoes={v["code"]: "否" for v in acceptance.veto_items},
        strengths="课程建设扎实，教师参与面广，资料齐全。",
        suggestions="进一步总结可推广的经验，带动周边学校。",
    )


@transaction.atomic
def load_demo(*, programme: Any, office: Any, password: str = "") -> dict[str, Any]:
    """``password`` is accepted for the demo loaders' common signature; no accounts are added."""
    from shidian.apps.acceptance.models import AcceptanceRound
    from shidian.apps.acceptance.selectors import pilot_rows
    from shidian.apps.acceptance.services import acceptance_confirm, acceptance_create
    from shidian.apps.submissions.models import Round, Submission

    if programme is None:
        return {"acceptance": None, "created": False}
    found = AcceptanceRound.objects.filter(programme=programme, name=NAME).first()  # scoping: ok
    if found is not None:
        return {"acceptance": found, "created": False}
    batch = programme.cycles.order_by("number").first()
    version = programme.standard_versions.filter(status="published").order_by("-pk").first()
    experts, leader = _experts(), _leader(programme)
    if batch is None or version is None or not experts or leader is None:
        return {"acceptance": None, "created": False}
    maximum = version.as_standard().max_total()
    today = timezone.localdate()
    acceptance = acceptance_create(
        by=office,
        programme=programme,
        cycle=batch,
        version=version,
        name=NAME,
        opens_on=today - dt.timedelta(days=30),
        deadline=timezone.now() + dt.timedelta(days=1),
        pass_threshold=float(round(maximum * 0.85)),
        conditional_threshold=float(round(maximum * 0.6)),
        spread_limit=float(round(maximum * 0.1)),
        documents=DOCUMENTS,
        experts=experts,
    )
    subs = Submission.objects.filter(round=acceptance.round).select_related("unit")
    for position, sub in enumerate(subs.order_by("unit__code")):
        share = SHARES[position % len(SHARES)]
        _file(acceptance, sub, position)
        for n, expert in enumerate(experts):
            _score(acceptance, sub, expert, share, 0.02 if n else -0.01)
    acceptance.refresh_from_db()
    decisions = {row.unit.pk: (row.proposed, "") for row in pilot_rows(acceptance)}
    verdicts = acceptance_confirm(
        by=leader, acceptance=acceptance, decisions=decisions, due_on=today + dt.timedelta(days=60)
    )
    # The round opened a month ago and closed a week ago (a new round's deadline must lie
    # ahead, so it is moved back once confirmed, as the tracking demo backdates its joins).
    Round.objects.filter(pk=acceptance.round_id).update(  # scoping: ok demo set-up
        deadline=timezone.now() - dt.timedelta(days=7)
    )
    acceptance.refresh_from_db()
    return {"acceptance": acceptance, "created": True, "verdicts": len(verdicts)}
