"""URL kwargs of the supervision app, for tests/core/test_url_scoping.py.

``programme_id`` comes from tests/programmes/scoping.py. A pilot school of county A is not an
insider persona here (it sees its own campaign sheets elsewhere); that a school gets 404 on the
programme's tables is tested in tests/supervision/test_views.py."""


def _world(tree):
    from tests.tracking_world import pilot_world

    return pilot_world(tree)


def _table(tree):
    from shidian.apps.supervision.models import LeagueTable

    world = _world(tree)
    found = LeagueTable.objects.filter(programme=world.programme).first()  # scoping: ok test
    if found is None:
        from django.utils import timezone

        found = LeagueTable.objects.create(
            programme=world.programme,
            cycle=world.batch1,
            month="2026-05",
            computed_at=timezone.now(),
        )
    return found.pk


URL_KWARG_FACTORIES = {
    "league_table_id": _table,
}
PUBLIC_URL_NAMES: set = set()
INSIDER_PERSONAS: dict = {}
