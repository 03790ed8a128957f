"""``tne-dash bench``: what it measures and the JSON operators track (never a duration)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import statistics
import threading

import pytest
from browser import require_playwright_and_chromium
from sqlalchemy import func, select

from tne_dash import browser_bench, element_costs
from tne_dash.bench import benchmark, render_table, scale_counts
from tne_dash.cli import main
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_indicators
from tne_dash.figures.scope import Scope
from tne_dash.store.db import make_engine
from tne_dash.store.models import Workshop
from tne_dash.store.sql_replay import record_sql, replay_ms
from tne_dash.ui import page_bench
from tne_dash.ui.navigation import PAGES
from tne_dash.ui.page_bench import measure_page

PAGE_KEYS = {"warm_ms", "floor_ms", "ratio", "cold_ms"}


@pytest.fixture(params=["sqlite", "postgresql"])
def built_url(request, built_db_url):
    return built_db_url if request.param == "sqlite" else request.getfixturevalue("built_pg_url")


def test_recorded_sql_is_what_the_indicators_ran_and_replays_on_the_driver(built_url):
    engine = make_engine(built_url)
    with record_sql() as recorded, engine.connect() as conn:
        compute_indicators(conn, Scope("national"), Filters())
    statements = [s for s, _ in recorded.statements]
    assert any("FROM workshop" in s for s in statements)
    assert any("parents_ressources_count" in s for s in statements)
    assert replay_ms(engine, recorded) > 0
    engine.dispose()


def test_nothing_is_recorded_outside_the_block(built_db_url):
    engine = make_engine(built_db_url)
    with record_sql() as recorded:
        pass
    with engine.connect() as conn:
        conn.execute(select(func.count()).select_from(Workshop))
    assert recorded.statements == []
    engine.dispose()


def test_a_page_is_measured_cold_warm_and_against_the_floor_of_its_own_sql(built_url,
                                                                             monkeypatch):
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", built_url)
    engine = make_engine(built_url)
    timing = measure_page("accueil.py", engine)
    assert timing.floor_ms > 0 and timing.warm_ms > 0 and timing.cold_ms > 0
    assert timing.as_json()["ratio"] == round(timing.warm_ms / timing.floor_ms, 2)
    engine.dispose()


# The kinds of element the bench's test measures: the cheapest and the dearest.
MEASURED_ELEMENTS = tuple(page for page in element_costs.ELEMENT_PAGES
                          if page.path in ("texte", "tableaux"))


# The pages the bench's test opens in Chromium: the home page (its national address), the
# map (its drawn canvas) and the page the bench warms the server with. Every page's
# address is checked without a browser
# (``test_the_browser_opens_every_page_at_its_national_address``).
MEASURED_PAGES = tuple(spec for spec in PAGES
                       if spec.url_path in ("accueil", "carte", browser_bench.WARM_PAGE))


@pytest.fixture(scope="module")
def bench_run(built_db_url, tmp_path_factory):
    """One ``tne-dash bench --format json`` run on the built database: printed and written.

    One second view, one empty-page view, one sample per change and one warm run in process
    (instead of 3, 5, 3 and 3), three pages of ten in the browser (every page in process), two
    kinds of element of six, each opened once: the shape is what is tested here, not the
    precision. Every change is made, each through its own widgets."""
    output = tmp_path_factory.mktemp("bench") / "bench.json"
    buffer = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(buffer):
        patch.setattr(browser_bench, "SECOND_VIEWS", 1)
        patch.setattr(browser_bench, "EMPTY_VIEWS", 1)
        patch.setattr(browser_bench, "CHANGE_SAMPLES", 1)
        patch.setattr(element_costs, "ELEMENT_VIEWS", 1)
        patch.setattr(element_costs, "ELEMENT_PAGES", MEASURED_ELEMENTS)
        patch.setattr(browser_bench, "PAGES", MEASURED_PAGES)
        patch.setattr(page_bench, "WARM_RUNS", 1)
        code = main(["bench", "--database-url", built_db_url, "--points", "300",
                     "--format", "json", "--output", str(output)])
    return code, json.loads(buffer.getvalue()), json.loads(output.read_text(encoding="utf-8"))


def test_bench_prints_and_writes_the_same_stable_json_with_every_page(bench_run):
    code, printed, written = bench_run
    assert code == 0
    assert printed == written
    assert {"database", "scale", "pages", "map", "peak_rss_mb", "browser", "changes",
            "cpu_ms_per_view", "cli_help_ms"} <= set(written)
    assert written["database"] == "sqlite"
    assert set(written["pages"]) == {spec.url_path for spec in PAGES}
    assert all(set(t) == PAGE_KEYS for t in written["pages"].values())
    assert written["map"]["points"] == 300
    assert written["search"]["queries"] == 5 and written["search"]["max_ms"] > 0
    assert written["peak_rss_mb"] > 0


def test_bench_scale_is_the_row_counts_of_the_database(bench_run, built_db_url):
    engine = make_engine(built_db_url)
    with engine.connect() as conn:
        workshops = conn.execute(select(func.count()).select_from(Workshop)).scalar_one()
    assert bench_run[2]["scale"] == scale_counts(engine)
    assert bench_run[2]["scale"]["workshop"] == workshops > 0
    assert bench_run[2]["search"]["communes"] == bench_run[2]["scale"]["commune"]
    engine.dispose()


def test_the_table_names_every_page_its_ratio_and_the_goal(bench_run):
    result = bench_run[2]
    table = render_table(result)
    assert "plancher SQL" in table and "objectif ≤ 1,5" in table
    for spec in PAGES:
        ratio = f"{result['pages'][spec.url_path]['ratio']:.2f}"
        line = next(row for row in table.splitlines() if row.startswith(spec.url_path + " "))
        assert line.endswith(ratio)


def _positive(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def test_bench_times_the_pages_in_chromium_against_the_empty_page(bench_run):
    require_playwright_and_chromium()  # in CI a missing Chromium fails, never a silent skip
    browser = bench_run[2]["browser"]
    assert browser["available"] is True, browser.get("reason")
    assert _positive(browser["empty_page"]["ms"]) and browser["empty_page"]["views"] == 1
    assert browser["empty_page"]["script_runs"] == 1
    assert browser["second_views"] == 1
    assert set(browser["pages"]) == {spec.url_path for spec in MEASURED_PAGES}
    assert browser_bench.PAGES == PAGES  # a real run: every page
    for name, page in browser["pages"].items():
        for key in ("first_ms", "second_ms", "first_ratio", "second_ratio"):
            assert _positive(page[key]), (name, key, page[key])
        assert page["first_ratio"] == round(page["first_ms"] / browser["empty_page"]["ms"], 2)
        for view in ("first_view", "second_view"):
            assert page[view]["script_runs"] >= 1 and page[view]["requests"] > 0
    assert browser["pages"]["accueil"]["url"] == "/?scope=national"
    assert browser["pages"]["carte"]["url"] == "/carte"


def test_the_browser_opens_every_page_at_its_national_address():
    paths = {spec.url_path: browser_bench.national_path(spec) for spec in PAGES}
    assert paths["accueil"] == "/?scope=national"
    assert paths["presentation"] == "/presentation?scope=national&lecture=pause"
    assert paths["carte"] == "/carte" and paths["donnees"] == "/donnees"
    assert paths["deploiement"] == "/deploiement?scope=national"
    assert [browser_bench.needs_map(spec) for spec in PAGES].count(True) == 1


def test_bench_times_filter_changes_made_through_the_widgets(bench_run):
    require_playwright_and_chromium()
    changes = bench_run[2]["changes"]
    assert changes["available"] is True, changes.get("reason")
    assert changes["goal_ms"] == 600
    assert set(changes["changes"]) == {change.name for change in browser_bench.CHANGES} == {
        "accueil_date", "accueil_territoire", "indicateurs_filtre", "deploiement_date",
        "accueil_fin_d_annee", "deploiement_fin_d_annee", "carte_couche", "carte_departement"}
    assert all(_positive(c["ms"]) and c["what"] for c in changes["changes"].values())
    # Each change: its samples (3 in a real run, on values never asked before; 1 here), the
    # median kept.
    assert changes["samples"] == 1 and browser_bench.CHANGE_SAMPLES == 3
    assert all(len(change.actions) == 3 for change in browser_bench.CHANGES)
    for change in changes["changes"].values():
        assert len(change["all_ms"]) == 1 and all(map(_positive, change["all_ms"]))
        assert change["ms"] == statistics.median(change["all_ms"])
    assert "dep=95" in changes["changes"]["indicateurs_filtre"]["url"]


def test_bench_gives_the_server_cpu_per_view_and_the_cli_start(bench_run):
    require_playwright_and_chromium()
    result = bench_run[2]
    cpu = result["cpu_ms_per_view"]
    assert cpu["available"] is True, cpu.get("reason")
    assert set(cpu["pages"]) == {spec.url_path for spec in MEASURED_PAGES}
    assert all(_positive(ms) for ms in cpu["pages"].values())
    assert _positive(cpu["median"]) and _positive(cpu["empty_page"])
    assert cpu["views_per_second_per_core"] == round(1000 / cpu["median"], 1)
    assert _positive(result["cli_help_ms"])


def test_bench_times_each_kind_of_element_against_the_empty_page_of_its_server(bench_run):
    require_playwright_and_chromium()
    elements = bench_run[2]["elements"]
    assert elements["available"] is True, elements.get("reason")
    assert elements["views"] == 1 and len(elements["empty_page_all_ms"]) == 1
    assert _positive(elements["empty_page_ms"])
    assert {page.path for page in element_costs.ELEMENT_PAGES} == {
        "texte", "tuiles", "filtres", "graphiques", "tableaux", "telechargements"}
    assert set(elements["kinds"]) == {page.path for page in MEASURED_ELEMENTS} == {
        "texte", "tableaux"}
    for page in MEASURED_ELEMENTS:
        kind = elements["kinds"][page.path]
        assert kind["count"] == page.count and kind["what"] == page.kind
        assert _positive(kind["ms"]) and kind["all_ms"] == [kind["ms"]]
        assert kind["extra_ms"] == round(kind["ms"] - elements["empty_page_ms"], 1)
        assert kind["per_element_ms"] == round(kind["extra_ms"] / page.count, 1)


def test_each_synthetic_page_draws_its_elements_and_the_empty_page_a_title_only():
    """The pages the element costs are read from hold what they say (AppTest, no browser)."""
    from streamlit.testing.v1 import AppTest

    script = element_costs.element_app()
    empty = AppTest.from_string(script).run()
    assert [t.value for t in empty.title] == ["Page vide"] and len(empty.main.children) <= 2
    counts = {"texte": lambda at: len(at.markdown), "tuiles": lambda at: len(at.metric),
              "filtres": lambda at: len(at.sidebar.multiselect),
              "graphiques": lambda at: len(at.get("vega_lite_chart")),
              "tableaux": lambda at: len(at.dataframe),
              "telechargements": lambda at: len(at.get("download_button"))}
    for page in element_costs.ELEMENT_PAGES:
        at = AppTest.from_string(script)
        at.query_params[element_costs.QUERY_KEY] = page.path
        at.run()
        assert not at.exception, (page.path, at.exception)
        assert counts[page.path](at) == page.count, page.path


def test_the_table_has_the_browser_views_changes_and_cpu_in_french(bench_run):
    require_playwright_and_chromium()
    table = render_table(bench_run[2])
    assert "1re vue" in table and "2e vue" in table and "page vide" in table
    assert "Changements de filtre" in table and "objectif 600 ms" in table
    assert "vues/s par cœur" in table and "tne-dash --help" in table
    assert "Coût des éléments dans le navigateur" in table and "par élément" in table
    assert "2 tableaux (st.dataframe, 100 lignes)" in table
    for name in bench_run[2]["changes"]["changes"]:
        assert f"  {name} " in table


def test_without_chromium_the_browser_sections_say_why_and_the_rest_is_measured(
        built_db_url):
    """A missing browser never stops the bench: its sections say so, in French."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(page_bench, "WARM_RUNS", 1)  # one warm run a page: the shape is tested
        result = benchmark(built_db_url, points=300, chromium="/nulle/part/chromium")
    for section in ("browser", "changes", "cpu_ms_per_view", "elements"):
        assert result[section] == {"available": False, "reason": result["browser"]["reason"]}
    assert "Chromium est introuvable : /nulle/part/chromium" in result["browser"]["reason"]
    assert set(result["pages"]) == {spec.url_path for spec in PAGES}
    assert result["map"]["points"] == 300 and result["search"]["queries"] == 5
    assert result["cli_help_ms"] > 0
    table = render_table(result)
    assert "Navigateur : non mesuré — Chromium est introuvable" in table


