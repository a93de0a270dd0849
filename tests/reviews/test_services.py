"""The reviews app: storing a review, releasing a round once, and the blind-review rule of
``Review.objects.restrict`` (own review; the owner office sees all; others after release)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shidian.apps.notifications.models import Notification
from shidian.apps.reviews.models import Review
from shidian.apps.reviews.services import review_put, reviews_release
from tests.campaigns.factories import campaign, sheet
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(tree):
    opened = campaign(tree)
    target = sheet(tree)
    first = make_user("rv-1", tree.county, "expert")
    second = make_user("rv-2", tree.county, "expert")
    opened.reviewers.add(first, second)
    for reviewer, score in ((first, 3), (second, 5)):
        review_put(
            submission=target,
            reviewer=reviewer,
            item_scores={"D1.1.1": score},
            total=score,
            strengths="好\x07",
        )
    return opened, target, first, second


def test_review_put_replaces_the_reviewers_own_review(reviewed):
    opened, target, first, _second = reviewed
    review = review_put(submission=target, reviewer=first, item_scores={}, total=1.23456)
    assert Review.objects.filter(reviewer=first).count() == 1  # scoping: ok test
    assert review.total == 1.2346 and review.item_scores == {}
    assert Review.objects.get(reviewer=reviewed[3]).strengths == "好"  # scoping: ok test


def test_blind_until_released(reviewed, tree, office_user, coordinator):
    opened, target, first, second = reviewed
    assert {r.reviewer_id for r in Review.objects.restrict(first)} == {first.pk}
    assert {r.reviewer_id for r in Review.objects.restrict(second)} == {second.pk}
    assert Review.objects.restrict(office_user).count() == 2  # the round's office
    assert not Review.objects.restrict(coordinator).exists()  # the school waits for release
    outsider = make_user("rv-out", tree.other_county, "office")
    assert not Review.objects.restrict(outsider).exists()

    reviews_release(round_obj=opened, reviewers=[first, second], message="已公布", link="/r/")
    assert Review.objects.restrict(first).count() == 2
    assert Review.objects.restrict(coordinator).count() == 2
    assert not Review.objects.restrict(outsider).exists()  # release never widens the subtree
    assert Notification.objects.filter(kind="reviews.release").count() == 2  # scoping: ok


def test_release_once_and_then_frozen(reviewed):
    opened, target, first, second = reviewed
    released = reviews_release(round_obj=opened, reviewers=[first], message="已公布")
    assert released.reviews_released_at is not None
    with pytest.raises(ValidationError, match="已经公布"):
        reviews_release(round_obj=opened, reviewers=[first], message="已公布")
    # The submission was loaded before the release: the round is re-read under lock, so a
    # stale copy cannot slip a change in after it.
    with pytest.raises(ValidationError, match="不能再修改"):
        review_put(
            submission=target,
            reviewer=first,
            item_scores={},
            total=0,
        )
