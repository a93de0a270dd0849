"""The one upload path for offline workbooks: the web upload (check, show the diff, apply) and
``shidian campaign ingest`` (check and apply each file of a folder) both call these functions.

Every check happens before anything is stored: identity signature, unit, campaign, standard
version, then every answer; a problem names the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shidian.apps.campaigns.models import Campaign, Sheet, SheetRevision
from shidian.apps.campaigns.presenters import answer_text
from shidian.apps.campaigns.sheets import SheetConflict, clean_answer, sheet_save_all
from shidian.apps.campaigns.workbook import WorkbookError, read_workbook
from shidian.engine.scoring import Method


@dataclass
class Change:
    code: str
    text: str
    before: dict | None
    after: dict | None


@dataclass
class CheckedUpload:
    sheet: Sheet
    answers: dict
    base_version: int
    changes: list[Change] = field(default_factory=list)
    # The sheet's version when the workbook was downloaded (None: an older workbook that does
    # not say) and the changes that would replace what was saved online since then.
    workbook_version: int | None = None
    reverts: list[Change] = field(default_factory=list)


def compare(
    *, sheet: Sheet, standard, answers: dict, workbook_version: int | None
) -> tuple[list[Change], list[Change]]:
    """The upload's changes against what is stored, and among them the items edited online
    after the workbook was downloaded: applying the upload would put their older value back."""
    changes = [
        Change(item.code, item.text, sheet.answers.get(item.code), answers.get(item.code))
        for item in standard.items()
        if sheet.answers.get(item.code) != answers.get(item.code)
    ]
    if not changes or workbook_version is None or workbook_version >= sheet.version:
        return changes, []
    if workbook_version == 0:
        then: dict | None = {}
    else:
        then = (
            SheetRevision.objects.filter(
                submission_id=sheet.pk, number=workbook_version
            )  # scoping: ok
            .values_list("answers", flat=True)
            .first()
        )
    # Without the revision we cannot tell which items moved on: warn about every change.
    reverts = [c for c in changes if then is None or then.get(c.code) != c.before]
    return changes, reverts


def reverts_text(reverts: list[Change]) -> str:
    """One line naming each reverted item with the stored and the workbook's value."""
    return "；".join(
        _("%(code)s %(text)s：在线为“%(online)s”，表格中为“%(workbook)s”")
        % {
            "code": c.code,
            "text": c.text,
            "online": answer_text(c.before) or "—",
            "workbook": answer_text(c.after) or "—",
        }
        for c in reverts
    )


def _raw_answer(item, raw: dict) -> dict | None:
    if item.method == Method.RATIO:
        return {"numerator": raw.get("numerator"), "denominator": raw.get("denominator")}
    return {"value": raw.get("value")}


def workbook_check(
    *, data: bytes, sheet: Sheet | None = None, campaign: Campaign | None = None
) -> CheckedUpload:
    """Check a workbook against the expected sheet (web) or campaign (bulk ingest)."""
    read = read_workbook(data)
    if sheet is not None:
        same_campaign = read.campaign_id == sheet.campaign_id
        if same_campaign and (read.unit_id != sheet.unit_id or read.sheet_id != sheet.pk):
            raise WorkbookError(
                _("这是其他单位的自查表，请上传本单位（%(unit)s）下载的表格。")
                % {"unit": sheet.unit.name},
                cell="_shidian!A1",
                code="other_unit",
            )
        campaign = sheet.campaign
    elif campaign is not None:
        sheet = (
            Sheet.objects.select_related("unit")
            .filter(pk=read.sheet_id, unit_id=read.unit_id, round=campaign)
            .first()
        )
        if sheet is not None:
            sheet.campaign = campaign
    if campaign is not None and read.version_id != campaign.version_id:
        from shidian.apps.standards.models import StandardVersion

        other = StandardVersion.objects.filter(pk=read.version_id).first()  # scoping: ok number
        raise WorkbookError(
            _(
                "这份表格对应指标体系第 %(old)s 版，本次自查赋分使用第 %(new)s 版，"
                "请重新下载本次的表格。"
            )
            % {"old": other.number if other else "?", "new": campaign.version.number},
            cell="_shidian!A1",
            code="old_version",
        )
    if campaign is None or read.campaign_id != campaign.pk:
        raise WorkbookError(
            _("这份表格属于另一次自查赋分，请重新下载本次的表格。"),
            cell="_shidian!A1",
            code="other_campaign",
        )
    if sheet is None or read.sheet_id != sheet.pk or read.unit_id != sheet.unit_id:
        raise WorkbookError(_("找不到这份表格对应的单位。"), code="other_unit")
    standard = campaign.version.as_standard()
    answers: dict = {}
    for item in standard.items():
        if item.code not in read.raw:
            raise WorkbookError(
                _("表格中缺少评分要点 %(code)s，请不要删除行。") % {"code": item.code},
                code="missing_item",
            )
        try:
            cleaned = clean_answer(item, _raw_answer(item, read.raw[item.code]))
        except ValidationError as exc:
            key = item.code + (":ratio" if item.method == Method.RATIO else "")
            cell = read.cells.get(key, "")
            raise WorkbookError(
                _("单元格 %(cell)s（%(code)s）：%(problem)s")
                % {"cell": cell, "code": item.code, "problem": " ".join(exc.messages)},
                cell=cell,
                code="bad_value",
            ) from exc
        if cleaned is not None:
            answers[item.code] = cleaned
    changes, reverts = compare(
        sheet=sheet, standard=standard, answers=answers, workbook_version=read.sheet_version
    )
    return CheckedUpload(
        sheet=sheet,
        answers=answers,
        base_version=sheet.version,
        changes=changes,
        workbook_version=read.sheet_version,
        reverts=reverts,
    )


