"""The approval in a browser: the office submits, the leader logs in and approves, the office
generates the notice, whose PDF renders (first page to PNG, checked and kept as an artefact);
desktop and phone screenshots."""

from __future__ import annotations

import shutil
import subprocess
import time

import numpy as np
import pytest
from django.urls import reverse

from tests.browser.conftest import ARTIFACTS, has_horizontal_scroll, login, screenshot
from tests.selection.test_approval_helpers import leader, ready

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for_pdf(page, url: str, seconds: int = 120) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if page.locator('#notice-card a[href$="/pdf/"]').count():
            return
        time.sleep(2)
        page.goto(url)
    raise AssertionError("the notice's PDF did not appear")


def _first_page_png(document) -> object:
    from PIL import Image

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "selection-notice.pdf"
    with document.pdf.open("rb") as fh:
        pdf.write_bytes(fh.read())
    assert shutil.which("pdftoppm"), "apt-get install poppler-utils"
    stem = ARTIFACTS / "selection-notice-page1"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
        timeout=60,
    )
    return Image.open(f"{stem}.png").convert("RGB")


def test_submit_approve_and_publish(browser, live_server, tree, office_user, phone_page):
    from shidian.apps.selection.models import Selection

    w, rows = ready(tree, office_user)
    leader(tree)
    url = live_server.url + reverse("selection:approval", kwargs={"selection_id": w.selection.pk})

    office = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = office.new_page()
    page.set_default_timeout(30_000)
    login(page, live_server, "office")
    page.goto(url)
    assert rows[0]["name"] in page.inner_text("#approval-list")
    page.fill("#id_note", "经自查赋分、专家评审，报请审定。")
    screenshot(page, "selection-approval-submit-desktop")
    page.click("#submit-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "等待领导小组审批" in page.inner_text("#approval-action")

    boss = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    leader_page = boss.new_page()
    leader_page.set_default_timeout(30_000)
    login(leader_page, live_server, "leader")
    assert leader_page.locator(f'a[href="{url.removeprefix(live_server.url)}"]').count() >= 1
    screenshot(leader_page, "selection-approval-leader-home-desktop")
    leader_page.goto(url)
    screenshot(leader_page, "selection-approval-decide-desktop")
    leader_page.fill("#id_comment", "同意。")
    leader_page.click("button[name=decision][value=approve]")
    leader_page.wait_for_load_state("networkidle")
    assert "已批准" in leader_page.inner_text("#approval-action")
    assert "第 1 版" in leader_page.inner_text("#approval-versions")
    boss.close()

    page.goto(url)
    page.click("#notice-generate")
    page.wait_for_load_state("networkidle")
    _wait_for_pdf(page, url)
    screenshot(page, "selection-approval-notice-desktop")
    selection = Selection.objects.select_related("notice").get(pk=w.selection.pk)
    document = selection.notice
    assert document is not None and document.pdf
    image = _first_page_png(document)
    width, height = image.size
    assert height > width  # A4 portrait
    r, g, b = (np.asarray(image).astype(int)[:, :, i] for i in range(3))
    red = int(((r > 180) & (g < 90) & (b < 90)).sum())  # the red mark and rule
    ink = int(((r < 110) & (g < 110) & (b < 110)).sum())  # the black text
    assert red > 500, red
    assert ink > 2000, ink
    office.close()

    login(phone_page, live_server, "office")
    phone_page.goto(url)
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "selection-approval-notice-phone")
