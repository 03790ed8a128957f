"""Run every page in-process (Streamlit's AppTest) for ``tne-dash bench``: cold, then warm.

A page's **cold** run starts with empty caches; its **warm** run is the rerun a viewer gets
when they touch a widget (median of ``WARM_RUNS``). The SQL the cold run sent is recorded so
that ``bench.replay_ms`` can time it directly: the page's floor.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tne_dash import PROJECT_ROOT
from tne_dash.access import Account, Role
from tne_dash.store.sql_replay import record_sql, replay_ms
from tne_dash.ui.navigation import PAGES

APP = str(PROJECT_ROOT / "app.py")
WARM_RUNS = 3
# Generous: a cold page on a national database on a busy machine must not time out.
RUN_TIMEOUT = 600
# The editor the entry pages are measured for (they show nothing to an anonymous reader).
BENCH_EDITOR = Account("bench", Role.EDITEUR, frozenset({"95"}))
# Each page with the URL a national viewer would open; pages absent here open bare.
NATIONAL_PARAMS = {
    "accueil.py": {"scope": "national"},
    "indicateurs.py": {"scope": "national"},
    "deploiement.py": {"scope": "national"},
    "presentation.py": {"scope": "national", "lecture": "pause"},
}
EDITOR_PAGES = {"saisie.py", "importer.py"}
DATABASE_URL_VARIABLE = "TNE_DASH_DATABASE_URL"


@dataclass(frozen=True)
class PageTiming:
    """One page's measures, in milliseconds."""

    cold_ms: float
    warm_ms: float
    floor_ms: float

    @property
    def ratio(self) -> float:
        return self.warm_ms / self.floor_ms if self.floor_ms else float("nan")

    def as_json(self) -> dict:
        return {"warm_ms": round(self.warm_ms, 1), "floor_ms": round(self.floor_ms, 1),
                "ratio": round(self.ratio, 2), "cold_ms": round(self.cold_ms, 1)}


def _app_test(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    for key, value in NATIONAL_PARAMS.get(page, {}).items():
        at.query_params[key] = value
    if page in EDITOR_PAGES:
        at.session_state["tne_account"] = BENCH_EDITOR
    at.switch_page(f"pages/{page}")
    return at


def _timed_run(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = (time.perf_counter() - start) * 1000
    if at.exception:
        raise RuntimeError(f"La page a levé une exception : {at.exception[0].message}")
    return elapsed


def measure_page(page: str, engine: Engine) -> PageTiming:
    """Cold run (empty caches, SQL recorded), warm reruns, and the floor of the recorded SQL."""
    from tne_dash.ui import data  # the pages' loaders: imported with the pages they serve

    data.clear_figures()
    at = _app_test(page)
    with record_sql() as recorded:
        cold = _timed_run(at)
    warm = statistics.median(_timed_run(at) for _ in range(WARM_RUNS))
    return PageTiming(cold_ms=cold, warm_ms=warm, floor_ms=replay_ms(engine, recorded))


def measure_pages(database_url: str, engine: Engine,
                  progress=lambda page: None) -> dict[str, PageTiming]:
    """Every page of the navigation on ``database_url``, keyed by its URL path."""
    before = os.environ.get(DATABASE_URL_VARIABLE)
    os.environ[DATABASE_URL_VARIABLE] = database_url  # the pages read it, as in the app
    try:
        _app_test("donnees.py").run()  # imports and the engine, so no page pays them cold
        timings = {}
        for spec in PAGES:
            progress(spec.url_path)
            timings[spec.url_path] = measure_page(spec.file, engine)
    finally:
        if before is None:
            os.environ.pop(DATABASE_URL_VARIABLE)
        else:
            os.environ[DATABASE_URL_VARIABLE] = before
    return timings


def empty_page_ms() -> float:
    """A warm rerun of a page that only writes a title: Streamlit's own cost per rerun, the
    least any page costs whatever its SQL."""
    at = AppTest.from_string("import streamlit as st\nst.title('Page vide')",
                             default_timeout=RUN_TIMEOUT)
    at.run()
    return statistics.median(_timed_run(at) for _ in range(WARM_RUNS))
