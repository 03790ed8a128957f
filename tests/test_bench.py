"""``tne-dash bench``: what it measures and the JSON operators track (never a duration)."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from sqlalchemy import func, select

from tne_dash.bench import render_table, scale_counts
from tne_dash.cli import main
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_indicators
from tne_dash.figures.scope import Scope
from tne_dash.store.db import make_engine
from tne_dash.store.models import Workshop
from tne_dash.store.sql_replay import record_sql, replay_ms
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


@pytest.fixture(scope="module")
def bench_run(built_db_url, tmp_path_factory):
    """One ``tne-dash bench --format json`` run on the built database: printed and written."""
    output = tmp_path_factory.mktemp("bench") / "bench.json"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["bench", "--database-url", built_db_url, "--points", "300",
                     "--format", "json", "--output", str(output)])
    return code, json.loads(buffer.getvalue()), json.loads(output.read_text(encoding="utf-8"))


def test_bench_prints_and_writes_the_same_stable_json_with_every_page(bench_run):
    code, printed, written = bench_run
    assert code == 0
    assert printed == written
    assert {"database", "scale", "pages", "map", "peak_rss_mb"} <= set(written)
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
