"""A booklet draft's items as chapters of the documents app's booklet schema (docs/documents.md):
a case gives its title, its school (author), a line of tags, its summary, its text with the
images where the school placed them and the names of its attachments; a summary report gives
its school's report text. Images are the case's evidence files, copied into the booklet's
assets (read one at a time, when the document stores them); WebP, which Word and the
.docx writer do not take, is converted to PNG.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from shidian.apps.cases.kinds import ATTACHMENTS, IMAGES, label_of
from shidian.apps.evidence.models import Evidence
from shidian.apps.orgs.models import SchoolType

log = logging.getLogger(__name__)

IMAGE_LINE = re.compile(r"^\s*\[(?:图片|image):(\d+)\]\s*$", re.MULTILINE)
DOCX_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "BMP": "bmp"}
MAX_WIDTH_MM = 120.0
MAX_HEIGHT_MM = 150.0
MIN_WIDTH_MM = 30.0
SUMMARY_FILE = "summary_file"


def _image_info(evidence: Evidence) -> tuple[str, float] | None:
    """(asset name, width in mm) of an image evidence, or None when it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with evidence.file.open("rb") as fh, Image.open(fh) as img:
            fmt, (w, h) = img.format or "", img.size
    except (OSError, UnidentifiedImageError, ValueError):
        log.warning("booklet: image %s cannot be read; left out", evidence.pk)
        return None
    ext = DOCX_FORMATS.get(fmt, "png")
    width = MAX_WIDTH_MM if h <= 0 else min(MAX_WIDTH_MM, MAX_HEIGHT_MM * w / h)
    return f"case{evidence.submission_id}-{evidence.pk}.{ext}", round(max(MIN_WIDTH_MM, width), 1)


def _image_bytes(evidence: Evidence, name: str) -> bytes:
    with evidence.file.open("rb") as fh:
        data = fh.read()
    if name.endswith(".png") and not data.startswith(b"\x89PNG"):
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            out = io.BytesIO()
            img.save(out, "PNG")
            data = out.getvalue()
    return data


def _meta(case: Any) -> str:
    parts = []
    if case.subject:
        parts.append(_("学科：%(v)s") % {"v": label_of("subject", case.subject)})
    if case.theme:
        parts.append(_("主题：%(v)s") % {"v": label_of("theme", case.theme)})
    if case.school_type:
        parts.append(_("学校类型：%(v)s") % {"v": SchoolType(case.school_type).label})
    return "\u3000".join(parts)


def _body(text: str, images: dict[int, tuple[str, float]]) -> list[Any]:
    """The case's text as blocks: a line [图片:ID] becomes that image (dropped when ID is not
    an image of the case); other lines as the typed-text rules say (docgen.plaintext)."""
    from shidian.docgen.plaintext import blocks_from_text

    marks: dict[str, tuple[str, float]] = {}

    def image_line(match: re.Match[str]) -> str:
        found = images.get(int(match.group(1)))
        if found is None:
            return ""
        marks[found[0]] = found
        return f"[图：{found[0]}]"

    blocks = []
    for block in blocks_from_text(IMAGE_LINE.sub(image_line, text or "")):
        if isinstance(block, dict) and "image" in block:
            if block["image"] not in marks:  # typed by the school, not one of its images
                continue
            block = {"image": block["image"], "width_mm": marks[block["image"]][1]}
        blocks.append(block)
    return blocks


def _evidence_of(submission_ids: list[int]) -> dict[int, list[Evidence]]:
    files: dict[int, list[Evidence]] = {}
    rows = Evidence.objects.filter(  # scoping: ok the items were checked visible by the caller
        submission_id__in=submission_ids
    ).order_by("pk")
    for evidence in rows:
        files.setdefault(evidence.submission_id, []).append(evidence)
    return files


def chapters_for(items: list[Any]) -> tuple[list[dict[str, Any]], Iterator[tuple[str, bytes]]]:
    """(chapters, assets) for the items in order; ``assets`` yields (name, bytes) lazily."""
    sources = [i.case.submission_id for i in items if i.case_id and i.case.submission_id]
    sources += [i.submission_id for i in items if i.submission_id]
    files = _evidence_of(sources)
    chapters: list[dict[str, Any]] = []
    used: list[tuple[str, Evidence]] = []
    for item in items:
        if item.case_id:
            case = item.case
            evidence = files.get(case.submission_id, []) if case.submission_id else []
            images: dict[int, tuple[str, float]] = {}
            for e in evidence:
                if e.item_code == IMAGES and e.kind == "image":
                    info = _image_info(e)
                    if info is not None:
                        images[e.pk] = info
            body = _body(case.body, images)
            shown = {b["image"] for b in body if isinstance(b, dict) and "image" in b}
            used += [(images[e.pk][0], e) for e in evidence if e.pk in images and
                     images[e.pk][0] in shown]  # fmt: skip
            chapters.append(
                {
                    "title": case.title,
                    "author": case.unit.name,
                    "meta": _meta(case),
                    "summary": case.summary,
                    "body": body,
                    "attachments": [
                        e.original_name for e in evidence if e.item_code == ATTACHMENTS
                    ],
                }
            )
        else:
            report = item.submission
            evidence = files.get(report.pk, [])
            chapters.append(
                {
                    "title": _("%(school)s试点工作总结报告") % {"school": report.unit.name},
                    "author": report.unit.name,
                    "meta": report.round.name,
                    "body": _body(str(report.answers.get("summary") or ""), {}),
                    "attachments": [
                        e.original_name for e in evidence if e.item_code == SUMMARY_FILE
                    ],
                }
            )

    def assets() -> Iterator[tuple[str, bytes]]:
        for name, evidence in used:
            yield name, _image_bytes(evidence, name)

    return chapters, assets()
