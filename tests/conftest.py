"""Shared fixtures: databases on both backends, a fully built database, AppTest environment."""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))

from postgres import (  # noqa: E402
    POOLER_SWITCH,
    PostgresCluster,
    find_bin_dir,
    pgbouncer_binary,
)
from required import in_ci, missing  # noqa: E402

from tne_dash import REFERENCE_DIR, charts  # noqa: E402
from tne_dash.store.build import build_database  # noqa: E402
from tne_dash.store.db import drop_schema, make_engine, upgrade_schema  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("sqlite", "postgresql")
_db_names = itertools.count()


# Every chart a test draws is checked against the Vega-Lite schema: the server skips that
# check (``charts.CHECK_DRAWN_CHARTS``), the suite keeps it for every page it runs.
charts.CHECK_DRAWN_CHARTS = True

# The longest files (minutes each: a browser through many pages, the bench, the deployed
# stack) start first, so that the two workers (pytest-xdist, one file each at a time) end
# together instead of one waiting for the other's last long file. Order only: nothing skipped.
LONGEST_FIRST = ("test_screen_sizes.py", "test_bench.py", "test_deployment.py",
                 "test_browser.py", "test_french_interface.py", "test_load.py")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: every file keeps its own order


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throw-away PostgreSQL server for the whole run (required in CI)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        missing("PostgreSQL", "paquet Debian postgresql absent (make test l'installe)")
    if pgbouncer_binary() is None and os.environ.get(POOLER_SWITCH) != "0" and in_ci():
        # The suite's PostgreSQL tests run behind PgBouncer, as production does.
        missing("PgBouncer", "paquet Debian pgbouncer absent (make test l'installe)")
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.start()
    except Exception as exc:  # noqa: BLE001 — any start failure is reported the same way
        cluster.stop()
        missing("PostgreSQL", f"le serveur de test n'a pas démarré ({exc})")
    yield cluster
    cluster.stop()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """An empty database URL, once per backend: SQLite file and real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    cluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database(f"t{next(_db_names)}")


@pytest.fixture
def engine(db_url) -> Engine:
    """An engine on a fresh schema."""
    eng = make_engine(db_url)
    drop_schema(eng)
    upgrade_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine) -> Session:
    """A session whose work the test commits through factories."""
    with Session(engine) as s:
        yield s


@pytest.fixture(scope="session")
def built_db_url(tmp_path_factory) -> str:
    """A SQLite database built like the embedded default: reference data + demo activity."""
    path = tmp_path_factory.mktemp("built") / "tne_dash.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    build_database(engine, REFERENCE_DIR, demo=True)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def built_pg_url(postgres_cluster) -> str:
    """The same full build on the real PostgreSQL server."""
    url = postgres_cluster.create_database("built")
    engine = make_engine(url)
    build_database(engine, REFERENCE_DIR, demo=True)
    engine.dispose()
    return url


@pytest.fixture
def writable_built_url(built_db_url, tmp_path) -> str:
    """A private copy of the built SQLite database, for tests that write (imports)."""
    import shutil

    source = Path(built_db_url.removeprefix("sqlite:///"))
    target = tmp_path / "copy.sqlite"
    shutil.copy(source, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app_env(monkeypatch, built_db_url) -> str:
    """Point the app at the built test database (the page reads the environment)."""
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", built_db_url)
    return built_db_url


@pytest.fixture(autouse=True)
def _apptest_runs_through_the_navigation(monkeypatch):
    """AppTest resets Streamlit's legacy ``pages/`` flag before every run, so each run would
    start in the page file and go through ``shell.ensure_app_shell``'s rerun — which drops
    button clicks and form submits. Decide the flag the way a warm server has it: st.navigation.
    (The real cold-start path is covered in a real browser, tests/test_browser.py.)"""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Caches survive between AppTest runs in one process: start every test clean."""
    yield
    if "streamlit" in sys.modules:
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()
