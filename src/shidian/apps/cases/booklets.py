"""Writes of the booklet draft (汇编成册): create it, give it a title and a foreword, add chosen
published cases and acceptance summary reports, put them in order by hand, remove one, and
compile it through the documents app's booklet builder (a ``documents.booklet`` Run).

Who: the programme's office (MANAGE on the draft, which is its programme's). What may be added:
only what the person sees (``restrict(user, VIEW)``), of the draft's programme: a published case,
or a submitted or accepted ``acceptance_report`` submission with a summary text. An id outside
that set raises ``ItemNotFound`` (the page answers 404) and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.cases.booklet_chapters import chapters_for
from shidian.apps.cases.models import Case, CaseBooklet, CaseBookletItem
from shidian.apps.core.access import MANAGE, VIEW, require
from shidian.apps.core.services import audit_record
from shidian.apps.submissions.models import Submission
from shidian.apps.submissions.states import SUBMITTED
from shidian.textclean import clean_text

SUMMARY_KIND = "acceptance_report"
MAX_TITLE = 200
MAX_FOREWORD = 10_000
MAX_ITEMS = 500


class ItemNotFound(Exception):
    """A chosen case or report the person cannot see (or that is not of this programme)."""


def default_title(programme: Any) -> str:
    return _("%(programme)s典型案例汇编") % {"programme": programme.name}


def addable_cases(user: Any, booklet: CaseBooklet):
    return Case.objects.restrict(user, VIEW).filter(programme_id=booklet.programme_id)


def addable_summaries(user: Any, booklet: CaseBooklet):
    """Acceptance summary reports of the programme that have been handed in with a text."""
    return (
        Submission.objects.restrict(user, VIEW)
        .filter(
            round__kind=SUMMARY_KIND,
            round__programme_id=booklet.programme_id,
            status__in=SUBMITTED,
        )
        .exclude(answers__summary=None)
        .exclude(answers__summary="")
    )


def _clean_title(title: str) -> str:
    title = clean_text(title or "").strip()
    if not title:
        raise ValidationError(_("请填写汇编标题。"))
    if len(title) > MAX_TITLE:
        raise ValidationError(_("汇编标题不能超过 %(n)s 字。") % {"n": MAX_TITLE})
    return title


def _clean_foreword(foreword: str) -> str:
    foreword = clean_text(foreword or "", multiline=True).strip()
    if len(foreword) > MAX_FOREWORD:
        raise ValidationError(_("前言不能超过 %(n)s 字。") % {"n": MAX_FOREWORD})
    return foreword


def _locked(booklet: CaseBooklet) -> CaseBooklet:
    # scoping: ok the caller looked the draft up scoped; the lock orders concurrent edits
    return CaseBooklet.objects.select_for_update(of=("self",)).get(pk=booklet.pk)


@transaction.atomic
def booklet_create(*, by: Any, programme: Any, title: str = "", foreword: str = "") -> CaseBooklet:
    require(by, MANAGE, programme)
    booklet = CaseBooklet.objects.create(
        programme=programme,
        title=_clean_title(title or default_title(programme)),
        foreword=_clean_foreword(foreword),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit_record(
        actor=by,
        action="cases.booklet_create",
        target=booklet,
        unit=programme.unit,
        summary=booklet.title,
    )
    return booklet


@transaction.atomic
def booklet_update(*, booklet: CaseBooklet, by: Any, title: str, foreword: str) -> CaseBooklet:
    require(by, MANAGE, booklet)
    booklet = _locked(booklet)
    booklet.title = _clean_title(title)
    booklet.foreword = _clean_foreword(foreword)
    booklet.save(update_fields=["title", "foreword", "updated_at"])
    return booklet


def _ids(values: Iterable[Any]) -> list[int]:
    out = []
    for value in values:
        text = str(value).strip()
        if not text.isdigit():
            raise ItemNotFound(text)
        out.append(int(text))
    return out


@transaction.atomic
def booklet_add(
    *,
    booklet: CaseBooklet,
    by: Any,
    case_ids: Iterable[Any] = (),
    summary_ids: Iterable[Any] = (),
) -> list[CaseBookletItem]:
    """Append the chosen cases, then the chosen reports, in the order given. All or nothing:
    an id the person cannot see raises ItemNotFound, one already in the draft (or chosen twice)
    is refused by name."""
    require(by, MANAGE, booklet)
    cases, summaries = _ids(case_ids), _ids(summary_ids)
    if not cases and not summaries:
        raise ValidationError(_("请至少选择一个案例或总结报告。"))
    booklet = _locked(booklet)
    found_cases = {c.pk: c for c in addable_cases(by, booklet).filter(pk__in=cases)}
    found_reports = {
        s.pk: s
        for s in addable_summaries(by, booklet).filter(pk__in=summaries).select_related("unit")
    }
    if set(cases) - set(found_cases) or set(summaries) - set(found_reports):
        raise ItemNotFound()
    have = booklet.items.values_list("case_id", "submission_id")
    have_cases = {c for c, _s in have if c}
    have_reports = {s for _c, s in have if s}
    problems = []
    for pk in sorted({p for p in cases if cases.count(p) > 1 or p in have_cases}):
        problems.append(_("“%(title)s”已在汇编中。") % {"title": found_cases[pk].title})
    for pk in sorted({p for p in summaries if summaries.count(p) > 1 or p in have_reports}):
        name = _("%(school)s的总结报告") % {"school": found_reports[pk].unit.name}
        problems.append(_("“%(title)s”已在汇编中。") % {"title": name})
    if problems:
        raise ValidationError(problems)
    if len(have) + len(cases) + len(summaries) > MAX_ITEMS:
        raise ValidationError(_("一本汇编最多 %(n)s 篇。") % {"n": MAX_ITEMS})
    last = booklet.items.aggregate(top=Max("position"))["top"] or 0
    rows = [CaseBookletItem(booklet=booklet, case_id=pk) for pk in cases]
    rows += [CaseBookletItem(booklet=booklet, submission_id=pk) for pk in summaries]
    for offset, row in enumerate(rows, 1):
        row.position = last + offset
    made = CaseBookletItem.objects.bulk_create(rows)
    booklet.save(update_fields=["updated_at"])
    return made


def _renumber(booklet: CaseBooklet) -> None:
    for position, item in enumerate(booklet.items.order_by("position", "pk"), 1):
        if item.position != position:
            CaseBookletItem.objects.filter(pk=item.pk).update(position=position)  # scoping: ok


@transaction.atomic
def booklet_move(*, booklet: CaseBooklet, by: Any, item_id: int, direction: str) -> None:
    """Swap the item with the one above ("up") or below ("down"); at the edge nothing moves."""
    require(by, MANAGE, booklet)
    if direction not in ("up", "down"):
        raise ValidationError(_("没有这个移动方向。"))
    booklet = _locked(booklet)
    _renumber(booklet)
    items = list(booklet.items.order_by("position"))
    at = next((i for i, item in enumerate(items) if item.pk == item_id), None)
    if at is None:
        raise ItemNotFound(item_id)
    other = at - 1 if direction == "up" else at + 1
    if 0 <= other < len(items):
        a, b = items[at], items[other]
        # Through a free position: (booklet, position) need not be unique, but keep it tidy.
        CaseBookletItem.objects.filter(pk=a.pk).update(position=b.position)  # scoping: ok
        CaseBookletItem.objects.filter(pk=b.pk).update(position=a.position)  # scoping: ok
    booklet.save(update_fields=["updated_at"])


@transaction.atomic
def booklet_remove(*, booklet: CaseBooklet, by: Any, item_id: int) -> None:
    require(by, MANAGE, booklet)
    booklet = _locked(booklet)
    deleted, _rows = booklet.items.filter(pk=item_id).delete()
    if not deleted:
        raise ItemNotFound(item_id)
    _renumber(booklet)
    booklet.save(update_fields=["updated_at"])


def _template_version(unit: Any) -> Any:
    from shidian.apps.documents.models import DocumentTemplate, Kind

    template = (
        DocumentTemplate.objects.filter(  # scoping: ok the programme unit's own templates
            unit=unit, kind=Kind.BOOKLET, current__isnull=False
        )
        .order_by("pk")
        .first()
    )
    return template.current if template else None


@transaction.atomic
def booklet_compile(*, booklet: CaseBooklet, by: Any) -> Any:
    """Make the booklet: a documents-app Document of kind booklet (issued by the programme's
    unit, about the programme) whose chapters are the draft's items in order, with the cases'
    images copied as its assets; its ``documents.booklet`` Run is queued on commit (then its
    PDF). Every item must still be visible to ``by``."""
    from django.utils import translation

    from shidian.apps.documents.models import Kind
    from shidian.apps.documents.selectors import issuer_for
    from shidian.apps.documents.services import document_generate
    from shidian.docgen.plaintext import blocks_from_text

    require(by, MANAGE, booklet)
    booklet = _locked(booklet)
    items = list(
        booklet.items.select_related("case__unit", "submission__unit", "submission__round")
    )
    if not items:
        raise ValidationError(_("汇编中还没有案例，请先选择案例。"))
    visible_cases = set(
        addable_cases(by, booklet)
        .filter(pk__in=[i.case_id for i in items if i.case_id])
        .values_list("pk", flat=True)
    )
    visible_reports = set(
        addable_summaries(by, booklet)
        .filter(pk__in=[i.submission_id for i in items if i.submission_id])
        .values_list("pk", flat=True)
    )
    gone = [
        i for i in items
        if (i.case_id and i.case_id not in visible_cases)
        or (i.submission_id and i.submission_id not in visible_reports)
    ]  # fmt: skip
    if gone:
        raise ValidationError(
            _("有 %(n)s 篇已不可用（已撤下或无权查看），请先移除。") % {"n": len(gone)}
        )
    programme = booklet.programme
    unit = programme.unit
    with translation.override("zh-hans"):
        chapters, assets = chapters_for(items)
        data = {
            "issuer": issuer_for(unit),
            "title": booklet.title,
            "date": timezone.localdate().isoformat(),
            "foreword": blocks_from_text(booklet.foreword) if booklet.foreword else [],
            "chapters": chapters,
            "toc": True,
        }
    document = document_generate(
        unit=unit,
        user=by,
        kind=Kind.BOOKLET,
        data=data,
        template_version=_template_version(unit),
        assets=assets,
        about={"programme": programme, "cycle": None, "subject_unit": None},
    )
    booklet.document = document
    booklet.save(update_fields=["document", "updated_at"])
    audit_record(
        actor=by,
        action="cases.booklet_compile",
        target=booklet,
        unit=unit,
        summary=booklet.title,
        data={"chapters": len(chapters), "document": document.pk},
    )
    return document
