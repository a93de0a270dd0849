"""URL kwargs of the plans app, for tests/core/test_url_scoping.py (``programme_id`` is the
programmes app's)."""

from tests.plans.factories import approved_plan


def _plan(tree):
    from shidian.apps.plans.models import Plan

    found = Plan.objects.filter(
        unit=tree.school, versions__isnull=False
    ).first()  # scoping: ok test
    return found or approved_plan(tree)[1]


URL_KWARG_FACTORIES = {"plan_id": lambda tree: _plan(tree).pk}
PUBLIC_URL_NAMES: set = set()
INSIDER_PERSONAS: dict = {}
