"""Crash: kill -9 one app server and the task worker in the middle of a burst of sheet saves and
a PDF job, restart them, and prove from the database that nothing acknowledged was lost.

    python bench/crash_bench.py [--schools 300] [--window 20] [--clients 32]

The loopback stack (scripts/loopback_stack.py) serves through nginx. While schools save and
submit their 100-item sheets, the office's notice is being converted to PDF in the worker. At
--kill-at seconds app server 1 and the worker (with its LibreOffice child) get SIGKILL; they are
restarted --down seconds later. Requests that were in flight on the killed server fail (nginx
does not replay a POST), so those schools are not acknowledged and would press 提交 again.

The proof: every acknowledged save and submit is stored; no sheet is half-written (a sheet has
all of its answers or none, since each save is one transaction); the PDF job either finished or,
its worker gone, shows as interrupted after RUNS_STALE_AFTER and succeeds when retried.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "scripts"))
import loopback_stack  # noqa: E402
from surge_bench import SEED, percentiles, surge  # noqa: E402

STALE_AFTER = 15  # seconds without a heartbeat before a running job shows as interrupted

START_PDF = """
import json
import django
django.setup()
from shidian.apps.accounts.models import User
from shidian.apps.documents import services
from shidian.apps.orgs.models import OrgUnit
county = OrgUnit.objects.get(code="BENCH-COUNTY")
office, _ = User.objects.get_or_create(
    username="crash-office", defaults={{"unit": county, "role": "office", "full_name": "office"}}
)
data = json.loads(open({notice!r}, encoding="utf-8").read())
document = services.document_generate(unit=county, user=office, kind="notice", data=data)
print(json.dumps({{"document": document.pk}}))
"""

PDF_STATE = """
import json
import django
django.setup()
from shidian.apps.documents.jobs import PDF, document_request_pdf
from shidian.apps.documents.models import Document
from shidian.apps.runs.models import Run
document = Document.objects.get(pk={document})
run = Run.objects.filter(kind=PDF, params__document_id=document.pk).order_by("-pk").first()
state = {{"run": run.pk, "status": run.status, "interrupted": run.is_interrupted,
          "attempts": Run.objects.filter(kind=PDF, params__document_id=document.pk).count(),
          "pdf": bool(document.pdf)}}
if {retry} and run.is_interrupted:
    document_request_pdf(document=document, user=document.author)
    state["retried"] = True
print(json.dumps(state))
"""

PROOF = """
import json
import django
django.setup()
from shidian.apps.campaigns.models import Sheet
acked = set(json.loads(open({acked!r}).read()))
rows = Sheet.objects.filter(round__name="bench campaign").values_list("pk", "status", "answers")
out = {{"acked": len(acked), "acked_stored": 0, "half_written": [], "acked_lost": [],
        "untouched": 0, "saved_not_acked": 0}}
for pk, status, answers in rows:
    if answers and len(answers) != {items}:
        out["half_written"].append(pk)
    if pk in acked:
        if status == "submitted" and len(answers) == {items}:
            out["acked_stored"] += 1
        else:
            out["acked_lost"].append(pk)
    elif answers:
        out["saved_not_acked"] += 1
    else:
        out["untouched"] += 1
print(json.dumps(out))
"""


def run_status(stack, document: int) -> str:
    """The PDF run's status, read straight from PostgreSQL (no Django start-up in the loop)."""
    import psycopg

    with psycopg.connect(stack.env["DATABASE_URL"]) as connection:
        row = connection.execute(
            "SELECT status FROM runs_run WHERE kind = 'documents.pdf'"
            " AND params->>'document_id' = %s ORDER BY id DESC LIMIT 1",
            [str(document)],
        ).fetchone()
    return row[0] if row else "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--kill-at", type=float, default=5.0)
    parser.add_argument("--down", type=float, default=4.0)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="shidian-crash-"))
    extra = {"RUNS_STALE_AFTER": str(STALE_AFTER)}
    print(f"bringing up the loopback stack in {root} ...", flush=True)
    with loopback_stack.running(root, database="shidian_crash", extra_env=extra) as stack:
        seeded = stack.python(
            SEED.format(bench=str(ROOT / "bench"), schools=args.schools, items=args.items)
        )
        schools, methods = seeded["schools"], seeded["methods"]
        notice = ROOT / "examples" / "documents" / "notice.json"
        document = stack.python(START_PDF.format(notice=str(notice)))["document"]
        events: list[str] = []
        began = time.monotonic()

        def timeline() -> None:
            # Kill while the burst is on and the worker is inside the conversion (the run has
            # started and writes heartbeats), not while the job still waits in the queue.
            while time.monotonic() - began < args.kill_at or run_status(stack, document) != (
                "running"
            ):
                time.sleep(0.2)
                if time.monotonic() - began > args.window:
                    events.append("the PDF job never started during the burst")
                    break
            stack.kill("app1")
            stack.kill("worker")
            status = run_status(stack, document)
            events.append(
                f"{time.monotonic() - began:5.1f} s  kill -9 app server 1 and the worker "
                f"(PDF run {status})"
            )
            time.sleep(args.down)
            stack.start_worker()
            stack.start_app(0)
            events.append(f"{time.monotonic() - began:5.1f} s  both restarted and answering")

        killer = threading.Thread(target=timeline)
        killer.start()
        elapsed, saves, submits, acked, errors = surge(
            stack, schools, methods, args.window, args.clients
        )
        killer.join()
        for line in events:
            print(line)
        print(
            f"burst: {len(acked)}/{len(schools)} schools acknowledged in {elapsed:.1f} s; "
            f"refused or cut off: {errors or 0}"
        )
        print(f"  save: {percentiles(saves)}; submit: {percentiles(submits)}")

        acked_file = root / "acked.json"
        acked_file.write_text(json.dumps(acked))
        proof = stack.python(PROOF.format(acked=str(acked_file), items=args.items))
        print(
            f"proof: {proof['acked_stored']}/{proof['acked']} acknowledged submissions stored; "
            f"lost {len(proof['acked_lost'])}; half-written sheets {len(proof['half_written'])}; "
            f"saved but not acknowledged {proof['saved_not_acked']}; untouched "
            f"{proof['untouched']}"
        )

        deadline = time.monotonic() + STALE_AFTER + 240
        retried = False
        while True:
            state = stack.python(PDF_STATE.format(document=document, retry=not retried))
            retried = retried or state.get("retried", False)
            if state["status"] == "succeeded" and state["pdf"]:
                how = "after a retry" if state["attempts"] > 1 or retried else "without a retry"
                print(
                    f"PDF job: succeeded {how} (run {state['run']}, "
                    f"{state['attempts']} run(s)), {time.monotonic() - began:.0f} s after the start"
                )
                break
            if state.get("retried"):
                print(
                    f"PDF job: interrupted by the kill, shown as interrupted after "
                    f"{STALE_AFTER} s without a heartbeat; retried"
                )
            if state["status"] == "failed" and not state["interrupted"]:
                print(f"PDF job: failed and shown as failed with a retry button ({state})")
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"PDF job neither finished nor failed: {state}")
            time.sleep(3)
        if proof["acked_lost"] or proof["half_written"]:
            raise SystemExit("LOST or HALF-WRITTEN: see the proof line")


if __name__ == "__main__":
    main()
