import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from shidian.apps.classgroups import services
from shidian.apps.classgroups.models import ApartPair, ClassList, Pupil
from tests.classgroups.helpers import class_csv, make_class_list
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

APART = {0: 1, 2: 3, 4: 5, 10: 20}


def test_parse_good_csv_gbk_and_level():
    parsed = services.parse_upload(class_csv(10, apart={0: 1}), "a.csv")
    assert len(parsed.pupils) == 10
    assert parsed.subjects == ["语文", "数学"]
    assert len(parsed.apart) == 1
    gbk = "姓名,性别,等级\n张三,男,A\n李四,女,c\n".encode("gbk")
    parsed = services.parse_upload(gbk, "b.csv", "张三-李四")
    assert [p.level for p in parsed.pupils] == ["A", "C"]
    assert parsed.apart == [("张三", "李四")]


def test_parse_bad_rows_name_every_row():
    data = "姓名,性别,语文\n张三,男,90\n,女,80\n李四,x,abc\n张三,女,70\n".encode()
    with pytest.raises(ValidationError) as info:
        services.parse_upload(data, "a.csv", "张三-王五\n坏行")
    text = " ".join(info.value.messages)
    for needle in ("第 3 行", "第 4 行", "第 5 行", "王五", "排斥名单第 2 行"):
        assert needle in text


def test_parse_missing_columns():
    with pytest.raises(ValidationError):
        services.parse_upload("姓名,性别\n张三,男\n".encode(), "a.csv")
    with pytest.raises(ValidationError):
        services.parse_upload("名字,语文\n张三,1\n".encode(), "a.csv")


def test_group_45_into_sixes(tree, coordinator):
    cl = make_class_list(coordinator, 45, APART)
    groups = services.groups(cl)
    assert len(groups) == 8
    assert sorted({len(g["members"]) for g in groups}) == [5, 6]
    assert [g["name"] for g in groups] == list("ABCDEFGH")
    for g in groups:
        genders = {p.gender for p in g["members"]}
        assert genders == {"男", "女"}
        assert [p.label for p in g["members"]] == [
            f"{g['name']}{i}" for i in range(1, len(g["members"]) + 1)
        ]
    bal = services.balance(cl)
    assert bal["all_kept"] and len(bal["pairs"]) == 4
    for row in bal["subjects"]:
        assert row["worst"] < 0.5


def test_move_refused_for_apart_pair_and_allowed_otherwise(tree, coordinator):
    cl = make_class_list(coordinator, 45, APART)
    pair = ApartPair.objects.get(class_list=cl, first__name__startswith="生00")
    a, b = pair.first, pair.second
    with pytest.raises(ValidationError) as info:
        services.pupil_move(class_list=cl, pupil=a, group=b.group, by=coordinator)
    assert a.name in info.value.messages[0] and b.name in info.value.messages[0]
    free = (
        Pupil.objects.filter(class_list=cl)
        .exclude(pk__in=[p for pr in cl.apart_pairs.values_list("first", "second") for p in pr])
        .first()
    )
    target = (free.group + 1) % 8
    old = free.group
    services.pupil_move(class_list=cl, pupil=free, group=target, by=coordinator)
    free.refresh_from_db()
    assert free.group == target
    seats = list(cl.pupils.filter(group=old).values_list("seat", flat=True))
    assert seats == list(range(1, len(seats) + 1))


def test_delete_removes_all_pupils(tree, coordinator, coordinator_client):
    cl = make_class_list(coordinator, 20)
    r = coordinator_client.post(reverse("classgroups:delete", kwargs={"class_list_id": cl.pk}))
    assert r.status_code == 302
    assert not ClassList.objects.exists() and not Pupil.objects.exists()
    assert not ApartPair.objects.exists()
    from shidian.apps.core.models import AuditEvent

    event = AuditEvent.objects.filter(action="classgroups.delete").get()
    assert "生" not in event.summary


