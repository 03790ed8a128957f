"""Many viewers at once: the app on a database, N headless Chromium viewers going round the
pages for a bounded time on loopback, and API clients asking the read API beside them.

    python tests/load/loadtest.py --database-url URL [--viewers 20] [--duration 120]
        [--api-clients 5]
    python tests/load/loadtest.py --surge [--viewers 60] [--ramp 60] [--duration 60]
        (the webinar surge through nginx and several app processes: tests/load/surge.py)

Each viewer is its own browser context (its own Streamlit session) and starts on a different
page. It opens its first page (and the presentation, which has no sidebar) by a link, a
full load; it reaches the others through the sidebar, as a reader does (no reload). A
visit is timed from the navigation to *rendered*: the script has finished, no skeleton is
left, and on the map page Leaflet has drawn its canvas. An error is a page that shows a
Streamlit exception, a JavaScript error, a request leaving 127.0.0.1, an HTTP error or a
visit that does not render within ``VISIT_TIMEOUT_MS``. Each API client (its own address,
``X-Forwarded-For``) goes round ``API_ROUTE`` — the read API and the embeddable cards — at
most ``API_REQUESTS_PER_MINUTE`` times a minute, below the server's limit: any answer but a
200 with a body in the asked format is an error. The server's resident memory is sampled
every second. Prints a French report, writes JSON, exits 1 when there was an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from browser import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_PREFIXES,
    MAP_CANVAS,
    MAP_FRAME,
    NO_SKELETON,
    READY,
    streamlit_process,
)

# The pages a room of readers opens, at national scale (editors' pages need a sign-in).
ROUTE = (
    "accueil?scope=national",
    "carte",
    "indicateurs?scope=national",
    "deploiement?scope=national",
    "comparer",
    "presentation?scope=national&lecture=pause",
    "donnees",
)
DEFAULT_PAGE = "accueil"  # served at "/"
ROUTE_COOKIE = "tne_route"  # set by nginx (deploy/nginx/snippets/tne-dash-affinity.conf)
VISIT_TIMEOUT_MS = 180_000
# What partners' tools ask the read API (public: no token), and how often each client asks
# (the server lets a client make 60 requests a minute).
API_ROUTE = (
    "api/v1/indicateurs?dep=95&from=2022-09-01&to=2023-04-17",
    "api/v1/territoires?dep=95",
    "embed/commune/95063",
    "api/v1/indicateurs?communes=95063&par=commune",
    "api/v1/vigilance?scope=departement:95&to=2023-04-17",
    "embed/departement/95",
    "api/v1/indicateurs?dep=95&theme=ent&par=departement&sortie=csv",
)
API_REQUESTS_PER_MINUTE = 40
API_TIMEOUT_S = 120
# One server holding 20 sessions (and the API's clients) stays under this (issue 20).
MEMORY_BOUND_MB = 1024


@dataclass
class LoadReport:
    """What the viewers saw: one time per visit, the errors, the server's memory."""

    viewers: int
    duration_s: float
    visits: dict[str, list[float]] = field(default_factory=dict)
    # Times by how the page was reached: "link" (a full load) or "sidebar" (no reload).
    by_way: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    # When each visit rendered (time.monotonic()), and the viewer's affinity cookie when a
    # proxy set one (deploy/nginx: which app process it talks to) — tests/load/surge.py.
    rendered_at: list[float] = field(default_factory=list)
    route: str = ""
    # Read API: one time per request, by address (its path, without the query).
    api_clients: int = 0
    api: dict[str, list[float]] = field(default_factory=dict)
    # CPU seconds over the run: the server process, and the whole machine (browsers included).
    server_cpu_s: float = 0.0
    machine_cpu_s: float = 0.0

    def record(self, page: str, way: str, elapsed_ms: float) -> None:
        self.visits.setdefault(page, []).append(elapsed_ms)
        self.by_way.setdefault(way, []).append(elapsed_ms)
        self.rendered_at.append(time.monotonic())

    def as_json(self) -> dict:
        every = [ms for times in self.visits.values() for ms in times]
        return {
            "viewers": self.viewers,
            "duration_s": self.duration_s,
            "visits": len(every),
            "errors": len(self.errors),
            "error_samples": self.errors[:20],
            "p50_ms": _percentile(every, 50),
            "p95_ms": _percentile(every, 95),
            "pages": {page: _summary(times) for page, times in self.visits.items()},
            "ways": {way: _summary(times) for way, times in self.by_way.items()},
            "server_rss_mb": {"start": self.rss_mb[0] if self.rss_mb else None,
                              "peak": max(self.rss_mb, default=None),
                              "end": self.rss_mb[-1] if self.rss_mb else None},
            "server_cpu_s": round(self.server_cpu_s, 1),
            "machine_cpu_s": round(self.machine_cpu_s, 1),
            "cores": os.cpu_count(),
            "api": {"clients": self.api_clients,
                    "requests": sum(len(times) for times in self.api.values()),
                    **_summary([ms for times in self.api.values() for ms in times]),
                    "addresses": {path: _summary(times) for path, times in self.api.items()}},
        }


