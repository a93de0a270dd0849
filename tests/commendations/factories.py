"""A commendation world: the tracking world's programme with four pilots passed (A1-1, A1-2
accepted; A1-3 conditional; A1-4 not accepted), a leading-group account of county A, and an
empty commendation list."""

from __future__ import annotations

from tests.conftest import make_user
from tests.tracking_world import pilot_world


def passed_world(tree):
    from shidian.apps.programmes.models import Participation
    from shidian.apps.programmes.services import participation_move_bulk

    w = pilot_world(tree)
    rows = {
        p.unit.code: p
        for p in Participation.objects.filter(programme=w.programme).select_related("unit")
    }
    if rows["A1-1"].state == "pilot":
        participation_move_bulk(
            by=None,
            programme=w.programme,
            participations=[rows["A1-1"], rows["A1-2"]],
            to="accepted",
        )
        participation_move_bulk(
            by=None,
            programme=w.programme,
            participations=[rows["A1-3"]],
            to="conditional",
            reason="整改后复验",
        )
        participation_move_bulk(
            by=None,
            programme=w.programme,
            participations=[rows["A1-4"]],
            to="not_accepted",
            reason="未达标",
        )
    return w


def leader(tree):
    from shidian.apps.accounts.models import User

    found = User.objects.filter(username="cm-leader").first()  # scoping: ok test
    return found or make_user("cm-leader", tree.county, "leading_group", full_name="局长")


def zone_account(tree):
    from shidian.apps.accounts.models import User

    found = User.objects.filter(username="cm-zone").first()  # scoping: ok test
    return found or make_user("cm-zone", tree.zone, "zone")


def commendation(tree, **extra):
    from shidian.apps.commendations.models import Commendation
    from shidian.apps.commendations.services import commendation_create

    w = passed_world(tree)
    found = Commendation.objects.filter(programme=w.programme).first()  # scoping: ok test
    if found and not extra:
        return found
    return commendation_create(by=w.office, programme=w.programme, title="2028年表彰")


def nomination(tree):
    from shidian.apps.commendations.services import nomination_add
    from shidian.apps.orgs.models import OrgUnit

    c = commendation(tree)
    found = c.nominations.first()
    if found:
        return found
    unit = OrgUnit.objects.get(code="A1-1")  # scoping: ok test
    return nomination_add(
        by=pilot_world(tree).office, commendation=c, category="unit", unit=unit, reason="成效突出"
    )
