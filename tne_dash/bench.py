"""``tne-dash bench``: ratios measured in one run (never asserted in tests).

- **Pages**: each page's warm rerun against its **floor**, the SQL that page issued on its
  cold run replayed directly on the database (``record_sql`` then ``replay_ms``); the page
  runs themselves live in ``ui/page_bench.py`` (they need Streamlit).
- **Map**: a 20 000-point venue layer built the naive way (one ``folium.Marker`` per point
  in a ``MarkerCluster``) against ours (one JSON array drawn as canvas circles and clustered
  in the browser), time and HTML payload.
- **Browser**: every page as a person sees it in headless Chromium (first and second view
  against an empty Streamlit page), filter changes through the widgets, the server's CPU per
  view (``browser_bench.py``), and the wall time of ``tne-dash --help``.
"""

from __future__ import annotations

import logging
import resource
import statistics
import time
from contextlib import contextmanager
from random import Random

import folium
import pandas as pd
from folium import plugins
from sqlalchemy import Engine, func, select

from tne_dash import maps
from tne_dash.labels import format_number
from tne_dash.store import models
from tne_dash.store.db import make_engine
from tne_dash.vocabulary import VenueKind

# Tables whose row counts tell the scale a benchmark ran at (the JSON's ``scale``).
SCALE_TABLES = (models.Departement, models.Commune, models.CnfsStructure, models.School,
                models.Venue, models.Workshop, models.WorkshopTheme,
                models.ParentsRessourcesCount, models.RolloutYear, models.Objective)


def scale_counts(engine: Engine) -> dict[str, int]:
    """Row counts of the tables that make the scale, by table name."""
    with engine.connect() as conn:
        return {m.__tablename__: conn.execute(select(func.count()).select_from(m)).scalar_one()
                for m in SCALE_TABLES}


