"""URL kwargs of the formations app, for tests/core/test_url_scoping.py."""

from tests.formations.factories import proposed

URL_KWARG_FACTORIES = {
    "formation_id": lambda tree: proposed(tree).pk,
    "formation_version_id": lambda tree: proposed(tree).versions.first().pk,
}
PUBLIC_URL_NAMES: set = set()
