"""What a visitor can do to a page through the address or a bad row (issue 18): never a
traceback, never the database's address, never our Markdown made of their text."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from apptest import open_page, shown
from browser import chromium_page, streamlit_server, wait_until_rendered
from sqlalchemy import create_engine, text

from tne_dash.labels import PAGE_FAILED, plain_text
from tne_dash.ui.urlstate import MAX_PARAM_LENGTH, bounded_params

INT64_MAX = 2**63 - 1


@pytest.fixture
def overflowing_env(monkeypatch, writable_built_url):
    """A database holding two workshops whose counts overflow SQLite's sum() — written
    around the import checks, as a corrupted or hand-edited database would."""
    engine = create_engine(writable_built_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE workshop SET parents_count = :big, "
                          "first_time_parents_count = :big WHERE id IN "
                          "(SELECT id FROM workshop ORDER BY id LIMIT 2)"), {"big": INT64_MAX})
        # Its monthly sums edited alike (the figures read them: store/workshop_months.py).
        conn.execute(text("UPDATE workshop_month SET participations = :big, "
                          "parents_reached = :big WHERE id IN "
                          "(SELECT id FROM workshop_month ORDER BY id LIMIT 2)"),
                     {"big": INT64_MAX})
    engine.dispose()
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", writable_built_url)


@pytest.mark.parametrize(("page", "params"), [("accueil.py", {"scope": "national"}),
                                              ("carte.py", {})])
def test_a_database_error_on_a_page_is_a_french_message_not_a_traceback(overflowing_env,
                                                                        page, params):
    at = open_page(page, **params)
    assert not at.exception
    assert PAGE_FAILED in [e.value for e in at.error]
    assert "overflow" not in " ".join(e.value for e in at.error).lower()


def test_an_unreachable_database_names_nothing_of_its_address(monkeypatch):
    monkeypatch.setenv("TNE_DASH_DATABASE_URL",
                       "postgresql+psycopg://tne@127.0.0.1:9/tnebase?password=s3cret")
    at = open_page("accueil.py")
    assert not at.exception
    message = shown(at.error)[0]
    assert message.startswith("Base de données injoignable")
    for secret in ("s3cret", "127.0.0.1", "tnebase", "tne@", "postgresql"):
        assert secret not in message


HOSTILE_ADDRESSES = [
    ("accueil.py", "", {"scope": "[Reconnectez-vous ici](https://evil.example/login)"}),
    ("accueil.py", "", {"to": "![](https://evil.example/t.png)"}),
    ("deploiement.py", "deploiement",
     {"scope": ":red[Alerte] https://evil.example www.evil.example"}),
    ("indicateurs.py", "indicateurs", {"dep": "[x](data:text/html,<b>x</b>)"}),
]


@pytest.mark.parametrize(("page", "path", "params"), HOSTILE_ADDRESSES)
def test_an_address_value_is_echoed_as_inline_code_never_as_markdown(app_env, page, path,
                                                                     params):
    at = open_page(page, **params)
    assert not at.exception
    (raw,) = params.values()
    echoed = [w.value for w in at.warning if "« `" in w.value]
    assert any(f"« `{raw[:8]}".lower() in body.lower() for body in echoed), echoed


@pytest.mark.browser
def test_no_address_value_makes_a_link_an_image_or_a_request_in_the_browser(built_db_url):
    with streamlit_server(built_db_url) as base, chromium_page() as (page, outside, errors):
        for _, path, params in HOSTILE_ADDRESSES:
            page.goto(f"{base}/{path}?{urlencode(params)}")
            wait_until_rendered(page)
            warnings = page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
            assert any("evil" in w or "data:" in w.lower() for w in warnings), warnings
            for selector in ('a[href*="evil"]', 'a[href^="data:"]', 'img[src*="evil"]'):
                assert page.locator(selector).count() == 0, (params, selector)
        assert outside == [] and errors == []


def test_plain_text_quotes_a_value_as_code_escapes_the_rest_and_cuts_long_values():
    escaped = plain_text("Périmètre inconnu : « " + "[x](https://e.x)" * 10 + " ».")
    assert escaped.startswith("Périmètre inconnu \\: « `[x](https://e.x)")
    assert escaped.endswith("…` »\\.")
    assert plain_text("« a`b »") == "« `a'b` »"  # a backtick cannot close the code


def test_a_huge_address_value_is_cut_before_any_page_reads_it(app_env):
    start = time.perf_counter()
    at = open_page("indicateurs.py", communes="95063," * 20_000)
    assert time.perf_counter() - start < 30  # was 10 s of CPU for the value alone
    assert not at.exception
    assert any("Paramètre « communes » trop long" in w for w in shown(at.warning))


def test_bounded_params_cut_each_value_and_the_number_of_names():
    params = {f"p{i}": "x" * (MAX_PARAM_LENGTH + 5) for i in range(30)}
    kept, problems = bounded_params(params)
    assert len(kept) == 20 and all(len(v) == MAX_PARAM_LENGTH for v in kept.values())
    assert len(problems) == 21 and problems[-1].startswith("Trop de paramètres")
    assert bounded_params({"scope": "tne"}) == ({"scope": "tne"}, [])
