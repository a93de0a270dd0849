"""Campaigns' tables move to the notifications, evidence, reviews and submissions apps without
losing a row: data written with the models as they were (campaigns 0002) is read back through
the new apps' models after migrating forward. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("campaigns", "0002_review_release_and_veto")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _seed(apps) -> dict:
    """One county, a school, an office user, a published version, a campaign with one sheet,
    its revision, evidence, a review and a notification: all with the old models."""
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    User = apps.get_model("accounts", "User")
    Standard = apps.get_model("standards", "Standard")
    Version = apps.get_model("standards", "StandardVersion")
    Campaign = apps.get_model("campaigns", "Campaign")
    Sheet = apps.get_model("campaigns", "Sheet")
    Revision = apps.get_model("campaigns", "SheetRevision")
    Evidence = apps.get_model("campaigns", "Evidence")
    Review = apps.get_model("campaigns", "Review")
    Notification = apps.get_model("campaigns", "Notification")
    county = OrgUnit.objects.create(code="MV", name="迁移县", level="county", path="00001", depth=0)
    school = OrgUnit.objects.create(
        code="MV-1", name="迁移小学", level="school", path="0000100001", depth=1, parent=county
    )
    office = User.objects.create(username="mv-office", unit=county, role="office")
    expert = User.objects.create(username="mv-expert", unit=county, role="expert")
    standard = Standard.objects.create(code="MV", name="迁移标准", unit=county)
    version = Version.objects.create(standard=standard, number=1, status="published", data={})
    campaign = Campaign.objects.create(
        unit=county,
        name="迁移活动",
        version=version,
        opens_on=dt.date(2026, 1, 1),
        deadline=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        invite_root=county,
        created_by=office,
    )
    campaign.reviewers.add(expert)
    sheet = Sheet.objects.create(
        campaign=campaign,
        unit=school,
        status="submitted",
        version=3,
        answers={"D1": {"value": "A"}},
        scores={"D1": 5},
        total=5,
    )
    Revision.objects.create(
        sheet=sheet, number=3, kind="submit", status="submitted", answers=sheet.answers, total=5
    )
    Evidence.objects.create(
        sheet=sheet,
        item_code="D1",
        file="evidence/1/1/a.pdf",
        original_name="a.pdf",
        kind="pdf",
        size=10,
        uploaded_by=office,
    )
    Review.objects.create(sheet=sheet, reviewer=expert, item_scores={"D1": 4}, total=4)
    Notification.objects.create(user=office, campaign=campaign, message="旧通知", url="/x/")
    return {"campaign": campaign.pk, "sheet": sheet.pk, "office": office.pk, "expert": expert.pk}


def test_rows_survive_the_moves():
    old = _migrate(BEFORE)
    ids = _seed(old)
    _migrate(_latest())

    from shidian.apps.notifications.models import Notification

    note = Notification.objects.get(user_id=ids["office"])  # scoping: ok test
    assert (note.message, note.url) == ("旧通知", "/x/")
    assert (note.target_type, note.target_id) == ("campaigns.campaign", ids["campaign"])

    from shidian.apps.evidence.models import Evidence

    evidence = Evidence.objects.get(submission_id=ids["sheet"])  # scoping: ok test
    assert (evidence.original_name, evidence.file.name) == ("a.pdf", "evidence/1/1/a.pdf")

    from shidian.apps.reviews.models import Review

    review = Review.objects.get(submission_id=ids["sheet"])  # scoping: ok test
    assert (review.reviewer_id, review.item_scores, review.total) == (ids["expert"], {"D1": 4}, 4)

    from shidian.apps.campaigns.models import Campaign, Sheet, SheetRevision
    from shidian.apps.submissions.models import Revision, Round, Submission

    moved = Round.objects.get(pk=ids["campaign"])  # scoping: ok test
    assert (moved.kind, moved.name) == ("self_assessment", "迁移活动")
    assert list(moved.reviewers.values_list("pk", flat=True)) == [ids["expert"]]
    assert Campaign.objects.get(pk=ids["campaign"]).sheets.count() == 1  # scoping: ok test
    row = Submission.objects.get(pk=ids["sheet"])  # scoping: ok test
    assert (row.round_id, row.status, row.version, row.answers) == (
        ids["campaign"],
        "submitted",
        3,
        {"D1": {"value": "A"}},
    )
    assert Sheet.objects.get(pk=ids["sheet"]).campaign.pk == ids["campaign"]  # scoping: ok
    assert Revision.objects.get(submission_id=ids["sheet"]).number == 3  # scoping: ok test
    assert SheetRevision.objects.filter(submission_id=ids["sheet"]).count() == 1  # scoping: ok
