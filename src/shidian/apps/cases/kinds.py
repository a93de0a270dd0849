"""The ``typical_case`` kind of the submission mechanism: one typical case (典型案例) per pilot
and call. Answers are plain texts keyed by item code; the body is paragraphs separated by blank
lines, and a line ``[图片:<id>]`` shows the uploaded image of that id there. Images are evidence
on the item ``images``, other files on ``attachments``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.submissions.kinds import FormSpec
from shidian.textclean import clean_text

KIND = "typical_case"
IMAGES = "images"
ATTACHMENTS = "attachments"
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

SUBJECTS = (
    ("chinese", gettext_lazy("语文")),
    ("maths", gettext_lazy("数学")),
    ("english", gettext_lazy("英语")),
    ("science", gettext_lazy("科学")),
    ("it", gettext_lazy("信息科技")),
    ("arts", gettext_lazy("艺术")),
    ("pe", gettext_lazy("体育与健康")),
    ("moral", gettext_lazy("道德与法治")),
    ("general", gettext_lazy("综合/跨学科")),
)
THEMES = (
    ("teaching", gettext_lazy("课堂教学")),
    ("management", gettext_lazy("学校管理")),
    ("teachers", gettext_lazy("教师发展")),
    ("evaluation", gettext_lazy("评价改革")),
    ("resources", gettext_lazy("资源共享")),
    ("homeschool", gettext_lazy("家校协同")),
    ("other", gettext_lazy("其他")),
)

# (code, label, help, required, max length)
ITEMS = (
    ("title", gettext_lazy("案例标题"), "", True, 100),
    ("summary", gettext_lazy("摘要"), gettext_lazy("一二百字概括做法与成效。"), True, 600),
    (
        "body",
        gettext_lazy("正文"),
        gettext_lazy("段落之间空一行；上传图片后，把“[图片:编号]”单独写一行即可在该处显示图片。"),
        True,
        30000,
    ),
    ("subject", gettext_lazy("学科"), "", False, 32),
    ("theme", gettext_lazy("主题"), "", True, 32),
)
CHOICES = {"subject": dict(SUBJECTS), "theme": dict(THEMES)}


def label_of(field: str, value: str) -> str:
    return str(CHOICES[field].get(value, "")) if value else ""


class TypicalCaseForm(FormSpec):
    kind = KIND
    label = "典型案例"
    audit_prefix = "cases.case"
    fill_template = "cases/submission.html"

    def item_codes(self, round_obj) -> list[str]:
        return [code for code, *_rest in ITEMS]

    def clean_item(self, round_obj, code: str, raw: Any) -> Any:
        limit = {c: n for c, _l, _h, _r, n in ITEMS}[code]
        multiline = code in ("summary", "body")
        text = clean_text(str(raw or ""), multiline=multiline).strip()
        if code in CHOICES:
            if text and text not in CHOICES[code]:
                raise ValidationError(_("请从列表中选择。"))
            return text or None
        if len(text) > limit:
            raise ValidationError(_("不能超过 %(n)s 个字。") % {"n": limit})
        return text or None

    def submit_problems(self, submission, *, evidence_codes: set[str]) -> list[str]:
        return [
            _("请填写“%(label)s”。") % {"label": label}
            for code, label, _help, required, _n in ITEMS
            if required and not submission.answers.get(code)
        ]

    def evidence_codes(self, round_obj) -> set[str]:
        return {IMAGES, ATTACHMENTS}

    def on_returned(self, submission, *, base_url: str = "") -> None:
        from shidian.apps.cases.services import tell_returned

        tell_returned(submission, base_url=base_url)

    def on_accepted(self, submission, *, user) -> None:
        from shidian.apps.cases.services import case_publish

        case_publish(submission=submission, user=user)
