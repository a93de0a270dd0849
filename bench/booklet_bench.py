"""Booklet from the case library (汇编成册): 100 published cases with 300 images, compiled through
the cases app and the documents app's booklet runs, the .docx and the PDF timed apart.

    PYTHONPATH=src python bench/booklet_bench.py [--cases 100] [--images 3] [--workdir DIR]

Builds a county with 40 schools, a programme, a case call and ``--cases`` published cases, each
with ``--images`` images placed in its text (two JPEG photos, one PNG chart per case by default,
generated with Pillow, about 100-300 KB each) and an attachment; an office account puts them all
in a booklet draft (in that order) and compiles it. Runs are held (no worker) and executed here
one after the other, so each is timed alone (a ``--workdir`` built before is reused: its cases
are compiled again):

- compile: ``booklets.booklet_compile`` (chapters from the cases, images copied as the
  document's assets, the Document stored, the booklet run queued);
- docx: the ``documents.booklet`` run (chapter by chapter, the .docx stored);
- pdf: the ``documents.pdf`` run (LibreOffice through UNO: TOC filled in, .pdf and .docx stored).

Targets on a 2-core machine: docx < 30 s, pdf < 120 s.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

COUNTY = "BKB-A"
TITLES = ["智慧课堂", "专递课堂", "教研共同体", "创客教育", "数字校园管理", "家校共育", "作业减负"]


def setup(workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shidian.config.settings"
    os.environ["SHIDIAN_DATA_DIR"] = str(workdir)
    os.environ["SECRET_KEY"] = "shidian-booklet-bench-not-secret"
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    # The bench measures LibreOffice, it does not stop it (the default is 180 s).
    os.environ.setdefault("DOCUMENTS_CONVERT_TIMEOUT", "1200")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def photo(seed: int) -> bytes:
    """A 1600 x 1067 JPEG "photo" (buildings under a sky) with sensor-like noise: ~200 KB."""
    from PIL import Image

    from shidian.docgen.demo_cases import photo as base

    rng = random.Random(seed)
    img = Image.open(io.BytesIO(base(seed, size=(1600, 1067)))).convert("RGB")
    noise = Image.effect_noise(img.size, 18 + rng.randint(0, 8)).convert("RGB")
    img = Image.blend(img, noise, 0.12)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82)
    return out.getvalue()


def chart(seed: int) -> bytes:
    """A 1200 x 800 PNG bar chart with a textured background: ~150 KB."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    img = Image.effect_noise((1200, 800), 10).convert("RGB")
    img = Image.blend(Image.new("RGB", img.size, (245, 245, 240)), img, 0.08)
    draw = ImageDraw.Draw(img)
    draw.line([(80, 720), (1150, 720)], fill=(40, 40, 40), width=3)
    draw.line([(80, 60), (80, 720)], fill=(40, 40, 40), width=3)
    for i in range(8):
        h = rng.randint(80, 620)
        x = 120 + i * 130
        draw.rectangle([x, 720 - h, x + 80, 720], fill=(50 + 20 * i, 110, 200 - 15 * i))
    out = io.BytesIO()
    img.save(out, "PNG", optimize=False)
    return out.getvalue()


