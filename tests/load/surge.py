"""Viewers through the production stack (deploy/stack.py: nginx in front of several app
processes): the webinar surge, and the reading round with an app process killed.

    python tests/load/loadtest.py --surge [--viewers 60] [--ramp 60] [--duration 30]
        [--apps 2] [--link presentation] [--scale tne|national]

The surge: a presenter sends the presentation's link and N attendees open it within
``--ramp`` seconds (viewer i at i × ramp / N); once all have it on screen, they watch for
``--duration`` seconds while
the slides play and refresh themselves. Each attendee is its own browser context, hence its
own nginx cookie and Streamlit session, all from 127.0.0.1 — as attendees behind one company
gateway. An error: a JavaScript error, a Streamlit exception, an HTTP error, a request
leaving 127.0.0.1, the presentation's « base injoignable » notice, a link not rendered
within ``VISIT_TIMEOUT_MS``, or a page no longer rendered at the end. Reports the server's
CPU (every app process) per viewer: to open the link, and per minute of watching.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "deploy"))

from browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from load.loadtest import (  # noqa: E402
    ROUTE_COOKIE,
    VISIT_TIMEOUT_MS,
    LoadReport,
    _percentile,
    _rendered,
    _viewer,
    guarded_context,
    machine_cpu_s,
    process_cpu_s,
    rss_mb,
)

UNREACHABLE_NOTICE = "base injoignable"
# A line of nginx's access log: which app process answered a browser's cookie.
ROUTED = re.compile(r"route=(?P<route>\S+) upstream=(?P<upstream>[^ ]+(?:, [^ ]+)*) rt=")
EXCEPTION = '[data-testid="stException"]'


class TimedErrors(list):
    """A report's error list that also notes when each error came (time.monotonic())."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, item) -> None:
        super().append(item)
        self.times.append(time.monotonic())


def _cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += process_cpu_s(pid)
        except (FileNotFoundError, ProcessLookupError):
            pass  # a process killed during the run: its CPU until then is already counted
    return total


