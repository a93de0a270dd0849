"""Benchmark of the document service: a 3-page notice and a 100-case booklet with 300 images.

    PYTHONPATH=src python bench/documents_bench.py [--cases 100] [--photos 3]

Each step runs in a fresh process, so its peak memory (max RSS) is its own; LibreOffice's peak is
reported separately (RUSAGE_CHILDREN of that process). Goals on a 2-core machine: booklet .docx
< 30 s, booklet .pdf < 120 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def notice_data() -> dict:
    data = json.loads((ROOT / "examples" / "documents" / "notice.json").read_text("utf-8"))
    # The body alone, without the last section: three pages.
    data["attachments"] = []
    data["note"] = ""
    data["body"] = data["body"][:3] + data["body"][4:-9] + data["body"][-1:]
    return data


def step(name: str, workdir: Path, cases: int, photos: int) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from shidian.docgen import convert
    from shidian.docgen.demo_cases import booklet_data
    from shidian.docgen.render import render_docx

    out: dict = {"step": name}
    if name.startswith("notice"):
        data, base = notice_data(), workdir
        docx = workdir / "notice.docx"
        started = time.perf_counter()
        docx.write_bytes(render_docx("notice", data, base_dir=base))
        if name == "notice-pdf":
            started = time.perf_counter()
            convert.docx_to_pdf(docx, workdir / "notice.pdf")
    else:
        images_dir = workdir / "images"
        images_dir.mkdir(exist_ok=True)
        data, images = booklet_data(cases, photos_per_case=photos)
        for fname, blob in images:
            (images_dir / fname).write_bytes(blob)
        out["images"] = len(images)
        out["images_mb"] = round(sum(len(b) for _, b in images) / 1e6, 1)
        del images
        docx = workdir / "booklet.docx"
        if name == "booklet-docx":
            started = time.perf_counter()
            docx.write_bytes(render_docx("booklet", data, base_dir=images_dir))
        else:
            started = time.perf_counter()
            convert.update_toc_and_export(
                docx,
                docx_out=workdir / "booklet-toc.docx",
                pdf_out=workdir / "booklet.pdf",
                timeout=900,
            )
    out["seconds"] = round(time.perf_counter() - started, 2)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["soffice_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
    )
    for suffix in ("docx", "pdf"):
        f = workdir / f"{name.split('-')[0]}.{suffix}"
        if f.exists():
            out[f"{suffix}_mb"] = round(f.stat().st_size / 1e6, 2)
    pdf = workdir / f"{name.split('-')[0]}.pdf"
    if name.endswith("pdf") and pdf.exists():
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages"))
        out["pages"] = int(pages)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--photos", type=int, default=3)
    ap.add_argument("--step", default="")
    ap.add_argument("--workdir", default="")
    args = ap.parse_args()
    if args.step:
        print(json.dumps(step(args.step, Path(args.workdir), args.cases, args.photos)))
        return
    with tempfile.TemporaryDirectory(prefix="shidian-bench-") as tmp:
        results = []
        for name in ("notice-docx", "notice-pdf", "booklet-docx", "booklet-pdf"):
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--step",
                    name,
                    "--workdir",
                    tmp,
                    "--cases",
                    str(args.cases),
                    "--photos",
                    str(args.photos),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
    print()
    print("| step | seconds | peak RSS (python) MB | peak RSS (LibreOffice) MB | pages | MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        size = r.get("pdf_mb") if r["step"].endswith("pdf") else r.get("docx_mb")
        print(
            f"| {r['step']} | {r['seconds']} | {r['peak_rss_mb']} | {r['soffice_peak_rss_mb']} "
            f"| {r.get('pages', '')} | {size} |"
        )


if __name__ == "__main__":
    main()
