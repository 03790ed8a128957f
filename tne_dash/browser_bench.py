"""Speed as a person sees it, for ``tne-dash bench``: every page timed in a real browser.

Debian's headless Chromium (``/usr/bin/chromium``, driven by Playwright; never a downloaded
browser) opens each page of the navigation, served by ``streamlit run serve.py`` on a free
loopback port, with every request that would leave 127.0.0.1 aborted:

- **first view**: a fresh browser context (a new Streamlit session) on parameters the server
  has never seen — its caches are cold for this page, its Python imports are not (the
  Données page is opened once before, so the first page does not pay them);
- **second view**: another fresh context on the same address — the server has seen it
  (median of ``SECOND_VIEWS``);
- the **empty page**: an app whose ``st.navigation`` holds one page that only writes a
  title, served by the same command and the same server (``ui/server.py``: the middleware,
  the TCP settings): the framework's floor in the browser (median of ``EMPTY_VIEWS``). Each
  page's ratios are its views over this floor;
- **changes**: in an open page, one filter changed through its widget as a person does it
  (click, typing), with a value never used, timed from the committing action (a click,
  Enter, or Escape for a typed date) until the page is rendered again;
- **server CPU** (user + system, the streamlit process and its children, from
  ``/proc/<pid>/stat``) over the second views, per view.

**Rendered** (``RENDERED``) means, checked on every animation frame: the app says
``data-test-script-state="notRunning"``, no skeleton is left, an ``h1`` is on the page, on
the map page a Leaflet canvas is drawn inside the map's iframe (the iframe holding a
``.leaflet-container``, whatever its title); after an action, at least one script run
started since the action (``running`` seen by a MutationObserver installed before the page's
own scripts) and, on the map, a map that is new or has a different number of layers. The
state flashes ``notRunning`` before the script starts, so the condition must hold on every
frame for ``STABLE_MS`` (at least two checks ~50 ms apart), with the same map state; the
time reported is when it first held in that stretch (the guard itself is not counted).
Times are wall-clock ms from the Python side's request (``goto`` or the committing action)
to that moment, read from the page's ``performance.timeOrigin + performance.now()``.

Every view is in a fresh context, and Playwright's request routing (which blocks the outside
world) disables the HTTP cache: these are first-visit times — Streamlit's 2.6 MB of
JavaScript is fetched each time, as for a person's first visit.

Playwright is imported inside the functions: without it (or without Chromium) the sections
say ``{"available": false, "reason": "…"}`` and the rest of the bench runs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from tne_dash import PROJECT_ROOT
from tne_dash.ui.navigation import PAGES, PageSpec
from tne_dash.ui.page_bench import NATIONAL_PARAMS

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying outside hosts.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
NO_SKELETON = "() => !document.querySelector('[data-testid=\"stSkeleton\"]')"
# Requests that stay on this machine; anything else is aborted.
LOCAL_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")
# The map's frame by its address (streamlit-folium's component page), not by its title: the app
# titles it in French (ui/territory_map.py, the same selector as MAP_FRAME_SELECTOR there).
MAP_FRAME = 'iframe[src*="/component/streamlit_folium.st_folium/"]'
MAP_CANVAS = ".leaflet-overlay-pane canvas"
VIEWPORT = {"width": 1440, "height": 1000}

SECOND_VIEWS = 3
EMPTY_VIEWS = 5
STABLE_MS = 50
VIEW_TIMEOUT_MS = 180_000
CHANGE_TIMEOUT_MS = 60_000
SERVER_START_S = 120
CHANGE_GOAL_MS = 600
# The Données page: opened once before measuring, so that the server has imported what the
# pages need (pandas, Altair, folium…) and the first views measure figures, not imports.
WARM_PAGE = "donnees"
EMPTY_APP = (
    '"""The empty page of tne-dash bench: Streamlit\'s own cost in the browser."""\n'
    "import streamlit as st\n\n\n"
    "def empty():\n"
    '    st.title("Page vide")\n\n\n'
    'st.navigation([st.Page(empty, title="Page vide")]).run()\n'
)
# The empty page's server: the app's own (ui/server.py, as serve.py), with no route and no
# page of ours — the same command, the same middleware, the same TCP settings.
EMPTY_SERVER = (
    '"""The server of tne-dash bench\'s empty page: the app\'s, around an empty page."""\n'
    "import streamlit as st\n\n"
    "from tne_dash.ui.server import middleware, send_small_answers_at_once\n\n"
    "send_small_answers_at_once()\n"
    "app = st.App({script!r}, middleware=middleware())\n"
)

