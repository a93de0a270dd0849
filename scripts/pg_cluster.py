"""A throwaway PostgreSQL primary and its streaming standby, on spare loopback ports.

Used by ``scripts/loopback_stack.py --replica``: the machine's own server on 5432 (shared with
CI) is never reconfigured. Both clusters live in one temporary directory, are run by the
``postgres`` OS user when we are root (PostgreSQL refuses to run as root), and are stopped and
deleted by :meth:`Pair.stop`.

    pair = pg_cluster.start()            # in a new /tmp/shidian-pg-* directory
    pair.primary_url, pair.standby_url   # postgres://postgres@127.0.0.1:PORT
    pair.stop()
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# The primary's own settings: streaming replication, and a standby that tells the primary which
# rows its dashboard queries still read (no query cancelled by a vacuum on the primary).
PRIMARY_CONF = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 4
max_replication_slots = 4
wal_keep_size = '256MB'
hot_standby = on
hot_standby_feedback = on
max_connections = 200
shared_buffers = '128MB'
"""
HBA = """
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres() -> dict:
    """Run as the postgres user when we are root (initdb and postgres refuse root)."""
    return {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}


def _run(*args: str | Path) -> None:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, **_as_postgres()
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{done.stderr[-3000:]}")


@dataclass
class Pair:
    root: Path
    primary_port: int
    standby_port: int

    @property
    def primary_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.primary_port}"

    @property
    def standby_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.standby_port}"

    def pg_ctl(self, name: str, *args: str) -> None:
        _run(BIN / "pg_ctl", "-D", self.root / name, "-l", self.root / f"{name}.log", *args)

    def stop(self, *, delete: bool = True) -> None:
        for name in ("standby", "primary"):
            if (self.root / name / "postmaster.pid").exists():
                with contextlib.suppress(RuntimeError):
                    self.pg_ctl(name, "-m", "fast", "-w", "stop")
        if delete:
            shutil.rmtree(self.root, ignore_errors=True)


def start(root: Path | None = None) -> Pair:
    """initdb a primary, start it, pg_basebackup -R a standby from it, start that; both answer
    when this returns (the standby streaming). ``root`` defaults to a new directory in /tmp: the
    postgres user must be able to reach it, which a root-only temporary directory forbids."""
    root = root or Path(tempfile.mkdtemp(prefix="shidian-pg-"))
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    pair = Pair(root=root, primary_port=_free_port(), standby_port=_free_port())
    try:
        primary, standby = root / "primary", root / "standby"
        _run(BIN / "initdb", "-D", primary, "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--locale=C.UTF-8")  # fmt: skip
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(PRIMARY_CONF.format(port=pair.primary_port, sockets=root))
        (primary / "pg_hba.conf").write_text(HBA)
        pair.pg_ctl("primary", "-w", "start")
        _run(BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", str(pair.primary_port),
             "-U", "postgres", "-D", standby, "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        with open(standby / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {pair.standby_port}\n")  # the last setting wins
        pair.pg_ctl("standby", "-w", "start")
        wait_streaming(pair)
    except BaseException:
        pair.stop()
        raise
    return pair


def wait_streaming(pair: Pair, timeout: float = 60) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(f"{pair.primary_url}/postgres", autocommit=True) as connection:
        while True:
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
            ).fetchone()
            if row and row[0]:
                return
            if time.monotonic() > deadline:
                raise TimeoutError("the standby did not start streaming")
            time.sleep(0.2)
