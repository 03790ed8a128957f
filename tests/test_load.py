"""The load script itself works: viewers in real Chromium go round the pages, nothing fails.

The 20-viewer run on the national database is an operator's measure (README); here two
viewers on the test database check the script's parts for real, for a few seconds.
"""

from __future__ import annotations

import re

import pytest
from browser import require_playwright_and_chromium
from load.loadtest import API_ROUTE, MEMORY_BOUND_MB, ROUTE, render, run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def short_run(built_db_url):
    require_playwright_and_chromium()
    # Two visits each at least (a link, then the sidebar), however busy the machine.
    return run(built_db_url, viewers=2, duration=15, min_visits=2).as_json()


def test_two_viewers_render_pages_with_no_error_and_the_server_stays_in_its_memory_bound(
        short_run):
    assert short_run["errors"] == 0, short_run["error_samples"]
    assert short_run["visits"] >= 2
    assert set(short_run["pages"]) <= {path.split("?")[0] for path in ROUTE}
    assert 0 < short_run["p50_ms"] <= short_run["p95_ms"]
    rss = short_run["server_rss_mb"]
    assert 0 < rss["start"] <= rss["peak"] <= MEMORY_BOUND_MB


def test_viewers_start_on_different_pages(short_run):
    first_two = {ROUTE[0].split("?")[0], ROUTE[1].split("?")[0]}
    assert first_two <= set(short_run["pages"])


def test_the_report_reads_in_french_with_every_page_visited(short_run):
    text = render(short_run)
    driven = re.match(r"2 spectateurs pendant (\d+) s", text)
    assert driven and int(driven[1]) >= 15  # longer when a viewer's two visits took longer
    assert "0 erreur(s)" in text
    assert f"(dans la limite de {MEMORY_BOUND_MB} Mo)" in text
    for page in short_run["pages"]:
        assert f"\n{page} " in text


def test_the_server_used_part_of_the_cpu_the_whole_machine_used(short_run):
    assert 0 < short_run["server_cpu_s"] < short_run["machine_cpu_s"]


def test_readers_open_a_first_page_by_link_then_move_through_the_sidebar(short_run):
    assert short_run["ways"]["link"]["visits"] >= 2  # one first page per viewer
    assert short_run["ways"]["sidebar"]["visits"] >= 1
    assert sum(w["visits"] for w in short_run["ways"].values()) == short_run["visits"]


def test_api_clients_ask_every_address_of_the_read_api_and_the_cards_beside_the_viewers(short_run):
    api = short_run["api"]
    assert api["clients"] == 2 and api["requests"] >= 2 * 5  # paced: 40 a minute each
    assert set(api["addresses"]) == {address.split("?")[0] for address in API_ROUTE}
    assert "API de lecture : 2 clients" in render(short_run)
