"""URL kwargs of the orgs app, for tests/core/test_url_scoping.py."""

URL_KWARG_FACTORIES = {
    "unit_id": lambda tree: tree.school.pk,
}
PUBLIC_URL_NAMES: set = set()