# Counts the script runs the page shows (state leaving ``running``: a run ended), from the
# first byte. Each change of the state is its own record, even when a run from the cache
# starts and ends before the observer is called (it then reads « notRunning » twice: a
# counter that looked at the state alone missed that run and waited for nothing).
_RUN_COUNTER = """
window.__tneBench = {runs: 0, since: null, mapState: null};
new MutationObserver((records) => {
    for (const record of records) {
        if (record.type === 'attributes' && record.oldValue === 'running') {
            window.__tneBench.runs += 1;
        }
    }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""

# The map inside its iframe (the one holding a ``.leaflet-container``, whatever its title):
# null until Leaflet has drawn a canvas; else its number of layers. After an action, a map
# that is still the one marked before it, with as many layers, has not changed yet.
_MAP_STATE = """(bench) => {
    for (const frame of document.querySelectorAll('iframe')) {
        let win = null, doc = null;
        try { win = frame.contentWindow; doc = frame.contentDocument; } catch (e) { continue; }
        if (!doc || !win || !win.L || !doc.querySelector('.leaflet-container')) continue;
        const drawn = [...doc.querySelectorAll('.leaflet-overlay-pane canvas')]
            .some(c => c.width > 0 && c.height > 0);
        let map = null;
        try { map = Object.values(win).find(v => v instanceof win.L.Map); } catch (e) {}
        if (!drawn || !map) continue;
        const layers = Object.keys(map._layers).length;
        if (map.__tneOld && layers === bench.mapLayersBefore) continue;
        return String(layers);
    }
    return null;
}"""

# Before an action: the script runs so far; the map marked as the old one.
_BEFORE_ACTION = """() => {
    const bench = window.__tneBench;
    bench.mapLayersBefore = null;
    for (const frame of document.querySelectorAll('iframe')) {
        let win = null;
        try { win = frame.contentWindow; } catch (e) { continue; }
        if (!win || !win.L) continue;
        let map = null;
        try { map = Object.values(win).find(v => v instanceof win.L.Map); } catch (e) {}
        if (map) { map.__tneOld = true; bench.mapLayersBefore = Object.keys(map._layers).length; }
    }
    bench.since = null;
    return bench.runs;
}"""

# The rendered rule (module docstring); the epoch ms when it first held, once it has held
# for ``stableMs`` on every frame with the same map state.
RENDERED = """({map, runsAfter, stableMs}) => {
    const bench = window.__tneBench;
    const app = document.querySelector('[data-testid="stApp"]');
    const mapState = map ? (""" + _MAP_STATE + """)(bench) : '';
    const ok = !!app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"]')
        && !!document.querySelector('h1')
        && bench.runs > runsAfter
        && mapState !== null;
    const now = performance.timeOrigin + performance.now();
    if (!ok || mapState !== bench.mapState) {
        bench.since = ok ? now : null;
        bench.mapState = mapState;
        return false;
    }
    if (bench.since == null) { bench.since = now; return false; }
    return now - bench.since >= stableMs ? bench.since : false;
}"""


RENDERED_RULE = ("stApp notRunning, aucun squelette, un h1 ; Carte : canvas Leaflet dessiné "
                 "dans l'iframe de la carte ; après une action : un nouveau run du script "
                 f"(et une carte changée) ; tenu {STABLE_MS} ms d'affilée, daté de son début")


class BrowserUnavailable(RuntimeError):
    """Playwright or Chromium is missing: the browser sections say why, in French."""


def unavailable(reason: str) -> dict:
    return {"available": False, "reason": reason}


def check_browser(chromium: str = CHROMIUM) -> None:
    """Raise ``BrowserUnavailable`` (French reason) when Playwright or Chromium is missing."""
    if not (Path(chromium).is_file() and os.access(chromium, os.X_OK)):
        raise BrowserUnavailable(
            f"Chromium est introuvable : {chromium} (paquet Debian chromium ; make test "
            "l'installe).")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        raise BrowserUnavailable(
            "Playwright n'est pas installé (paquet Python playwright ; make test "
            "l'installe).") from exc


# --- The server -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_command(script: Path, port: int) -> list[str]:
    """``streamlit run`` headless on loopback, as ``tne-dash run`` and the browser tests do."""
    return [sys.executable, "-m", "streamlit", "run", str(script),
            "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
            "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"]


def wait_until_answering(process: subprocess.Popen, url: str, ready: Callable[[bytes], bool],
                         timeout_s: float, failure: str) -> None:
    """Poll ``url`` until its body is ``ready``; ``RuntimeError(failure)`` when ``process``
    exits or ``timeout_s`` passes first (servers of the bench and of the tests)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if ready(answer.read()):
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(failure)
        time.sleep(0.1)


