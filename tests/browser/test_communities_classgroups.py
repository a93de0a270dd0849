"""A teacher groups a class of 45 into groups of six: the school account uploads an XLSX made
here (姓名, 性别, three subjects, 排斥), gets groups A-H (five of 6, three of 5) with seats A1,
A2...; a keep-apart pair is apart; moving a pupil updates the sizes and the group means in
place; a move that would seat the pair together is refused with both names; the XLSX download
matches the board."""

from __future__ import annotations

import random
from statistics import mean

import pytest

from tests.browser.conftest import login, screenshot
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏"
SUBJECTS = ["语文", "数学", "英语"]
LETTERS = "ABCDEFGH"


def _names(n: int) -> list[str]:
    return [f"{SURNAMES[i % 30]}同学{i + 1:02d}" for i in range(n)]


def _class_xlsx(path, n: int = 45) -> dict[str, dict]:
    """The class list the upload page asks for; returns each pupil's row by name."""
    from openpyxl import Workbook

    rng = random.Random(13)
    names = _names(n)
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", *SUBJECTS, "排斥"])
    pupils = {}
    for i, name in enumerate(names):
        scores = {s: rng.randint(45, 100) for s in SUBJECTS}
        apart = names[1] if i == 0 else ""  # the first two must not share a group
        ws.append([name, "男" if i % 2 else "女", *scores.values(), apart])
        pupils[name] = scores
    wb.save(path)
    return pupils


def _board(page) -> dict[str, list[tuple[str, str]]]:
    """Group letter -> [(seat, name)] as the page shows it."""
    out = {}
    for section in page.locator(".cg-group").all():
        letter = section.locator("h2").inner_text().split()[1]
        out[letter] = [
            (li.locator(".cg-seat").inner_text(), li.inner_text().split()[1])
            for li in section.locator("li").all()
        ]
    return out


def _balance_row(page, label: str) -> list[str]:
    row = page.locator(".cg-balance tr", has=page.locator(f"td:text-is('{label}')"))
    return row.locator("td").all_inner_texts()[2:]


def _means(board, pupils, subject: str) -> list[float]:
    return [mean(pupils[name][subject] for _, name in board[g]) for g in LETTERS]


def test_teacher_groups_a_class_of_45(page, live_server, tree, tmp_path):
    from openpyxl import load_workbook

    from shidian.apps.classgroups.models import ClassList

    make_user("teacher", tree.school, "coordinator", full_name="七年级班主任")
    upload = tmp_path / "七年级一班.xlsx"
    pupils = _class_xlsx(upload)
    names = _names(45)

    login(page, live_server, "teacher")
    page.goto(f"{live_server.url}/")
    page.click("#mainnav a[href='/classes/']")
    page.click("a[href='/classes/upload/']")
    page.fill("input[name=name]", "七年级一班")
    page.set_input_files("input[name=file]", str(upload))
    assert page.input_value("input[name=group_size]") == "6"  # the default
    page.fill("input[name=group_size]", "6")
    page.click("form.cg-form button[type=submit]")
    page.wait_for_url("**/classes/*/")
    class_list = ClassList.objects.get(name="七年级一班")  # scoping: ok test
    assert class_list.pupils.count() == 45

    # Groups A-H, five of six and three of five, seats A1, A2..., every pupil once.
    board = _board(page)
    assert list(board) == list(LETTERS), list(board)
    assert sorted(len(m) for m in board.values()) == [5, 5, 5, 6, 6, 6, 6, 6]
    for letter, members in board.items():
        assert [seat for seat, _ in members] == [f"{letter}{i}" for i in range(1, len(members) + 1)]
    assert sorted(name for m in board.values() for _, name in m) == sorted(names)
    sizes = [str(len(board[g])) for g in LETTERS]
    assert _balance_row(page, "人数") == sizes
    for subject in SUBJECTS:
        shown = [float(v) for v in _balance_row(page, subject)]
        assert shown == pytest.approx(_means(board, pupils, subject), abs=0.051), subject
    pair = page.locator(".cg-balance li", has_text=names[0]).inner_text()
    assert names[1] in pair and "已分开" in pair
    screenshot(page, "communities-classgroups-grouped")

    # Move a pupil from a group of six to a group of five: sizes and means update in place.
    source = next(g for g in LETTERS if len(board[g]) == 6)
    target = next(g for g in LETTERS if len(board[g]) == 5)
    seat, name = next((s, n) for s, n in board[source] if n not in names[:2])
    before = _balance_row(page, "数学")
    move = page.locator("form.cg-move")
    move.locator("select[name=pupil]").select_option(label=f"{seat} {name}")
    move.locator("select[name=group]").select_option(label=target)
    with page.expect_response(lambda r: r.url.endswith("/move/")) as moved:
        move.locator("button[type=submit]").click()
    assert moved.value.status == 200 and page.url.endswith(f"/classes/{class_list.pk}/")
    page.locator(".cg-group", has_text=f"第 {target} 组").locator("li", has_text=name).wait_for()
    after_board = _board(page)
    assert len(after_board[source]) == 5 and len(after_board[target]) == 6
    assert name not in [n for _, n in after_board[source]]
    assert _balance_row(page, "人数") == [str(len(after_board[g])) for g in LETTERS]
    after = _balance_row(page, "数学")
    assert after != before
    shown = [float(v) for v in after]
    assert shown == pytest.approx(_means(after_board, pupils, "数学"), abs=0.051)
    screenshot(page, "communities-classgroups-moved")

    # The keep-apart pair cannot be seated together: refused, naming both; nothing moves.
    where = {n: g for g, members in after_board.items() for _, n in members}
    first_seat = next(s for s, n in after_board[where[names[0]]] if n == names[0])
    move = page.locator("form.cg-move")
    move.locator("select[name=pupil]").select_option(label=f"{first_seat} {names[0]}")
    move.locator("select[name=group]").select_option(label=where[names[1]])
    with page.expect_response(lambda r: r.url.endswith("/move/")):
        move.locator("button[type=submit]").click()
    error = page.locator(".cg-error")
    error.wait_for()
    assert names[0] in error.inner_text() and names[1] in error.inner_text()
    assert _board(page) == after_board

    # The XLSX download matches the board.
    with page.expect_download() as download:
        page.click(f"a[href='/classes/{class_list.pk}/groups.xlsx']")
    path = tmp_path / "groups.xlsx"
    download.value.save_as(path)
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("小组", "座号", "姓名", "性别") and len(rows) == 46
    sheet = {}
    for group, seat, pupil, *_rest in rows[1:]:
        sheet.setdefault(group, []).append((seat, pupil))
    assert sheet == after_board
    assert all(isinstance(r[1], str) for r in rows[1:])  # seats as text
    assert [r[5] for r in rows[1:] if r[2] == name] == [pupils[name]["数学"]]
