"""Writes for standards: import a file as a new version, publish, start a new draft."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.engine_messages import describe
from shidian.apps.core.services import audit_record
from shidian.apps.standards.models import Standard, StandardVersion, VersionStatus
from shidian.engine.scoring import (
    MAX_LENGTHS,
    Problem,
    problem,
    read_standard,
    standard_from_dict,
    standard_to_dict,
)
from shidian.engine.scoring import Standard as EngineStandard
from shidian.engine.scoring.files import MAX_STANDARD_BYTES


@dataclass
class ParsedStandard:
    standard: EngineStandard | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return self.standard is not None and not self.problems


def standard_parse(*, name: str, data: bytes) -> ParsedStandard:
    """Parse an uploaded XLSX or YAML standard; every problem names its row.

    The engine's reader is the command line's too, so the page and ``shidian standard import``
    accept and refuse the same files (zip bombs before any XML is parsed).
    """
    standard, problems, _rows = read_standard(name=name, data=data)
    return ParsedStandard(standard, problems)


def standard_parse_upload(*, upload) -> ParsedStandard:
    """Like :func:`standard_parse` for an uploaded file: its size is checked before it is read."""
    if upload.size > MAX_STANDARD_BYTES:
        limit = MAX_STANDARD_BYTES // (1024 * 1024)
        return ParsedStandard(None, [problem("too_large", limit_mb=limit)])
    return standard_parse(name=upload.name, data=upload.read())


def _next_number(standard: Standard) -> int:
    return (standard.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def version_require_draft(version: StandardVersion) -> None:
    """Refuse a change to a published version (it is frozen: editing starts a new version)."""
    if version.is_published:
        raise ValidationError(_("已发布的版本不能修改，请先创建新版本。"), code="not_editable")


def standard_problems(problems: list[Problem]) -> ValidationError:
    """The engine's problems with a standard as one ValidationError, a sentence each."""
    return ValidationError(
        [ValidationError(describe(p), code="invalid_standard") for p in problems]
        or [ValidationError(_("评分要点无法保存。"), code="invalid_standard")]
    )


def standard_from_data(data) -> EngineStandard:
    """Build a standard from plain data (the YAML file's structure, as JSON), with the checks
    an imported file gets; every problem refuses it (:func:`standard_problems`)."""
    parsed, problems, _rows = standard_from_dict(data)
    if problems or parsed is None:
        raise standard_problems(problems)
    return parsed


def _check_note(note: str) -> None:
    if len(note) > MAX_LENGTHS["note"]:
        raise ValidationError(
            describe(problem("too_long", field="note", limit=MAX_LENGTHS["note"], length=len(note)))
        )


def _fill(version: StandardVersion, parsed: EngineStandard, *, user, note: str) -> None:
    version.data = standard_to_dict(parsed)
    version.item_count = len(parsed.items())
    version.max_total = parsed.max_total()
    version.note = note
    version.created_by = user if getattr(user, "is_authenticated", False) else None
    version.save()


@transaction.atomic
def draft_replace(
    *, version: StandardVersion, user, parsed: EngineStandard, note: str = ""
) -> StandardVersion:
    """Replace a draft's whole tree (and the standard's name and description) with ``parsed``,
    as importing a file of this standard again does; a published version refuses. The tree
    must keep the standard's code (another code is another standard)."""
    version_require_draft(version)
    _check_note(note)
    standard = version.standard
    if parsed.code != standard.code:
        raise ValidationError(
            _("指标体系代码须为 %(code)s（另一个代码是另一个指标体系）。")
            % {"code": standard.code},
            code="invalid_standard",
        )
    standard.name = parsed.name
    standard.description = parsed.description
    standard.save()
    _fill(version, parsed, user=user, note=note)
    audit_record(
        actor=user,
        action="standards.import",
        target=version,
        unit=standard.unit,
        summary=f"{standard.code} v{version.number}",
    )
    return version


@transaction.atomic
def standard_import(*, unit, user, parsed: EngineStandard, note: str = "") -> StandardVersion:
    """Store a parsed standard as a new draft version (creating the standard on first import).

    A draft version of the same standard is replaced rather than piling up drafts; a published
    version is never touched. ``parsed`` comes from :func:`standard_parse`, which checked every
    field's length; the note is checked here (the command line passes it through).
    """
    _check_note(note)
    standard, _created = Standard.objects.get_or_create(
        unit=unit, code=parsed.code, defaults={"name": parsed.name}
    )
    standard.name = parsed.name
    standard.description = parsed.description
    standard.save()
    version = standard.versions.filter(status=VersionStatus.DRAFT).order_by("-number").first()
    if version is None:
        version = StandardVersion(standard=standard, number=_next_number(standard))
    _fill(version, parsed, user=user, note=note)
    audit_record(
        actor=user,
        action="standards.import",
        target=version,
        unit=unit,
        summary=f"{standard.code} v{version.number}",
    )
    return version


@transaction.atomic
def version_publish(*, version: StandardVersion, user) -> StandardVersion:
    version = StandardVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        return version
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=user,
        action="standards.publish",
        target=version,
        unit=version.standard.unit,
        summary=f"{version.standard.code} v{version.number}",
    )
    return version


@transaction.atomic
def version_new_draft(*, version: StandardVersion, user) -> StandardVersion:
    """Editing a published version: copy it into a new draft (or return the existing draft)."""
    standard = version.standard
    draft = standard.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    draft = StandardVersion.objects.create(
        standard=standard,
        number=_next_number(standard),
        data=version.data,
        item_count=version.item_count,
        max_total=version.max_total,
        note=_("由第 %(n)s 版修订") % {"n": version.number},
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    return draft


@transaction.atomic
def version_update_item(*, version: StandardVersion, user, code: str, changes: dict) -> None:
    """Edit one item of a draft version; a published version refuses.

    The edited tree goes through the engine's builder, as an import does: text is cleaned of
    control characters, lengths and scores are checked, and a problem with this item refuses
    the edit (nothing is saved) with the sentence naming the field.
    """
    version_require_draft(version)
    data = copy.deepcopy(version.data)
    for dimension in data["dimensions"]:
        for indicator in dimension["indicators"]:
            for item in indicator["items"]:
                if item["code"] == code:
                    item.update(changes)
    parsed, problems, _rows = standard_from_dict(data)
    mine = [p for p in problems if p.item == code]
    if mine or parsed is None:
        raise ValidationError([describe(p) for p in mine] or _("评分要点无法保存。"))
    version.data = standard_to_dict(parsed)
    version.max_total = parsed.max_total()
    version.save(update_fields=["data", "max_total", "updated_at"])