def peak_rss_mb() -> float:
    """The largest resident memory of this process so far, in MB (Linux: ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

MAP_POINTS = 20_000


def synthetic_venues(points: int, seed: int = 42) -> pd.DataFrame:
    """Venues scattered over metropolitan France, with kinds, names and workshop counts."""
    rng = Random(seed)
    kinds = [k.value for k in VenueKind]
    rows = [(i, f"Lieu n° {i}", rng.choice(kinds), "Commune", rng.uniform(42.5, 51.0),
             rng.uniform(-4.5, 8.0), rng.randint(0, 40)) for i in range(points)]
    return pd.DataFrame(rows, columns=["id", "name", "kind", "commune", "lat", "lon",
                                       "workshops"])


def _naive(venues: pd.DataFrame) -> folium.Map:
    m = maps.base_map()
    cluster = plugins.MarkerCluster(name="Lieux").add_to(m)
    for row in venues.itertuples():
        folium.Marker([row.lat, row.lon], tooltip=maps.tooltip_html(row.name)).add_to(cluster)
    return m


def _ours(venues: pd.DataFrame) -> folium.Map:
    m = maps.base_map()
    maps.points_layer(maps.venue_layer(venues, VenueKind.labels())).add_to(m)
    return m


def _timed(build, venues: pd.DataFrame) -> tuple[float, int]:
    start = time.perf_counter()
    m = build(venues)
    size = maps.payload_bytes(m)  # rendering is part of the cost: the browser needs the HTML
    return (time.perf_counter() - start) * 1000, size


def map_benchmark(points: int = MAP_POINTS) -> dict:
    """Naive vs our venue layer for ``points`` points, in one run."""
    venues = synthetic_venues(points)
    naive_ms, naive_bytes = _timed(_naive, venues)
    ours_ms, ours_bytes = min(_timed(_ours, venues) for _ in range(3))
    return {"points": points, "naive_ms": round(naive_ms, 1), "ours_ms": round(ours_ms, 1),
            "speedup": round(naive_ms / ours_ms, 1), "naive_bytes": naive_bytes,
            "ours_bytes": ours_bytes}


def benchmark(database_url: str, points: int = MAP_POINTS, progress=lambda page: None,
              chromium: str | None = None) -> dict:
    """The whole benchmark in one run, as the stable JSON object operators track.

    ``chromium``: the browser's executable (Debian's by default); when it or Playwright is
    missing, ``browser``, ``changes``, ``cpu_ms_per_view`` and ``elements`` say so
    (``available``: false, a French ``reason``) and everything else is measured."""
    from tne_dash.browser_bench import CHROMIUM, browser_benchmark, cli_help_ms
    from tne_dash.element_costs import element_benchmark
    from tne_dash.ui.page_bench import empty_page_ms, measure_pages

    engine = make_engine(database_url)
    with streamlit_bare_mode_quiet():
        pages = measure_pages(database_url, engine, progress)
        result = {
            "database": engine.dialect.name,
            "scale": scale_counts(engine),
            "pages": {name: timing.as_json() for name, timing in pages.items()},
            "empty_page_ms": round(empty_page_ms(), 1),
            "search": search_benchmark(engine),
            "map": map_benchmark(points),
            "peak_rss_mb": peak_rss_mb(),
        }
    engine.dispose()
    result |= browser_benchmark(database_url, chromium=chromium or CHROMIUM, progress=progress)
    progress("navigateur : coût des éléments")
    result["elements"] = element_benchmark(chromium or CHROMIUM)
    result["cli_help_ms"] = cli_help_ms()
    return result


# What Streamlit says when its functions run outside a server (the pages run through AppTest,
# cached functions called bare): true, expected here, and not the bench's to print.
BARE_MODE_LOGGERS = ("streamlit.runtime.scriptrunner_utils.script_run_context",
                     "streamlit.runtime.caching.cache_data_api")


@contextmanager
def streamlit_bare_mode_quiet():
    """Streamlit's bare-mode warnings (« missing ScriptRunContext », « No runtime found »)
    hidden while the in-process phase runs; anything graver still shows. A filter, not a
    level: Streamlit sets its loggers' levels again when a page starts."""
    loggers = [logging.getLogger(name) for name in BARE_MODE_LOGGERS]

    def graver(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR

    for logger in loggers:
        logger.addFilter(graver)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(graver)


# What people type in Comparer's search: a name, a prefix, a code, a single letter.
SEARCH_QUERIES = ("saint ouen", "bez", "95063", "e", "sainte marie")


def search_benchmark(engine: Engine) -> dict:
    """Comparer's commune search over every commune of the database, per keystroke."""
    from tne_dash.figures.search import search_communes, with_folded_names
    from tne_dash.store.queries import all_communes

    with engine.connect() as conn:
        index = with_folded_names(all_communes(conn))
    times = []
    for query in SEARCH_QUERIES:
        start = time.perf_counter()
        search_communes(index, query)
        times.append((time.perf_counter() - start) * 1000)
    return {"communes": len(index), "queries": len(times),
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1)}


def render_table(result: dict) -> str:
    """The benchmark as a short French table."""
    scale = result["scale"]
    lines = [
        f"Base de données : {result['database']} — {format_number(scale['commune'])} communes, "
        f"{format_number(scale['venue'])} lieux, {format_number(scale['workshop'])} ateliers",
        "",
        f"{'Page':<14}{'à froid':>10}{'à chaud':>10}{'plancher SQL':>14}{'rapport':>9}",
    ]
    for page, t in result["pages"].items():
        cold, warm, floor = (format_number(t[k]) for k in ("cold_ms", "warm_ms", "floor_ms"))
        lines.append(f"{page:<14}{cold:>7} ms{warm:>7} ms{floor:>11} ms{t['ratio']:>9.2f}")
    m = result["map"]
    lines += [
        f"(rapport = à chaud / plancher ; objectif ≤ 1,5. Une relance d'une page vide coûte "
        f"{result['empty_page_ms']:.0f} ms : c'est le minimum d'une page sans requête.)",
        "",
        f"Carte — couche de {format_number(m['points'])} lieux",
        f"  naïve (un Marker par point)   : {m['naive_ms']:>9.1f} ms  "
        f"{m['naive_bytes'] / 1e6:6.2f} Mo",
        f"  la nôtre (canvas + cluster JS): {m['ours_ms']:>9.1f} ms  "
        f"{m['ours_bytes'] / 1e6:6.2f} Mo",
        f"  rapport : {m['speedup']:.0f}× plus rapide, "
        f"{m['naive_bytes'] / m['ours_bytes']:.1f}× plus léger",
        "",
        f"Recherche de communes (Comparer) parmi {format_number(result['search']['communes'])} : "
        f"{result['search']['median_ms']:.0f} ms par frappe en médiane, "
        f"{result['search']['max_ms']:.0f} ms au plus",
        f"Mémoire résidente maximale : {format_number(result['peak_rss_mb'])} Mo",
        "",
        *browser_lines(result),
    ]
    return "\n".join(lines)


