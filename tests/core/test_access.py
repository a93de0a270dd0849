"""The access mechanism: subtree actions per role, owner actions, grants with dates and
narrowing, one answer from ``restrict`` and ``can``, audited grant changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.apps.campaigns.models import Campaign, Evidence, Review, Sheet, SheetRevision
from shidian.apps.core.access import (
    ACTIONS,
    APPROVE,
    FILL,
    MANAGE,
    REMIND,
    REVIEW,
    VIEW,
    GrantRole,
    action_required,
    can,
    may,
    require,
)
from shidian.apps.core.models import AuditEvent, Grant
from shidian.apps.core.services import grant_give, grant_revoke
from shidian.apps.orgs.models import OrgUnit
from tests.campaigns.factories import campaign, evidence, sheet
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(tree):
    return make_user("leader", tree.county, "leading_group")


@pytest.fixture
def expert(tree):
    return make_user("expert", tree.county, "expert")


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_office_manages_its_subtree_and_nothing_outside(tree, office_user):
    assert ids(OrgUnit.objects.restrict(office_user, MANAGE)) == {
        tree.county.pk,
        tree.zone.pk,
        tree.school.pk,
        tree.school2.pk,
    }
    assert not can(office_user, MANAGE, tree.other_school)
    assert not can(office_user, APPROVE, tree.school)  # approval is the leading group's


def test_leading_group_approves(tree, leader):
    assert can(leader, APPROVE, tree.school)
    assert not can(leader, APPROVE, tree.other_school)


def test_zone_sees_and_reminds_but_does_not_manage(tree, zone_user):
    assert can(zone_user, VIEW, tree.school) and can(zone_user, REMIND, tree.school)
    assert not can(zone_user, MANAGE, tree.school)
    assert not can(zone_user, VIEW, tree.county)


def test_coordinator_fills_its_own_sheet_only(tree, coordinator, office_user):
    own, other = sheet(tree), sheet(tree, tree.school2)
    assert can(coordinator, FILL, own)
    assert not can(coordinator, FILL, other) and not can(coordinator, VIEW, other)
    assert not can(office_user, FILL, own)  # the office reviews, never fills


def test_owner_actions_follow_the_unit_that_runs_the_object(tree, office_user, zone_user):
    target = sheet(tree)
    assert can(office_user, MANAGE, target)  # the county runs the campaign
    assert not can(zone_user, MANAGE, target)
    city_office = make_user("city-office", tree.city, "office")
    assert can(city_office, MANAGE, target)  # anyone above the owner manages too


def test_an_expert_gets_nothing_from_the_subtree(tree, expert):
    evidence(tree)
    assert may(expert, VIEW) is False
    for model in (Campaign, Sheet, SheetRevision, Evidence, Review):
        assert not model.objects.restrict(expert).exists(), model
    # ...but reads their own unit and account
    assert ids(OrgUnit.objects.restrict(expert)) == {tree.county.pk}


def test_a_grant_on_one_sheet_gives_exactly_that_sheet(tree, expert, office_user):
    target, other = sheet(tree), sheet(tree, tree.school2)
    evidence(tree)
    grant_give(by=office_user, user=expert, role=GrantRole.EXPERT, target=target)
    assert ids(Sheet.objects.restrict(expert)) == {target.pk}
    assert ids(Sheet.objects.restrict(expert, REVIEW)) == {target.pk}
    assert not Sheet.objects.restrict(expert, MANAGE).exists()
    assert ids(Evidence.objects.restrict(expert)) == set(
        Evidence.objects.filter(submission=target).values_list("pk", flat=True)
    )
    assert not can(expert, VIEW, other)
    assert not Campaign.objects.restrict(expert).exists()


def test_a_grant_on_a_campaign_narrowed_to_a_school(tree, expert, office_user):
    run = campaign(tree)
    grant_give(by=office_user, user=expert, role=GrantRole.EXPERT, target=run, unit=tree.school)
    assert ids(Sheet.objects.restrict(expert)) == {sheet(tree).pk}
    assert ids(Campaign.objects.restrict(expert)) == {run.pk}


def test_grant_dates_and_revocation(tree, expert, office_user):
    today = timezone.localdate()
    target = sheet(tree)
    later = grant_give(
        by=office_user,
        user=expert,
        role=GrantRole.EXPERT,
        target=target,
        starts_on=today + timedelta(days=3),
    )
    assert not can(expert, VIEW, target)
    later.starts_on, later.ends_on = today - timedelta(days=9), today - timedelta(days=1)
    later.save()
    expert = type(expert).objects.get(pk=expert.pk)  # a new request: no cached grants
    assert not can(expert, VIEW, target)
    current = grant_give(by=office_user, user=expert, role=GrantRole.EXPERT, target=target)
    assert current.pk == later.pk  # the same active grant, dates replaced
    assert can(expert, VIEW, target)
    grant_revoke(by=office_user, grant=current)
    assert not can(expert, VIEW, target)
    actions = list(
        AuditEvent.objects.filter(target_type="core.Grant").values_list("action", flat=True)
    )
    assert actions.count("core.grant") == 2 and actions.count("core.grant_revoke") == 1


def test_only_a_manager_of_the_target_gives_grants(tree, expert, zone_user, outsider):
    target = sheet(tree)
    for giver in (zone_user, outsider, expert):
        with pytest.raises(PermissionDenied):
            grant_give(by=giver, user=expert, role=GrantRole.EXPERT, target=target)
    assert not Grant.objects.exists()


def test_grant_input_is_checked(tree, expert, office_user):
    target = sheet(tree)
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        grant_give(by=office_user, user=expert, role="owner", target=target)
    with pytest.raises(ValidationError):
        grant_give(
            by=office_user,
            user=expert,
            role=GrantRole.EXPERT,
            target=target,
            starts_on=today,
            ends_on=today - timedelta(days=1),
        )
    assert not Grant.objects.exists()


def test_people_read_their_own_grants_and_the_owner_office_all(tree, expert, office_user):
    grant = grant_give(by=office_user, user=expert, role=GrantRole.EXPERT, target=sheet(tree))
    assert can(expert, VIEW, grant) and not can(expert, MANAGE, grant)
    assert can(office_user, MANAGE, grant)
    other = make_user("other-office", tree.other_county, "office")
    assert not can(other, VIEW, grant)


def test_require_lets_the_system_through_and_refuses_others(tree, zone_user):
    require(None, MANAGE, tree.school)
    with pytest.raises(PermissionDenied):
        require(zone_user, MANAGE, tree.school)


def test_inactive_and_anonymous_people_may_do_nothing(tree, office_user):
    from django.contrib.auth.models import AnonymousUser

    office_user.is_active = False
    assert not can(office_user, VIEW, tree.school)
    assert not OrgUnit.objects.restrict(AnonymousUser()).exists()
    assert not may(AnonymousUser(), VIEW)


def test_unknown_action_is_a_programming_error(tree, office_user):
    with pytest.raises(ValueError):
        OrgUnit.objects.restrict(office_user, "delete")


def test_refusals_are_styled_in_the_users_language(tree, zone_user, client):
    client.force_login(zone_user)
    for name in ("accounts:list", "standards:list", "core:audit", "campaigns:create"):
        client.cookies["shidian_language"] = "zh-hans"
        refused = client.get(reverse(name))
        assert refused.status_code == 403, name
        assert "您的账号没有权限进行这项操作" in refused.content.decode(), name
        client.cookies["shidian_language"] = "en"
        refused = client.get(reverse(name))
        assert "Your account is not allowed to do this" in refused.content.decode(), name


def test_action_required_checks_pages_without_an_object(rf, tree, zone_user, office_user):
    @action_required(MANAGE)
    def page(request):
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = rf.get("/")
    request.user = office_user
    assert page(request).status_code == 200
    request.user = zone_user
    with pytest.raises(PermissionDenied):
        page(request)


ROLES = ["office", "leading_group", "zone", "coordinator", "community_lead", "expert"]
UNIT_NAMES = ["county", "zone", "school", "other_school"]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    role=st.sampled_from(ROLES),
    home=st.sampled_from(UNIT_NAMES),
    action=st.sampled_from(sorted(ACTIONS)),
    granted=st.booleans(),
)
def test_restrict_and_can_always_agree(tree, role, home, action, granted):
    from shidian.apps.accounts.models import User

    unit = getattr(tree, home)
    if role in ("coordinator", "community_lead") and home != "school":
        unit = tree.school
    person = User.objects.create_user(username=f"p-{User.objects.count()}", unit=unit, role=role)
    rows = list(Sheet.objects.filter(round=campaign(tree)))
    if granted:
        Grant.objects.create(
            user=person,
            role=GrantRole.EXPERT,
            target_type="submissions.submission",
            target_id=rows[0].pk,
            owner_unit=tree.county,
        )
    allowed = ids(Sheet.objects.restrict(person, action))
    assert allowed == {s.pk for s in rows if can(person, action, s)}
    assert allowed <= {s.pk for s in rows if can(person, VIEW, s)} | (
        {s.pk for s in rows} if action == VIEW else set()
    )


def test_experts_with_grants_are_blind_to_each_other_until_release(tree, office_user):
    target = sheet(tree)
    first = make_user("expert-1", tree.other_county, "expert")
    second = make_user("expert-2", tree.other_county, "expert")
    for person in (first, second):
        grant_give(by=office_user, user=person, role=GrantRole.EXPERT, target=target)
    review = Review.objects.create(submission=target, reviewer=first, total=42)
    assert ids(Review.objects.restrict(first)) == {review.pk}
    assert not Review.objects.restrict(second).exists()
    assert ids(Review.objects.restrict(office_user)) == {review.pk}
    Campaign.objects.filter(pk=target.campaign_id).update(reviews_released_at=timezone.now())
    assert ids(Review.objects.restrict(second)) == {review.pk}


def test_filling_is_for_the_own_unit_not_the_units_under_it(tree):
    from shidian.apps.orgs.models import Level
    from shidian.apps.orgs.services import unit_create

    point = unit_create(code="A1-1-1", name="甲县教学点", level=Level.SCHOOL, parent=tree.school)
    central = make_user("central", tree.school, "coordinator")
    assert can(central, VIEW, point) and not can(central, FILL, point)
    assert ids(OrgUnit.objects.restrict(central, FILL)) == {tree.school.pk}