def workbook_apply(
    *, checked: CheckedUpload, user, audit: bool = True, prevalidated: bool = False
) -> Sheet:
    """Apply a checked upload. ``prevalidated`` only when ``checked`` was built in this same
    process from ``workbook_check`` (the bulk ingest); the web re-validates the signed payload."""
    return sheet_save_all(
        sheet=checked.sheet,
        user=user,
        answers=checked.answers,
        base_version=checked.base_version,
        kind="upload",
        audit=audit,
        prevalidated=prevalidated,
    )


@dataclass
class IngestRow:
    file: str
    unit: str
    outcome: str  # applied / unchanged / error / checked
    message: str
    changes: int
    total: float | None


def stale_message(reverts: list[Change]) -> str:
    return _(
        "这份表格下载后，本单位又在线修改过，导入会把以下评分要点改回旧内容：%(items)s。"
        "请让本单位重新下载表格填写，或核实后用 --overwrite-newer 导入。"
    ) % {"items": reverts_text(reverts)}


def ingest_file(
    *, path: Path, campaign: Campaign, dry_run: bool = False, overwrite_newer: bool = False
) -> IngestRow:
    """Check (and unless ``dry_run`` apply) one workbook collected by e-mail. A workbook that
    would put older values back over online edits is refused unless ``overwrite_newer``."""
    try:
        checked = workbook_check(data=path.read_bytes(), campaign=campaign)
        if checked.reverts and not overwrite_newer:
            return IngestRow(
                path.name,
                checked.sheet.unit.name,
                "error",
                stale_message(checked.reverts),
                len(checked.changes),
                None,
            )
        if dry_run:
            return IngestRow(
                path.name, checked.sheet.unit.name, "checked", "", len(checked.changes), None
            )
        if not checked.changes:
            return IngestRow(
                path.name, checked.sheet.unit.name, "unchanged", "", 0, checked.sheet.total
            )
        sheet = workbook_apply(checked=checked, user=None, audit=False, prevalidated=True)
        return IngestRow(
            path.name, sheet.unit.name, "applied", "", len(checked.changes), sheet.total
        )
    except WorkbookError as exc:
        return IngestRow(path.name, "", "error", exc.message, 0, None)
    except ValidationError as exc:
        return IngestRow(path.name, "", "error", " ".join(exc.messages), 0, None)
    except SheetConflict:
        return IngestRow(path.name, "", "error", _("表格已被他人修改"), 0, None)


def _check_chunk(args) -> list[tuple]:
    """Worker: read and check workbooks (read-only); the parent applies them."""
    campaign_id, paths, overwrite_newer = args
    campaign = (
        Campaign.objects.select_related("version")  # scoping: ok the command's campaign
        .defer("version__data")
        .get(pk=campaign_id)
    )
    out = []
    for path in paths:
        try:
            checked = workbook_check(data=path.read_bytes(), campaign=campaign)
        except WorkbookError as exc:
            out.append((path, None, exc.message))
            continue
        if checked.reverts and not overwrite_newer:
            out.append((path, None, stale_message(checked.reverts)))
            continue
        out.append(
            (
                path,
                (
                    checked.sheet.pk,
                    checked.sheet.unit.name,
                    checked.answers,
                    checked.base_version,
                    len(checked.changes),
                ),
                "",
            )
        )
    return out


def _apply_checked(campaign: Campaign, path: Path, found: tuple, dry_run: bool) -> IngestRow:
    sheet_id, unit_name, answers, base_version, changes = found
    if dry_run:
        return IngestRow(path.name, unit_name, "checked", "", changes, None)
    if not changes:
        return IngestRow(path.name, unit_name, "unchanged", "", 0, None)
    sheet = Sheet(pk=sheet_id, campaign=campaign)
    checked = CheckedUpload(sheet=sheet, answers=answers, base_version=base_version)
    try:
        sheet = workbook_apply(checked=checked, user=None, audit=False, prevalidated=True)
    except ValidationError as exc:
        return IngestRow(path.name, unit_name, "error", " ".join(exc.messages), 0, None)
    except SheetConflict:
        return IngestRow(path.name, unit_name, "error", _("表格已被他人修改"), 0, None)
    return IngestRow(path.name, unit_name, "applied", "", changes, sheet.total)


def ingest_files(
    *,
    campaign: Campaign,
    paths: list[Path],
    dry_run: bool = False,
    workers: int = 1,
    on_progress=None,
    overwrite_newer: bool = False,
) -> list[IngestRow]:
    """Ingest many files. With ``workers`` > 1, reading and checking (CPU work) run in worker
    processes and this process applies the checked answers one short transaction per file:
    one writer, so SQLite never makes writers wait on each other."""
    if workers <= 1 or len(paths) < 50:
        rows = []
        for path in paths:
            rows.append(
                ingest_file(
                    path=path, campaign=campaign, dry_run=dry_run, overwrite_newer=overwrite_newer
                )
            )
            if on_progress:
                on_progress(1)
        return rows
    from multiprocessing import get_context

    from django.db import connections

    chunks = [paths[i : i + 50] for i in range(0, len(paths), 50)]
    connections.close_all()  # children must open their own connections
    rows: list[IngestRow] = []
    with get_context("fork").Pool(workers) as pool:
        tasks = [(campaign.pk, chunk, overwrite_newer) for chunk in chunks]
        for results in pool.imap(_check_chunk, tasks):
            for path, found, error in results:
                if found is None:
                    rows.append(IngestRow(path.name, "", "error", error, 0, None))
                else:
                    rows.append(_apply_checked(campaign, path, found, dry_run))
            if on_progress:
                on_progress(len(results))
    return rows
