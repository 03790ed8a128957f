"""Présentation in a real Chromium: a workshop written to the database shows in the headline
figure with no page reload, slides turn on their own, and nothing is cut off at 1280×720."""

from __future__ import annotations

import pytest
from browser import (
    MAP_FRAME,
    chromium_page,
    map_frame,
    screenshot,
    streamlit_server,
    wait_until_rendered,
)
from imports_helpers import record_bezons_workshop_today

pytestmark = pytest.mark.browser

WORKSHOPS = '.tne-fig[data-code="workshops"] .tne-value'
# Every very large figure fits its card and the window: nothing cut off, nothing hidden.
FIGURES_FIT = """() => [...document.querySelectorAll('.tne-value')].map(el => {
    const box = el.getBoundingClientRect();
    return {text: el.innerText, fits: el.scrollWidth <= el.clientWidth
            && box.left >= 0 && box.right <= window.innerWidth
            && box.bottom <= window.innerHeight && box.height > 0};
})"""


def as_int(text: str) -> int:
    return int(text.replace("\u202f", "").replace(" ", ""))


def test_a_workshop_added_to_the_database_shows_in_the_headline_without_reload(
        writable_built_url):
    interval = 5
    with streamlit_server(writable_built_url) as base, \
            chromium_page(1920, 1080) as (page, outside, errors):
        page.goto(f"{base}/presentation?scope=departement:95&intervalle={interval}"
                  "&lecture=pause")
        wait_until_rendered(page)
        before = as_int(page.inner_text(WORKSHOPS))
        page.evaluate("window.__samePage = true")  # gone if the page ever reloads
        record_bezons_workshop_today(writable_built_url)
        # Within one refresh interval (plus the shared fingerprint's 2 s and browser slack).
        page.wait_for_function(
            f"() => document.querySelector('{WORKSHOPS}')?.innerText.replace(/\\s/g, '')"
            f" === '{before + 1}'", timeout=3 * interval * 1000)
        assert page.evaluate("window.__samePage === true")
        assert page.locator('.tne-fig.tne-changed[data-code="workshops"]').count() == 1
        screenshot(page, "presentation-1920-chiffres")
        page.keyboard.press("ArrowRight")  # the presenter's key: next slide
        page.wait_for_selector("text=Diapositive 2 / 5")
        assert map_frame(page).locator(".leaflet-overlay-pane canvas").count() >= 1
        screenshot(page, "presentation-1920-carte")
        assert page.evaluate("window.__samePage === true")
        assert not outside, outside
        assert not errors, errors


def test_at_1280_by_720_the_headline_figures_fit_and_slides_turn_on_their_own(built_db_url):
    with streamlit_server(built_db_url) as base, \
            chromium_page(1280, 720) as (page, outside, errors):
        page.goto(f"{base}/presentation?scope=national&intervalle=5")
        wait_until_rendered(page)
        fits = page.evaluate(FIGURES_FIT)
        assert len(fits) == 6 and all(f["fits"] for f in fits), fits
        assert page.locator('[data-testid="stSidebar"]').is_hidden()
        screenshot(page, "presentation-1280-chiffres")
        page.evaluate("window.__samePage = true")
        page.wait_for_selector("text=Diapositive 2 / 5", timeout=20_000)
        assert page.evaluate("window.__samePage === true")
        assert not outside, outside
        assert not errors, errors


# The tooltip the map shows for the Val-d'Oise (France view), read in the map's frame.
_VAL_D_OISE_TOOLTIP = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    let text = null;
    map.eachLayer(l => {
        if (l.feature && l.feature.properties.code === '95' && l.getTooltip()) {
            text = l.getTooltip().getContent();
        }
    });
    return text;
}"""


def test_a_new_figure_restyles_the_map_slide_in_place_without_reloading_the_map(
        writable_built_url):
    """The projected map's base stays the same between refreshes; the outlines, styled by the
    live figures, are swapped inside the same map frame (no flash on the projector)."""
    interval = 5
    # The map's figures are cached like every activity figure: 2 s here instead of 60.
    with streamlit_server(writable_built_url, TNE_DASH_CACHE_TTL_SECONDS="2") as base, \
            chromium_page(1920, 1080) as (page, outside, errors):
        page.goto(f"{base}/presentation?scope=tne&diapos=carte&intervalle={interval}"
                  "&lecture=pause")
        wait_until_rendered(page)
        map_frame(page)
        frame = page.locator(MAP_FRAME).element_handle() \
            .content_frame()
        frame.wait_for_function(f"() => ({_VAL_D_OISE_TOOLTIP})() !== null", timeout=30_000)
        before = frame.evaluate(_VAL_D_OISE_TOOLTIP)
        assert "Val-d" in before and "Ateliers" in before
        frame.evaluate("window.__sameMap = true")  # gone if the map frame ever reloads
        record_bezons_workshop_today(writable_built_url)
        frame.wait_for_function(f"() => ({_VAL_D_OISE_TOOLTIP})() !== {before!r}",
                                timeout=3 * interval * 1000)
        assert frame.evaluate("window.__sameMap === true")
        drawn = frame.evaluate("""() => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const codes = new Set();
            map.eachLayer(l => {
                if (l.feature && l._pxBounds) codes.add(l.feature.properties.code);
            });
            return codes.size;
        }""")
        assert drawn == 101  # the old outlines went with their group: one drawing each
        screenshot(page, "presentation-carte-restyled")
        assert not outside, outside
        assert not errors, errors
