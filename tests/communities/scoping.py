"""URL walker declarations for communities (see tests/core/test_url_scoping.py)."""


def _community(tree):
    from tests.community_world import community_world

    return community_world(tree).first.pk


URL_KWARG_FACTORIES = {"community_id": _community}
PUBLIC_URL_NAMES: set[str] = set()