def build(n_cases: int, n_images: int):
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from shidian.apps.accounts.models import User
    from shidian.apps.cases.models import Case
    from shidian.apps.evidence.models import Evidence
    from shidian.apps.orgs.models import Level, SchoolType
    from shidian.apps.orgs.services import unit_create
    from shidian.apps.programmes.services import CycleInput, programme_create
    from shidian.apps.submissions.models import Round, Submission
    from shidian.docgen.demo_cases import SENTENCES

    county = unit_create(code=COUNTY, name="基准县", level=Level.COUNTY)
    schools = [
        unit_create(
            code=f"{COUNTY}-{i:02d}", name=f"基准县第{i + 1}学校", level=Level.SCHOOL,
            parent=county, school_type=[SchoolType.PRIMARY, SchoolType.JUNIOR_HIGH][i % 2],
        )
        for i in range(40)
    ]  # fmt: skip
    office = User.objects.create_user(
        username="bench-office", password="x", unit=county, role="office", full_name="项目办"
    )
    programme = programme_create(
        by=None, unit=county, name="基准县智慧校园试点", start_year=2026, end_year=2028,
        scope_root=county, scope_levels=[Level.SCHOOL], cycles=[CycleInput(2026, 3)],
    )  # fmt: skip
    rng = random.Random(n_cases)
    image_bytes = 0
    cases = []
    rounds = []
    for i in range(n_cases):
        call_no = i // len(schools)
        if call_no >= len(rounds):
            rounds.append(
                Round.objects.create(
                    kind="typical_case", unit=county, programme=programme,
                    name=f"典型案例征集（第{call_no + 1}期）", opens_on=timezone.localdate(),
                    deadline=timezone.now() + dt.timedelta(days=30), accept_late=True,
                )
            )  # fmt: skip
        school = schools[i % len(schools)]
        sub = Submission.objects.create(round=rounds[call_no], unit=school, status="accepted")
        lines = []
        marks = []
        for k in range(n_images):
            data = chart(i * 10 + k) if k == n_images - 1 else photo(i * 10 + k)
            image_bytes += len(data)
            ext = "png" if data.startswith(b"\x89PNG") else "jpg"
            ev = Evidence(
                submission=sub, item_code="images", original_name=f"图{k + 1}.{ext}",
                kind="image", size=len(data),
            )  # fmt: skip
            ev.file.save(f"img{i}-{k}.{ext}", ContentFile(data), save=False)
            ev.save()
            marks.append(ev.pk)
        ev = Evidence(
            submission=sub,
            item_code="attachments",
            original_name="实施方案.pdf",
            kind="pdf",
            size=9,
        )
        ev.file.save(f"att{i}.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        ev.save()
        for s, heading in enumerate(["一、基本情况", "二、主要做法", "三、成效与经验"]):
            lines.append(heading)
            for _ in range(3):
                lines.append("".join(rng.sample(SENTENCES, 3)))
            if s < len(marks):
                lines.append(f"[图片:{marks[s]}]")
        lines += [f"[图片:{m}]" for m in marks[3:]]
        theme = TITLES[i % len(TITLES)]
        cases.append(
            Case.objects.create(
                programme=programme, unit=school, submission=sub,
                title=f"{theme}促进学校发展——{school.name}案例（{i + 1}）",
                summary="".join(rng.sample(SENTENCES, 2)), body="\n".join(lines),
                subject="maths", theme="teaching", school_type=school.school_type,
                published_at=timezone.now(),
            )
        )  # fmt: skip
    return office, programme, cases, image_bytes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--images", type=int, default=3)
    ap.add_argument("--workdir", default="")
    args = ap.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="shidian-booklet-bench-"))
    setup(workdir)
    from shidian.apps.cases import booklets
    from shidian.apps.documents import jobs
    from shidian.apps.runs import services as run_services
    from shidian.apps.runs.executor import run_execute
    from shidian.apps.runs.models import Run

    run_services._dispatch = lambda run_id: None  # held: executed below, one at a time
    started = time.perf_counter()
    from shidian.apps.cases.models import Case

    if Case.objects.exists():  # a workdir built before: compile its cases again
        from shidian.apps.accounts.models import User
        from shidian.apps.evidence.models import Evidence

        cases = list(Case.objects.order_by("pk"))
        office = User.objects.get(username="bench-office")
        programme = cases[0].programme
        images = Evidence.objects.filter(item_code="images")  # scoping: ok bench
        image_bytes = sum(images.values_list("size", flat=True))
        args.images = images.count() // max(1, len(cases))
    else:
        office, programme, cases, image_bytes = build(args.cases, args.images)
    print(
        f"built {len(cases)} cases, {len(cases) * args.images} images "
        f"({image_bytes / 1e6:.1f} MB, {image_bytes / 1e3 / max(1, len(cases) * args.images):.0f}"
        f" KB each) in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    booklet = booklets.booklet_create(by=office, programme=programme)
    booklets.booklet_add(booklet=booklet, by=office, case_ids=[c.pk for c in cases])
    figures = {}
    t = time.perf_counter()
    document = booklets.booklet_compile(booklet=booklet, by=office)
    figures["compile (chapters, assets copied)"] = time.perf_counter() - t
    run = Run.objects.filter(kind=jobs.BOOKLET).latest("pk")
    t = time.perf_counter()
    run_execute(run_id=run.pk)
    figures["docx (documents.booklet run)"] = time.perf_counter() - t
    print(figures, flush=True)
    run.refresh_from_db()
    document.refresh_from_db()
    assert run.status == "succeeded", (run.status, run.error_code, run.error_params)
    pdf_run = Run.objects.filter(kind=jobs.PDF, status="queued").order_by("-pk").first()
    if pdf_run is not None:
        t = time.perf_counter()
        run_execute(run_id=pdf_run.pk)
        figures["pdf (documents.pdf run: TOC + PDF)"] = time.perf_counter() - t
        pdf_run.refresh_from_db()
        assert pdf_run.status == "succeeded", (pdf_run.error_code, pdf_run.error_params)
        document.refresh_from_db()
    sizes = {"docx": document.docx.size / 1e6}
    pages = ""
    if document.pdf:
        sizes["pdf"] = document.pdf.size / 1e6
        info = subprocess.run(["pdfinfo", document.pdf.path], capture_output=True, text=True).stdout
        pages = next((ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages")), "")
    print()
    print("| step | seconds |")
    print("|---|---:|")
    for name, seconds in figures.items():
        print(f"| {name} | {seconds:.1f} |")
    print()
    print(
        f"docx {sizes['docx']:.1f} MB; pdf {sizes.get('pdf', 0):.1f} MB, {pages} pages; "
        f"peak RSS (python) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
        f"LibreOffice {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
