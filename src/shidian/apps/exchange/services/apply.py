"""What both data sets share: compare each cleaned value with the stored answer, apply the
strategy, and write the changes of each submission through ``submissions.services``.

The rules (docs/api.md, "Bulk exchange"):
- a value equal to the stored one is ignored, so importing a file twice changes nothing;
- a change needs FILL on the submission (the unit's own account) or MANAGE (the office that
  runs the round, writing on the unit's behalf);
- a submitted or accepted report or sheet, or a closed round, is ``locked``: the office
  returns it first, then imports;
- good rows are written and bad rows reported (as DHIS2 does); each submission is written in
  one savepoint and the whole import in one transaction, so a failure midway writes nothing
  and a sheet is never half-written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from shidian.apps.core.access import FILL, MANAGE
from shidian.apps.core.services import audit_record
from shidian.apps.exchange.summary import (
    CREATE,
    IGNORED,
    IMPORTED,
    REJECTED,
    UPDATE,
    UPDATED,
    Summary,
)
from shidian.apps.submissions import services as submission_services
from shidian.apps.submissions.models import RevisionKind, Submission

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 5000


@dataclass
class Cell:
    """One row of the file, resolved: the submission it belongs to, the item and the value
    cleaned by the kind's own rules."""

    row: int
    submission: Submission
    code: str
    value: Any


def _ids(queryset, ids: list[int]) -> set[int]:
    return set(queryset.filter(pk__in=ids).values_list("pk", flat=True))


def _writable(user, submissions: list[Submission]) -> tuple[set[int], set[int]]:
    """(ids the user fills as the unit, ids the user manages as the round's office)."""
    ids = [s.pk for s in submissions]
    fill = _ids(Submission.objects.restrict(user, FILL), ids)
    manage = _ids(Submission.objects.restrict(user, MANAGE), ids)
    return fill, manage


def _locked(submission: Submission) -> str:
    """ "locked" (submitted or accepted), "closed" (the round takes no writes) or ""."""
    try:
        submission_services.check_writable(submission)
    except ValidationError as exc:
        return "locked" if exc.code == "not_editable" else "closed"
    return ""


def import_cells(
    *,
    user,
    cells: Iterable[Cell],
    summary: Summary,
    area: str,
    progress: Progress | None = None,
    total: int = 0,
) -> Summary:
    """Compare, decide and (unless ``summary.dry_run``) write. Rows already rejected by the
    caller are in ``summary``; ``cells`` are the rows that resolved."""
    cells = list(cells)
    submissions = {c.submission.pk: c.submission for c in cells}
    fill, manage = _writable(user, list(submissions.values()))
    locked = {pk: _locked(s) for pk, s in submissions.items()}
    seen: set[tuple[int, str]] = set()
    changes: dict[int, list[tuple[Cell, str]]] = defaultdict(list)
    for cell in cells:
        sub = cell.submission
        key = (sub.pk, cell.code)
        if key in seen:
            summary.add(REJECTED, cell.row, "duplicate")
            continue
        seen.add(key)
        stored = sub.answers.get(cell.code)
        if stored == cell.value:
            summary.add(IGNORED, cell.row)
        elif stored is None and summary.strategy == UPDATE:
            summary.add(IGNORED, cell.row, "not_existing")
        elif stored is not None and summary.strategy == CREATE:
            summary.add(IGNORED, cell.row, "exists")
        elif sub.pk not in fill and sub.pk not in manage:
            summary.add(REJECTED, cell.row, "forbidden")
        elif locked[sub.pk]:
            summary.add(REJECTED, cell.row, locked[sub.pk])
        else:
            outcome = IMPORTED if stored is None else UPDATED
            summary.add(outcome, cell.row)
            changes[sub.pk].append((cell, outcome))
    if progress:
        progress(len(cells), total or len(cells))
    if summary.dry_run or not changes:
        return summary
    _write(user=user, changes=changes, fill=fill, summary=summary, area=area, progress=progress)
    return summary


@transaction.atomic
def _write(*, user, changes, fill: set[int], summary: Summary, area: str, progress) -> None:
    done = 0
    for pk, planned in changes.items():
        sub = planned[0][0].submission
        answers = dict(sub.answers)
        for cell, _outcome in planned:
            answers[cell.code] = cell.value
        try:
            submission_services.submission_save(
                submission=sub,
                user=user,
                answers=answers,
                base_version=sub.version,
                kind=RevisionKind.UPLOAD,
                on_behalf=pk not in fill,
            )
        except submission_services.SubmissionConflict:
            for cell, outcome in planned:
                summary.move(outcome, REJECTED, cell.row, "conflict")
        except (ValidationError, PermissionDenied) as exc:
            message = " ".join(getattr(exc, "messages", [])) or ""
            for cell, outcome in planned:
                summary.move(outcome, REJECTED, cell.row, "refused", message)
        done += len(planned)
        if progress and done % PROGRESS_EVERY < len(planned):
            progress(done, sum(len(p) for p in changes.values()))
    counts = summary.counts
    audit_record(
        actor=user,
        action="exchange.import",
        unit=getattr(user, "unit", None),
        summary=f"{area}: +{counts[IMPORTED]} ~{counts[UPDATED]} ={counts[IGNORED]} "
        f"x{counts[REJECTED]}",
    )