@pytest.mark.parametrize(("today", "year"), [
    (dt.date(2026, 12, 2), 2026), (dt.date(2026, 6, 30), 2025), (dt.date(2026, 7, 1), 2026)])
def test_the_end_of_year_changes_read_the_last_school_year_over(today, year):
    assert browser_bench._last_school_year_end(today) == year


def test_streamlit_s_bare_mode_warnings_are_hidden_while_the_pages_run_in_process():
    """« missing ScriptRunContext » is Streamlit's, expected outside a server, not the bench's
    to print; an error still shows, and the warnings come back afterwards."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    from tne_dash.bench import streamlit_bare_mode_quiet

    def outside_a_script() -> None:  # a thread with no script context: Streamlit warns
        thread = threading.Thread(target=get_script_run_ctx)
        thread.start()
        thread.join()

    printed: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: printed.append(record.getMessage())
    logger = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    logger.addHandler(handler)
    try:
        with streamlit_bare_mode_quiet():
            outside_a_script()
            logger.error("une vraie erreur")
        assert printed == ["une vraie erreur"]
        outside_a_script()
        assert "missing ScriptRunContext" in printed[-1]
    finally:
        logger.removeHandler(handler)


def test_a_run_that_starts_and_ends_between_two_looks_is_counted():
    """A run answered from the cache can start and end before the page's observer is called:
    the counter reads each change of the state, so it still counts one run — and the bench
    measures the change instead of waiting 60 s for a run it missed."""
    require_playwright_and_chromium()
    with browser_bench.chromium_browser() as browser, \
            browser_bench.fresh_page(browser) as page:
        page.add_init_script(browser_bench._RUN_COUNTER)
        page.set_content('<div data-testid="stApp" data-test-script-state="notRunning"></div>')
        runs = page.evaluate("""() => new Promise(done => {
            const app = document.querySelector('[data-testid="stApp"]');
            app.setAttribute('data-test-script-state', 'running');  // one task: the
            app.setAttribute('data-test-script-state', 'notRunning');  // observer sees both
            setTimeout(() => done(window.__tneBench.runs), 50);
        })""")
    assert runs == 1
