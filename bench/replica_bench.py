"""The nation's step on one machine's loopback: dashboards on a streaming read replica while
schools save their sheets, and a batch of jobs drained by one worker, then by two.

    python bench/replica_bench.py [--schools 1200] [--seconds 25] [--readers 8] [--writers 8]
                                  [--jobs 16]

Brings up scripts/loopback_stack.py with ``--replica --workers 2`` (a throwaway primary and
standby on spare ports, deleted at the end). Then, in the same run:

(a) for ``--seconds`` each, ``--writers`` clients POST whole sheets (the 保存 form, 100 answers,
    each sheet once) while ``--readers`` clients GET the office's campaign dashboard as fast as
    they can: first with the read-your-writes cookie set (so every dashboard reads the primary),
    then without it (the replica). Rows read on each server (pg_stat_database.tup_returned)
    prove where the dashboards went. Meanwhile a sampler times write-to-visible on the standby
    (a WAL position taken on the primary, polled on the standby until replayed) and reads
    pg_stat_replication.replay_lag.
(b) ``--jobs`` campaign XLSX exports (a real Run kind: the ranking table of every sheet) are
    queued at once and drained by one worker, then the same again with two; the drain time is
    the first created_at to the last finished_at, read from the Run rows.

The load average is printed with every figure: the machine has 2 cores shared with other jobs.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
import loopback_stack  # noqa: E402
from surge_bench import CSRF, form, percentiles  # noqa: E402

WROTE_COOKIE = "shidian_wrote"  # apps/core/replica.py: "this browser wrote a moment ago"

SEED = """
import json, sys, random
import django
django.setup()
sys.path.insert(0, {bench!r})
from campaign_ingest_bench import _answers, ensure_campaign, ensure_population
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from shidian.apps.accounts.models import User
from shidian.apps.campaigns.models import Sheet
county = ensure_population({schools})
campaign = ensure_campaign(county, {items})
standard = campaign.version.as_standard()
sheets = list(Sheet.objects.filter(round=campaign).select_related("unit").order_by("pk"))
users = User.objects.bulk_create(
    [User(username="s" + s.unit.code, unit=s.unit, role="coordinator", full_name=s.unit.name,
          password="!") for s in sheets], batch_size=1000)
office = User.objects.create(username="bench-office", unit=county, role="office",
                             full_name="office", password="!")
def session_for(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key
rng = random.Random(11)
out = [{{"sheet": s.pk, "session": session_for(u), "version": s.version,
         "answers": _answers(standard, rng)}} for s, u in zip(sheets, users)]
methods = {{i.code: i.method for i in standard.items()}}
print(json.dumps({{"schools": out, "methods": methods, "campaign": campaign.pk,
                  "office": session_for(office)}}))
"""

ENQUEUE = """
import json
import django
django.setup()
from django.db import transaction
from shidian.apps.accounts.models import User
from shidian.apps.campaigns.models import Campaign
from shidian.apps.campaigns.runkinds import EXPORT_KIND
from shidian.apps.runs.services import run_start
office = User.objects.get(username="bench-office")
campaign = Campaign.objects.get(pk={campaign})
with transaction.atomic():
    ids = [run_start(EXPORT_KIND, by=office, unit=office.unit, subject=campaign,
                     params={{"campaign_id": campaign.pk, "table": "ranking"}}).pk
           for _ in range({jobs})]
print(json.dumps(ids))
"""


def load() -> str:
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def tuples_read(url: str, database: str) -> int:
    with psycopg.connect(f"{url}/postgres", autocommit=True) as connection:
        row = connection.execute(
            "SELECT tup_returned FROM pg_stat_database WHERE datname = %s", [database]
        ).fetchone()
        return int(row[0])


class LagSampler(threading.Thread):
    """Every half second: how long a WAL position of the primary takes to be replayed on the
    standby (what a dashboard on the replica waits for), and the primary's replay_lag."""

    def __init__(self, primary: str, standby: str) -> None:
        super().__init__(daemon=True)
        self.primary, self.standby = primary, standby
        self.visible: list[float] = []
        self.replay_lag: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with (
            psycopg.connect(f"{self.primary}/postgres", autocommit=True) as primary,
            psycopg.connect(f"{self.standby}/postgres", autocommit=True) as standby,
        ):
            while not self.stop.wait(0.5):
                lsn = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
                started = time.perf_counter()
                while not standby.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]
                ).fetchone()[0]:
                    time.sleep(0.002)
                self.visible.append(time.perf_counter() - started)
                lag = primary.execute(
                    "SELECT extract(epoch FROM max(replay_lag)) FROM pg_stat_replication"
                ).fetchone()[0]
                if lag is not None:
                    self.replay_lag.append(float(lag))

    def summary(self) -> str:
        lags = sorted(self.replay_lag)
        worst = f"{lags[-1] * 1000:.0f} ms" if lags else "-"
        return (
            f"write-to-visible on the standby {percentiles(self.visible)} "
            f"({len(self.visible)} samples); pg_stat_replication.replay_lag max {worst}"
        )


