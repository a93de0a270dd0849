"""Who sees a class list: the accounts of exactly the list's school, nobody above it.

The role gives a school account view (and fill on its own unit); the ``limit`` narrows every
action to accounts whose unit *is* the list's unit, so a zone or an office whose subtree holds the
school still sees no pupil.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.classgroups import models as m
from shidian.apps.core.access import Policy, register

TEACHER_ROLES = ("coordinator", "community_lead")


def same_unit(user: Any, action: str, prefix: str) -> Q:
    if getattr(user, "role", "") not in TEACHER_ROLES or getattr(user, "unit_id", None) is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}unit_id": user.unit_id})


CLASS_LIST = Policy(unit="unit", limit=same_unit)


def register_all() -> None:
    register(m.ClassList, CLASS_LIST)
    register(m.Pupil, CLASS_LIST.through("class_list"))
    register(m.ApartPair, CLASS_LIST.through("class_list"))
