"""The scale path for real: through nginx to two app servers on PostgreSQL, with the Redis task
worker and uploads in a local S3-compatible server (scripts/loopback_stack.py).

A school logs in through the proxy, fills and submits its sheet with an evidence file; the office
generates a notice whose PDF the worker converts; the PDF downloads. Then the proof: the evidence
and the PDF are objects in the bucket (not on local disk), both app servers answered, and the
static files came from nginx.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, login

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import loopback_stack  # noqa: E402

PASSWORD = "Loopback-2026-pass"
SEED = f"""
import json
import django
django.setup()
from django.contrib.auth.hashers import make_password
from shidian.apps.accounts.models import User
from shidian.apps.orgs.models import Level, Locality, SchoolType
from shidian.apps.orgs.services import unit_create
from shidian.apps.campaigns import sheets
from tests.campaigns.factories import campaign, full_answers

class Tree:
    pass
tree = Tree()
province = unit_create(code="P1", name="测试省", level=Level.PROVINCE)
city = unit_create(code="C1", name="测试市", level=Level.CITY, parent=province)
tree.county = unit_create(code="A", name="甲县", level=Level.COUNTY, parent=city)
zone = unit_create(code="A1", name="甲县东片区", level=Level.ZONE, parent=tree.county)
tree.school = unit_create(
    code="A1-1", name="甲县第一小学", level=Level.SCHOOL, parent=zone,
    school_type=SchoolType.PRIMARY, locality=Locality.URBAN, zone=zone, students=800,
)
users = {{}}
accounts = (("coord", tree.school, "coordinator"), ("office", tree.county, "office"))
for username, unit, role in accounts:
    users[username] = User.objects.create(
        username=username, password=make_password({PASSWORD!r}), unit=unit, role=role,
        full_name=username, email=username + "@example.org",
    )
opened = campaign(tree)
from shidian.apps.campaigns.models import Sheet
target = Sheet.objects.get(round=opened, unit=tree.school)
standard = opened.version.as_standard()
answers = full_answers(standard)
evidence_item = next(item.code for item in standard.items() if item.evidence_required)
sheets.sheet_save_all(sheet=target, user=users["coord"], answers=answers, base_version=0)
from shidian.apps.campaigns.models import Evidence
for item in standard.items():  # the browser uploads the first one; the rest are on file
    if item.evidence_required and item.code != evidence_item:
        Evidence.objects.create(
            submission=target, item_code=item.code, file="x.pdf", original_name="x.pdf",
            kind="pdf", size=1,
        )
print(json.dumps({{"sheet": target.pk, "evidence_item": evidence_item}}))
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    root = tmp_path_factory.mktemp("loopback")
    database = f"shidian_loopback_{uuid.uuid4().hex[:8]}"
    with loopback_stack.running(root, database=database) as running:
        yield running


def test_sheet_with_evidence_and_a_worker_pdf_through_the_proxy(browser, stack, tmp_path):
    seeded = stack.python(SEED, timeout=300)
    upstreams: set[str] = set()
    static_servers: set[str] = set()

    def watch(response):
        if response.url.startswith(stack.url):
            if "/static/" in response.url:
                static_servers.add(response.headers.get("server", ""))
            elif response.headers.get("x-upstream"):
                upstreams.add(response.headers["x-upstream"])

    school = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = school.new_page()
    page.set_default_timeout(30_000)
    page.on("response", watch)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, stack, "coord", PASSWORD)
    page.goto(f"{stack.url}/campaigns/sheets/{seeded['sheet']}/")
    evidence = tmp_path / "佐证照片.png"
    evidence.write_bytes(_png())
    code = seeded["evidence_item"]
    upload = page.locator(f'[id="item-{code}"] details.evidence-upload')
    if upload.get_attribute("open") is None:
        upload.locator("summary").click()
    page.set_input_files(f'input[form="ev-{code}"]', str(evidence))
    page.click(f'button[form="ev-{code}"]')
    page.wait_for_load_state("networkidle")
    assert "佐证照片.png" in page.inner_text(f'[id="item-{code}"]')
    page.click("#submit-sheet")
    page.wait_for_load_state("networkidle")
    assert "已提交" in page.inner_text("#sheet-status")
    for _ in range(6):  # enough requests that nginx spreads them over both app servers
        page.reload()

    office = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    desk = office.new_page()
    desk.set_default_timeout(30_000)
    desk.on("response", watch)
    login(desk, stack, "office", PASSWORD)
    desk.goto(f"{stack.url}/documents/new/?kind=notice&example=1")
    desk.click("#generate-form button[type=submit]:not([name])")
    desk.wait_for_load_state("networkidle")
    assert "公文已生成" in desk.inner_text("main")
    # The worker converts the .docx with LibreOffice; the run card polls until the PDF is ready.
    desk.wait_for_selector("#dl-pdf", timeout=180_000)
    with desk.expect_download() as download:
        desk.click("#dl-pdf")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")

    keys = [o["Key"] for o in _objects(stack)]
    assert any(key.endswith(".png") for key in keys), keys  # the evidence, in the bucket
    assert any(key.endswith(".pdf") for key in keys), keys  # the worker's PDF, in the bucket
    assert not list((Path(stack.env["SHIDIAN_DATA_DIR"]) / "media").rglob("*.*"))
    assert len(upstreams) == 2, upstreams  # both app servers answered through the proxy
    assert static_servers and all(s.startswith("nginx") for s in static_servers)
    assert "Traceback" not in stack.logs("worker") + stack.logs("app1") + stack.logs("app2")
    school.close()
    office.close()


def _objects(stack) -> list[dict]:
    listed = loopback_stack.s3_client(stack).list_objects_v2(Bucket=loopback_stack.BUCKET)
    return listed.get("Contents", [])


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()
