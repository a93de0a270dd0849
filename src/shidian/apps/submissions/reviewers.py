"""A round's reviewers are the people holding an active expert grant on it (core.Grant).

``Round.reviewers`` keeps the many-to-many field's everyday API (``add``, ``set``, ``remove``,
and every queryset method through the users), now backed by grants: naming a reviewer gives a
grant (audited, with dates if wanted), removing one revokes it. A grant narrowed to some units
(an expert assigned to given schools of a round) counts as a reviewer of the round too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction

from shidian.apps.core.access import GrantRole
from shidian.apps.core.models import Grant


def reviewer_grants(round_obj) -> models.QuerySet:
    return Grant.objects.on_target(round_obj).active().filter(role=GrantRole.EXPERT)


@transaction.atomic
def reviewers_add(*, by: Any, round_obj, users: Iterable[Any]) -> None:
    from shidian.apps.core.services import grant_give

    for user in users:
        grant_give(by=by, user=user, role=GrantRole.EXPERT, target=round_obj)


@transaction.atomic
def reviewers_remove(*, by: Any, round_obj, users: Iterable[Any]) -> None:
    from shidian.apps.core.services import grant_revoke

    ids = {getattr(u, "pk", u) for u in users}
    for grant in reviewer_grants(round_obj).filter(user_id__in=ids):
        grant_revoke(by=by, grant=grant)


@transaction.atomic
def reviewers_set(*, by: Any, round_obj, users: Iterable[Any]) -> None:
    wanted = {u.pk: u for u in users}
    current = set(reviewer_grants(round_obj).values_list("user_id", flat=True))
    reviewers_remove(by=by, round_obj=round_obj, users=current - set(wanted))
    reviewers_add(
        by=by, round_obj=round_obj, users=[u for pk, u in wanted.items() if pk not in current]
    )


class RoundReviewers:
    """``round.reviewers``: the reviewers' users, and add/set/remove as the system."""

    def __init__(self, round_obj):
        self.round = round_obj

    def _users(self) -> models.QuerySet:
        return get_user_model().objects.filter(pk__in=reviewer_grants(self.round).values("user_id"))

    def all(self) -> models.QuerySet:
        return self._users()

    def add(self, *users: Any, by: Any = None) -> None:
        reviewers_add(by=by, round_obj=self.round, users=users)

    def remove(self, *users: Any, by: Any = None) -> None:
        reviewers_remove(by=by, round_obj=self.round, users=users)

    def clear(self, by: Any = None) -> None:
        reviewers_remove(by=by, round_obj=self.round, users=list(self._users()))

    def set(self, users: Iterable[Any], by: Any = None) -> None:
        reviewers_set(by=by, round_obj=self.round, users=list(users))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._users(), name)
