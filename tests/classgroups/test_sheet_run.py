import pytest
from django.urls import reverse

from shidian.apps.classgroups import jobs
from shidian.apps.runs.models import Run, RunStatus
from shidian.docgen import convert
from tests.classgroups.helpers import make_class_list
from tests.conftest import make_user
from tests.documents.test_pdf_run import FAKE

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_soffice(settings, tmp_path, monkeypatch):
    script = tmp_path / "soffice"
    script.write_text(FAKE)
    script.chmod(0o755)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCUMENTS_SOFFICE = str(script)
    settings.RUNS_PROGRESS_INTERVAL = 0
    monkeypatch.setattr(convert, "uno_available", lambda *a, **k: False)
    return script


def test_seating_sheet_pdf_through_a_run(
    tree, coordinator, coordinator_client, client, fake_soffice, django_capture_on_commit_callbacks
):
    cl = make_class_list(coordinator, 20)
    with django_capture_on_commit_callbacks(execute=True):
        r = coordinator_client.post(reverse("classgroups:sheet", kwargs={"class_list_id": cl.pk}))
    assert r.status_code == 302
    run = Run.objects.about(cl).get(kind=jobs.SHEET)
    assert run.status == RunStatus.SUCCEEDED
    page = coordinator_client.get(r["Location"]).content.decode()
    assert f'id="run-{run.pk}"' in page
    url = reverse("classgroups:sheet_pdf", kwargs={"class_list_id": cl.pk})
    pdf = coordinator_client.get(url)
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    # The county office sees runs of its subtree, but not the sheet itself.
    client.force_login(make_user("o", tree.county, "office"))
    assert client.get(url).status_code == 404
