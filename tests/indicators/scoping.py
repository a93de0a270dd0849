"""URL kwargs of the indicators app, for tests/core/test_url_scoping.py.

The indicator factory is county A's fibre indicator: an outsider (a school of county B) and a
school of county A itself must get 404 on it. Insider personas apply to every app's pages, so
county A's own coordinator (who legitimately sees their school elsewhere) is tested in
tests/indicators/test_access.py instead (``coordinator_of_county_a``).
"""

from tests.conftest import make_user


def fibre_indicator(tree):
    from shidian.apps.indicators.models import Indicator

    found = Indicator.objects.filter(
        unit=tree.county, name="光纤接入学校占比"
    ).first()  # scoping: ok test
    return (
        found
        or Indicator.objects.create(
            unit=tree.county, name="光纤接入学校占比", source="attribute", attribute="fibre"
        )
    ).pk


def coordinator_of_county_a(tree):
    from shidian.apps.accounts.models import User

    found = User.objects.filter(username="ind-coord-a").first()  # scoping: ok test
    return found or make_user("ind-coord-a", tree.school, "coordinator")


URL_KWARG_FACTORIES = {"indicator_id": fibre_indicator}
PUBLIC_URL_NAMES: set = set()
INSIDER_PERSONAS: dict = {}
