"""Deployed as in production, and broken the way production breaks.

One stack for the module, started by the project's own script (deploy/stack.py) with
Debian's binaries: a PostgreSQL primary and its streaming replica, PgBouncer in front of
both, two app processes, nginx. The tests stop and restart its parts under live viewers.
With CI=true a missing nginx, PgBouncer or PostgreSQL fails the run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser import chromium_page, require_playwright_and_chromium, wait_until_rendered
from required import missing

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

from stack import NGINX_SNIPPETS, Stack, app_command, missing_binaries  # noqa: E402

from tne_dash.config import Settings  # noqa: E402
from tne_dash.store.db import UNREACHABLE  # noqa: E402

pytestmark = pytest.mark.browser

ROUTED = re.compile(r"route=(?P<route>\S+) upstream=(?P<upstream>[^ ]+(?:, [^ ]+)*) rt=")
FALLBACK_LINE = "Réplique en lecture injoignable"
PROJECTOR = "presentation?scope=national&diapos=chiffres&lecture=pause&intervalle=5"
PROJECTOR_NOTICE = "base injoignable, derniers chiffres affichés"


@pytest.fixture(scope="module")
def debian_packages() -> None:
    """nginx, PgBouncer and PostgreSQL are installed (required in CI)."""
    lacking = missing_binaries()
    if lacking:
        missing("Pile de déploiement",
                f"paquets Debian absents : {', '.join(lacking)} (make test les installe)")


@pytest.fixture(scope="module")
def stack(debian_packages):
    with Stack(apps=2) as running:
        yield running


def served_by(stack: Stack, route: str, at_least: int = 1) -> list[str]:
    """The app processes (127.0.0.1:port) that answered the browser holding ``route``, in
    order — the last of a line when nginx had to try another one. nginx writes a line once
    the answer is sent: wait (a little) for ``at_least`` of them."""
    deadline = time.monotonic() + 5
    while True:
        found = [m["upstream"].split(",")[-1].strip()
                 for m in ROUTED.finditer(stack.access_log()) if m["route"] == route]
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def get(url: str, route: str | None = None) -> tuple[int, str]:
    """GET ``url`` (with nginx's cookie ``route``); the status and the cookie set, if any."""
    request = urllib.request.Request(url, headers={"Cookie": f"tne_route={route}"}
                                     if route else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        cookies = [c.split(";")[0] for c in answer.headers.get_all("Set-Cookie") or []]
        ours = [c.removeprefix("tne_route=") for c in cookies if c.startswith("tne_route=")]
        return answer.status, ours[0] if ours else ""


def routes_for_each_process(stack: Stack, tries: int = 40) -> dict[str, str]:
    """One nginx cookie value per app process, found by asking nginx."""
    found: dict[str, str] = {}
    for n in range(tries):
        route = f"sonde{n:04d}"
        get(f"{stack.base_url}/_stcore/health", route)
        found.setdefault(served_by(stack, route)[-1], route)  # one line: this request
        if len(found) == len(stack.app_ports):
            break
    return found


def body_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


# -- the stack is the one the deploy/ files describe ----------------------------------------


def test_the_app_processes_run_the_command_of_the_systemd_unit(stack):
    assert app_command("tne-dash", 8501)[1:] == ["run", "--address", "127.0.0.1", "--port",
                                                 "8501"]
    for port, process in stack.app_processes.items():
        assert process.popen.args[1:] == ["run", "--address", "127.0.0.1", "--port", str(port)]


def test_nginx_accepts_uploads_above_the_import_limit():
    locations = (NGINX_SNIPPETS / "tne-dash-locations.conf").read_text(encoding="utf-8")
    body_max_mb = int(re.search(r"client_max_body_size (\d+)m;", locations).group(1))
    assert body_max_mb > Settings().import_max_mb


def test_the_production_nginx_site_is_valid_for_debians_nginx(debian_packages, tmp_path):
    """deploy/nginx/tne-dash.conf as it would sit in sites-enabled (its certificates and log
    folder swapped for test ones) passes ``nginx -t``."""
    import shutil

    from stack import NGINX_SITE, _binary

    if not shutil.which("openssl"):
        missing("openssl", "commande absente (paquet Debian openssl)")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=tne.example.fr", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    (tmp_path / "snippets").symlink_to(NGINX_SNIPPETS)
    site = (NGINX_SITE.read_text(encoding="utf-8")
            .replace("/etc/ssl/tne.example.fr.pem", str(tmp_path / "cert.pem"))
            .replace("/etc/ssl/tne.example.fr.key", str(tmp_path / "key.pem"))
            .replace("/var/log/nginx/", f"{tmp_path}/"))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n    include site.conf;\n}}\n")
    done = subprocess.run([_binary("nginx"), "-t", "-p", str(tmp_path), "-c",
                           str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "test is successful" in done.stderr, done.stderr


def _answer(url: str, method: str = "GET") -> tuple[int, dict, str]:
    """``url`` asked with ``method`` (a POST with an empty body): the status, the headers and
    the body, an error status included."""
    request = urllib.request.Request(url, data=b"" if method == "POST" else None, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read().decode("utf-8")
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read().decode("utf-8")


API_LIMIT = 60  # the burst of the tne_api zone (deploy/nginx/snippets/tne-dash-limits.conf)


def test_nginx_counts_a_client_s_api_requests_for_the_whole_site_whatever_process_answers(
        stack):
    """Each app process counts 60 requests a minute on its own: without nginx's zone, two
    processes would let one address make about 120. Through nginx, beyond 60 at once, 429
    with the API's French answer and Retry-After — and the app processes never saw those."""
    before = len(stack.access_log().splitlines())
    answers = [_answer(f"{stack.base_url}/api/v1/openapi.json") for _ in range(API_LIMIT + 20)]
    statuses = [status for status, _, _ in answers]
    served = statuses.count(200)
    # Every request of the burst is answered at once; the bucket refills by one a second.
    assert API_LIMIT <= served <= API_LIMIT + 5 and statuses.count(429) == len(answers) - served
    status, headers, body = next(answer for answer in answers if answer[0] == 429)
    assert json.loads(body) == {"erreur": "Trop de requêtes depuis votre adresse : au plus 60 "
                                          "par minute. Réessayez dans une minute.",
                                "statut": 429}
    assert headers["Retry-After"] == "60" and headers["Content-Type"] == "application/json"
    lines = stack.access_log().splitlines()[before:]
    upstreams = {m["upstream"] for line in lines if '" 200 ' in line
                 for m in [ROUTED.search(line)] if m}
    assert len(upstreams) == 2  # both processes answered: each counted fewer than 60
    assert all("upstream=-" in line for line in lines if '" 429 ' in line)


def test_nginx_limits_sign_in_tries_per_address_with_a_french_answer(stack):
    """Beyond 10 tries at once from one address, nginx answers itself, in French; the app's
    own throttle (per account and per client) is behind it."""
    answers = [_answer(f"{stack.base_url}/auth/connexion", "POST") for _ in range(14)]
    refused = [body for status, _, body in answers if status == 429]
    assert 1 <= len(refused) <= 4 and all(status != 429 for status, _, _ in answers[:10])
    assert refused[0] == ("Trop de tentatives de connexion depuis votre adresse. "
                          "Réessayez dans une minute.\n")


def test_viewers_sharing_one_address_are_spread_over_the_processes_each_kept_on_its_own(stack):
    routes = [get(f"{stack.base_url}/")[1] for _ in range(16)]
    assert len(set(routes)) == 16 and all(re.fullmatch(r"[0-9a-f]{32}", r) for r in routes)
    first = {route: served_by(stack, route)[0] for route in routes}
    assert len(set(first.values())) == 2  # one address (127.0.0.1), both processes used
    for route in routes[:6]:
        status, cookie = get(f"{stack.base_url}/_stcore/health", route)
        assert status == 200 and cookie == ""  # the cookie is set once
        assert set(served_by(stack, route, at_least=2)) == {first[route]}


def test_psycopg_prepares_no_statement_behind_pgbouncer_in_transaction_pooling(stack):
    from sqlalchemy import text

    from tne_dash.store.db import make_engine

    engine = make_engine(stack.primary_url)
    try:
        connections = [engine.connect() for _ in range(3)]
        for _ in range(8):  # psycopg would prepare from the 5th execution
            for conn in connections:
                assert conn.execute(text("SELECT count(*) FROM departement "
                                         "WHERE code > :c"), {"c": "0"}).scalar() > 90
                conn.commit()
        assert connections[0].connection.driver_connection.prepare_threshold is None
        for conn in connections:
            conn.close()
    finally:
        engine.dispose()


# -- reads to the replica, writes (and the editors' reads) to the primary -----------------------


@pytest.fixture
def replica_env(monkeypatch, writable_built_url, tmp_path) -> str:
    """A primary (a copy of the built test database) and a « replica » file that differs by
    its build date only: the page « Données et méthodes » says which one it read."""
    import shutil
    import sqlite3

    replica = tmp_path / "replica.sqlite"
    shutil.copy(writable_built_url.removeprefix("sqlite:///"), replica)
    with sqlite3.connect(replica) as conn:
        conn.execute("UPDATE metadata SET value = 'REPLIQUE' WHERE key = 'built_at'")
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", writable_built_url)
    monkeypatch.setenv("TNE_DASH_READ_DATABASE_URL", f"sqlite:///{replica}")
    return writable_built_url


def built_on(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Base construite le"))


@pytest.mark.parametrize(("who", "reads"), [("public", "replica"), ("editor", "primary"),
                                            ("after a write", "primary")])
def test_the_public_reads_the_replica_editors_and_writers_the_primary(replica_env, who, reads):
    from apptest import open_page
    from streamlit.testing.v1 import AppTest

    from tne_dash.access import Account, Role
    from tne_dash.ui.data import WROTE_KEY

    if who == "after a write":  # the session has written (refresh_after_write), then reads
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.session_state[WROTE_KEY] = True
        at.switch_page("pages/donnees.py")
        at.run()
    else:
        at = open_page("donnees.py", Account("claire", Role.EDITEUR, frozenset({"95"}))
                       if who == "editor" else None)
    assert not at.exception
    assert ("REPLIQUE" in built_on(at)) == (reads == "replica")


# -- the database breaks ----------------------------------------------------------------------


def test_a_public_viewer_reads_figures_from_the_replica_while_the_primary_is_stopped(stack):
    require_playwright_and_chromium()
    stack.stop_primary()
    try:
        with chromium_page() as (page, outside, errors):
            page.goto(f"{stack.base_url}/?scope=national")
            wait_until_rendered(page)
            text = body_text(page)
            assert "Ateliers" in text and "injoignable" not in text
            assert not page.locator('[data-testid="stException"]').count()
            assert errors == [] and outside == []
    finally:
        stack.start_primary()


def workshops_file(path: Path, rows: int) -> Path:
    """A valid workshop template file (deploy tests: Bezons, one row a day, references)."""
    from tne_dash.store.imports.workshops import COLUMNS

    start = dt.date(2024, 1, 1)
    values = {"code_insee": "95063", "type_lieu": "médiathèque", "phase": "acculturation",
              "format": "café des parents", "thematiques": "ENT", "duree_minutes": "90",
              "animateur": "CNFS", "nb_parents": "12", "nb_nouveaux_parents": "7",
              "nb_enfants": "0"}
    lines = [";".join(COLUMNS)]
    for n in range(rows):
        row = values | {"date": f"{start + dt.timedelta(days=n % 700):%d/%m/%Y}",
                        "lieu": f"Salle {n // 700}", "reference": f"DEP-{n}"}
        lines.append(";".join(row[column] for column in COLUMNS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_cut_by_a_primary_restart_writes_nothing_then_lands_whole(stack, tmp_path):
    rows = 4000
    csv = workshops_file(tmp_path / "ateliers.csv", rows)
    env = dict(os.environ, TNE_DASH_DATABASE_URL=stack.primary_url)
    command = [stack._tne_dash(), "import", "workshops", str(csv), "--user", "essai"]

    def counts(port: int) -> list[int]:
        return [int(v) for v in stack._psql(port, "tne", "SELECT count(*) FROM workshop",
                                            "SELECT count(*) FROM import_batch").split()]

    before = counts(stack.primary_port)
    cut = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    # Restart the primary once the import holds its lock: it is writing, in its transaction.
    while cut.poll() is None and stack._psql(
            stack.primary_port, "tne", "SELECT count(*) FROM pg_locks WHERE locktype = "
            "'advisory' AND objid = 7042020 AND granted").strip() == "0":
        time.sleep(0.05)
    assert cut.poll() is None, "l'import s'est terminé avant la coupure : fichier trop petit"
    time.sleep(0.3)
    stack.restart_primary()
    out, err = cut.communicate(timeout=60)
    assert cut.returncode != 0
    assert "rien n'a été enregistré" in out + err
    assert counts(stack.primary_port) == before  # all-or-nothing: nothing

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert counts(stack.primary_port) == [before[0] + rows, before[1] + 1]  # all of it
    stack.replica_caught_up()
    assert counts(stack.replica_port) == [before[0] + rows, before[1] + 1]


def test_with_the_replica_stopped_reads_fall_back_to_the_primary_with_a_line_in_the_log(stack):
    require_playwright_and_chromium()
    stack.stop_replica()
    try:
        with chromium_page() as (page, outside, errors):
            page.goto(f"{stack.base_url}/deploiement?scope=departement:95")
            wait_until_rendered(page)
            text = body_text(page)
            assert "Val-d'Oise" in text and "injoignable" not in text
            assert not page.locator('[data-testid="stException"]').count() and errors == []
            route = next(c["value"] for c in page.context.cookies()
                         if c["name"] == "tne_route")
        port = served_by(stack, route)[-1].rsplit(":", 1)[1]
        log = stack.app_processes[int(port)].log.read_text(encoding="utf-8")
        assert FALLBACK_LINE in log
        assert stack.password not in log  # the line names the replica, password hidden
    finally:
        stack.start_replica()


def test_a_projector_shows_a_french_notice_while_postgresql_is_down_then_its_figures(stack):
    require_playwright_and_chromium()
    pids = stack.app_pids()
    with chromium_page() as (page, outside, errors):
        page.goto(f"{stack.base_url}/{PROJECTOR}")
        wait_until_rendered(page)
        page.get_by_text("mis à jour à").wait_for(timeout=30_000)
        stack.stop_replica()
        stack.stop_primary()
        try:
            page.get_by_text(PROJECTOR_NOTICE).wait_for(timeout=45_000)
            assert "Ateliers" in page.locator("body").inner_text()  # the last figures stay
            other = page.context.new_page()  # same browser, same process: a page opened now
            other.goto(f"{stack.base_url}/?scope=national")
            wait_until_rendered(other, timeout_ms=60_000)
            assert UNREACHABLE in body_text(other)
            back = time.monotonic()
            stack.start_primary()
            page.get_by_text(PROJECTOR_NOTICE).wait_for(state="detached", timeout=45_000)
            recovered_s = time.monotonic() - back
            other.reload()
            wait_until_rendered(other)
            assert "Ateliers" in body_text(other) and UNREACHABLE not in body_text(other)
        finally:
            if not _answers(stack.primary_port):
                stack.start_primary()
            stack.start_replica()
        assert errors == [] and outside == []
    assert stack.app_pids() == pids  # no app process restarted
    print(f"figures back {recovered_s:.1f} s after PostgreSQL")
    assert recovered_s < 30


def _answers(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


# -- an app process dies ------------------------------------------------------------------------


def test_a_killed_app_process_sends_its_viewers_to_another_and_the_others_see_no_error(stack):
    require_playwright_and_chromium()
    from load.surge import round_with_a_failure

    by_process = routes_for_each_process(stack)
    victim, survivor = sorted(by_process)
    victim_port = int(victim.rsplit(":", 1)[1])
    # One watcher on a map on each process: the victim's must find its map's frame on the
    # survivor (app.py declares the map's component on every process's first run).
    watch = (("carte?dep=95", by_process[victim]), ("carte?dep=86", by_process[survivor]))
    pids = list(stack.app_pids().values())
    try:
        result = round_with_a_failure(stack.base_url, pids, viewers=3, duration=25,
                                      failure_at=5, failure=lambda: stack.kill_app(victim_port),
                                      watch_links=watch)
    finally:
        stack.start_app(victim_port)
    # The watchers: each reloads its address and finds its view, the victim's on the survivor.
    for reload in result.reloads:
        assert reload["errors"] == [], reload
        assert reload["url_after"] == reload["url_before"], reload
        assert reload["title_after"] == reload["title_before"] and not reload["exception"]
    victim_reload = next(r for r in result.reloads if r["route"] == by_process[victim])
    assert served_by(stack, by_process[victim])[-1] == survivor
    # The round's viewers: none of the survivor's saw an error.
    for report in result.reports:
        processes = served_by(stack, report.route)
        if processes and processes[0] == survivor:
            assert list(report.errors) == [], report.errors
        else:
            # The victim's: no error before the kill (what follows is the kill itself; the
            # watcher above proves the view comes back on the survivor).
            assert all(t >= result.failed_at for t in report.errors.times), report.errors
    print(f"victim's view back on the other process {victim_reload['recovered_s']} s after "
          "the kill")


# -- PgBouncer under the suite's database tests -------------------------------------------


def test_the_suite_s_postgresql_tests_run_behind_pgbouncer_in_transaction_pooling(
        postgres_cluster):
    """Every PostgreSQL test of the suite (imports, builds, migrations, indicators…) gets
    its URL from this cluster: through PgBouncer, pooling as deploy/ configures it."""
    import psycopg
    from sqlalchemy import text

    from tne_dash.store.db import make_engine

    assert postgres_cluster.pooled, "PgBouncer absent : make test l'installe"
    url = postgres_cluster.create_database("pooled")
    assert f":{postgres_cluster.pooler_port}/" in url
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT 1")) == 1
    engine.dispose()
    with psycopg.connect(host="127.0.0.1", port=postgres_cluster.pooler_port, user="postgres",
                         dbname="pgbouncer", autocommit=True, prepare_threshold=None) as admin:
        cursor = admin.execute("SHOW POOLS")
        columns = [c.name for c in cursor.description]
        pools = {row[columns.index("database")]: row[columns.index("pool_mode")]
                 for row in cursor.fetchall()}
    assert pools["pooled"] == "transaction"


# -- the webinar surge ------------------------------------------------------------------------


def test_a_webinar_surge_through_nginx_opens_every_link_and_counts_the_server_cpu(stack):
    require_playwright_and_chromium()
    from load.surge import render_surge, surge, viewers_by_process

    report = surge(stack.base_url, list(stack.app_pids().values()), viewers=4, ramp_s=4,
                   hold_s=6, link="presentation?intervalle=5")
    result = report.as_json() | {"viewers_by_process": viewers_by_process(
        stack.access_log(), report.routes)}
    assert result["errors"] == 0, result["error_samples"]
    assert result["opened"] == 4 and sum(result["viewers_by_process"].values()) == 4
    assert result["server_cpu_open_s"] > 0 and result["server_cpu_per_open_s"] >= 0
    assert result["server_cpu_per_viewer_minute_s"] > 0
    text = render_surge(result)
    assert text.startswith("Afflux : 4 spectateurs ouvrent « /presentation?intervalle=5 »")
    assert "0 erreur(s)" in text and "par spectateur" in text
