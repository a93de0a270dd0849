"""An acceptance round for tests: the tracking world's batch 1 (six pilots) against the example
standard (max 106, two veto items), pass 80, conditional 60, two experts, three documents.

``scored_round`` files and scores every pilot so the proposals are known:
A1-1 full marks, all documents -> pass; A1-2 75% (79.5) -> conditional (below pass);
A1-3 half (53) -> fail (below conditional); A1-4 full marks, one document missing ->
conditional (archive); A1-5 full marks, a veto item hit by both experts -> fail;
A1-6 full marks, experts 10 points apart and the report never submitted -> conditional.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import make_user
from tests.standards.factories import published_version
from tests.tracking_world import pilot_world

NAME = "2026年第一批试点验收"
DOCUMENTS = ["创建方案", "会议记录", "经费台账"]
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n"
SHARES = {0: 1.0, 1: 0.75, 2: 0.5, 3: 1.0, 4: 1.0, 5: 1.0}


def pdf(name: str = "总结报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def experts(tree):
    from shidian.apps.accounts.models import User

    found = []
    for name in ("ac-expert1", "ac-expert2"):
        user = User.objects.filter(username=name).first()  # scoping: ok test
        found.append(user or make_user(name, tree.city, "expert"))
    return found


def leader(tree):
    from shidian.apps.accounts.models import User

    user = User.objects.filter(username="ac-leader").first()  # scoping: ok test
    return user or make_user("ac-leader", tree.county, "leading_group", full_name="刘局长")


def create(tree, **extra):
    from django.utils import timezone

    from shidian.apps.acceptance.services import acceptance_create

    w = pilot_world(tree)
    args = {
        "by": w.office,
        "programme": w.programme,
        "cycle": w.batch1,
        "version": published_version(tree.county),
        "name": NAME,
        "opens_on": timezone.localdate(),
        "deadline": timezone.now() + dt.timedelta(days=10),
        "pass_threshold": 80,
        "conditional_threshold": 60,
        "spread_limit": 5,
        "documents": DOCUMENTS,
        "experts": experts(tree),
    }
    args.update(extra)
    return acceptance_create(**args)


def submission_of(acceptance, unit):
    from shidian.apps.submissions.models import Submission

    return Submission.objects.get(round=acceptance.round, unit=unit)  # scoping: ok test


def file_report(acceptance, world, unit, *, missing=(), submit=True):
    """The pilot's coordinator writes the summary, uploads it and the documents (those in
    ``missing`` are marked missing with a note) and submits."""
    from shidian.apps.acceptance import services
    from shidian.apps.acceptance.kinds import documents_of

    user = world.coordinators[unit.pk]
    sub = submission_of(acceptance, unit)
    answers = {"summary": f"{unit.name}三年创建工作总结。"}
    for code, name in documents_of(acceptance.round):
        if name in missing:
            answers[code] = {"missing": True, "note": "原件遗失，正在补办"}
    services.report_save(submission=sub, user=user, answers=answers, base_version=sub.version)
    services.report_attach(submission=sub, user=user, item_code="summary_file", upload=pdf())
    for code, name in documents_of(acceptance.round):
        if name not in missing:
            services.report_attach(submission=sub, user=user, item_code=code, upload=pdf())
    if submit:
        sub.refresh_from_db()
        services.report_submit(submission=sub, user=user)
    sub.refresh_from_db()
    return sub


def item_scores(acceptance, share: float, *, less: float = 0.0) -> dict[str, float]:
    """Every scored item at ``share`` of its maximum; ``less`` points off the first items."""
    from shidian.apps.acceptance.services.scoring import scored_items

    scores = {i.code: i.max_score * share for i in scored_items(acceptance)}
    for item in scored_items(acceptance):
        if less <= 0:
            break
        take = min(less, scores[item.code])
        scores[item.code] -= take
        less -= take
    return scores


def score(acceptance, sub, expert, share: float, *, veto: bool = False, less: float = 0.0):
    from shidian.apps.acceptance.services import score_put

    vetoes = {v["code"]: "否" for v in acceptance.veto_items}
    if veto and acceptance.veto_items:
        vetoes[acceptance.veto_items[0]["code"]] = "是"
    return score_put(
        by=expert,
        submission=sub,
        scores=item_scores(acceptance, share, less=less),
        vetoes=vetoes,
        strengths="亮点突出",
        suggestions="继续完善",
    )


def scored_round(tree):
    """The round with every pilot filed and scored as the module docstring says."""
    from shidian.apps.acceptance.models import AcceptanceRound

    w = pilot_world(tree)
    found = AcceptanceRound.objects.filter(programme=w.programme).first()  # scoping: ok test
    if found:
        return found
    acceptance = create(tree)
    panel = experts(tree)
    for position, unit in enumerate(w.pilots):
        missing = ["会议记录"] if position == 3 else ()
        sub = file_report(acceptance, w, unit, missing=missing, submit=position != 5)
        for n, expert in enumerate(panel):
            score(
                acceptance,
                sub,
                expert,
                SHARES[position],
                veto=position == 4,
                less=10 if position == 5 and n == 1 else 0,
            )
    acceptance.refresh_from_db()
    return acceptance
