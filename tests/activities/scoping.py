"""URL walker declarations for activities (see tests/core/test_url_scoping.py)."""


def _semester(tree):
    from tests.activities.world import activity_world

    return activity_world(tree)[1].pk


def _activity(tree):
    from tests.activities.world import activity_world

    return activity_world(tree)[2].pk


URL_KWARG_FACTORIES = {"semester_id": _semester, "activity_id": _activity}
PUBLIC_URL_NAMES: set[str] = set()


def _filing(tree):
    from shidian.apps.activities.filings import filings_open
    from shidian.apps.activities.models import CommunityFiling
    from tests.activities.world import activity_world

    w, semester, _ = activity_world(tree)
    filings_open(by=None, semester=semester)
    return (
        CommunityFiling.objects.filter(  # scoping: ok test
            semester=semester, community=w.first, kind="plan"
        )
        .first()
        .pk
    )


URL_KWARG_FACTORIES["filing_id"] = _filing


def _activity_file(tree):
    from django.core.files.base import ContentFile

    from shidian.apps.activities.models import ActivityFile
    from tests.activities.world import activity_world

    activity = activity_world(tree)[2]
    row = ActivityFile(activity=activity, kind="material", name="材料.pdf")
    row.file.save("material.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return row.pk


URL_KWARG_FACTORIES["activity_file_id"] = _activity_file


def _filing_evidence(tree):
    from django.core.files.base import ContentFile

    from shidian.apps.activities.kinds import ATTACHMENTS
    from shidian.apps.activities.models import CommunityFiling
    from shidian.apps.evidence.models import Evidence

    filing = CommunityFiling.objects.get(pk=_filing(tree))  # scoping: ok test
    found = Evidence.objects.filter(submission=filing.submission).first()  # scoping: ok test
    if found is not None:
        return found.pk
    row = Evidence(
        submission=filing.submission,
        item_code=ATTACHMENTS,
        original_name="方案.pdf",
        kind="pdf",
        size=15,
    )
    row.file.save("plan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return row.pk


URL_KWARG_FACTORIES["filing_evidence_id"] = _filing_evidence
