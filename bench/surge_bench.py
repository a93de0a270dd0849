"""Deadline surge: N schools save and submit a 100-item sheet within one minute, through nginx to
two waitress app servers on PostgreSQL (the loopback stack of scripts/loopback_stack.py).

    python bench/surge_bench.py [--schools 2000] [--items 100] [--window 60] [--clients 64]

Each school is already logged in (a session made beforehand, as at a real deadline); at a
random moment of the window it POSTs its whole sheet (the page's 保存 form: 100 answers, the
version it read, the CSRF token) and then 提交. The same clients first call the bare JSON
endpoint (/healthz: one SELECT 1) as fast as they can, for the ratio. Then the proof from the
database: every acknowledged submission is stored exactly once (status submitted, 100 answers,
one revision per acknowledged save and one per submit, no sheet of an unacknowledged school
half-written).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import loopback_stack  # noqa: E402
import proc_cpu  # noqa: E402

CSRF = "b" * 32  # an unmasked CSRF secret: the cookie and the form field carry the same value

SEED = """
import json, sys
import django
django.setup()
sys.path.insert(0, {bench!r})
from campaign_ingest_bench import _answers, ensure_campaign, ensure_population
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
import random
from shidian.apps.accounts.models import User
from shidian.apps.campaigns.models import Sheet
county = ensure_population({schools})
campaign = ensure_campaign(county, {items})
standard = campaign.version.as_standard()
assert not [i for i in standard.items() if i.evidence_required], "the bench standard needs none"
sheets = list(Sheet.objects.filter(round=campaign).select_related("unit").order_by("pk"))
users = User.objects.bulk_create(
    [User(username="s" + s.unit.code, unit=s.unit, role="coordinator", full_name=s.unit.name,
          password="!") for s in sheets], batch_size=1000)
rng = random.Random(11)
out = []
for sheet, user in zip(sheets, users):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "shidian.apps.accounts.backends.AccountBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    out.append({{"sheet": sheet.pk, "session": session.session_key, "version": sheet.version,
                "answers": _answers(standard, rng)}})
methods = {{i.code: i.method for i in standard.items()}}
print(json.dumps({{"schools": out, "methods": methods}}))
"""

PROOF = """
import json
import django
django.setup()
from django.db.models import Count
from shidian.apps.campaigns.models import Sheet
acked = set(json.loads(open({acked!r}).read()))
rows = list(Sheet.objects.filter(round__name="bench campaign").values("pk", "status", "answers"))
revisions = {{}}
try:
    from shidian.apps.submissions.models import Revision
    revisions = dict(
        Revision.objects.filter(submission_id__in=[r["pk"] for r in rows])
        .values_list("submission_id").annotate(n=Count("pk")).values_list("submission_id", "n")
    )
except ImportError:
    pass
report = {{"submitted": 0, "acked_missing": [], "unacked_touched": [], "incomplete": [],
           "revisions": {{}}}}
for r in rows:
    if r["pk"] in acked:
        if r["status"] != "submitted":
            report["acked_missing"].append(r["pk"])
        if len(r["answers"]) != {items}:
            report["incomplete"].append(r["pk"])
        report["submitted"] += r["status"] == "submitted"
        n = revisions.get(r["pk"], 0)
        report["revisions"][n] = report["revisions"].get(n, 0) + 1
    elif r["answers"] and r["status"] == "submitted":
        report["unacked_touched"].append(r["pk"])