def mixed(stack, seeded: dict, schools: list[dict], *, seconds, readers, writers, primary_only):
    """Dashboards and sheet saves at the same time; the figures of both."""
    base = stack.url
    dashboard = f"{base}/campaigns/{seeded['campaign']}/"
    todo = iter(schools)
    lock = threading.Lock()
    reads: list[float] = []
    saves: list[float] = []
    errors = {"read": 0, "save": 0}
    stop = time.monotonic() + seconds

    def reader() -> None:
        session = requests.Session()
        session.cookies.set("sessionid", seeded["office"])
        while time.monotonic() < stop:
            if primary_only:  # what a browser that has just saved sends: the primary answers
                session.cookies.set(WROTE_COOKIE, f"{time.time():.3f}")
            t0 = time.perf_counter()
            try:
                ok = session.get(dashboard, timeout=60).status_code == 200
            except requests.RequestException:
                ok = False
            with lock:
                reads.append(time.perf_counter() - t0)
                errors["read"] += not ok

    def writer() -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            with lock:
                school = next(todo, None)
            if school is None:
                return
            cookies = {"sessionid": school["session"], "csrftoken": CSRF}
            t0 = time.perf_counter()
            try:
                saved = session.post(
                    f"{base}/campaigns/sheets/{school['sheet']}/",
                    data=form(school, seeded["methods"]),
                    cookies=cookies,
                    headers={"Referer": f"{base}/"},
                    allow_redirects=False,
                    timeout=60,
                )
                ok = saved.status_code == 302
            except requests.RequestException:
                ok = False
            with lock:
                saves.append(time.perf_counter() - t0)
                errors["save"] += not ok

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    threads += [threading.Thread(target=writer) for _ in range(writers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    return {"took": took, "reads": reads, "saves": saves, "errors": errors}


def drain(stack, campaign: int, jobs: int, primary: str) -> tuple[float, int]:
    ids = stack.python(ENQUEUE.format(campaign=campaign, jobs=jobs))
    with psycopg.connect(f"{primary}/{stack.database}", autocommit=True) as connection:
        deadline = time.monotonic() + 600
        while True:
            done, ok, span = connection.execute(
                "SELECT count(*) FILTER (WHERE status IN ('succeeded', 'failed', 'cancelled')),"
                " count(*) FILTER (WHERE status = 'succeeded'),"
                " extract(epoch FROM max(finished_at) - min(created_at))"
                " FROM runs_run WHERE id = ANY(%s)",
                [ids],
            ).fetchone()
            if done == len(ids):
                return float(span), ok
            if time.monotonic() > deadline:
                raise TimeoutError(f"{done}/{len(ids)} jobs done after 600 s")
            time.sleep(0.5)


def wait_workers(stack, count: int, timeout: float = 180) -> None:
    """Until ``count`` RQ workers are registered (a new worker needs Django set up first)."""
    import redis
    from rq import Worker

    connection = redis.Redis.from_url(stack.env["REDIS_URL"])
    deadline = time.monotonic() + timeout
    while Worker.count(connection=connection) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {count} workers after {timeout:.0f} s")
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=1200)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="shidian-replica-"))
    began = time.monotonic()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}, {os.cpu_count()} cores, {load()}")
    print(f"bringing up the loopback stack with --replica --workers 2 in {root} ...", flush=True)
    with loopback_stack.running(
        root, database="shidian_replica", replica=True, workers=2, redis_db=8
    ) as stack:
        primary, standby = stack.cluster.primary_url, stack.cluster.standby_url
        print(f"stack up in {time.monotonic() - began:.0f} s ({load()})", flush=True)
        t0 = time.monotonic()
        seeded = stack.python(
            SEED.format(bench=str(ROOT / "bench"), schools=args.schools, items=args.items)
        )
        schools = seeded["schools"]
        print(f"seeded {len(schools)} schools in {time.monotonic() - t0:.0f} s", flush=True)
        dashboard = f"{stack.url}/campaigns/{seeded['campaign']}/"
        for _ in range(6):  # warm both app servers, both databases' caches
            requests.get(dashboard, cookies={"sessionid": seeded["office"]}, timeout=120)

        # (a) the same load twice: dashboards on the primary, then on the replica.
        halves = [schools[: len(schools) // 2], schools[len(schools) // 2 :]]
        results = {}
        sampler = LagSampler(primary, standby)
        sampler.start()
        for mode, half in zip(("primary", "replica"), halves, strict=True):
            servers = (("p", primary), ("s", standby))
            before = {n: tuples_read(u, stack.database) for n, u in servers}
            load_before = load()
            out = mixed(
                stack,
                seeded,
                half,
                seconds=args.seconds,
                readers=args.readers,
                writers=args.writers,
                primary_only=mode == "primary",
            )
            after = {n: tuples_read(u, stack.database) for n, u in servers}
            out["rows"] = {n: after[n] - before[n] for n in after}
            results[mode] = out
            print(
                f"dashboards on the {mode}: {len(out['reads']) / out['took']:.1f} pages/s, "
                f"{percentiles(out['reads'])}; saves {len(out['saves']) / out['took']:.1f}/s, "
                f"{percentiles(out['saves'])}; errors {out['errors']}; rows read primary "
                f"{out['rows']['p']:,}, standby {out['rows']['s']:,} "
                f"({args.readers} readers, {args.writers} writers, {out['took']:.0f} s; "
                f"{load_before} -> {load()})",
                flush=True,
            )
            if len(out["saves"]) >= len(half):
                print("  (every sheet of this half was saved before the time was up)")
        sampler.stop.set()
        sampler.join()
        p, r = results["primary"], results["replica"]
        read_ratio = (len(r["reads"]) / r["took"]) / (len(p["reads"]) / p["took"])
        save_ratio = (len(r["saves"]) / r["took"]) / (len(p["saves"]) / p["took"])
        print(f"ratio replica/primary: dashboards {read_ratio:.2f}x, saves {save_ratio:.2f}x")
        print(sampler.summary(), flush=True)

        # The outage: the standby stopped, dashboards must still answer (from the primary).
        stack.cluster.pg_ctl("standby", "-m", "immediate", "-w", "stop")
        codes, took = [], []
        for _ in range(10):
            t0 = time.perf_counter()
            codes.append(
                requests.get(
                    dashboard, cookies={"sessionid": seeded["office"]}, timeout=60
                ).status_code
            )
            took.append(time.perf_counter() - t0)
        print(
            f"standby stopped: {codes.count(200)}/10 dashboards answered 200, "
            f"{percentiles(took)} ({load()})",
            flush=True,
        )

        # (b) one worker, then two, on the same batch of jobs.
        stack.kill("worker2", signal.SIGTERM)
        wait_workers(stack, 1)
        for count in (1, 2):
            if count == 2:
                stack.start_worker("worker2")
                wait_workers(stack, 2)
            load_before = load()
            span, ok = drain(stack, seeded["campaign"], args.jobs, primary)
            print(
                f"{args.jobs} XLSX export runs, {count} worker(s): drained in {span:.1f} s "
                f"({args.jobs / span:.2f} jobs/s), {ok} succeeded ({load_before} -> {load()})",
                flush=True,
            )
    print(f"total {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