def _summary(times: list[float]) -> dict:
    return {"visits": len(times), "p50_ms": _percentile(times, 50),
            "p95_ms": _percentile(times, 95)}


def _percentile(values: list[float], percent: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[percent - 1], 1)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_s() -> float:
    """Busy CPU seconds of the whole machine so far, every core added (Linux /proc)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _path_is(path: str):
    return lambda url: urlsplit(url).path == path


async def _rendered(page, path: str, timeout_ms: int = VISIT_TIMEOUT_MS) -> None:
    await page.wait_for_selector(READY, timeout=timeout_ms)
    await page.wait_for_function(NO_SKELETON, timeout=timeout_ms)
    await page.wait_for_timeout(300)
    await page.wait_for_selector(READY, timeout=timeout_ms)
    if path.startswith("carte"):
        frame = page.frame_locator(MAP_FRAME)
        await frame.locator(MAP_CANVAS).first.wait_for(timeout=timeout_ms)


async def guarded_context(browser, errors: list, width: int = 1440, height: int = 900):
    """A fresh browser context (a new session) where any request leaving this machine is
    aborted and written down in ``errors``."""
    context = await browser.new_context(viewport={"width": width, "height": height},
                                        locale="fr-FR")

    async def guard(route):
        if route.request.url.startswith(LOCAL_PREFIXES):
            await route.continue_()
        else:
            errors.append(f"requête sortante : {route.request.url}")
            await route.abort()

    await context.route("**/*", guard)
    return context


async def _viewer(number: int, browser, base: str, deadline: float,
                  report: LoadReport, timeout_ms: int = VISIT_TIMEOUT_MS,
                  min_visits: int = 0) -> None:
    """One reader through ``ROUTE`` until ``deadline`` and at least ``min_visits`` visits
    tried (a short run on a busy machine still moves through the sidebar); a visit that
    takes longer than ``timeout_ms`` is an error."""
    context = await guarded_context(browser, report.errors)
    page = await context.new_page()
    page.on("pageerror", lambda exc: report.errors.append(f"erreur JavaScript : {exc}"))
    step, on_sidebar_page, made = number, False, 0
    while time.monotonic() < deadline or made < min_visits:
        path = ROUTE[step % len(ROUTE)]
        step, made = step + 1, made + 1  # attempts: a failing server cannot hold it forever
        name = path.split("?")[0]
        # A reader moves through the sidebar (no reload); a link opens the first page and
        # the presentation (a projector page has no sidebar).
        by_link = not on_sidebar_page or name == "presentation"
        start = time.perf_counter()
        try:
            if by_link:
                address = path.removeprefix(DEFAULT_PAGE)  # the home page is served at "/"
                response = await page.goto(f"{base}/{address}", timeout=timeout_ms)
                if response is None or response.status >= 400:
                    report.errors.append(f"{path} : HTTP "
                                         f"{response.status if response else '?'}")
                    continue
            else:
                url_path = "" if name == DEFAULT_PAGE else name
                await page.locator(f'[data-testid="stSidebarNav"] a[href$="/{url_path}"]').click(
                    timeout=timeout_ms)
                await page.wait_for_url(_path_is(f"/{url_path}"), timeout=timeout_ms)
            await _rendered(page, path, timeout_ms)
            if await page.locator('[data-testid="stException"]').count():
                report.errors.append(f"{path} : exception affichée")
                continue
        except Exception as exc:  # noqa: BLE001 — a timeout or crash is an error to report
            report.errors.append(f"{path} : {type(exc).__name__} {str(exc)[-400:]}"
                                 f"{await _what_the_viewer_sees(page, number, path)}")
            continue
        on_sidebar_page = name != "presentation"
        report.record(name, "link" if by_link else "sidebar",
                      (time.perf_counter() - start) * 1000)
    report.route = next((c["value"] for c in await context.cookies()
                         if c["name"] == ROUTE_COOKIE), report.route)
    await context.close()


async def _what_the_viewer_sees(page, number: int, path: str) -> str:
    """After an error: the page's address, its menu links, any dialog over the page and a
    screenshot in artifacts/, so that a failure says what the viewer was looking at."""
    try:
        name = f"load-error-{number}-{path.split('?')[0]}"
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), timeout=10_000)
        links = await page.eval_on_selector_all(
            '[data-testid="stSidebarNav"] a', "els => els.map(e => e.getAttribute('href'))")
        dialogs = await page.locator('[role="dialog"]').all_inner_texts()
        state = await page.get_attribute('[data-testid="stApp"]', "data-test-script-state",
                                         timeout=5_000)
        return (f" | à l'écran : {page.url}, script {state}, menu {links}, "
                f"dialogues {[d[:80] for d in dialogs]}, capture artifacts/{name}.png")
    except Exception as exc:  # noqa: BLE001 — the diagnosis must not hide the error itself
        return f" | état de la page illisible : {type(exc).__name__}"


def _ask_api(url: str, client: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"X-Forwarded-For": client})
    try:
        with urllib.request.urlopen(request, timeout=API_TIMEOUT_S) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


async def _api_client(number: int, base: str, deadline: float, report: LoadReport) -> None:
    """One partner's tool, or a commune's website: the read API's addresses and the cards in
    turn, paced below the limit."""
    client, step, period = f"198.51.100.{number + 1}", number, 60 / API_REQUESTS_PER_MINUTE
    while time.monotonic() < deadline:
        address = API_ROUTE[step % len(API_ROUTE)]
        step += 1
        start = time.perf_counter()
        try:
            status, kind, body = await asyncio.to_thread(_ask_api, f"{base}/{address}",
                                                         client)
        except Exception as exc:  # noqa: BLE001 — a refused connection or timeout is an error
            report.errors.append(f"API {address} : {type(exc).__name__} {exc}")
            continue
        elapsed = time.perf_counter() - start
        wanted = ("text/csv" if "sortie=csv" in address
                  else "text/html" if address.startswith("embed/") else "application/json")
        if status != 200 or not kind.startswith(wanted) or not body:
            report.errors.append(f"API {address} : HTTP {status} {body[:200]!r}")
        else:
            report.api.setdefault(address.split("?")[0], []).append(elapsed * 1000)
        await asyncio.sleep(max(0.0, period - elapsed))


async def _sample_memory(pid: int, report: LoadReport, stop: asyncio.Event) -> None:
    while not stop.is_set():
        report.rss_mb.append(rss_mb(pid))
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except TimeoutError:
            pass


async def _drive(base: str, pid: int, viewers: int, duration: float,
                 api_clients: int, min_visits: int = 0) -> LoadReport:
    from playwright.async_api import async_playwright

    report = LoadReport(viewers=viewers, duration_s=duration, api_clients=api_clients)
    server_before, machine_before = process_cpu_s(pid), machine_cpu_s()
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_memory(pid, report, stop))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=CHROMIUM_ARGS)
        started = time.monotonic()
        deadline = started + duration
        await asyncio.gather(*(_viewer(n, browser, base, deadline, report,
                                       min_visits=min_visits)
                               for n in range(viewers)),
                             *(_api_client(n, base, deadline, report)
                               for n in range(api_clients)))
        # What was driven: more than asked when a viewer finished its least visits late.
        report.duration_s = max(duration, time.monotonic() - started)
        await browser.close()
    stop.set()
    await sampler
    report.server_cpu_s = process_cpu_s(pid) - server_before
    report.machine_cpu_s = machine_cpu_s() - machine_before
    return report


def run(database_url: str, viewers: int = 20, duration: float = 120,
        api_clients: int = 2, min_visits: int = 0) -> LoadReport:
    """Start the app on ``database_url`` and drive ``viewers`` and ``api_clients`` for
    ``duration`` seconds, each viewer making at least ``min_visits`` visits."""
    with streamlit_process(database_url) as (base, process):
        return asyncio.run(_drive(base, process.pid, viewers, duration, api_clients,
                                  min_visits))


def render(result: dict) -> str:
    """The report as a short French table."""
    rss = result["server_rss_mb"]
    lines = [f"{result['viewers']} spectateurs pendant {result['duration_s']:.0f} s : "
             f"{result['visits']} pages affichées, {result['errors']} erreur(s)",
             f"{'Page':<14}{'visites':>8}{'p50':>10}{'p95':>10}"]
    for page, t in sorted(result["pages"].items()):
        lines.append(f"{page:<14}{t['visits']:>8}{t['p50_ms']:>8.0f} ms{t['p95_ms']:>7.0f} ms")
    lines.append(f"{'toutes':<14}{result['visits']:>8}{result['p50_ms'] or 0:>8.0f} ms"
                 f"{result['p95_ms'] or 0:>7.0f} ms")
    for way, label in (("link", "par un lien"), ("sidebar", "par le menu")):
        if way in result["ways"]:
            t = result["ways"][way]
            lines.append(f"{label:<14}{t['visits']:>8}{t['p50_ms']:>8.0f} ms"
                         f"{t['p95_ms']:>7.0f} ms")
    api = result.get("api") or {}
    if api.get("clients"):
        lines.append(f"API de lecture : {api['clients']} clients, {api['requests']} requêtes, "
                     f"p50 {api['p50_ms'] or 0:.0f} ms, p95 {api['p95_ms'] or 0:.0f} ms")
        for path, t in sorted(api["addresses"].items()):
            lines.append(f"  /{path:<22}{t['visits']:>6}{t['p50_ms']:>8.0f} ms"
                         f"{t['p95_ms']:>7.0f} ms")
    bound = "dans" if (rss["peak"] or 0) <= MEMORY_BOUND_MB else "AU-DELÀ de"
    lines.append(f"Mémoire du serveur : {rss['start']} Mo au début, {rss['peak']} Mo au plus "
                 f"haut ({bound} la limite de {MEMORY_BOUND_MB} Mo), {rss['end']} Mo à la fin")
    lines.append(f"Processeur : le serveur {result['server_cpu_s']:.0f} s, toute la machine "
                 f"(navigateurs compris) {result['machine_cpu_s']:.0f} s, sur "
                 f"{result['cores']} cœurs × {result['duration_s']:.0f} s")
    lines += [f"  - {e}" for e in result["error_samples"]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("TNE_DASH_DATABASE_URL"))
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--duration", type=float, default=120, help="secondes")
    parser.add_argument("--api-clients", type=int, default=5,
                        help="clients de l'API de lecture à côté des spectateurs")
    parser.add_argument("--output", default="loadtest.json")
    # Webinar surge (tests/load/surge.py): the stack of deploy/stack.py, N viewers opening
    # the presentation's link through nginx within --ramp seconds, then watching --duration.
    parser.add_argument("--surge", action="store_true",
                        help="afflux d'un webinaire, à travers nginx (deploy/stack.py)")
    parser.add_argument("--apps", type=int, default=2, help="--surge : processus de l'app")
    parser.add_argument("--ramp", type=float, default=60, help="--surge : secondes")
    parser.add_argument("--link", default="presentation", help="--surge : lien ouvert")
    parser.add_argument("--scale", choices=("tne", "national"), default="tne",
                        help="--surge : base construite par la pile")
    args = parser.parse_args()
    if args.surge:
        from surge import surge_main  # tests/load/surge.py (this folder)

        return surge_main(args)
    if not args.database_url:
        parser.error("--database-url (ou TNE_DASH_DATABASE_URL) est requis")
    result = run(args.database_url, args.viewers, args.duration, args.api_clients).as_json()
    Path(args.output).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
    print(render(result))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
