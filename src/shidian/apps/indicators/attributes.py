"""The unit attributes an indicator can be computed from (OrgUnit columns), and how.

Two kinds: a share of schools (``has_fibre``: schools with fibre / all schools) and a ratio of
sums (``multimedia_classrooms`` / ``classrooms``, summed over the schools where both are
known). Per school the same ratio gives the value balance between schools compares.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Attribute(models.TextChoices):
    FIBRE = "fibre", _("光纤接入学校占比")
    MULTIMEDIA = "multimedia", _("多媒体教室占比")
    STUDENTS_PER_TEACHER = "students_per_teacher", _("生师比")
    MULTIMEDIA_PER_100 = "multimedia_per_100", _("每百名学生多媒体教室数")
    CLASSROOMS_PER_100 = "classrooms_per_100", _("每百名学生教室数")


@dataclass(frozen=True)
class Spec:
    code: str
    numerator: str  # OrgUnit field
    denominator: str | None  # OrgUnit field; None: the number of schools
    scale: float  # 100 for percentages and "per 100 students"
    unit_label: str
    numerator_label: str
    denominator_label: str
    share_of_schools: bool = False  # numerator is a boolean: schools where it is true


SPECS: dict[str, Spec] = {
    Attribute.FIBRE: Spec(
        "fibre", "has_fibre", None, 100, "%", _("光纤接入"), _("学校数"), share_of_schools=True
    ),
    Attribute.MULTIMEDIA: Spec(
        "multimedia",
        "multimedia_classrooms",
        "classrooms",
        100,
        "%",
        _("多媒体教室"),
        _("教室总数"),
    ),
    Attribute.STUDENTS_PER_TEACHER: Spec(
        "students_per_teacher", "students", "teachers", 1, ":1", _("学生数"), _("教师数")
    ),
    Attribute.MULTIMEDIA_PER_100: Spec(
        "multimedia_per_100",
        "multimedia_classrooms",
        "students",
        100,
        _("间/百生"),
        _("多媒体教室"),
        _("学生数"),
    ),
    Attribute.CLASSROOMS_PER_100: Spec(
        "classrooms_per_100", "classrooms", "students", 100, _("间/百生"), _("教室数"), _("学生数")
    ),
}