@pytest.mark.parametrize("who", ["zone", "office", "other"])
def test_outsiders_get_404(tree, coordinator, client, who):
    cl = make_class_list(coordinator, 12)
    user = {
        "zone": lambda: make_user("z", tree.zone, "zone"),
        "office": lambda: make_user("o", tree.county, "office"),
        "other": lambda: make_user("s2", tree.school2, "coordinator"),
    }[who]()
    client.force_login(user)
    for name in ("detail", "xlsx", "print", "docx"):
        assert (
            client.get(reverse(f"classgroups:{name}", kwargs={"class_list_id": cl.pk})).status_code
            == 404
        )
    assert (
        client.post(reverse("classgroups:delete", kwargs={"class_list_id": cl.pk})).status_code
        == 404
    )
    assert ClassList.objects.filter(pk=cl.pk).exists()


def test_zone_gets_403_on_list_page(tree, client):
    client.force_login(make_user("z", tree.zone, "zone"))
    assert client.get(reverse("classgroups:list")).status_code == 403


def test_upload_page_good_and_bad(tree, coordinator_client):
    url = reverse("classgroups:upload")
    bad = io.BytesIO("姓名,性别,语文\n张三,男,abc\n".encode())
    bad.name = "bad.csv"
    r = coordinator_client.post(url, {"name": "一班", "group_size": 6, "file": bad})
    assert r.status_code == 200 and "第 2 行" in r.content.decode()
    assert not ClassList.objects.exists()
    good = io.BytesIO(class_csv(30))
    good.name = "good.csv"
    r = coordinator_client.post(
        url, {"name": "一班", "group_size": 6, "file": good, "apart": "生00赵-生01钱"}
    )
    assert r.status_code == 302
    cl = ClassList.objects.get()
    assert cl.pupils.count() == 30 and cl.apart_pairs.count() == 1
    page = coordinator_client.get(r.url)
    assert "均衡情况" in page.content.decode()


def test_move_view_htmx(tree, coordinator, coordinator_client):
    cl = make_class_list(coordinator, 45, APART)
    pair = ApartPair.objects.get(class_list=cl, first__name__startswith="生00")
    url = reverse("classgroups:move", kwargs={"class_list_id": cl.pk})
    r = coordinator_client.post(
        url, {"pupil": pair.first.pk, "group": pair.second.group}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and pair.second.name in r.content.decode()
    pair.first.refresh_from_db()
    assert pair.first.group != pair.second.group


def test_xlsx_download(tree, coordinator, coordinator_client):
    cl = make_class_list(coordinator, 45, APART)
    r = coordinator_client.get(reverse("classgroups:xlsx", kwargs={"class_list_id": cl.pk}))
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("小组", "座号", "姓名", "性别")
    assert len(rows) == 46
    assert rows[1][0] == "A" and rows[1][1] == "A1"
    assert all(isinstance(r[2], str) for r in rows[1:])
    tpl = coordinator_client.get(reverse("classgroups:template"))
    assert load_workbook(io.BytesIO(tpl.content)).active["A1"].value == "姓名"
    doc = coordinator_client.get(reverse("classgroups:docx", kwargs={"class_list_id": cl.pk}))
    assert doc.status_code == 200 and doc.content[:2] == b"PK"


def test_regroup_with_new_seed(tree, coordinator, coordinator_client):
    cl = make_class_list(coordinator, 45, APART)
    r = coordinator_client.post(
        reverse("classgroups:regroup", kwargs={"class_list_id": cl.pk}), {"group_size": 5}
    )
    assert r.status_code == 302
    assert len(services.groups(cl)) == 9
    assert services.balance(cl)["all_kept"]


def test_parse_example_xlsx_and_group(tree, coordinator):
    from pathlib import Path

    data = (Path(__file__).resolve().parents[2] / "examples" / "class-list.xlsx").read_bytes()
    parsed = services.parse_upload(data, "class-list.xlsx")
    assert len(parsed.pupils) == 45 and parsed.subjects == ["语文", "数学", "英语"]
    assert len(parsed.apart) == 3
    cl = services.class_list_create(by=coordinator, name="示例", group_size=6, parsed=parsed)
    assert len(services.groups(cl)) == 8 and services.balance(cl)["all_kept"]
