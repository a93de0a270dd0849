import pytest
from django.http import Http404

from shidian.apps.core.scoping import get_scoped_or_404
from shidian.apps.orgs.models import OrgUnit


@pytest.mark.django_db
def test_restrict_limits_units_to_the_users_subtree(tree, office_user, coordinator, outsider):
    office_codes = set(OrgUnit.objects.restrict(office_user).values_list("code", flat=True))
    assert office_codes == {"A", "A1", "A1-1", "A1-2"}
    assert set(OrgUnit.objects.restrict(coordinator).values_list("code", flat=True)) == {"A1-1"}
    assert set(OrgUnit.objects.restrict(outsider).values_list("code", flat=True)) == {"B-1"}


@pytest.mark.django_db
def test_lookup_outside_the_subtree_is_404(tree, outsider):
    with pytest.raises(Http404):
        get_scoped_or_404(OrgUnit, outsider, pk=tree.school.pk)
    assert get_scoped_or_404(OrgUnit, outsider, pk=tree.other_school.pk) == tree.other_school


@pytest.mark.django_db
def test_inactive_and_anonymous_users_see_nothing(tree, office_user):
    from django.contrib.auth.models import AnonymousUser

    office_user.is_active = False
    assert not OrgUnit.objects.restrict(office_user).exists()
    assert not OrgUnit.objects.restrict(AnonymousUser()).exists()


@pytest.mark.django_db
def test_sibling_with_a_longer_segment_is_not_inside(tree, office_user):
    # "A" has path xxxxx00001...; a sibling county's path must not match its range.
    assert tree.other_county.path > tree.county.path
    assert not OrgUnit.objects.restrict(office_user).filter(code="B").exists()
