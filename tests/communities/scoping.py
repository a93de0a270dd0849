"""URL walker declarations for communities (see tests/core/test_url_scoping.py)."""


def _community(tree):
    from tests.community_world import community_world

    return community_world(tree).first.pk


URL_KWARG_FACTORIES = {"community_id": _community}
PUBLIC_URL_NAMES: set[str] = set()


def _resource(tree):
    from shidian.apps.communities.space import resource_add
    from tests.community_world import community_world

    w = community_world(tree)
    return resource_add(
        by=w.coordinators["A1-2"], community=w.first, title="r", url="https://example.org/"
    ).pk


def _post(tree):
    from shidian.apps.communities.space import post_add
    from tests.community_world import community_world

    w = community_world(tree)
    return post_add(by=w.coordinators["A1-2"], community=w.first, body="hello").pk


URL_KWARG_FACTORIES.update({"space_resource_id": _resource, "space_post_id": _post})


def _contact(tree):
    from shidian.apps.communities.models import CommunityContact
    from shidian.apps.communities.services import contact_put
    from tests.community_world import community_world

    w = community_world(tree)
    found = CommunityContact.objects.filter(community=w.first).first()  # scoping: ok test
    return (
        found
        or contact_put(by=w.office, community=w.first, unit=w.schools["A1-2"], name="c", phone="1")
    ).pk


URL_KWARG_FACTORIES["community_contact_id"] = _contact
