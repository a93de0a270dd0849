"""URL walker declarations for help requests (see tests/core/test_url_scoping.py)."""


def _help_request(tree):
    from shidian.apps.helprequests.models import HelpRequest
    from shidian.apps.helprequests.services import request_create
    from tests.community_world import community_world

    cw = community_world(tree)
    found = HelpRequest.objects.filter(community=cw.first).first()  # scoping: ok test
    if found is None:
        found = request_create(
            by=cw.coordinators["A1-2"],
            community=cw.first,
            title="走班排课求助",
            description="如何安排走班排课？",
        )
    return found.pk


URL_KWARG_FACTORIES = {"help_request_id": _help_request}
PUBLIC_URL_NAMES: set[str] = set()
