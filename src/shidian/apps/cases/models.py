"""Typical cases (典型案例).

A case call is a submissions Round of kind ``typical_case`` run by a programme's unit; each
pilot fills one Submission (title, summary, body, tags; images and attachments as evidence).
The office may send a submitted case to experts (``CaseReviewRequest``, one expert grant per
person on the submission); each expert leaves a ``CaseOpinion``. Accepting the submission
publishes a ``Case``: a copy of the answers that the library shows and searches through
``CaseTerm`` (jieba's words of the case, with a weight) and ``CaseTermStat`` (how many cases
hold each word, so a query starts from its rarest word).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet


class Verdict(models.TextChoices):
    RECOMMEND = "recommend", _("推荐入库")
    REVISE = "revise", _("修改后入库")
    REJECT = "reject", _("不推荐")


class CaseQuerySet(ScopedQuerySet):
    pass


class CaseReviewRequest(models.Model):
    """The office sent this submitted case to experts (who hold an expert grant on it)."""

    submission = models.OneToOneField(
        "submissions.Submission", on_delete=models.CASCADE, related_name="case_review"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(_("送审时版本"), default=0)

    objects = CaseQuerySet.as_manager()
    scope_unit_field = "submission__unit"

    class Meta:
        verbose_name = _("专家评审")
        verbose_name_plural = _("专家评审")

    def __str__(self) -> str:
        return f"review:{self.submission_id}"


class CaseOpinion(models.Model):
    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.CASCADE, related_name="case_opinions"
    )
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(_("评审意见"), max_length=16, choices=Verdict.choices)
    comment = models.TextField(_("意见说明"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()
    scope_unit_field = "submission__unit"

    class Meta:
        verbose_name = _("专家意见")
        verbose_name_plural = _("专家意见")
        ordering = ["updated_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "expert"], name="case_opinion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}:{self.expert_id}:{self.verdict}"


class Case(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("试点项目"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    submission = models.OneToOneField(
        "submissions.Submission",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="published_case",
    )
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("摘要"))
    body = models.TextField(_("正文"))
    subject = models.CharField(_("学科"), max_length=32, blank=True, db_index=True)
    theme = models.CharField(_("主题"), max_length=32, blank=True, db_index=True)
    school_type = models.CharField(_("学校类型"), max_length=32, blank=True, db_index=True)
    published_at = models.DateTimeField(_("入库时间"), db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CaseQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["programme", "-published_at"], name="case_prog_pub_idx")]

    def __str__(self) -> str:
        return self.title


class CaseTerm(models.Model):
    """One word of a case and its weight (title words count more than body words)."""

    term = models.CharField(max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="terms", db_index=False)
    weight = models.FloatField()

    class Meta:
        # A query reads (case, weight) of one term from the index alone; the second index
        # serves the deletion of a case's words.
        indexes = [
            models.Index(fields=["term", "case", "weight"], name="caseterm_term_case_w"),
            models.Index(fields=["case"], name="caseterm_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.term}:{self.case_id}"


class CaseTermStat(models.Model):
    """How many published cases hold ``term`` (a query starts from its rarest word)."""

    term = models.CharField(max_length=32, unique=True)
    cases = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term}:{self.cases}"


class CaseBooklet(models.Model):
    """A booklet draft (汇编成册): a title, a foreword and chosen cases and summary reports in
    the order the office put them; compiling it makes a documents-app booklet (``document``,
    the latest)."""

    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("试点项目"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    title = models.CharField(_("汇编标题"), max_length=200)
    foreword = models.TextField(_("前言"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CaseQuerySet.as_manager()
    scope_unit_field = "programme__unit"

    class Meta:
        verbose_name = _("案例汇编")
        verbose_name_plural = _("案例汇编")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class CaseBookletItem(models.Model):
    """One chapter of a booklet draft: a published case or a pilot's acceptance summary report
    (an ``acceptance_report`` submission), at ``position`` (1, 2, ...)."""

    booklet = models.ForeignKey(CaseBooklet, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    submission = models.ForeignKey(
        "submissions.Submission", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip

    objects = CaseQuerySet.as_manager()
    scope_unit_field = "booklet__programme__unit"

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["booklet", "case"], name="booklet_item_case_unique"),
            models.UniqueConstraint(
                fields=["booklet", "submission"], name="booklet_item_submission_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(case__isnull=False, submission__isnull=True)
                | models.Q(case__isnull=True, submission__isnull=False),
                name="booklet_item_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booklet_id}:{self.position}"
