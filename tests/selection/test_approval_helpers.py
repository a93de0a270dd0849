"""Inputs of the approval step, made directly (CONTRACTS): a shortlist of 18 moved to
shortlisted, the top 14 placed in the cycles 5/5/4, controls for the first pilots."""

from __future__ import annotations

from tests.conftest import make_user
from tests.selection.factories import world

SHORTLIST = 18


def ranked(w) -> list[dict]:
    from shidian.apps.selection.candidates import candidate_frame

    frame = candidate_frame(w.selection).sort_values(["score", "id"], ascending=[False, True])
    return frame.to_dict("records")


def shortlist(w, rows) -> None:
    from shidian.apps.programmes.models import Participation
    from shidian.apps.programmes.services import participation_move_bulk
    from shidian.apps.selection.models import Shortlisted

    for rank, row in enumerate(rows, 1):
        Shortlisted.objects.create(
            selection=w.selection, unit_id=row["unit_id"], rank=rank, score=row["score"]
        )
    participation_move_bulk(
        by=None,
        programme=w.programme,
        participations=Participation.objects.filter(  # scoping: ok test
            programme=w.programme, unit_id__in=[r["unit_id"] for r in rows]
        ),
        to="shortlisted",
        reason="入围",
    )


def place(w, rows) -> None:
    """Replace the placements with ``rows`` by the cycles' targets, in order."""
    from shidian.apps.selection.models import BatchPlacement

    BatchPlacement.objects.filter(selection=w.selection).delete()  # scoping: ok test
    slots = [c for c in w.programme.cycles.order_by("number") for _ in range(c.target)]
    for rank, (row, cycle) in enumerate(zip(rows, slots, strict=False), 1):
        BatchPlacement.objects.create(
            selection=w.selection, unit_id=row["unit_id"], cycle=cycle, rank=rank
        )


def pair(w, pilots, controls) -> None:
    from shidian.apps.selection.models import ControlPair

    ControlPair.objects.filter(selection=w.selection).delete()  # scoping: ok test
    for p, c in zip(pilots, controls, strict=True):
        ControlPair.objects.create(
            selection=w.selection, pilot_id=p["unit_id"], control_id=c["unit_id"], distance=0.5
        )


def ready(tree, office, *, controls: int = 4):
    """The world with a shortlist, 14 placed pilots and ``controls`` matched controls taken
    from outside the shortlist. Returns (world, ranking)."""
    w = world(tree, office=office)
    rows = ranked(w)
    shortlist(w, rows[:SHORTLIST])
    place(w, rows[:14])
    if controls:
        pair(w, rows[:controls], rows[SHORTLIST : SHORTLIST + controls])
    return w, rows


def leader(tree):
    return make_user("leader", tree.county, "leading_group", full_name="局长张")


def member(tree, office, programme):
    """A leading-group member named on the programme by a grant (their role approves nothing)."""
    from shidian.apps.core.access import GrantRole
    from shidian.apps.core.services import grant_give

    user = make_user("deputy", tree.city, "expert", full_name="副局长赵")
    grant_give(by=office, user=user, role=GrantRole.LEADING_GROUP_MEMBER, target=programme)
    return user


def state_of(w, unit_id):
    from shidian.apps.programmes.models import Participation

    row = Participation.objects.select_related("batch").get(  # scoping: ok test
        programme=w.programme, unit_id=unit_id
    )
    return row.state, row.batch.number if row.batch else None
