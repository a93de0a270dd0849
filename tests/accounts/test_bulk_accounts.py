"""Accounts in bulk: one per school (or zone) of a subtree, idempotent, with activation codes."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shidian.apps.accounts import activation
from shidian.apps.accounts.models import AccountBatch, ActivationCode, User
from shidian.apps.accounts.onboarding import (
    accounts_bulk_create,
    activation_codes_reissue,
    username_base,
)
from shidian.apps.core.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_sheet(content: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


# --- services -------------------------------------------------------------------------------


def test_one_coordinator_per_school_with_codes(office_user, tree):
    result = accounts_bulk_create(actor=office_user, root=tree.county)
    assert result.created == 2 and result.skipped == 0
    users = User.objects.filter(role="coordinator").order_by("username")
    assert [u.username for u in users] == ["a1-1", "a1-2"]
    assert {u.unit for u in users} == {tree.school, tree.school2}
    assert all(not u.has_usable_password() for u in users)
    batch = result.batch
    assert batch.created_by == office_user and batch.unit == tree.county
    assert batch.codes.count() == 2
    for row in result.rows:
        record = ActivationCode.objects.get(user__username=row.username)
        assert row.code not in record.digest  # only a digest is stored
        assert activation.matches(record.user_id, row.code, record.digest)
        assert len(activation.normalize(row.code)) == 10
        assert set(activation.normalize(row.code)) <= set(activation.ALPHABET)
        assert record.expires_at - record.issued_at == timedelta(days=30)
    event = AuditEvent.objects.get(action="accounts.bulk_create")
    assert event.actor == office_user and event.data["created"] == 2


def test_running_twice_creates_nothing_new(office_user, tree):
    accounts_bulk_create(actor=office_user, root=tree.county)
    again = accounts_bulk_create(actor=office_user, root=tree.county)
    assert again.batch is None and again.created == 0 and again.skipped == 2
    assert User.objects.filter(role="coordinator").count() == 2
    assert AccountBatch.objects.count() == 1


def test_units_with_an_account_of_that_role_are_skipped(office_user, coordinator, tree):
    result = accounts_bulk_create(actor=office_user, root=tree.county)
    assert result.created == 1 and result.skipped == 1
    assert [r.unit_code for r in result.rows] == ["A1-2"]


def test_zone_accounts_one_per_zone(office_user, tree):
    result = accounts_bulk_create(actor=office_user, root=tree.county, role="zone")
    assert [(r.unit_code, r.username) for r in result.rows] == [("A1", "a1")]
    assert User.objects.get(username="a1").role == "zone"


def test_school_type_filter(office_user, tree):
    result = accounts_bulk_create(actor=office_user, root=tree.county, school_types=["primary"])
    assert [r.unit_code for r in result.rows] == ["A1-1"]


def test_taken_user_names_get_a_suffix(office_user, tree):
    make_user("A1-1", tree.county, "expert")  # a name chosen by hand earlier, other case
    make_user("a1-1-2", tree.county, "expert")
    result = accounts_bulk_create(actor=office_user, root=tree.county)
    assert {r.username for r in result.rows} == {"a1-1-3", "a1-2"}


def test_username_base_is_readable():
    assert username_base(" 3140001234 ") == "3140001234"
    assert username_base("ZX-第一小学/7") == "zx-7"
    assert username_base("学校") == "unit"


def test_office_of_county_a_cannot_bulk_create_in_county_b(office_user, tree):
    with pytest.raises(ValidationError):
        accounts_bulk_create(actor=office_user, root=tree.other_county)
    assert not User.objects.filter(unit=tree.other_school).exists()


@pytest.mark.parametrize("role", ["coordinator", "zone"])
def test_other_roles_cannot_bulk_create(zone_user, coordinator, tree, role):
    actor = zone_user if role == "zone" else coordinator
    with pytest.raises(ValidationError):
        accounts_bulk_create(actor=actor, root=actor.unit)


def test_unsupported_role_and_days_are_refused(office_user, tree):
    with pytest.raises(ValidationError):
        accounts_bulk_create(actor=office_user, root=tree.county, role="office")
    with pytest.raises(ValidationError):
        accounts_bulk_create(actor=office_user, root=tree.county, days=0)
    assert not AccountBatch.objects.exists()


def test_reissue_replaces_codes_of_accounts_not_activated(office_user, tree):
    result = accounts_bulk_create(actor=office_user, root=tree.county)
    old = {r.username: r.code for r in result.rows}
    used = ActivationCode.objects.get(user__username="a1-2")
    used.used_at = timezone.now()
    used.save()
    rows = activation_codes_reissue(actor=office_user, batch=result.batch, days=7)
    assert [r.username for r in rows] == ["a1-1"]
    record = ActivationCode.objects.get(user__username="a1-1")
    assert not activation.matches(record.user_id, old["a1-1"], record.digest)  # old code dead
    assert activation.matches(record.user_id, rows[0].code, record.digest)
    assert record.expires_at - record.issued_at == timedelta(days=7)
    result.batch.refresh_from_db()
    assert result.batch.reissue_count == 1
    assert AuditEvent.objects.filter(action="accounts.codes_reissue").count() == 1


def test_reissue_days_are_checked(office_user, tree):
    result = accounts_bulk_create(actor=office_user, root=tree.county)
    with pytest.raises(ValidationError):
        activation_codes_reissue(actor=office_user, batch=result.batch, days=91)


def test_reissue_with_nothing_pending_says_so(office_user, tree):
    result = accounts_bulk_create(actor=office_user, root=tree.county)
    ActivationCode.objects.update(used_at=timezone.now())
    with pytest.raises(ValidationError, match="没有未激活的账号"):
        activation_codes_reissue(actor=office_user, batch=result.batch)


def test_reissue_is_scoped(office_user, other_office, tree):
    result = accounts_bulk_create(actor=office_user, root=tree.county)
    with pytest.raises(ValidationError):
        activation_codes_reissue(actor=other_office, batch=result.batch)


# --- views ----------------------------------------------------------------------------------


def test_bulk_form_downloads_the_code_sheet(office_client, tree):
    page = office_client.get(reverse("accounts:bulk_create"))
    assert page.status_code == 200 and "data-unit-picker" in page.content.decode()
    response = office_client.post(
        reverse("accounts:bulk_create"), {"root": "A", "role": "coordinator", "days": 30}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    rows = read_sheet(response.content)
    assert rows[0] == ("单位代码", "单位名称", "片区", "用户名", "激活码", "有效期至")
    assert [r[:4] for r in rows[1:]] == [
        ("A1-1", "甲县第一小学", "甲县东片区", "a1-1"),
        ("A1-2", "甲县第二初中", "甲县东片区", "a1-2"),
    ]
    for row in rows[1:]:
        record = ActivationCode.objects.get(user__username=row[3])
        assert activation.matches(record.user_id, row[4], record.digest)
        assert row[5] == timezone.localtime(record.expires_at).strftime("%Y-%m-%d %H:%M")


def test_the_sheet_keeps_codes_as_text_and_is_safe(office_client, tree):
    tree.school.code = "3140001234"
    tree.school.name = '=HYPERLINK("http://x")\x07小学'
    tree.school.save()
    response = office_client.post(
        reverse("accounts:bulk_create"), {"root": "A", "role": "coordinator", "days": 30}
    )
    book = load_workbook(io.BytesIO(response.content))
    ws = book.worksheets[0]
    cells = {c.value: c for row in ws.iter_rows(min_row=2) for c in row}
    code_cell = cells["3140001234"]
    assert code_cell.data_type == "s" and code_cell.number_format == "@"
    name_cell = cells['=HYPERLINK("http://x")小学']  # control character dropped
    assert name_cell.data_type == "s"  # text, not a live formula
    assert all(c.data_type == "s" for row in ws.iter_rows() for c in row if c.value is not None)
    assert book.sheetnames[1] == "说明"


def test_second_run_redirects_and_says_nothing_was_created(office_client, tree):
    url = reverse("accounts:bulk_create")
    office_client.post(url, {"root": "A", "role": "coordinator", "days": 30})
    again = office_client.post(url, {"root": "A", "role": "coordinator", "days": 30}, follow=True)
    assert again.redirect_chain[-1][0] == reverse("accounts:batches")
    assert "没有新建账号" in again.content.decode()


def test_bulk_form_refuses_a_root_outside_the_subtree(office_client, tree):
    response = office_client.post(
        reverse("accounts:bulk_create"), {"root": "B", "role": "coordinator", "days": 30}
    )
    assert response.status_code == 200
    assert "找不到代码为 B 的单位" in response.content.decode()
    assert not User.objects.filter(role="coordinator").exists()


def test_bulk_pages_are_for_the_office_only(coordinator_client, zone_user, client):
    for name in ("accounts:bulk_create", "accounts:batches"):
        assert coordinator_client.get(reverse(name)).status_code == 403
    client.force_login(zone_user)
    assert client.post(reverse("accounts:bulk_create"), {"root": "A1"}).status_code == 403


def test_batch_pages_count_activated_and_reissue(office_client, office_user, tree):
    result = accounts_bulk_create(actor=office_user, root=tree.county)
    ActivationCode.objects.filter(user__username="a1-1").update(used_at=timezone.now())
    listing = office_client.get(reverse("accounts:batches")).content.decode()
    assert "甲县" in listing and "办公室王老师" in listing
    detail = office_client.get(reverse("accounts:batch_detail", args=[result.batch.pk]))
    body = detail.content.decode()
    assert "a1-1" in body and "a1-2" in body and "已激活" in body
    pending = office_client.get(
        reverse("accounts:batch_detail", args=[result.batch.pk]), {"status": "pending"}
    ).content.decode()
    assert "a1-2" in pending and ">a1-1<" not in pending
    response = office_client.post(
        reverse("accounts:batch_reissue", args=[result.batch.pk]), {"days": 10}
    )
    assert response["Content-Type"] == XLSX
    rows = read_sheet(response.content)
    assert [r[3] for r in rows[1:]] == ["a1-2"]


def test_reissue_one_account_from_its_page(office_client, office_user, tree):
    accounts_bulk_create(actor=office_user, root=tree.county)
    user = User.objects.get(username="a1-2")
    page = office_client.get(reverse("accounts:detail", args=[user.pk])).content.decode()
    assert reverse("accounts:user_reissue", args=[user.pk]) in page
    response = office_client.post(reverse("accounts:user_reissue", args=[user.pk]), {"days": 30})
    assert [r[3] for r in read_sheet(response.content)[1:]] == ["a1-2"]


def test_batch_of_another_county_is_404(client, other_office, office_user, tree):
    result = accounts_bulk_create(actor=office_user, root=tree.county)
    client.force_login(other_office)
    assert client.get(reverse("accounts:batch_detail", args=[result.batch.pk])).status_code == 404
    reissue = client.post(reverse("accounts:batch_reissue", args=[result.batch.pk]), {"days": 5})
    assert reissue.status_code == 404
    assert "甲县" not in client.get(reverse("accounts:batches")).content.decode()
