"""The whole production stack on one machine, from the project's own deploy/ files, with
Debian's binaries: a PostgreSQL primary and its streaming read replica (pg_basebackup -R),
PgBouncer in front of both (deploy/pgbouncer/), N app processes (the command of
deploy/systemd/tne-dash@.service) and nginx (deploy/nginx/), every port on loopback, every
file in one folder.

    python deploy/stack.py [--apps 2] [--port 8080] [--scale tne|national] [--dir DIR]

starts it, prints the addresses, and stops it cleanly on Ctrl-C (the folder is removed
unless --dir was given). tests/test_deployment.py starts it as a fixture (``Stack``) and
breaks its parts: the primary restarted, the replica stopped, an app process killed.

Run as root, PostgreSQL, PgBouncer and nginx run as the ``postgres`` user Debian's package
creates (PostgreSQL and PgBouncer refuse root); the app processes run as the caller.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
PROJECT_ROOT = DEPLOY.parent
NGINX_SITE = DEPLOY / "nginx" / "tne-dash.conf"
NGINX_SNIPPETS = DEPLOY / "nginx" / "snippets"
SNIPPETS = ("tne-dash-affinity.conf", "tne-dash-limits.conf", "tne-dash-locations.conf")
PGBOUNCER_POOLING = DEPLOY / "pgbouncer" / "tne-dash-pooling.ini"
APP_UNIT = DEPLOY / "systemd" / "tne-dash@.service"
DATABASE, USER, REPLICATOR = "tne", "tne", "replicator"
# The two entries of PgBouncer's [databases] (deploy/pgbouncer/pgbouncer.ini).
PRIMARY_ENTRY, REPLICA_ENTRY = "tne", "tne_replica"


def postgres_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin (Debian's postgresql package)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"),
                   key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


def missing_binaries() -> list[str]:
    """What this machine lacks to run the stack (Debian package names)."""
    lacking = [] if postgres_bin_dir() else ["postgresql"]
    for name, package in (("nginx", "nginx"), ("pgbouncer", "pgbouncer")):
        if not _binary(name):
            lacking.append(package)
    return lacking


def _binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_command(tne_dash: str, port: int) -> list[str]:
    """The app process's command: ExecStart of deploy/systemd/tne-dash@.service, its binary
    replaced by ``tne_dash`` and ``%i`` by the port."""
    line = next(raw for raw in APP_UNIT.read_text(encoding="utf-8").splitlines()
                if raw.startswith("ExecStart="))
    words = line.removeprefix("ExecStart=").split()
    return [tne_dash, *(w.replace("%i", str(port)) for w in words[1:])]


def upstream_block(servers: list[str]) -> str:
    """The site's ``upstream tne_dash`` block (deploy/nginx/tne-dash.conf) with its server
    lines replaced by ``servers``, each with the parameters the site gives its first one."""
    site = NGINX_SITE.read_text(encoding="utf-8")
    block = re.search(r"^upstream tne_dash \{.*?^\}", site, re.MULTILINE | re.DOTALL).group(0)
    example = re.search(r"^\s*server\s+\S+\s*([^;]*);", block, re.MULTILINE)
    parameters = example.group(1).strip()
    lines = [line for line in block.splitlines()
             if not re.match(r"^\s*#?\s*server\s", line) and not line.strip().startswith("#")]
    ours = [f"    server {address} {parameters};" for address in servers]
    return "\n".join([*lines[:-1], *ours, lines[-1]])


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path


@dataclass
class Stack:
    """The stack in ``base`` (a new temporary folder by default); ``start()``, ``stop()``."""

    apps: int = 2
    base: Path | None = None
    nginx_port: int | None = None
    scale: str = "tne"
    demo: bool = True
    python: str = sys.executable
    keep: bool = False
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    app_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.bin = postgres_bin_dir()
        self.keep = self.keep or self.base is not None
        self.base = Path(self.base or tempfile.mkdtemp(prefix="tne-dash-stack-"))
        self.base.mkdir(parents=True, exist_ok=True)
        self.as_service = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_service:
            shutil.chown(self.base, user="postgres")
        self.primary_port, self.replica_port = free_port(), free_port()
        self.pgbouncer_port = free_port()
        self.nginx_port = self.nginx_port or free_port()
        self.app_ports = [free_port() for _ in range(self.apps)]
        self.app_processes: dict[int, Process] = {}
        self.services: dict[str, Process] = {}
        self.replicator_password = secrets.token_urlsafe(18)
        self.cookie_secret = secrets.token_hex(32)

    # -- addresses ------------------------------------------------------------------------

    @property
    def primary_direct_url(self) -> str:
        """The primary itself (builds and migrations: `tne-dash init-db`, `db upgrade`)."""
        return self._url(self.primary_port, DATABASE)

    @property
    def replica_direct_url(self) -> str:
        return self._url(self.replica_port, DATABASE)

    @property
    def primary_url(self) -> str:
        """The primary through PgBouncer: TNE_DASH_DATABASE_URL of the app processes."""
        return self._url(self.pgbouncer_port, PRIMARY_ENTRY)

    @property
    def replica_url(self) -> str:
        """The replica through PgBouncer: TNE_DASH_READ_DATABASE_URL of the app processes."""
        return self._url(self.pgbouncer_port, REPLICA_ENTRY)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def _url(self, port: int, database: str) -> str:
        return f"postgresql+psycopg://{USER}:{self.password}@127.0.0.1:{port}/{database}"

    def _dir(self, name: str) -> Path:
        path = self.base / name
        path.mkdir(exist_ok=True)
        if self.as_service:
            shutil.chown(path, user="postgres")
        return path

    # -- start and stop -------------------------------------------------------------------

    def start(self) -> Stack:
        lacking = missing_binaries()
        if lacking:
            raise RuntimeError(f"Paquets Debian manquants : {', '.join(lacking)}")
        try:
            self.start_primary(initialise=True)
            self.build()
            self.make_replica()
            self.start_replica()
            self.start_pgbouncer()
            for port in self.app_ports:
                self.start_app(port, wait=False)
            for port in self.app_ports:
                self.wait_for_app(port)
            self.start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Everything stopped, the folder removed (unless kept)."""
        if "nginx" in self.services:
            self._service_signal("nginx", signal.SIGQUIT)
        for port in list(self.app_processes):
            self.stop_app(port)
        if "pgbouncer" in self.services:
            self._service_signal("pgbouncer", signal.SIGINT)
        for data in ("replica", "primary"):
            if (self.base / data / "postmaster.pid").exists():
                self._pg_ctl(data, "stop", "-m", "fast")
        if not self.keep:
            shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- PostgreSQL -----------------------------------------------------------------------

    def _run(self, *args: str, env: dict | None = None, service: bool = True) -> str:
        command = [*(self.as_service if service else []), *args]
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} : {done.stderr.strip() or done.stdout}")
        return done.stdout

    def _pg_ctl(self, data: str, action: str, *extra: str) -> None:
        port = self.primary_port if data == "primary" else self.replica_port
        options = (f"-p {port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=100")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.base / data), "-l",
                  str(self.base / f"{data}.log"), "-o", options, "-w", "-t", "60",
                  action, *extra)

    def start_primary(self, initialise: bool = False) -> None:
        if initialise:
            pwfile = self._dir("secrets") / "postgres"
            pwfile.write_text(self.password)
            self._run(str(self.bin / "initdb"), "-D", str(self.base / "primary"), "-U",
                      "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
                      "-E", "UTF8", "--locale=C.UTF-8")
        self._pg_ctl("primary", "start")
        if initialise:
            self._psql(self.primary_port, "postgres",
                       f"CREATE ROLE {USER} LOGIN PASSWORD '{self.password}'",
                       f"CREATE ROLE {REPLICATOR} REPLICATION LOGIN PASSWORD "
                       f"'{self.replicator_password}'",
                       f"CREATE DATABASE {DATABASE} OWNER {USER}")

    def _psql(self, port: int, database: str, *statements: str) -> str:
        """Each statement on its own (psql -c, one after the other), as the postgres user."""
        commands = [arg for sql in statements for arg in ("-c", sql)]
        return self._run(str(self.bin / "psql"), "-h", str(self.base), "-p", str(port), "-U",
                         "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt",
                         *commands)

    def stop_primary(self, mode: str = "fast") -> None:
        self._pg_ctl("primary", "stop", "-m", mode)

    def restart_primary(self) -> None:
        self._pg_ctl("primary", "restart", "-m", "fast")

    def build(self) -> None:
        """The reference data (and the demo activity) written on the primary, directly."""
        env = dict(os.environ, TNE_DASH_DATABASE_URL=self.primary_direct_url,
                   TNE_DASH_DEMO="true" if self.demo else "false")
        self._run(self._tne_dash(), "init-db", "--scale", self.scale, env=env, service=False)

    def make_replica(self) -> None:
        """pg_basebackup -R: a copy of the primary that streams its changes (standby.signal
        and primary_conninfo written by -R)."""
        env = dict(os.environ, PGPASSWORD=self.replicator_password)
        self._run(str(self.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p",
                  str(self.primary_port), "-U", REPLICATOR, "-D", str(self.base / "replica"),
                  "-X", "stream", "-R", "-c", "fast", env=env)

    def start_replica(self) -> None:
        self._pg_ctl("replica", "start")
        deadline = time.monotonic() + 30
        while self._psql(self.primary_port, "postgres",
                         "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
                         ).strip() == "0":
            if time.monotonic() > deadline:
                raise RuntimeError("la réplique ne suit pas la base principale")
            time.sleep(0.2)

    def stop_replica(self) -> None:
        self._pg_ctl("replica", "stop", "-m", "fast")

    def replica_caught_up(self, timeout: float = 10) -> None:
        """Wait until the replica has replayed everything the primary wrote so far."""
        target = self._psql(self.primary_port, "postgres",
                            "SELECT pg_current_wal_lsn()").strip()
        deadline = time.monotonic() + timeout
        while self._psql(self.replica_port, "postgres",
                         f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
                         ).strip() != "t":
            if time.monotonic() > deadline:
                raise RuntimeError("la réplique est en retard")
            time.sleep(0.1)

    # -- PgBouncer ------------------------------------------------------------------------

    def start_pgbouncer(self) -> None:
        folder = self._dir("pgbouncer")
        users = folder / "userlist.txt"
        users.write_text(f'"{USER}" "{self.password}"\n')
        users.chmod(0o600)
        config = folder / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"{PRIMARY_ENTRY} = host=127.0.0.1 port={self.primary_port} dbname={DATABASE}\n"
            f"{REPLICA_ENTRY} = host=127.0.0.1 port={self.replica_port} dbname={DATABASE}\n"
            "\n[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.pgbouncer_port}\n"
            "unix_socket_dir =\n"
            f"auth_type = scram-sha-256\nauth_file = {users}\n"
            f"logfile = {folder / 'pgbouncer.log'}\npidfile = {folder / 'pgbouncer.pid'}\n"
            # The pooling settings of deploy/pgbouncer/, copied in rather than %include-d:
            # PgBouncer runs as postgres, who may not read a checkout in a private folder.
            + PGBOUNCER_POOLING.read_text(encoding="utf-8"))
        if self.as_service:
            for path in (users, config):
                shutil.chown(path, user="postgres")
        self._spawn_service("pgbouncer", [_binary("pgbouncer"), str(config)])
        _wait_for_port(self.pgbouncer_port, "PgBouncer", self.services["pgbouncer"])

    # -- app processes --------------------------------------------------------------------

    def _tne_dash(self) -> str:
        return str(Path(self.python).parent / "tne-dash")

    def start_app(self, port: int, wait: bool = True) -> None:
        """One app process (``tne-dash run``), as systemd starts tne-dash@<port>."""
        folder = self._dir("app")
        env = dict(os.environ,
                   TNE_DASH_DATABASE_URL=self.primary_url,
                   TNE_DASH_READ_DATABASE_URL=self.replica_url,
                   TNE_DASH_ACCOUNTS_FILE=str(folder / "accounts.toml"),
                   TNE_DASH_SESSION_SECRET_FILE=str(folder / "session_secret"),
                   TNE_DASH_PUBLIC_URL=self.base_url,
                   STREAMLIT_SERVER_COOKIE_SECRET=self.cookie_secret,
                   STREAMLIT_SERVER_FILE_WATCHER_TYPE="none",
                   PYTHONUNBUFFERED="1",
                   **self.app_env)
        log = folder / f"app-{port}.log"
        popen = subprocess.Popen(app_command(self._tne_dash(), port), cwd=PROJECT_ROOT,
                                 env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                                 start_new_session=True)
        self.app_processes[port] = Process(f"app-{port}", popen, log)
        if wait:
            self.wait_for_app(port)

    def wait_for_app(self, port: int, timeout: float = 90) -> None:
        process = self.app_processes[port]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.popen.poll() is not None:
                raise RuntimeError(f"le processus {port} s'est arrêté ; voir {process.log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as answer:
                    if answer.read() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"le processus {port} ne répond pas ; voir {process.log}")

    def app_pids(self) -> dict[int, int]:
        """Port → pid of the Streamlit server of each running app process (``tne-dash run``
        starts it as a child)."""
        pids = {}
        for port, process in self.app_processes.items():
            children = Path(f"/proc/{process.popen.pid}/task/{process.popen.pid}/children")
            kids = children.read_text().split() if children.exists() else []
            pids[port] = int(kids[0]) if kids else process.popen.pid
        return pids

    def kill_app(self, port: int) -> None:
        """The process killed at once (SIGKILL to its whole group), as a crash would."""
        process = self.app_processes.pop(port)
        os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout=10)

    def stop_app(self, port: int) -> None:
        process = self.app_processes.pop(port)
        try:
            os.killpg(process.popen.pid, signal.SIGTERM)
            process.popen.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait(timeout=10)

    # -- nginx ----------------------------------------------------------------------------

    def start_nginx(self) -> None:
        folder = self._dir("nginx")
        temp = self._dir("nginx/tmp")
        servers = [f"127.0.0.1:{port}" for port in self.app_ports]
        config = folder / "nginx.conf"
        # The snippets of deploy/nginx/ copied next to the config: the services run as
        # postgres, who may not read a checkout in a private folder.
        for name in SNIPPETS:
            shutil.copyfile(NGINX_SNIPPETS / name, folder / name)
        temp_paths = "\n".join(f"    {kind}_temp_path {temp / kind};"
                               for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        config.write_text(f"""worker_processes 2;
worker_rlimit_nofile 8192;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 4096; }}
http {{
{temp_paths}
    include {folder / 'tne-dash-affinity.conf'};
    include {folder / 'tne-dash-limits.conf'};
    access_log {folder / 'access.log'} tne_route;
{upstream_block(servers)}
    server {{
        listen 127.0.0.1:{self.nginx_port};
        server_name localhost;
        include {folder / 'tne-dash-locations.conf'};
    }}
}}
""")
        nginx = _binary("nginx")
        self._run(nginx, "-t", "-q", "-p", str(folder), "-c", str(config), "-e",
                  str(folder / "error.log"))
        self._spawn_service("nginx", [nginx, "-p", str(folder), "-c", str(config), "-e",
                                      str(folder / "error.log"), "-g", "daemon off;"])
        _wait_for_port(self.nginx_port, "nginx", self.services["nginx"])

    def access_log(self) -> str:
        path = self.base / "nginx" / "access.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    # -- services -------------------------------------------------------------------------

    def _spawn_service(self, name: str, command: list[str]) -> None:
        log = self.base / f"{name}.out"
        popen = subprocess.Popen([*self.as_service, *command], stdout=open(log, "ab"),
                                 stderr=subprocess.STDOUT, start_new_session=True)
        self.services[name] = Process(name, popen, log)

    def _service_signal(self, name: str, signum: int) -> None:
        process = self.services.pop(name)
        try:
            os.killpg(process.popen.pid, signum)
            process.popen.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait(timeout=10)

    def describe(self) -> str:
        ports = ", ".join(str(p) for p in self.app_ports)
        return (f"Tableau de bord : {self.base_url}/ (nginx)\n"
                f"Processus de l'application : 127.0.0.1:{ports} (journaux {self.base}/app/)\n"
                f"PgBouncer : 127.0.0.1:{self.pgbouncer_port} ({PRIMARY_ENTRY}, "
                f"{REPLICA_ENTRY})\n"
                f"PostgreSQL : principale 127.0.0.1:{self.primary_port}, réplique "
                f"127.0.0.1:{self.replica_port} (rôle {USER}, mot de passe dans "
                f"{self.base}/secrets/postgres)\n"
                f"Dossier : {self.base}")


def _wait_for_port(port: int, name: str, process: Process, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{name} s'est arrêté ; voir {process.log}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{name} n'écoute pas sur le port {port} ; voir {process.log}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=2, help="processus de l'application")
    parser.add_argument("--port", type=int, default=8080, help="port de nginx (127.0.0.1)")
    parser.add_argument("--scale", choices=("tne", "national"), default="tne")
    parser.add_argument("--no-demo", dest="demo", action="store_false")
    parser.add_argument("--dir", type=Path, help="dossier gardé à l'arrêt (sinon temporaire)")
    args = parser.parse_args()
    stack = Stack(apps=args.apps, base=args.dir, nginx_port=args.port, scale=args.scale,
                  demo=args.demo)
    print("Démarrage de PostgreSQL (principale et réplique), PgBouncer, "
          f"{args.apps} processus et nginx…", file=sys.stderr)
    stack.start()
    print(stack.describe(), "\nCtrl-C pour tout arrêter.", file=sys.stderr)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        print("Arrêt…", file=sys.stderr)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