print(json.dumps(report))
"""


def form(school: dict, methods: dict) -> dict:
    data = {"version": school["version"], "csrfmiddlewaretoken": CSRF}
    for code, answer in school["answers"].items():
        if methods[code] == "ratio":
            data[f"n-{code}"] = answer["numerator"]
            data[f"d-{code}"] = answer["denominator"]
        else:
            data[f"a-{code}"] = answer["value"]
    return data


def percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    values = sorted(values)

    def at(q: float) -> float:
        return values[min(int(q * len(values)), len(values) - 1)] * 1000

    return f"p50 {at(0.5):.0f} ms, p95 {at(0.95):.0f} ms, p99 {at(0.99):.0f} ms"


def bare(stack, clients: int, seconds: float) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def loop() -> None:
        nonlocal errors
        session = requests.Session()
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                ok = session.get(f"{stack.url}/healthz", timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - started)
                errors += not ok

    started = time.monotonic()
    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.monotonic() - started), latencies, errors


def surge(stack, schools: list[dict], methods: dict, window: float, clients: int):
    rng = random.Random(5)
    start_at = sorted(rng.uniform(0, window) for _ in schools)
    saves: list[float] = []
    submits: list[float] = []
    acked: list[int] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    local = threading.local()
    began = time.monotonic()

    def one(args: tuple[float, dict]) -> None:
        when, school = args
        delay = began + when - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        cookies = {"sessionid": school["session"], "csrftoken": CSRF}
        headers = {"Referer": f"{stack.url}/"}
        base = f"{stack.url}/campaigns/sheets/{school['sheet']}"
        try:
            t0 = time.perf_counter()
            saved = session.post(
                f"{base}/",
                data=form(school, methods),
                cookies=cookies,
                headers=headers,
                allow_redirects=False,
                timeout=120,
            )
            t1 = time.perf_counter()
            if saved.status_code != 302:
                raise RuntimeError(f"save {saved.status_code}")
            sent = session.post(
                f"{base}/submit/",
                data={"csrfmiddlewaretoken": CSRF},
                cookies=cookies,
                headers=headers,
                allow_redirects=False,
                timeout=120,
            )
            t2 = time.perf_counter()
            if sent.status_code != 302:
                raise RuntimeError(f"submit {sent.status_code}")
            with lock:
                saves.append(t1 - t0)
                submits.append(t2 - t1)
                acked.append(school["sheet"])
        except (requests.RequestException, RuntimeError) as exc:
            key = str(exc)[:60] if isinstance(exc, RuntimeError) else type(exc).__name__
            with lock:
                errors[key] = errors.get(key, 0) + 1

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, zip(start_at, schools, strict=True)))
    return time.monotonic() - began, saves, submits, acked, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument(
        "--capacity-schools",
        type=int,
        default=1000,
        help="more schools, sent as fast as the clients can (no window): the server's capacity",
    )
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="shidian-surge-"))
    print(f"bringing up the loopback stack in {root} ...", flush=True)
    with loopback_stack.running(root, database="shidian_surge") as stack:
        seed_started = time.monotonic()
        seeded = stack.python(
            SEED.format(
                bench=str(ROOT / "bench"),
                schools=args.schools + args.capacity_schools,
                items=args.items,
            )
        )
        schools, methods = seeded["schools"], seeded["methods"]
        print(f"seeded {len(schools)} schools in {time.monotonic() - seed_started:.0f} s")
        # Warm both app servers (imports, connections) before timing anything.
        for _ in range(20):
            requests.get(f"{stack.url}/healthz", timeout=60)

        app_pids = [p.pid for name, p in stack.processes.items() if name.startswith("app")]
        cpu_before = proc_cpu.snapshot(app_pids)
        rate, latencies, bare_errors = bare(stack, args.clients, 15)
        bare_cpu = proc_cpu.spent(cpu_before, proc_cpu.snapshot(app_pids))
        print(
            f"bare JSON /healthz: {rate:.0f} req/s, {percentiles(latencies)}, "
            f"{bare_errors} errors ({args.clients} clients, 15 s)"
        )
        print("  " + proc_cpu.describe(bare_cpu, per=len(latencies), what="request", wall=15))

        paced, fast = schools[: args.schools], schools[args.schools :]
        cpu_before = proc_cpu.snapshot(app_pids)
        elapsed, saves, submits, acked, errors = surge(
            stack, paced, methods, args.window, args.clients
        )
        surge_cpu = proc_cpu.spent(cpu_before, proc_cpu.snapshot(app_pids))
        print(
            f"surge: {len(acked)}/{len(paced)} schools acknowledged in {elapsed:.1f} s "
            f"(window {args.window:.0f} s, {args.clients} clients), errors {errors or 0}"
        )
        print(f"  save (100 answers): {percentiles(saves)}")
        print(f"  submit:             {percentiles(submits)}")
        print("  " + proc_cpu.describe(surge_cpu, per=len(paced), what="school", wall=elapsed))
        print(f"  load average after the surge: {os.getloadavg()[0]:.1f}")
        if fast:
            cpu_before = proc_cpu.snapshot(app_pids)
            took, fast_saves, fast_submits, fast_acked, fast_errors = surge(
                stack, fast, methods, 0.0, args.clients
            )
            fast_cpu = proc_cpu.spent(cpu_before, proc_cpu.snapshot(app_pids))
            sheet_rate = 2 * len(fast_acked) / took
            print(
                f"capacity: {len(fast_acked)}/{len(fast)} schools as fast as possible in "
                f"{took:.1f} s = {sheet_rate:.1f} sheet requests/s "
                f"({len(fast_acked) / took:.1f} schools/s), errors {fast_errors or 0}"
            )
            print(f"  save: {percentiles(fast_saves)}; submit: {percentiles(fast_submits)}")
            print(f"  ratio to the bare JSON endpoint: {sheet_rate / rate:.3f}")
            print("  " + proc_cpu.describe(fast_cpu, per=len(fast), what="school", wall=took))
            acked += fast_acked
        acked_file = root / "acked.json"
        acked_file.write_text(json.dumps(acked))
        proof = stack.python(PROOF.format(acked=str(acked_file), items=args.items))
        print(
            f"proof: {proof['submitted']} acknowledged sheets submitted; "
            f"missing {len(proof['acked_missing'])}, incomplete {len(proof['incomplete'])}, "
            f"unacknowledged but submitted {len(proof['unacked_touched'])}; "
            f"revisions per sheet {proof['revisions']}"
        )
        if proof["acked_missing"] or proof["incomplete"]:
            raise SystemExit("LOST: an acknowledged submission is not stored as sent")


if __name__ == "__main__":
    main()
