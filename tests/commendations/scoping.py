"""URL kwargs of the commendations app, for tests/core/test_url_scoping.py."""

from tests.commendations.factories import commendation, nomination

URL_KWARG_FACTORIES = {
    "commendation_id": lambda tree: commendation(tree).pk,
    "nomination_id": lambda tree: nomination(tree).pk,
}
PUBLIC_URL_NAMES: set = set()
