"""CPU seconds spent by each part of the loopback stack, read from /proc (Linux), so a bench
can say where a deadline's two cores went: app servers, PostgreSQL, nginx, the load itself."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[str, int, float] | None:
    """(command name, parent pid, user+system CPU seconds of the process itself)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        text = Path(f"/proc/{pid}/stat").read_text()
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK
    return None


def snapshot(app_pids: list[int]) -> dict[str, float]:
    """CPU seconds so far of: the app servers and their children, every postgres process of the
    machine (its other databases too: read it on a quiet machine), nginx, and this process
    (the load generator's client threads)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = _stat(int(entry.name))
            if found:
                stats[int(entry.name)] = found
    children: dict[int, list[int]] = {}
    for pid, (_name, parent, _cpu) in stats.items():
        children.setdefault(parent, []).append(pid)
    app, todo = set(), list(app_pids)
    while todo:
        pid = todo.pop()
        if pid in stats and pid not in app:
            app.add(pid)
            todo.extend(children.get(pid, []))
    own = os.times()
    totals = {
        "app servers": sum(stats[p][2] for p in app),
        "postgres": sum(cpu for name, _p, cpu in stats.values() if name.startswith("postgres")),
        "nginx": sum(cpu for name, _p, cpu in stats.values() if name == "nginx"),
        "load generator": own.user + own.system,
    }
    return totals


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {role: after[role] - before[role] for role in before}


def describe(used: dict[str, float], *, per: int, what: str, wall: float) -> str:
    """'app servers 41 ms/school, ...; all parts 1.7 cores busy'."""
    # A process that exits takes its CPU time with it (a PostgreSQL backend closed after
    # DATABASE_CONN_MAX_AGE): such a part is shown as unknown, not as a negative figure.
    parts = ", ".join(
        f"{role} {seconds * 1000 / per:.1f} ms" if seconds >= 0 else f"{role} n/a (exited)"
        for role, seconds in used.items()
    )
    busy = sum(max(seconds, 0.0) for seconds in used.values()) / wall if wall else 0.0
    return f"CPU per {what}: {parts}; all of these together {busy:.2f} cores busy"
