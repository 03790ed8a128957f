"""A throw-away PostgreSQL cluster (Debian's postgresql), on a Unix socket and a free port,
reached through Debian's PgBouncer in transaction pooling with the project's own settings
(deploy/pgbouncer/tne-dash-pooling.ini), as in production: every URL the tests get goes
through it, so every PostgreSQL test of the suite runs behind the pooler.

``TNE_DASH_TEST_PGBOUNCER=0`` reaches the cluster directly (to tell the pooler's part in a
failure). Without PgBouncer installed the cluster is reached directly too, except in CI
(``CI=true``), where a missing PgBouncer fails the run (conftest.py).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

POOLER_SWITCH = "TNE_DASH_TEST_PGBOUNCER"
POOLING_SETTINGS = Path(__file__).resolve().parent.parent / "deploy" / "pgbouncer" / (
    "tne-dash-pooling.ini")


def pgbouncer_binary() -> str | None:
    """Debian's pgbouncer, when installed."""
    found = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    return found if Path(found).exists() else None


def find_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parent.parent.name))
    return Path(candidates[-1]).parent if candidates else None


def _answers(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    """initdb + pg_ctl start in a temporary folder; ``stop()`` removes everything."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.base = Path(tempfile.mkdtemp(prefix="tne-dash-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        # PostgreSQL refuses to run as root: run it as the postgres user Debian creates.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.base, user="postgres")
        self.pooled = os.environ.get(POOLER_SWITCH, "1") != "0" and pgbouncer_binary() is not None
        self.pooler_port = free_port() if self.pooled else None
        self.pooler: subprocess.Popen | None = None

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, text=True)

    def start(self) -> None:
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-k {self.base} -p {self.port} -c listen_addresses='' -c fsync=off "
                   "-c max_connections=300")
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.base / "log"), "-w", "start")
        if self.pooled:
            self._start_pgbouncer()

    def _start_pgbouncer(self) -> None:
        """PgBouncer on a loopback port, every database of the cluster behind it."""
        config = self.base / "pgbouncer.ini"
        config.write_text(
            f"[databases]\n* = host={self.base} port={self.port} user=postgres\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {self.pooler_port}\n"
            f"unix_socket_dir =\nauth_type = any\nlogfile = {self.base / 'pgbouncer.log'}\n"
            "admin_users = postgres\n"  # SHOW POOLS (tests/test_deployment.py)
            # Copied in rather than %include-d: PgBouncer runs as postgres, who may not
            # read a checkout in a private folder.
            + POOLING_SETTINGS.read_text(encoding="utf-8")
            # Every test has its own database, hence its own pool: idle server connections
            # go at once, or hundreds of pools would exhaust PostgreSQL's connections.
            + "\nserver_idle_timeout = 1\n")
        self.pooler = subprocess.Popen([*self.as_user, pgbouncer_binary(), str(config)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        deadline = time.monotonic() + 10
        while not _answers(self.pooler_port):
            if self.pooler.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PgBouncer n'a pas démarré (voir {self.base}/pgbouncer.log)")
            time.sleep(0.1)

    def url(self, database: str = "postgres") -> str:
        if self.pooled:
            return f"postgresql+psycopg://postgres@127.0.0.1:{self.pooler_port}/{database}"
        return f"postgresql+psycopg://postgres@/{database}?host={self.base}&port={self.port}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its URL."""
        import psycopg

        with psycopg.connect(host=str(self.base), port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.pooler is not None:
            os.killpg(self.pooler.pid, signal.SIGTERM)
            self.pooler.wait(timeout=10)
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
