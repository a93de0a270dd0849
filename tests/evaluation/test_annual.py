"""The annual self-evaluation report: its figures in a small world, the Run that makes it, the
.docx (python-docx) and PDF (pdftotext) it gives, the page's access and its year check."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.utils import timezone, translation

from shidian.apps.evaluation.annual.content import annual_content, check_year, report_years
from shidian.apps.evaluation.annual.document import report_data
from tests.conftest import make_user
from tests.evaluation.annual_world import TODAY, YEAR, annual_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from shidian.apps.reports import rules
    from tests.reports.test_fill_kind import fake_rules

    monkeypatch.setattr(rules, "check_rules", fake_rules)
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


def url(programme, suffix=""):
    return f"/evaluation/programmes/{programme.pk}/annual/{suffix}"


def test_the_figures_of_the_year(tree):
    w = annual_world(tree)
    c = annual_content(user=w.office, programme=w.programme, year=YEAR, today=TODAY)
    # 1. batch 1 of 2026: target 3, four pilots (two moved on to batch 2); no plan; a community
    # with two members on 12-31 (the third left in June)
    assert [(b.number, b.target, b.actual) for b in c.targets.batches] == [(1, 3, 4)]
    assert c.targets.plans == 0 and c.targets.plan_rate is None
    assert (c.targets.communities, c.targets.community_schools) == (1, 2)
    # 2. twelve schools in scope: nine primary (4 pilots, 1 control), three junior (2, 1)
    rows = {r.key: r for r in c.coverage.rows}
    assert (rows["primary"].in_scope, rows["primary"].pilots, rows["primary"].controls) == (9, 4, 1)
    assert (rows["junior_high"].in_scope, rows["junior_high"].pilots) == (3, 2)
    assert (c.coverage.total.in_scope, c.coverage.total.pilots, c.coverage.total.community) == (
        12, 6, 2,
    )  # fmt: skip
    assert dict((s, n) for s, _label, n in c.coverage.states)["control"] == 2
    # 3. monthly reports closing in 2026 (Mar..Nov without August): five pilots owe 8, the late
    # joiner 3; two on time, one late, the rest missing
    t = c.reporting.total
    assert (t.expected, t.on_time, t.late, t.missing, t.pending) == (43, 2, 1, 40, 0)
    assert [r.key for r in c.reporting.by_level] == ["school"]
    assert [r.label for r in c.reporting.by_zone] == ["甲县东片区"]
    # 4. four items issued in 2026 (the 2025 one is left out): by source
    got = {r.key: (r.issued, r.closed, r.open, r.overdue) for r in c.rectification.rows}
    assert got == {
        "inspection": (2, 1, 1, 1),
        "midterm": (1, 0, 1, 0),
        "acceptance": (1, 1, 0, 0),
        "other": (0, 0, 0, 0),
    }
    # 5. the estimate over 2024..2026 (batch 2 enters after the panel)
    assert c.impact.refusal is None and c.impact.periods == [2024, 2025, 2026]
    head = c.impact.headline()
    assert head.key == "twfe" and 10 < head.estimate < 20
    assert c.impact.evaluation.chart["rel"] == [-2, -1, 0]
    data, assets = report_data(c, issuer="甲县教育局", today=TODAY)
    assert [name for name, _png in assets] == ["event_study.png"]
    assert assets[0][1].startswith(b"\x89PNG")
    titles = [ch["title"] for ch in data["chapters"]]
    assert titles == [
        "一、目标任务完成情况",
        "二、覆盖情况",
        "三、报表报送情况",
        "四、整改落实情况",
        "五、项目效果评估",
    ]
    assert data["annual_report"] == {"programme": w.programme.pk, "year": YEAR}


def test_no_estimate_gives_the_reason_instead(tree):
    from tests.tracking_world import pilot_world

    w = pilot_world(tree)  # no self-assessment rounds
    c = annual_content(user=w.office, programme=w.programme, year=YEAR, today=TODAY)
    assert c.impact.refusal and "自查赋分" in c.impact.refusal
    data, assets = report_data(c, issuer="甲县教育局", today=TODAY)
    assert assets == []
    impact = data["chapters"][-1]["body"]
    assert c.impact.refusal in impact and not any(
        "image" in b for b in impact if isinstance(b, dict)
    )
    assert data["subtitle"] == "统计截至2026年12月31日"
    with translation.override("en"):  # an English reader's report: dates as ISO
        english, _assets = report_data(c, issuer="甲县教育局", today=TODAY)
    assert "2026-12-31" in english["subtitle"]


def test_years_and_the_year_check(tree):
    from tests.tracking_world import pilot_world

    w = pilot_world(tree)  # 2026-2028, today 2026-12-31
    assert report_years(w.programme, today=TODAY) == [2026]
    assert check_year(w.programme, "2026", today=TODAY) == 2026
    for bad in ("2027", "2025", "abc", "", None):
        with pytest.raises(ValueError, match="2026"):
            check_year(w.programme, bad, today=TODAY)


def test_page_access_and_bad_year(client, tree, outsider):
    from tests.tracking_world import pilot_world

    w = pilot_world(tree)
    client.force_login(outsider)
    assert client.get(url(w.programme)).status_code == 404
    assert client.post(url(w.programme), {"year": "2026"}).status_code == 404
    client.force_login(w.office)
    page = client.get(url(w.programme))
    assert page.status_code == 200 and 'id="annual-form"' in page.content.decode()
    bad = client.post(url(w.programme), {"year": "2031"})
    assert bad.status_code == 400
    assert "请选择项目已开始的年度（2026—2026 年）" in bad.content.decode()
    from shidian.apps.runs.models import Run

    assert not Run.objects.filter(kind="evaluation.annual_report").exists()  # scoping: ok test
    # the evaluation page and the cockpit card link here
    assert (
        url(w.programme) in client.get(f"/evaluation/programmes/{w.programme.pk}/").content.decode()
    )
    # a leading-group member (a grant on the programme: VIEW, APPROVE) sees it, may not generate
    from shidian.apps.core.models import Grant, GrantRole

    member = make_user("annual-lg", tree.county, "expert")
    Grant.objects.create(
        user=member,
        role=GrantRole.LEADING_GROUP_MEMBER,
        target_type="programmes.programme",
        target_id=w.programme.pk,
        owner_unit=tree.county,
    )
    client.force_login(member)
    seen = client.get(url(w.programme))
    assert seen.status_code == 200 and 'id="annual-form"' not in seen.content.decode()
    assert client.post(url(w.programme), {"year": "2026"}).status_code == 403


def _pdftotext(data: bytes, tmp_path) -> str:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def test_generate_through_runs_then_download_docx_and_pdf(
    client, tree, tmp_path, django_capture_on_commit_callbacks
):
    import docx

    from shidian.apps.documents.models import Document, PdfStatus, Status
    from shidian.apps.runs.models import Run, RunStatus
    from shidian.docgen import convert

    assert convert.available() and shutil.which("pdftotext"), "LibreOffice and poppler needed"
    w = annual_world(tree)
    client.force_login(w.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(w.programme), {"year": "2026"})
    assert response.status_code == 302
    run = Run.objects.get(kind="evaluation.annual_report")  # scoping: ok test
    assert run.status == RunStatus.SUCCEEDED, (run.error_code, run.error_params)
    document = Document.objects.get(pk=run.result["document_id"])  # scoping: ok test
    assert document.status == Status.DONE and document.pdf_status == PdfStatus.DONE
    assert document.title == "2026-2028 智慧校园试点2026年度自评报告"
    page = client.get(url(w.programme)).content.decode()
    assert url(w.programme, f"{document.pk}/report.docx") in page
    assert url(w.programme, f"{document.pk}/report.pdf") in page

    got = client.get(url(w.programme, f"{document.pk}/report.docx"))
    assert got.status_code == 200
    doc = docx.Document(io.BytesIO(b"".join(got.streaming_content)))
    texts = [p.text for p in doc.paragraphs]
    for title in ("一、目标任务完成情况", "三、报表报送情况", "五、项目效果评估"):
        assert title in texts
    assert "（一）试点学校数量" in texts
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    batch = next(t for t in tables if t[0][:3] == ["批次", "年度", "目标数"])
    assert batch[1] == ["第1批", "2026", "3", "4", "133.3%"]
    rect = next(t for t in tables if t[0][0] == "来源")
    assert rect[1] == ["督查", "2", "1", "1", "1"] and rect[-1] == ["合计", "4", "2", "2", "1"]
    reporting = next(t for t in tables if t[0][0] == "单位层级")
    assert reporting[1][:5] == ["学校", "43", "2", "1", "40"]
    assert len(doc.inline_shapes) == 1  # the event-study chart

    pdf = client.get(url(w.programme, f"{document.pk}/report.pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    text = _pdftotext(body, tmp_path)
    flat = "".join(text.split())
    assert "2026年度自评报告" in flat and "甲县教育局" in flat
    for heading in ("目标任务完成情况", "覆盖情况", "报表报送情况", "整改落实情况", "项目效果评估"):
        assert flat.count(heading) >= 2, heading  # in the contents and as the chapter's title

    # another county's office cannot download it
    other = make_user("annual-other", tree.other_county, "office")
    client.force_login(other)
    assert client.get(url(w.programme, f"{document.pk}/report.pdf")).status_code == 404


def test_chart_axis_covers_every_interval_and_is_a_png():
    from PIL import Image

    from shidian.apps.evaluation.annual.chart import _nice_ticks, event_study_png
    from shidian.apps.evaluation.annual.document import chart_labels

    ticks = _nice_ticks(-1.38, 18.34)
    assert ticks[0] <= -1.38 and ticks[-1] >= 18.34 and 0 in ticks
    chart = {"rel": [-1, 0, 1], "twfe": [[-1, 0.0, 0.0, 0.0], [0, 5.0, 3.0, 7.0]], "cs": []}
    png = event_study_png(chart, labels=chart_labels())
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG" and img.size == (1300, 780)


def test_a_run_for_a_year_no_longer_valid_fails_with_a_sentence(
    tree, django_capture_on_commit_callbacks
):
    from shidian.apps.evaluation.annual.jobs import annual_start
    from shidian.apps.runs.models import RunStatus
    from shidian.apps.runs.presenters import card
    from tests.tracking_world import pilot_world

    w = pilot_world(tree)
    with django_capture_on_commit_callbacks(execute=True):
        run = annual_start(programme=w.programme, year=2031, by=w.office)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error_code == "annual_year"
    shown = card(run, user=w.office, reload=False, next_url="/")
    assert "2031 年不是该项目可以自评的年度" in str(shown)