def _rss(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += rss_mb(pid)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return round(total, 1)


async def _route_of(context) -> str:
    return next((c["value"] for c in await context.cookies() if c["name"] == ROUTE_COOKIE), "")


# -- the webinar surge ----------------------------------------------------------------------


@dataclass
class SurgeReport:
    viewers: int
    ramp_s: float
    hold_s: float
    link: str
    apps: int
    open_ms: list[float] = field(default_factory=list)
    open_at: list[float] = field(default_factory=list)  # when each link rendered
    errors: list[str] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    cpu_open_s: float = 0.0   # every app process, from the first link opened to the last
    cpu_watch_s: float = 0.0  # every app process, while everyone watches
    watch_s: float = 0.0
    opened_in_s: float = 0.0  # from the first link opened to the last one rendered
    # Seconds the attendees already in spent watching while the others opened the link.
    watched_while_opening_s: float = 0.0
    done: int = 0  # attendees who left (after watching, or on an error)
    machine_cpu_s: float = 0.0
    wall_s: float = 0.0

    def as_json(self) -> dict:
        watching_minutes = self.viewers * self.watch_s / 60
        per_minute = self.cpu_watch_s / watching_minutes if watching_minutes else None
        # The opening phase's CPU less what the attendees already in cost by watching.
        opening_only = max(0.0, self.cpu_open_s - (per_minute or 0) *
                           self.watched_while_opening_s / 60)
        return {
            "mode": "surge",
            "viewers": self.viewers, "ramp_s": self.ramp_s, "hold_s": self.hold_s,
            "link": self.link, "apps": self.apps,
            "opened": len(self.open_ms),
            "errors": len(self.errors), "error_samples": self.errors[:20],
            "open_p50_ms": _percentile(self.open_ms, 50),
            "open_p95_ms": _percentile(self.open_ms, 95),
            "open_max_ms": round(max(self.open_ms), 1) if self.open_ms else None,
            "opened_in_s": round(self.opened_in_s, 1),
            "server_cpu_open_s": round(self.cpu_open_s, 1),
            "server_cpu_per_open_s": (round(opening_only / self.viewers, 3)
                                      if self.viewers else None),
            "watched_while_opening_s": round(self.watched_while_opening_s),
            "server_cpu_watch_s": round(self.cpu_watch_s, 1),
            "watch_s": round(self.watch_s, 1),
            "server_cpu_per_viewer_minute_s": (round(per_minute, 3)
                                               if per_minute is not None else None),
            "viewers_per_core_watching": (round(60 / per_minute) if per_minute else None),
            "server_rss_mb": {"start": self.rss_mb[0] if self.rss_mb else None,
                              "peak": max(self.rss_mb, default=None),
                              "end": self.rss_mb[-1] if self.rss_mb else None},
            "machine_cpu_s": round(self.machine_cpu_s, 1),
            "wall_s": round(self.wall_s, 1),
            "cores": os.cpu_count(),
        }


async def _attendee(number: int, browser, base: str, link: str, start_at: float,
                    all_open: asyncio.Event, report: SurgeReport) -> None:
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    context = await guarded_context(browser, report.errors, 1280, 800)
    page = await context.new_page()
    page.on("pageerror", lambda exc: report.errors.append(f"{number} : erreur JavaScript : {exc}"))
    began = time.perf_counter()
    try:
        response = await page.goto(f"{base}/{link}", timeout=VISIT_TIMEOUT_MS)
        if response is None or response.status >= 400:
            report.errors.append(f"{number} : HTTP {response.status if response else '?'}")
            return
        await _rendered(page, link)
        report.open_ms.append((time.perf_counter() - began) * 1000)
        report.open_at.append(time.monotonic())
        report.routes.append(await _route_of(context))
        await all_open.wait()
        await asyncio.sleep(report.hold_s)
        # Still on the presentation, rendered, without an exception or the notice.
        await _rendered(page, link)
        if await page.locator(EXCEPTION).count():
            report.errors.append(f"{number} : exception affichée")
        if UNREACHABLE_NOTICE in (await page.locator("body").inner_text()):
            report.errors.append(f"{number} : « {UNREACHABLE_NOTICE} » affiché")
    except Exception as exc:  # noqa: BLE001 — a timeout or crash is an error to report
        report.errors.append(f"{number} : {type(exc).__name__} {str(exc)[-300:]}")
    finally:
        report.done += 1
        await context.close()


async def _sample(pids: list[int], samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(_rss(pids))
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except TimeoutError:
            pass


async def _surge(base: str, pids: list[int], viewers: int, ramp_s: float, hold_s: float,
                 link: str) -> SurgeReport:
    from playwright.async_api import async_playwright

    report = SurgeReport(viewers=viewers, ramp_s=ramp_s, hold_s=hold_s, link=link,
                         apps=len(pids))
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(pids, report.rss_mb, stop))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=CHROMIUM_ARGS)
        began = time.monotonic()
        cpu_start, machine_start = _cpu(pids), machine_cpu_s()
        all_open = asyncio.Event()
        tasks = [asyncio.create_task(_attendee(n, browser, base, link,
                                               began + n * ramp_s / viewers, all_open, report))
                 for n in range(viewers)]
        # Opening: until every attendee has rendered the link (or given up); then everyone
        # watches for hold_s seconds.
        while len(report.open_ms) + report.done < viewers:
            await asyncio.sleep(0.2)
        opened_at, cpu_opened = time.monotonic(), _cpu(pids)
        report.opened_in_s = opened_at - began
        report.watched_while_opening_s = sum(opened_at - t for t in report.open_at)
        all_open.set()
        await asyncio.sleep(hold_s)
        cpu_watched, watched_at = _cpu(pids), time.monotonic()
        await asyncio.gather(*tasks)
        report.cpu_open_s = cpu_opened - cpu_start
        report.cpu_watch_s = cpu_watched - cpu_opened
        report.watch_s = watched_at - opened_at
        report.machine_cpu_s = machine_cpu_s() - machine_start
        report.wall_s = time.monotonic() - began
        await browser.close()
    stop.set()
    await sampler
    return report


