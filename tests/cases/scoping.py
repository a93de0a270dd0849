"""URL kwargs of the cases app, for tests/core/test_url_scoping.py (programme_id comes from
the programmes declarations). The outsider (another county) gets 404 on every case page; the
idle expert of county A (declared by midterm) too: experts see only what they are sent."""

from __future__ import annotations


def _case(tree):
    from shidian.apps.cases.models import Case
    from tests.cases.factories import published

    _evidence(tree)  # the image is attached before the case is accepted
    found = Case.objects.filter(unit=tree.school).first()  # scoping: ok test
    return (found or published(tree)).pk


def _submission(tree):
    from tests.cases.factories import sheet

    return sheet(tree).pk


def _round(tree):
    from tests.cases.factories import call

    return call(tree).pk


def _evidence(tree):
    from shidian.apps.cases.services import case_attach
    from shidian.apps.evidence.models import Evidence
    from tests.cases.factories import coordinator_of, png_upload, sheet

    s = sheet(tree)
    found = Evidence.objects.filter(submission=s).first()  # scoping: ok test
    if found is not None:
        return found.pk
    return case_attach(
        submission=s, user=coordinator_of(tree), item_code="images", upload=png_upload()
    ).pk


def _booklet(tree):
    from shidian.apps.cases.booklets import booklet_add, booklet_create
    from shidian.apps.cases.models import CaseBooklet
    from tests.tracking_world import pilot_world

    found = CaseBooklet.objects.first()  # scoping: ok test
    if found is not None:
        return found.pk
    w = pilot_world(tree)
    booklet = booklet_create(by=w.office, programme=w.programme)
    booklet_add(booklet=booklet, by=w.office, case_ids=[_case(tree)])
    return booklet.pk


URL_KWARG_FACTORIES = {
    "case_id": _case,
    "case_file_id": _evidence,
    "case_round_id": _round,
    "case_submission_id": _submission,
    "case_evidence_id": _evidence,
    "case_booklet_id": _booklet,
}
PUBLIC_URL_NAMES: set[str] = set()
