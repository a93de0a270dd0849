"""URL kwargs of the standards app, for tests/core/test_url_scoping.py."""

from tests.standards.factories import published_version

URL_KWARG_FACTORIES = {
    "standard_id": lambda tree: published_version(tree.county).standard_id,
    "version_id": lambda tree: published_version(tree.county).pk,
}
PUBLIC_URL_NAMES: set = set()