def surge(base: str, pids: list[int], viewers: int, ramp_s: float = 60, hold_s: float = 30,
          link: str = "presentation") -> SurgeReport:
    """``viewers`` attendees open ``base/link`` within ``ramp_s`` seconds, then watch
    ``hold_s`` seconds; ``pids``: the app processes whose CPU and memory are counted."""
    return asyncio.run(_surge(base, pids, viewers, ramp_s, hold_s, link))


def viewers_by_process(access_log: str, routes: list[str]) -> dict[str, int]:
    """How many of ``routes`` (nginx cookies) each app process served first (nginx's access
    log, format ``tne_route`` of deploy/nginx/snippets/tne-dash-affinity.conf)."""
    first: dict[str, str] = {}
    for match in ROUTED.finditer(access_log):
        first.setdefault(match["route"], match["upstream"].split(",")[-1].strip())
    counts: dict[str, int] = {}
    for route in routes:
        if route in first:
            counts[first[route]] = counts.get(first[route], 0) + 1
    return counts


def render_surge(result: dict) -> str:
    """The surge's report as short French lines."""
    lines = [
        f"Afflux : {result['viewers']} spectateurs ouvrent « /{result['link']} » en "
        f"{result['ramp_s']:.0f} s à travers nginx ({result['apps']} processus), puis "
        f"regardent {result['hold_s']:.0f} s : {result['opened']} ouvertures, "
        f"{result['errors']} erreur(s)",
        f"Ouverture du lien : p50 {result['open_p50_ms'] or 0:.0f} ms, p95 "
        f"{result['open_p95_ms'] or 0:.0f} ms, au plus {result['open_max_ms'] or 0:.0f} ms ; "
        f"tous ouverts en {result['opened_in_s']:.0f} s",
        f"Processeur des processus de l'app : {result['server_cpu_open_s']:.1f} s pendant les "
        f"ouvertures, dont {result['server_cpu_per_open_s'] or 0:.2f} s par ouverture (le "
        f"visionnage des spectateurs déjà là déduit), "
        f"{result['server_cpu_watch_s']:.1f} s pendant {result['watch_s']:.0f} s de "
        f"visionnage ({result['server_cpu_per_viewer_minute_s'] or 0:.3f} s par spectateur "
        f"et par minute : un cœur tient ≈ {result['viewers_per_core_watching'] or '—'} "
        f"spectateurs qui regardent)",
        "Spectateurs par processus : " + ", ".join(
            f"{process} {count}" for process, count in sorted(
                result.get("viewers_by_process", {}).items())),
        f"Mémoire des processus de l'app : {result['server_rss_mb']['start']} Mo au début, "
        f"{result['server_rss_mb']['peak']} Mo au plus haut",
        f"Toute la machine (navigateurs compris) : {result['machine_cpu_s']:.0f} s de "
        f"processeur en {result['wall_s']:.0f} s sur {result['cores']} cœurs",
    ]
    lines += [f"  - {e}" for e in result["error_samples"]]
    return "\n".join(lines)


def surge_main(args) -> int:
    """``loadtest.py --surge``: start the stack, run the surge, print and write the report."""
    from stack import Stack

    print(f"Démarrage de la pile (PostgreSQL principale et réplique, PgBouncer, {args.apps} "
          "processus, nginx)…", file=sys.stderr)
    with Stack(apps=args.apps, scale=args.scale) as stack:
        pids = list(stack.app_pids().values())
        report = surge(stack.base_url, pids, args.viewers, args.ramp, args.duration, args.link)
        result = report.as_json()
        result["viewers_by_process"] = viewers_by_process(stack.access_log(), report.routes)
    Path(args.output).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
    print(render_surge(result))
    return 1 if result["errors"] else 0


# -- the reading round with a failure ---------------------------------------------------------


FAILURE_VISIT_TIMEOUT_MS = 60_000


@dataclass
class FailureRound:
    """One report per viewer (its errors timed), the watchers' reloads, when it failed."""

    reports: list[LoadReport]
    reloads: list[dict]
    failed_at: float
    server_cpu_s: float
    machine_cpu_s: float