@contextmanager
def streamlit_server(script: Path, database_url: str | None, log_path: Path | None = None,
                     **extra_env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """``streamlit run script`` from the project folder (its ``.streamlit/config.toml``) on a
    free loopback port, until ``/_stcore/health`` answers; yields its base URL and process."""
    port = free_port()
    env = dict(os.environ, **extra_env)
    if database_url:
        env["TNE_DASH_DATABASE_URL"] = database_url
    log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(streamlit_command(script, port), cwd=PROJECT_ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        where = f" ; voir {log_path}" if log_path else ""
        wait_until_answering(process, f"{base}/_stcore/health", lambda body: body == b"ok",
                             SERVER_START_S, f"Le serveur streamlit n'a pas démarré{where}.")
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log_path:
            log.close()


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) of process ``pid``, its live children and its reaped ones,
    in ms, from ``/proc``."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(stat_path: str) -> list[str]:
        with open(stat_path) as f:
            return f.read().rpartition(")")[2].split()  # after the command name

    own = fields(f"/proc/{pid}/stat")
    ticks = sum(int(v) for v in own[11:15])  # utime stime cutime cstime
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != pid:
            try:
                child = fields(f"/proc/{entry}/stat")
            except OSError:
                continue
            if int(child[1]) == pid:  # ppid
                ticks += int(child[11]) + int(child[12])
    return ticks * 1000 / tick


# --- The browser ----------------------------------------------------------------------------

@dataclass(frozen=True)
class View:
    """One view: time to rendered, the script runs the page showed, the HTTP requests of the
    page and its iframes with the bytes they brought, the bytes the websocket brought."""

    ms: float
    runs: int
    requests: int
    http_kb: float
    websocket_kb: float


# HTTP requests of the page and of its (same-origin) iframes, and the bytes they brought.
_REQUESTS = """() => {
    const windows = [window];
    for (const frame of document.querySelectorAll('iframe')) {
        try { if (frame.contentWindow.performance) windows.push(frame.contentWindow); }
        catch (e) {}
    }
    let count = 0, bytes = 0;
    for (const win of windows) {
        for (const entry of win.performance.getEntriesByType('resource')) {
            count += 1;
            bytes += entry.transferSize || 0;
        }
    }
    return [count, bytes];
}"""


@contextmanager
def chromium_browser(chromium: str = CHROMIUM):
    """Headless Chromium (Playwright), for as many fresh contexts as the bench needs."""
    check_browser(chromium)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def guard_outside(route) -> None:
    """Let requests to this machine through; abort every other."""
    if route.request.url.startswith(LOCAL_PREFIXES):
        route.continue_()
    else:
        route.abort()


@contextmanager
def fresh_page(browser):
    """A page in a fresh context (a new Streamlit session), offline, counting script runs."""
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    try:
        context.route("**/*", guard_outside)
        context.add_init_script(_RUN_COUNTER)
        yield context.new_page()
    finally:
        context.close()


def wait_rendered(page, runs_after: int, needs_map: bool,
                  timeout_ms: int = VIEW_TIMEOUT_MS) -> float:
    """Poll ``RENDERED`` on every animation frame; the epoch ms when it first held."""
    handle = page.wait_for_function(
        RENDERED, arg={"map": needs_map, "runsAfter": runs_after, "stableMs": STABLE_MS},
        polling="raf", timeout=timeout_ms)
    return float(handle.json_value())


def open_view(browser, url: str, needs_map: bool = False) -> View:
    """A fresh context opens ``url``: the ms from the request to rendered."""
    with fresh_page(browser) as page:
        received: list[int] = []
        page.on("websocket", lambda ws: ws.on(
            "framereceived", lambda payload: received.append(len(payload))))
        start = time.time() * 1000
        page.goto(url, wait_until="commit", timeout=VIEW_TIMEOUT_MS)
        rendered = wait_rendered(page, 0, needs_map)
        runs = page.evaluate("() => window.__tneBench.runs")
        requests, http_bytes = page.evaluate(_REQUESTS)
        return View(ms=rendered - start, runs=runs, requests=requests,
                    http_kb=http_bytes / 1024, websocket_kb=sum(received) / 1024)


def timed_change(page, action: Callable[[object], Callable[[], None]],
                 needs_map: bool = False) -> float:
    """``action(page)`` prepares a change (opens a list, types a value) and returns what
    commits it (a click, Enter, Escape); the ms from that commit until rendered again."""
    commit = action(page)
    runs = page.evaluate(_BEFORE_ACTION)
    start = time.time() * 1000
    commit()
    return wait_rendered(page, runs, needs_map, CHANGE_TIMEOUT_MS) - start


# --- The pages ------------------------------------------------------------------------------

def page_path(spec: PageSpec, params: dict[str, str] | None = None) -> str:
    """The address of a page: ``/`` for the default one, its URL path otherwise."""
    path = "/" if spec.default else f"/{spec.url_path}"
    return path + (f"?{urlencode(params)}" if params else "")


def national_path(spec: PageSpec) -> str:
    """The address a national viewer opens (``page_bench.NATIONAL_PARAMS``; Carte: France)."""
    return page_path(spec, NATIONAL_PARAMS.get(spec.file))


def needs_map(spec: PageSpec) -> bool:
    return spec.url_path == "carte"


def _ratio(value: float, floor: float) -> float:
    return round(value / floor, 2) if floor else float("nan")


def empty_page_views(browser, folder: Path,
                     views: int | None = None) -> tuple[list[View], float]:
    """The empty page, served by the same command, opened ``views`` (``EMPTY_VIEWS``) times
    after one view that only warms the server; its server's CPU ms per view."""
    views = views or EMPTY_VIEWS
    script = folder / "page_vide.py"
    script.write_text(EMPTY_APP, encoding="utf-8")
    server = folder / "serveur_vide.py"
    server.write_text(EMPTY_SERVER.format(script=str(script)), encoding="utf-8")
    with streamlit_server(server, None, folder / "page-vide.log") as (base, process):
        open_view(browser, f"{base}/")
        cpu_before = cpu_ms(process.pid)
        measured = [open_view(browser, f"{base}/") for _ in range(views)]
        return measured, (cpu_ms(process.pid) - cpu_before) / views


def measure_views(browser, base: str, pid: int, second_views: int | None = None,
                  progress=lambda step: None) -> dict[str, dict]:
    """First and second views (``SECOND_VIEWS``) of every page, and the server's CPU over
    the second views."""
    second_views = second_views or SECOND_VIEWS
    open_view(browser, f"{base}/{WARM_PAGE}")
    measured = {}
    for spec in PAGES:
        progress(f"navigateur : {spec.url_path}")
        url = base + national_path(spec)
        first = open_view(browser, url, needs_map(spec))
        cpu_before = cpu_ms(pid)
        seconds = [open_view(browser, url, needs_map(spec)) for _ in range(second_views)]
        cpu = (cpu_ms(pid) - cpu_before) / second_views
        measured[spec.url_path] = {"url": national_path(spec), "first": first,
                                   "seconds": seconds, "cpu_ms": cpu}
    return measured


# The changes: each action prepares a change as a person does it and returns what commits it.
def _typed_date(label: str, day: str, month: str, year: str):
    """A date typed in its day, month and year fields; Escape closes the calendar and commits
    it (Enter does not; leaving the field does too)."""
    def action(page):
        # Its accessible name is Streamlit's « day, … », said in French by the page's script
        # (« jour, … ») once it has run: either is the same field.
        name = re.compile(rf"^(day|jour), {re.escape(label)}$")
        page.get_by_role("spinbutton", name=name).first.click()
        page.keyboard.type(day + month + year)
        return lambda: page.keyboard.press("Escape")
    return action


def _chosen_in_list(label: str, typed: str, sidebar: bool = False):
    """A select box opened, a few letters typed, Enter picks the first match."""
    def action(page):
        root = page.locator('[data-testid="stSidebar"]') if sidebar else page
        root.get_by_label(label, exact=True).click()
        page.keyboard.type(typed)
        return lambda: page.keyboard.press("Enter")
    return action


def _option_clicked(label: str, typed: str, option: str):
    """A multiselect of the sidebar: a few letters typed, the option clicked (it reruns at
    once; Enter would pick « Select all » of the matches)."""
    def action(page):
        page.locator('[data-testid="stSidebar"]').get_by_label(label, exact=True).click()
        page.keyboard.type(typed)
        return page.get_by_role("option", name=option, exact=True).click
    return action


def _box_clicked(label: str):
    """A checkbox of the sidebar ticked or unticked."""
    def action(page):
        return page.locator('[data-testid="stSidebar"]').get_by_text(label, exact=True).click
    return action


@dataclass(frozen=True)
class Change:
    """A filter changed in an open page: what it is, the address opened first, and the
    actions — the same change with values the server has not been asked before, one sample
    each (``CHANGE_SAMPLES``; the Carte's layer switched off thrice: its parts are cached by
    design, its first switch as much as the others)."""

    name: str
    what: str
    path: str
    actions: tuple[Callable, ...]
    redraws_map: bool = False


# Each change is timed this many times, its median kept: one sample moved by ±150 ms from
# one run to the next on this project's shared machine.
CHANGE_SAMPLES = 3


def _last_school_year_end(today: dt.date) -> int:
    """The year of the last 30 June passed: the end of the last school year over."""
    return today.year if today >= dt.date(today.year, 7, 1) else today.year - 1


# A director's other usual date: the end of the last school year (its balance), where France
# has its most points de vigilance and curves — dearer than March 2023's dates.
_YEAR_END = str(_last_school_year_end(dt.date.today()))
# Each page its own days: Accueil, Déploiement and the Carte share the points of a date.
_ACCUEIL_YEAR_END_DAYS = (("31", "05"), ("15", "06"), ("30", "06"))
_DEPLOIEMENT_YEAR_END_DAYS = (("29", "05"), ("12", "06"), ("26", "06"))

CHANGES = (
    Change("accueil_date", "Accueil, France entière : la date « Jusqu'au » tapée "
           "(14, 21 puis 28/03/2023), validée par Échap", "/?scope=national",
           tuple(_typed_date("Jusqu'au", day, "03", "2023") for day in ("14", "21", "28"))),
    Change("accueil_territoire", "Accueil, France entière : « Territoire » → Vienne (86), "
           "Vendée (85) puis Vosges (88), choisi dans la liste", "/?scope=national",
           tuple(_chosen_in_list("Territoire", name)
                 for name in ("Vienne (86)", "Vendée (85)", "Vosges (88)"))),
    Change("indicateurs_filtre", "Indicateurs, Val-d'Oise (l'adresse d'un directeur : "
           "dep=95 ; la page lit dep, pas scope) : « Format d'atelier » → Permanence, Café "
           "des parents puis Atelier collectif", "/indicateurs?dep=95",
           tuple(_option_clicked("Format d'atelier", typed, option) for typed, option in (
               ("Perma", "Permanence"), ("Café", "Café des parents"),
               ("collectif", "Atelier collectif")))),
    Change("deploiement_date", "Déploiement, France entière : la date « Situation au » tapée "
           "(15, 22 puis 29/03/2023), validée par Échap", "/deploiement?scope=national",
           tuple(_typed_date("Situation au", day, "03", "2023") for day in ("15", "22", "29"))),
    Change("accueil_fin_d_annee", "Accueil, France entière : la date « Jusqu'au » tapée à "
           f"la fin de la dernière année scolaire (31/05, 15/06 puis 30/06/{_YEAR_END})",
           "/?scope=national", tuple(_typed_date("Jusqu'au", day, month, _YEAR_END)
                                     for day, month in _ACCUEIL_YEAR_END_DAYS)),
    Change("deploiement_fin_d_annee", "Déploiement, France entière : la date « Situation au » "
           f"tapée à la fin de la dernière année scolaire (29/05, 12/06 puis 26/06/{_YEAR_END})",
           "/deploiement?scope=national", tuple(_typed_date("Situation au", day, month, _YEAR_END)
                                                for day, month in _DEPLOIEMENT_YEAR_END_DAYS)),
    Change("carte_couche", "Carte, France : la couche « Lieux d'atelier » décochée, jusqu'à "
           "la carte redessinée", "/carte", (_box_clicked("Lieux d'atelier"),) * CHANGE_SAMPLES,
           redraws_map=True),
    Change("carte_departement", "Carte, France : « Territoire » → Val-d'Oise (95), Yvelines "
           "(78) puis Essonne (91), choisi dans la liste, jusqu'à la carte redessinée", "/carte",
           tuple(_chosen_in_list("Territoire", name, sidebar=True)
                 for name in ("Val-d'Oise (95)", "Yvelines (78)", "Essonne (91)")),
           redraws_map=True),
)


def measure_changes(browser, base: str, progress=lambda step: None) -> dict:
    """Each change of ``CHANGES``, each of its actions in a freshly opened page: ``ms`` the
    median, ``all_ms`` every sample, in ms."""
    result = {}
    for change in CHANGES:
        progress(f"changement : {change.name}")
        entry = {"what": change.what, "url": change.path}
        samples = []
        try:
            for action in change.actions[:CHANGE_SAMPLES]:
                with fresh_page(browser) as page:
                    page.goto(base + change.path, wait_until="commit", timeout=VIEW_TIMEOUT_MS)
                    wait_rendered(page, 0, change.redraws_map)
                    samples.append(round(timed_change(page, action, change.redraws_map), 1))
            entry |= {"ms": round(statistics.median(samples), 1), "all_ms": samples}
        except Exception as exc:  # noqa: BLE001 — one change that fails keeps the others
            entry |= {"ms": None, "all_ms": samples,
                      "error": f"{type(exc).__name__} : "
                               f"{str(exc).splitlines()[0] if str(exc) else ''}"}
        result[change.name] = entry
    return result


# --- The sections of the bench --------------------------------------------------------------

def browser_benchmark(database_url: str, chromium: str = CHROMIUM,
                      second_views: int | None = None, empty_views: int | None = None,
                      progress=lambda step: None) -> dict:
    """The ``browser``, ``changes`` and ``cpu_ms_per_view`` sections of ``tne-dash bench``;
    each says ``{"available": false, "reason": …}`` when it could not be measured."""
    try:
        check_browser(chromium)
    except BrowserUnavailable as exc:
        return dict.fromkeys(SECTIONS, unavailable(str(exc)))
    folder = Path(tempfile.mkdtemp(prefix="tne-dash-bench-"))  # the servers' logs stay there
    steps = ["démarrage"]
    told = progress

    def progress(step: str) -> None:  # the last step is named if the measure fails
        steps.append(step)
        told(step)

    try:
        with chromium_browser(chromium) as browser:
            progress("navigateur : page vide")
            empty, empty_cpu = empty_page_views(browser, folder, empty_views)
            with streamlit_server(PROJECT_ROOT / "serve.py", database_url,
                                  folder / "streamlit.log", **_scratch_secret(folder)) as (
                    base, process):
                views = measure_views(browser, base, process.pid, second_views, progress)
                changes = measure_changes(browser, base, progress)
    except Exception as exc:  # noqa: BLE001 — a browser failure must not lose the other sections
        reason = (f"la mesure dans le navigateur a échoué à l'étape « {steps[-1]} » "
                  f"({type(exc).__name__} : {str(exc).splitlines()[0] if str(exc) else ''})"
                  f" ; journaux dans {folder}")
        return dict.fromkeys(SECTIONS, unavailable(reason))
    return sections(empty, empty_cpu, views, changes)


SECTIONS = ("browser", "changes", "cpu_ms_per_view")


def _scratch_secret(folder: Path) -> dict[str, str]:
    """The sign-in cookie secret in the bench's folder, unless the environment gives one (as
    the browser tests do: the bench never writes the project's own secret file)."""
    if os.environ.get("TNE_DASH_SESSION_SECRET") or os.environ.get(
            "TNE_DASH_SESSION_SECRET_FILE"):
        return {}
    return {"TNE_DASH_SESSION_SECRET_FILE": str(folder / "session_secret")}


def _view_json(view: View) -> dict:
    return {"script_runs": view.runs, "requests": view.requests,
            "http_kb": round(view.http_kb, 1), "websocket_kb": round(view.websocket_kb, 1)}


def sections(empty: list[View], empty_cpu: float, views: dict[str, dict],
             changes: dict) -> dict:
    """The measures as the bench's JSON sections."""
    floor = round(statistics.median(v.ms for v in empty), 1)
    pages = {}
    for name, measured in views.items():
        first, seconds = measured["first"], measured["seconds"]
        first_ms = round(first.ms, 1)
        second_ms = round(statistics.median(v.ms for v in seconds), 1)
        pages[name] = {
            "url": measured["url"], "first_ms": first_ms, "second_ms": second_ms,
            "first_ratio": _ratio(first_ms, floor), "second_ratio": _ratio(second_ms, floor),
            "first_view": _view_json(first), "second_view": _view_json(seconds[-1]),
        }
    cpu = {name: round(measured["cpu_ms"], 1) for name, measured in views.items()}
    median_cpu = statistics.median(cpu.values())
    second_views = len(next(iter(views.values()))["seconds"])
    return {
        "browser": {
            "available": True,
            "rendered": RENDERED_RULE,
            "first_view": "contexte neuf, paramètres jamais vus du serveur (imports chauffés "
                          f"par une vue de /{WARM_PAGE}, dont la 1re vue est donc chaude)",
            "second_view": f"contexte neuf, mêmes paramètres ; médiane de {second_views}",
            "second_views": second_views,
            "empty_page": {"ms": floor, "views": len(empty),
                           "all_ms": [round(v.ms, 1) for v in empty], **_view_json(empty[-1])},
            "pages": pages,
        },
        "changes": {"available": True, "goal_ms": CHANGE_GOAL_MS,
                    "measured": "de l'action qui valide (clic, Entrée, Échap) à la page rendue ; "
                                f"médiane de {CHANGE_SAMPLES} valeurs jamais demandées",
                    "samples": CHANGE_SAMPLES,
                    "changes": changes},
        "cpu_ms_per_view": {
            "available": True,
            "measured": "utime + stime du serveur streamlit et de ses enfants (/proc), sur les "
                        f"2es vues, divisés par {second_views}",
            "pages": cpu, "median": round(median_cpu, 1), "empty_page": round(empty_cpu, 1),
            "views_per_second_per_core": round(1000 / median_cpu, 1) if median_cpu else None,
        },
    }


def cli_help_ms(runs: int = 3) -> float:
    """Wall time of ``tne-dash --help`` in a new interpreter, median of ``runs``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tne_dash.cli", "--help"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=PROJECT_ROOT)
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)
