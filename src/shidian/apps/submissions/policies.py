"""Who may see, fill, review and manage rounds and what hangs on them (every kind alike).

A round is run by its unit (the owner: manage, approve). A submission concerns its unit: the
unit fills it, its zone and the office above see and remind. The round's named reviewers see
the round and its submissions and review them, nothing else: a reviewer is an expert grant on
the round (narrowed to some units or not) or on one submission, and reaches the submission.
Revisions and evidence follow their submission. Reviews are blind until the round's reviews
are released.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Q

from shidian.apps.core.access import MANAGE, Policy, path_q, register
from shidian.apps.core.access.actions import subtree_actions
from shidian.apps.evidence.models import Evidence
from shidian.apps.reviews.models import Review
from shidian.apps.submissions.models import Revision, Round, Submission


def blind_reviews(user: Any, action: str, prefix: str) -> Q | None:
    """Blind review: the office that runs the round (MANAGE on it) sees every review; a
    reviewer sees their own; everyone else sees a review once the reviews are released."""
    shown = Q(**{f"{prefix}reviewer_id": user.pk}) | Q(
        **{f"{prefix}submission__round__reviews_released_at__isnull": False}
    )
    if MANAGE in subtree_actions(user) and user.unit is not None:
        shown |= path_q(f"{prefix}submission__round__unit", user.unit.path)
    return shown


# A grant on the programme (office or leading-group member) reaches its rounds and their
# submissions too.
ROUND = Policy(
    unit="unit",
    owner="unit",
    targets=(("pk", "submissions.round"), ("programme", "programmes.programme")),
)
SUBMISSION = Policy(
    unit="unit",
    owner="round__unit",
    targets=(
        ("pk", "submissions.submission"),
        ("round", "submissions.round"),
        ("round__programme", "programmes.programme"),
    ),
)

register(Round, ROUND)
register(Submission, SUBMISSION)
register(Revision, SUBMISSION.through("submission"))
register(Evidence, SUBMISSION.through("submission"))
register(Review, replace(SUBMISSION.through("submission"), limit=blind_reviews))