def _ms(value: float) -> str:
    return f"{format_number(value)} ms"


def element_lines(elements: dict) -> list[str]:
    """What each kind of element adds to a page in the browser (``element_costs``)."""
    if not elements["available"]:
        return ["", f"Coût des éléments : non mesuré — {elements['reason']}"]
    lines = ["", f"Coût des éléments dans le navigateur (pages sans données ; page vide du même "
                 f"serveur : {_ms(elements['empty_page_ms'])}) :",
             f"  {'Page de':<52}{'vue':>10}{'en plus':>10}{'par élément':>13}"]
    lines += [f"  {str(k['count']) + ' ' + k['what']:<52}{_ms(k['ms']):>10}"
              f"{_ms(k['extra_ms']):>10}{_ms(k['per_element_ms']):>13}"
              for k in elements["kinds"].values()]
    return lines


def browser_lines(result: dict) -> list[str]:
    """The browser sections of the table, in French (rows indented: a row never starts with
    a page's name, which starts its line in the table above)."""
    browser, changes, cpu = result["browser"], result["changes"], result["cpu_ms_per_view"]
    lines = []
    if not browser["available"]:
        lines.append(f"Navigateur : non mesuré — {browser['reason']}")
    else:
        lines += [
            f"Dans le navigateur (Chromium sans écran, jusqu'à la page rendue) — page vide : "
            f"{_ms(browser['empty_page']['ms'])}",
            f"  {'Page':<14}{'1re vue':>11}{'2e vue':>11}{'1re/vide':>10}{'2e/vide':>9}"
            f"{'CPU/vue':>11}",
        ]
        for page, t in browser["pages"].items():
            lines.append(
                f"  {page:<14}{_ms(t['first_ms']):>11}{_ms(t['second_ms']):>11}"
                f"{format_number(t['first_ratio'], 2):>10}{format_number(t['second_ratio'], 2):>9}"
                f"{_ms(cpu['pages'][page]):>11}")
        lines.append(f"(1re vue : paramètres jamais vus du serveur ; 2e vue : mêmes paramètres, "
                     f"médiane de {browser['second_views']} ; chaque vue dans un contexte neuf.)")
    if changes["available"]:
        lines += ["", f"Changements de filtre, de l'action à la page rendue (objectif "
                      f"{_ms(changes['goal_ms'])}) :"]
        lines += [f"  {name:<20}{_ms(c['ms']) if c['ms'] is not None else 'échec':>10}  "
                  f"{c['what']}" for name, c in changes["changes"].items()]
    lines += element_lines(result["elements"])
    if cpu["available"]:
        lines += ["", f"Processeur du serveur : {_ms(cpu['median'])} par vue en médiane, soit "
                      f"{format_number(cpu['views_per_second_per_core'], 1)} vues/s par cœur "
                      f"(page vide : {_ms(cpu['empty_page'])} par vue)"]
    lines.append(f"tne-dash --help : {_ms(result['cli_help_ms'])}")
    return lines
