"""URL kwargs and public URLs of the core app, for tests/core/test_url_scoping.py."""


def _grant_in_county_a(tree):
    from shidian.apps.core.models import Grant
    from tests.campaigns.factories import sheet
    from tests.conftest import make_user

    expert = make_user("granted-expert", tree.county, "expert")
    return Grant.objects.create(
        user=expert,
        role="expert",
        target_type="submissions.submission",
        target_id=sheet(tree).pk,
        owner_unit=tree.county,
    ).pk


URL_KWARG_FACTORIES: dict = {"grant_id": _grant_in_county_a}
PUBLIC_URL_NAMES = {"core:healthz", "set_language"}
