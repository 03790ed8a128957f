"""The embeddable card as a commune's website shows it: in an <iframe> of a page served from
another origin (a second loopback port), in Debian's Chromium with JavaScript off, offline;
then axe-core inside the frame, and the card's text at 200 % in a 360 px frame. One server
for the module (serve.py, the whole middleware stack)."""

from __future__ import annotations

import functools
import http.server
import tempfile
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_PREFIXES,
    require_playwright_and_chromium,
    screenshot,
    streamlit_server,
)
from postgres import free_port
from test_accessibility import axe_violations, require_axe_core

from tne_dash.embed.snippet import HEIGHTS, WIDTH, embed_url, iframe_snippet
from tne_dash.figures.scope import Scope

pytestmark = pytest.mark.browser

BEZONS = Scope("commune", "95063")
CARD = "/embed/commune/95063?to=2023-04-17"
FRAME = 'iframe[title^="Chiffres clés"]'
HOST_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Mairie de Bezons — le numérique et
l'école</title></head>
<body style="margin:0"><main><h1 style="font-size:1.2rem;margin:.5rem">Le numérique et
l'école à Bezons</h1>
{snippet}
</main></body></html>
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def host_site(base: str):
    """A commune's website on another origin (another port): one page framing the card."""
    folder = Path(tempfile.mkdtemp(prefix="tne-embed-host-"))
    # The snippet the Comparer page offers, pointing at the test server's card.
    snippet = iframe_snippet(base, BEZONS, "Bezons (95)").replace(
        'src="' + embed_url(base, BEZONS) + '"', f'src="{base}{CARD}"')
    (folder / "index.html").write_text(HOST_PAGE.format(snippet=snippet), encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/index.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def sites(built_db_url):
    """The dashboard's server and a host site on another origin framing Bezons's card."""
    require_playwright_and_chromium()
    with streamlit_server(built_db_url) as base, host_site(base) as host:
        yield base, host


@contextmanager
def browser_page(*, javascript: bool, bypass_csp: bool = False):
    """A Chromium page (360 px wide) whose requests outside 127.0.0.1 are aborted and listed;
    console errors (a refused frame, a CSP violation) listed too."""
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    errors: list[str] = []

    def guard(route):
        if route.request.url.startswith(LOCAL_PREFIXES):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": WIDTH, "height": 760},
                                          locale="fr-FR", java_script_enabled=javascript,
                                          bypass_csp=bypass_csp)
            context.route("**/*", guard)
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            yield page, outside, errors
        finally:
            browser.close()


def card_frame(page):
    page.wait_for_selector(FRAME)
    frame = page.frame_locator(FRAME)
    frame.locator("h2").wait_for(timeout=30_000)
    return frame


def test_the_card_renders_offline_inside_another_site_s_frame_with_javascript_off(sites):
    base, host = sites
    with browser_page(javascript=False) as (page, outside, errors):
        page.goto(host)
        frame = card_frame(page)
        assert frame.locator("h2").inner_text() == "Bezons"
        texts = frame.locator("dl div").all_inner_texts()
        assert "Ateliers\n50" in texts and "Parents touchés\n110" in texts
        assert frame.locator(".demo").inner_text().startswith("Données de démonstration :")
        link = frame.get_by_role("link", name="Voir tous les chiffres sur le tableau de bord "
                                              "TNE (nouvel onglet)")
        assert link.get_attribute("href") == "/?scope=commune:95063&to=2023-04-17"
        assert link.get_attribute("target") == "_blank"
        box = page.locator(FRAME).bounding_box()
        assert box["width"] == WIDTH
        # The whole card fits the snippet's height at 360 px: nothing hidden below.
        assert box["height"] == HEIGHTS["commune"]
        inner = frame.locator("main").bounding_box()
        assert inner["y"] + inner["height"] <= box["y"] + box["height"]
        path = screenshot(page, "embed-card-360")
        assert path.stat().st_size > 10_000
        assert outside == [] and errors == []


def test_axe_core_finds_no_wcag_violation_in_the_card_nor_when_its_text_is_doubled(sites):
    require_axe_core()
    _base, host = sites
    # The card forbids every script (default-src 'none'): bypass_csp lets axe-core in.
    with browser_page(javascript=True, bypass_csp=True) as (page, outside, errors):
        page.goto(host)
        card_frame(page)
        violations = axe_violations(page)
        assert not violations, "\n".join(violations)
        frame = next(f for f in page.frames if "/embed/" in f.url)
        # 200 % text in the 360 px frame: no sideways scroll, no text cut.
        frame.evaluate("document.documentElement.style.fontSize = '200%'")
        widths = frame.evaluate("[document.documentElement.scrollWidth, "
                                "document.documentElement.clientWidth]")
        assert widths[0] <= widths[1]
        clipped = frame.evaluate("""[...document.querySelectorAll('h2, p, dt, dd, a')]
            .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent)""")
        assert clipped == []
        screenshot(page, "embed-card-360-texte-200")
        assert outside == [] and errors == []


def test_the_server_lets_any_site_frame_the_card_and_nothing_else(sites):
    base, _host = sites

    def headers_of(path: str) -> tuple[int, dict[str, str]]:
        try:
            with urllib.request.urlopen(base + path, timeout=10) as answer:
                return answer.status, {k.lower(): v for k, v in answer.headers.items()}
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}

    status, card = headers_of(CARD)
    assert status == 200 and "frame-ancestors *" in card["content-security-policy"]
    assert "x-frame-options" not in card and card["access-control-allow-origin"] == "*"
    assert card["etag"].startswith('W/"') and card["cache-control"] == "public, max-age=300"
    status, missing = headers_of("/embed/commune/99999")
    assert status == 404 and "frame-ancestors *" in missing["content-security-policy"]
    status, home = headers_of("/")
    assert status == 200 and home["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in home["content-security-policy"]
    assert "access-control-allow-origin" not in home
