"""URL kwargs of the programmes app, for tests/core/test_url_scoping.py."""

from tests.programmes.factories import participation, programme

URL_KWARG_FACTORIES = {
    "programme_id": lambda tree: programme(tree).pk,
    "participation_id": lambda tree: participation(tree).pk,
}
PUBLIC_URL_NAMES: set = set()
