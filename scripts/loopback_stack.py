"""The scale path on one machine's loopback: PostgreSQL, two app servers behind nginx, the
Redis-backed task worker and uploads in a local S3-compatible server (moto's server mode).

    python scripts/loopback_stack.py up [--dir DIR] [--database NAME] [--replica] [--workers N]

``--replica`` runs the database on a throwaway primary with a streaming standby
(scripts/pg_cluster.py) instead of the machine's server, and points DATABASE_REPLICA_URL at the
standby; ``--workers N`` starts N task workers on the queue.

docs/deploy.md ("A county to a province") walks through the same steps by hand;
tests/browser/test_loopback_stack.py runs a smoke scenario through the proxy, and the surge and
crash benches start the stack from here. Every process is a child of this one and is stopped
with it; nothing is installed or left running.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pg_cluster  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"
BUCKET = "shidian-uploads"
NGINX_CONF = """\
{user}worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {root}/nginx-access.log;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    client_max_body_size 25m;
    upstream shidian {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location /static/ {{
            alias {static}/;
            expires 30d;
            add_header Cache-Control "public, immutable";
        }}
        location / {{
            proxy_pass http://shidian;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 120s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


@dataclass
class Stack:
    root: Path
    database: str
    url: str  # the proxy: what a browser talks to
    app_urls: list[str]
    s3_endpoint: str
    env: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    cluster: pg_cluster.Pair | None = None  # with --replica: the primary and its standby

    def logs(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def shidian(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """Run a ``shidian`` command with the stack's settings; its error output if it fails."""
        done = subprocess.run(
            [sys.executable, "-m", "shidian.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"shidian {' '.join(args)} failed:\n{done.stderr[-4000:]}")
        return done

    def python(self, code: str, timeout: float = 1800) -> dict:
        """Run Python ``code`` with Django's settings of the stack (the repository's root on the
        path, for tests' factories and benches); its last line of output, as JSON."""
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={**self.env, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"the code failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.root / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the child
        process = subprocess.Popen(
            args,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Stop one process and every descendant, as a crash would (RQ's work horse and
        LibreOffice start sessions of their own, so a process group is not enough)."""
        process = self.processes.pop(name)
        family = descendants(process.pid) if sig == signal.SIGKILL else []
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        for pid in family:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        process.wait(timeout=30)

    def start_app(self, index: int) -> None:
        port = int(self.app_urls[index].rsplit(":", 1)[1])
        self.start(
            f"app{index + 1}",
            [
                sys.executable,
                "-m",
                "shidian.cli",
                "serve",
                "--port",
                str(port),
                "--no-worker",
                "--no-migrate",
                "--threads",
                "8",
            ],
        )
        wait_http(f"{self.app_urls[index]}/accounts/login/")

    def start_worker(self, name: str = "worker") -> None:
        self.start(name, [sys.executable, "-m", "shidian.cli", "worker"])

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM if name != "nginx" else signal.SIGQUIT)
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.2)


def recreate_database(name: str, server: str = POSTGRES) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str, server: str = POSTGRES) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stack_env(
    root: Path, *, database: str, redis_db: int, s3_endpoint: str, server: str = POSTGRES
) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "DATABASE_REPLICA_URL"))
    }
    return {
        **keep,
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "shidian.config.settings",
        "SHIDIAN_DATA_DIR": str(root / "data"),
        "SECRET_KEY": "loopback-" + "k" * 50,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRUSTED_PROXIES": "127.0.0.1",
        "DATABASE_CONN_MAX_AGE": "60",
        "DATABASE_URL": f"{server}/{database}",
        "REDIS_URL": f"{REDIS}/{redis_db}",
        "TASK_BACKEND": "redis",
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": "loopback",
        "S3_SECRET_ACCESS_KEY": "loopback-secret",
        "S3_REGION": "us-east-1",
        # The mail outbox stays local: nothing leaves the machine.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def s3_client(stack: Stack):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=stack.s3_endpoint,
        aws_access_key_id="loopback",
        aws_secret_access_key="loopback-secret",
        region_name="us-east-1",
    )


def up(
    root: Path,
    *,
    database: str = "shidian_loopback",
    redis_db: int = 7,
    extra_env: dict[str, str] | None = None,
    replica: bool = False,
    workers: int = 1,
) -> Stack:
    """Start everything; the caller stops it with ``stack.stop()`` (or use :func:`running`)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is missing: apt-get install nginx (scripts/system-deps.sh)")
    root.mkdir(parents=True, exist_ok=True)
    cluster = pg_cluster.start() if replica else None
    server = cluster.primary_url if cluster else POSTGRES
    try:
        recreate_database(database, server)
    except BaseException:
        if cluster:
            cluster.stop()
        raise
    import redis

    redis.Redis.from_url(f"{REDIS}/{redis_db}").flushdb()
    s3_port, proxy_port = free_port(), free_port()
    app_ports = [free_port(), free_port()]
    stack = Stack(
        root=root,
        database=database,
        url=f"http://127.0.0.1:{proxy_port}",
        app_urls=[f"http://127.0.0.1:{port}" for port in app_ports],
        s3_endpoint=f"http://127.0.0.1:{s3_port}",
        env={},
        cluster=cluster,
    )
    stack.env = stack_env(
        root, database=database, redis_db=redis_db, s3_endpoint=stack.s3_endpoint, server=server
    )
    if cluster:
        stack.env["DATABASE_REPLICA_URL"] = f"{cluster.standby_url}/{database}"
    stack.env.update(extra_env or {})
    try:
        stack.start(
            "s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)]
        )
        wait_http(stack.s3_endpoint)
        s3_client(stack).create_bucket(Bucket=BUCKET)
        stack.shidian("manage", "migrate", "--no-input", "--verbosity", "0")
        stack.shidian("manage", "collectstatic", "--no-input", "--verbosity", "0")
        for index in range(len(app_ports)):
            stack.start_app(index)
        for index in range(workers):
            stack.start_worker("worker" if index == 0 else f"worker{index + 1}")
        servers = "\n".join(f"        server 127.0.0.1:{port};" for port in app_ports)
        static = Path(stack.env["SHIDIAN_DATA_DIR"]) / "static"
        nginx_root = root / "nginx"
        nginx_root.mkdir(exist_ok=True)
        (nginx_root / "nginx.conf").write_text(
            NGINX_CONF.format(
                user="user root;\n" if os.geteuid() == 0 else "",
                root=nginx_root,
                servers=servers,
                port=proxy_port,
                static=static,
            )
        )
        stack.start("nginx", [nginx, "-p", str(nginx_root), "-c", str(nginx_root / "nginx.conf")])
        wait_http(f"{stack.url}/accounts/login/")
    except BaseException:
        stack.stop()
        raise
    return stack


@contextlib.contextmanager
def running(
    root: Path,
    *,
    database: str = "shidian_loopback",
    keep: bool = False,
    extra_env: dict[str, str] | None = None,
    replica: bool = False,
    workers: int = 1,
    redis_db: int = 7,
) -> Iterator[Stack]:
    stack = up(
        root,
        database=database,
        extra_env=extra_env,
        replica=replica,
        workers=workers,
        redis_db=redis_db,
    )
    replicated = stack.cluster is not None
    try:
        yield stack
    finally:
        stack.stop()  # with a replica this deletes both clusters, the database with them
        if not keep and not replicated:
            drop_database(database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up"])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/shidian-loopback"))
    parser.add_argument("--database", default="shidian_loopback")
    parser.add_argument(
        "--replica",
        action="store_true",
        help="a throwaway primary and streaming standby (deleted on exit) instead of :5432",
    )
    parser.add_argument("--workers", type=int, default=1, help="task workers on the queue")
    args = parser.parse_args()

    def interrupt(*_args: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # `timeout` or `kill` stops the children too
    with running(
        args.dir,
        database=args.database,
        keep=True,
        replica=args.replica,
        workers=args.workers,
    ) as stack:
        print(f"proxy        {stack.url}/")
        for index, url in enumerate(stack.app_urls, 1):
            print(f"app server {index} {url}/")
        print(f"S3 (moto)    {stack.s3_endpoint}/{BUCKET}")
        print(f"database     {stack.env['DATABASE_URL']}")
        if stack.cluster:
            print(f"replica      {stack.env['DATABASE_REPLICA_URL']}   (streaming standby)")
        workers = [name for name in stack.processes if name.startswith("worker")]
        print(f"workers      {len(workers)}")
        print(f"logs         {stack.root}/*.log   (Ctrl-C stops everything)")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
