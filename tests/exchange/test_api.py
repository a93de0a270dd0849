"""The exchange routes: scopes, query switches, async runs, formats, errors."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.helpers import bearer
from tests.exchange.helpers import REPORT_COLUMNS, csv_bytes, report_rows, submission
from tests.reports.scoping_filing import report_world

URL = "/api/v1/exchange/report-values"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(tree):
    return report_world(tree)


def post(client, user, data, query="", scopes=None, content_type="text/csv"):
    return client.generic(
        "POST", URL + query, data, content_type=content_type, **bearer(user, scopes)
    )


def test_import_needs_write_and_export_read(client, world, tree, office_user):
    data = csv_bytes(REPORT_COLUMNS, report_rows(world, tree.school, rooms="4"))
    refused = post(client, office_user, data, scopes=["reports:read"])
    assert refused.status_code == 403 and refused.json()["code"] == "scope"
    refused = post(client, office_user, data, scopes=["campaigns:write"])
    assert refused.status_code == 403
    assert submission(world, tree.school).answers == {}
    got = client.get(URL, **bearer(office_user, ["campaigns:read"]))
    assert got.status_code == 403
    sheets = client.get("/api/v1/exchange/sheet-answers", **bearer(office_user, ["reports:write"]))
    assert sheets.status_code == 403
    assert post(client, office_user, data, scopes=["reports:write"]).status_code == 200
    assert client.get(URL, **bearer(office_user, ["reports:read"])).status_code == 200


def test_dry_run_then_import_then_export_csv(client, world, tree, office_user):
    data = csv_bytes(REPORT_COLUMNS, report_rows(world, tree.school, rooms="4", level="滞后"))
    dry = post(client, office_user, data, "?dryRun=true&importStrategy=CREATE")
    assert dry.status_code == 200
    assert dry.json()["dry_run"] is True and dry.json()["counts"]["imported"] == 2
    assert submission(world, tree.school).answers == {}
    done = post(client, office_user, data, "?importStrategy=CREATE")
    assert done.json()["counts"]["imported"] == 2
    exported = client.get(URL + "?format=csv&unit=A1-1", **bearer(office_user))
    assert exported["Content-Type"].startswith("text/csv")
    again = post(client, office_user, exported.content)
    assert again.json()["counts"] == {"imported": 0, "updated": 0, "ignored": 2, "rejected": 0}


def test_json_body_and_multipart_upload(client, world, tree, office_user):
    rows = [
        dict(zip(REPORT_COLUMNS, r, strict=True)) for r in report_rows(world, tree.school, rooms=5)
    ]
    got = post(client, office_user, json.dumps({"values": rows}), content_type="application/json")
    assert got.json()["counts"]["imported"] == 1
    upload = SimpleUploadedFile(
        "x.csv", csv_bytes(REPORT_COLUMNS, report_rows(world, tree.school, rooms="6"))
    )
    sent = client.post(URL, {"file": upload}, **bearer(office_user))
    assert sent.json()["counts"]["updated"] == 1
    exported = client.get(URL, **bearer(office_user)).json()
    assert exported["values"][0]["value"] == "6"


def test_bad_files_and_switches_get_the_one_error_body(client, world, office_user):
    empty = post(client, office_user, b"")
    assert empty.status_code == 422 and empty.json()["code"] == "bad_file"
    wrong = post(client, office_user, b"a,b\n1,2\n")
    assert wrong.status_code == 422 and wrong.json()["code"] == "bad_columns"
    strategy = post(client, office_user, b"x", "?importStrategy=DELETE")
    assert strategy.status_code == 422 and strategy.json()["code"] == "invalid"


def test_async_import_is_a_run_the_caller_polls(
    client, world, tree, office_user, django_capture_on_commit_callbacks
):
    data = csv_bytes(REPORT_COLUMNS, report_rows(world, tree.school, rooms="8", level="x"))
    with django_capture_on_commit_callbacks(execute=True):
        started = post(client, office_user, data, "?async=true")
    assert started.status_code == 202
    poll = client.get(started.json()["poll"], **bearer(office_user, ["reports:read"]))
    body = poll.json()
    assert body["status"] == "succeeded", body
    assert body["summary"]["counts"] == {"imported": 1, "updated": 0, "ignored": 0, "rejected": 1}
    assert body["summary"]["rows"][0]["code"] == "invalid_value"
    assert submission(world, tree.school).answers == {"rooms": 8.0}
    # Not the caller's run (another county's office), or without the area's scope: refused.
    from tests.conftest import make_user

    other = make_user("far-office", tree.other_county, "office")
    assert client.get(started.json()["poll"], **bearer(other)).status_code == 404
    no_scope = client.get(started.json()["poll"], **bearer(office_user, ["campaigns:read"]))
    assert no_scope.status_code == 403
    # A wrong file is refused at once, no run started.
    assert post(client, office_user, b"a\n1\n", "?async=true").status_code == 422


def test_the_openapi_document_describes_the_import_body(client):
    doc = client.get("/api/v1/openapi.json").json()
    for path, columns in (
        ("/api/v1/exchange/report-values", ["unit", "form", "period", "field", "value"]),
        ("/api/v1/exchange/sheet-answers", ["unit", "campaign", "item", "value"]),
    ):
        operation = doc["paths"][path]["post"]
        body = operation["requestBody"]["content"]
        multipart = body["multipart/form-data"]["schema"]
        assert multipart["properties"]["file"]["format"] == "binary"
        assert multipart["required"] == ["file"]
        assert body["text/csv"]["schema"]["type"] == "string"
        assert body[XLSX]["schema"]["format"] == "binary"
        rows = body["application/json"]["schema"]["oneOf"][0]
        assert rows["items"]["required"] == columns
        options = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        assert options == {"dryRun", "importStrategy", "async", "format"}
