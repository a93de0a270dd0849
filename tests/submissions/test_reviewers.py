"""A round's reviewers are expert grants: naming one gives a grant, dropping one revokes it,
and a grant narrowed to one school makes a reviewer of that school's submission only."""

from __future__ import annotations

import pytest

from shidian.apps.core.access import REVIEW, GrantRole, can
from shidian.apps.core.models import Grant
from shidian.apps.core.services import grant_give
from shidian.apps.submissions.models import Submission
from tests.campaigns.factories import campaign, sheet
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_set_gives_and_revokes_grants(tree, office_user):
    opened = campaign(tree)
    a = make_user("g-a", tree.county, "expert")
    b = make_user("g-b", tree.county, "expert")
    opened.reviewers.set([a, b], by=office_user)
    assert set(opened.reviewers.all()) == {a, b}
    opened.reviewers.set([b], by=office_user)
    assert list(opened.reviewers.all()) == [b]
    revoked = Grant.objects.get(user=a)  # scoping: ok test
    assert revoked.revoked_at is not None and revoked.target_type == "submissions.round"
    assert not can(a, REVIEW, sheet(tree)) and can(b, REVIEW, sheet(tree))


def test_a_grant_narrowed_to_one_school(tree, office_user):
    opened = campaign(tree)
    expert = make_user("g-n", tree.county, "expert")
    grant_give(by=office_user, user=expert, role=GrantRole.EXPERT, target=opened, unit=tree.school)
    mine, other = sheet(tree), sheet(tree, tree.school2)
    assert can(expert, REVIEW, mine) and not can(expert, REVIEW, other)
    assert set(Submission.objects.restrict(expert)) == {mine}
