"""``data.prefetch``: a page starts its largest loads in threads of their own, and its own
call of the same loader gets their result — computed once — or meets their error itself.
``data.in_parallel``: loads read two at a time, their results in order, an error raised."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import pandas as pd
import pytest
import streamlit as st
from apptest import open_page
from sqlalchemy import Engine, event

from tne_dash.ui import data


@contextmanager
def threads_that_query() -> Iterator[set[str]]:
    """The names of the threads that send a statement to a database meanwhile."""
    threads: set[str] = set()

    def record(conn, cursor, statement, parameters, context, executemany):
        threads.add(threading.current_thread().name)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield threads
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def test_a_load_started_ahead_is_computed_once_in_its_thread_and_handed_to_the_page():
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []

    @st.cache_data(ttl=60, max_entries=4, show_spinner=False)
    def slow_double(value: int) -> int:
        ran.append(threading.current_thread().name)
        started.set()
        assert release.wait(10)
        return 2 * value

    data.prefetch(partial(slow_double, 21))
    assert started.wait(10)  # the thread holds the computation of this key…
    threading.Timer(0.2, release.set).start()
    assert slow_double(21) == 42  # … so the page's call waits for it instead of computing
    assert ran == [data.PREFETCH_THREAD]


def test_a_load_that_fails_ahead_fails_again_in_the_page_s_own_call():
    calls: list[str] = []

    @st.cache_data(ttl=60, max_entries=4, show_spinner=False)
    def broken(value: int) -> int:
        calls.append(threading.current_thread().name)
        raise ValueError("base indisponible")

    data.prefetch(partial(broken, 1))
    for thread in threading.enumerate():
        if thread.name == data.PREFETCH_THREAD:
            thread.join(10)
    with pytest.raises(ValueError, match="base indisponible"):
        broken(1)  # an error is never cached: the page meets it and shows it
    assert calls == [data.PREFETCH_THREAD, threading.current_thread().name]


def test_accueil_starts_its_points_ahead_and_reads_them_from_another_thread(app_env):
    """France's points de vigilance are read by a thread of their own while the page reads
    its headline figures; the page shows them all the same."""
    with threads_that_query() as threads:
        at = open_page("accueil.py", scope="national", to="2023-06-30")
    assert not at.exception
    assert data.PREFETCH_THREAD in threads
    assert any(s.value == "Points de vigilance" for s in at.subheader)
    summary = [m.value for m in at.markdown if "points de vigilance sur" in m.value]
    assert summary and "au 30 juin 2023" in summary[0]


def test_loads_read_in_parallel_run_two_at_once_and_come_back_in_their_order():
    both = threading.Barrier(data.PARALLEL_READS, timeout=10)  # broken if run one by one
    threads: list[str] = []

    def load(value: int) -> int:
        threads.append(threading.current_thread().name)
        if value < data.PARALLEL_READS:
            both.wait()
        return value * value

    assert data.in_parallel([partial(load, n) for n in range(5)]) == [0, 1, 4, 9, 16]
    assert all(name.startswith(data.PARALLEL_THREAD) for name in threads)
    assert data.in_parallel([partial(load, 7)]) == [49]  # one load: the caller's thread
    assert threads[-1] == threading.current_thread().name
    assert data.in_parallel([]) == []


def test_a_load_read_in_parallel_raises_its_error_to_the_caller():
    def load(value: int) -> int:
        if value == 2:
            raise ValueError("base indisponible")
        return value

    with pytest.raises(ValueError, match="base indisponible"):
        data.in_parallel([partial(load, n) for n in range(4)])


def test_deploiement_reads_its_month_ends_beside_its_points_and_shows_the_same_curves(
        app_env, monkeypatch):
    """The month ends of the progress charts are read by other threads (started ahead in a
    thread of their own, two at a time) while the page computes its points; the charts are
    those of the month ends read one by one."""
    from tne_dash.figures.progression import monthly_progress
    from tne_dash.figures.scope import Scope
    from tne_dash.periods import school_year_of
    from tne_dash.screens.deploiement.ui import progress_targets

    asked: list[str] = []  # the threads that asked for the month ends
    load = data.load_monthly_progress
    monkeypatch.setattr(data, "load_monthly_progress", lambda *args: (
        asked.append(threading.current_thread().name) or load(*args)))
    with threads_that_query() as threads:
        at = open_page("deploiement.py", scope="departement:95", to="2023-06-30")
    assert not at.exception
    assert asked[0] == data.PREFETCH_THREAD  # started ahead, then asked by the page
    assert any(name.startswith(data.PARALLEL_THREAD) for name in threads)
    url = data.settings().database_url
    scope, day = Scope("departement", "95"), dt.date(2023, 6, 30)
    period = school_year_of(day)
    targets = progress_targets(data.load_objectives_progress(url, scope, period, day))
    with data.get_engine(url).connect() as conn:
        pd.testing.assert_frame_equal(
            data.load_monthly_progress(url, scope, period, day, targets),
            monthly_progress(conn, scope, period, day, dict(targets)))
    assert any(s.value == "Progression mois par mois — 2022-2023" for s in at.subheader)
