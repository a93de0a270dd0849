"""Nothing a logged-in user sees is kept in a browser or proxy cache."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.campaigns.factories import evidence

pytestmark = pytest.mark.django_db


def assert_no_store(response):
    assert response["Cache-Control"] == "no-store", response.get("Cache-Control")
    assert response["Pragma"] == "no-cache"


def test_a_logged_in_page_is_not_stored(office_client):
    assert_no_store(office_client.get(reverse("core:home")))


def test_an_xlsx_download_is_not_stored(office_client, tree):
    response = office_client.get(reverse("orgs:export"))
    assert response.status_code == 200
    assert_no_store(response)


def test_an_evidence_file_download_is_not_stored(coordinator_client, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = coordinator_client.get(reverse("campaigns:evidence", args=[evidence(tree).pk]))
    assert response.status_code == 200 and response.streaming  # a FileResponse
    assert_no_store(response)
    response.close()


def test_error_pages_for_users_are_not_stored(office_client):
    assert_no_store(office_client.get("/no-such-page/"))


def test_anonymous_responses_are_left_alone(client):
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    assert "Cache-Control" not in response and "Pragma" not in response


def test_static_files_keep_their_cache(office_client, settings):
    settings.WHITENOISE_USE_FINDERS = True
    response = office_client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_view_that_marks_its_response_public_keeps_it(rf, office_user):
    from django.http import HttpResponse

    from shidian.apps.core.middleware import NoStoreForUsersMiddleware

    def view(request):
        response = HttpResponse("logo")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    request = rf.get("/something")
    request.user = office_user
    response = NoStoreForUsersMiddleware(view)(request)
    assert response["Cache-Control"] == "public, max-age=3600"