async def _watch_then_reload(number: int, browser, base: str, link: str, route: str,
                             ready: asyncio.Semaphore, failed: asyncio.Event,
                             failed_at: list[float], reloads: list[dict]) -> None:
    """A viewer on ``link`` (a view held by its address), with nginx's cookie ``route``
    when given (which process it talks to); once the failure happened, it reloads the page —
    its address unchanged — and times it until rendered."""
    errors: list[str] = []
    context = await guarded_context(browser, errors, 1280, 800)
    if route:
        await context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": base}])
    page = await context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"erreur JavaScript : {exc}"))
    result = {"watcher": number, "link": link, "errors": errors}
    try:
        await page.goto(f"{base}/{link}", timeout=VISIT_TIMEOUT_MS)
        await _rendered(page, link)
        result["route"] = await _route_of(context)
        result["url_before"] = page.url
        result["title_before"] = await page.locator("h1").first.inner_text()
        ready.release()
        await failed.wait()
        await page.reload(timeout=VISIT_TIMEOUT_MS)
        await _rendered(page, link)
        result["recovered_s"] = round(time.monotonic() - failed_at[0], 2)
        result["url_after"] = page.url
        result["title_after"] = await page.locator("h1").first.inner_text()
        result["exception"] = await page.locator(EXCEPTION).count() > 0
    except Exception as exc:  # noqa: BLE001 — reported, the test says what failed
        errors.append(f"{type(exc).__name__} {str(exc)[-300:]}")
        ready.release()
    finally:
        reloads.append(result)
        await context.close()


async def _failure_round(base: str, pids: list[int], viewers: int, duration: float,
                         failure_at: float, failure: Callable[[], None],
                         watch_links: tuple[tuple[str, str], ...]) -> FailureRound:
    from playwright.async_api import async_playwright

    reports = [LoadReport(viewers=1, duration_s=duration) for _ in range(viewers)]
    for report in reports:
        report.errors = TimedErrors()
    reloads: list[dict] = []
    failed, failed_at = asyncio.Event(), []
    cpu_start, machine_start = _cpu(pids), machine_cpu_s()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=CHROMIUM_ARGS)
        ready = asyncio.Semaphore(0)
        watchers = [asyncio.create_task(_watch_then_reload(n, browser, base, link, route,
                                                           ready, failed, failed_at, reloads))
                    for n, (link, route) in enumerate(watch_links)]
        deadline = time.monotonic() + duration
        # A visit caught on the killed process waits for a page that never comes: 60 s is
        # its error, not the load script's 180 s (the viewers of the other process render
        # in seconds).
        round_ = asyncio.gather(*(_viewer(n, browser, base, deadline, reports[n],
                                          timeout_ms=FAILURE_VISIT_TIMEOUT_MS)
                                  for n in range(viewers)))
        await asyncio.sleep(failure_at)
        for _ in watch_links:  # the failure comes once every watcher has its view
            await ready.acquire()
        failed_at.append(time.monotonic())
        await asyncio.to_thread(failure)
        failed.set()
        await round_
        await asyncio.gather(*watchers)
        await browser.close()
    return FailureRound(reports=reports, reloads=reloads, failed_at=failed_at[0],
                        server_cpu_s=_cpu(pids) - cpu_start,
                        machine_cpu_s=machine_cpu_s() - machine_start)


def round_with_a_failure(base: str, pids: list[int], viewers: int, duration: float,
                         failure_at: float, failure: Callable[[], None],
                         watch_links: tuple[tuple[str, str], ...] = ()) -> FailureRound:
    """The load script's reading round (``loadtest._viewer``) through ``base`` for
    ``duration`` seconds, ``failure()`` called after ``failure_at`` seconds, once each
    ``(link, nginx cookie)`` of ``watch_links`` is rendered for one more viewer, who reloads
    it after the failure."""
    result: list[FailureRound] = []
    # In a thread of its own: the caller may hold a Playwright (sync API) event loop.
    worker = threading.Thread(target=lambda: result.append(asyncio.run(_failure_round(
        base, pids, viewers, duration, failure_at, failure, watch_links))))
    worker.start()
    worker.join()
    if not result:
        raise RuntimeError("la tournée des spectateurs n'a pas abouti (voir la sortie)")
    return result[0]
