"""The league table in a browser: the office computes May's table, publishes it (confirming),
generates the bulletin and waits for its PDF, whose text lists the bottom schools; the page
works on a 375-px phone (the table scrolls inside its wrapper); a school sees its own row."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from django.urls import reverse

from tests.browser.conftest import ARTIFACTS, has_horizontal_scroll, login, screenshot
from tests.supervision.fakes import FakeInputs
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db(transaction=True)
RATES = [0.9, 0.8, 0.7, 0.6, 0.3, 0.2]


def _wait_for_pdf(page, url: str, seconds: int = 180) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if page.locator("#bulletin-pdf").count():
            return
        time.sleep(2)
        page.goto(url)
    raise AssertionError("the bulletin's PDF did not appear")


def test_league_table_and_bulletin_pdf(browser, live_server, tree, monkeypatch, phone_page):
    from shidian.apps.supervision.models import LeagueTable

    world = pilot_world(tree)
    fake = FakeInputs()
    fake.install(monkeypatch)
    fake.month("2026-05", world.pilots, rates=RATES)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, world.office.username)
    page.goto(live_server.url + reverse("supervision:list", args=[world.programme.pk]))
    page.select_option("#id_cycle", str(world.batch1.pk))
    page.fill("#id_month", "2026-05")
    page.click("#compute-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    league = page.inner_text("#league")
    for unit in world.pilots:
        assert unit.name in league
    page.click("#publish")
    page.wait_for_load_state("networkidle")
    assert page.locator("#league .sv-notice").count() == 3  # the bottom three
    url = page.url
    page.click("#bulletin-generate")
    page.wait_for_load_state("networkidle")
    _wait_for_pdf(page, url)
    screenshot(page, "supervision-league-desktop")

    table = LeagueTable.objects.select_related("bulletin").get()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "supervision-bulletin.pdf"
    with table.bulletin.pdf.open("rb") as fh:
        pdf.write_bytes(fh.read())
    assert shutil.which("pdftotext"), "apt-get install poppler-utils"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout.replace(" ", "")
    assert "督办学校名单" in text
    for unit in world.pilots[3:]:
        assert unit.name in text
    context.close()

    login(phone_page, live_server, world.office.username)
    phone_page.goto(url)
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "supervision-league-phone")

    school = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    mine = school.new_page()
    login(mine, live_server, world.coordinators[world.pilots[5].pk].username)
    mine.goto(live_server.url + reverse("supervision:mine"))
    body = mine.inner_text("main")
    assert world.programme.name in body
    assert world.pilots[0].name not in body
    assert not has_horizontal_scroll(mine)
    screenshot(mine, "supervision-mine-phone")
    school.close()
