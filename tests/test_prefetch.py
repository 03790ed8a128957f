"""``data.prefetch``: a page starts its largest loads in threads of their own, and its own
call of the same loader gets their result — computed once — or meets their error itself."""

from __future__ import annotations

import threading
from functools import partial

import pytest
import streamlit as st
from apptest import open_page
from sqlalchemy import Engine, event

from tne_dash.ui import data


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
    threads: set[str] = set()

    def record(conn, cursor, statement, parameters, context, executemany):
        threads.add(threading.current_thread().name)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        at = open_page("accueil.py", scope="national", to="2023-06-30")
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert not at.exception
    assert data.PREFETCH_THREAD in threads
    assert any(s.value == "Points de vigilance" for s in at.subheader)
    summary = [m.value for m in at.markdown if "points de vigilance sur" in m.value]
    assert summary and "au 30 juin 2023" in summary[0]
