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


def _attachment(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shidian.apps.helprequests.models import HelpAttachment, HelpRequest
    from shidian.apps.helprequests.services import comment
    from tests.community_world import community_world

    cw = community_world(tree)
    req = HelpRequest.objects.get(pk=_help_request(tree))  # scoping: ok test
    found = HelpAttachment.objects.filter(request=req).first()  # scoping: ok test
    if found is None:
        upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
        comment(by=cw.coordinators["A1-2"], request=req, body="", uploads=[upload])
        found = HelpAttachment.objects.filter(request=req).first()  # scoping: ok test
    return found.pk


URL_KWARG_FACTORIES["help_attachment_id"] = _attachment
