"""Real browser (Debian's Chromium, offline): the Val-d'Oise's points de vigilance on
17 April 2023 — Accueil's block and its link to all of them, Déploiement's section filtered
from the address, a point's link that opens the commune's own view — on a laptop and on a
phone."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from browser import chromium_page, screenshot, streamlit_server, wait_until_rendered

pytestmark = pytest.mark.browser

SECTION = "/deploiement?scope=departement:95&to=2023-04-17&vigilance=retard,sans_atelier"
HEADING = 'h3:has-text("Points de vigilance")'
TABLE_LINKS = 'table.tne-table a[href*="/deploiement?scope=commune:"]'


def show(page, selector: str) -> None:
    """Bring ``selector`` to the top of the window (Streamlit scrolls its own container)."""
    page.locator(selector).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)


def test_deploiement_lists_the_points_and_a_link_opens_the_commune(built_db_url):
    with streamlit_server(built_db_url) as base, chromium_page() as (page, outside, errors):
        page.goto(base + SECTION)
        wait_until_rendered(page)
        assert page.locator(HEADING).count() == 1
        table = page.locator('table.tne-table').filter(has_text="Constat")
        assert table.count() == 1
        cells = table.locator("td").all_inner_texts()
        sentences = [c for c in cells if "est en retard sur son objectif" in c
                     or "n'a enregistré aucun atelier depuis" in c]
        assert sentences and all("\\" not in s for s in sentences)  # Markdown read, not shown
        assert "\u202f%" in "".join(sentences)  # « 62,7 % », the French way
        show(page, HEADING)
        screenshot(page, "deploiement-vigilance-1440")
        link = page.locator(TABLE_LINKS).first
        name = link.inner_text().split(" — ")[0]
        href = link.get_attribute("href")
        with page.context.expect_page() as opening:
            link.click()
        commune = opening.value
        commune.on("pageerror", lambda exc: errors.append(str(exc)))
        wait_until_rendered(commune)
        assert href.startswith(f"{base}/deploiement?scope=commune:")  # a full address
        assert parse_qs(urlsplit(commune.url).query) == parse_qs(urlsplit(href).query)
        assert commune.locator("h2").first.inner_text().strip() == f"{name} (95)"
        assert commune.locator(HEADING).count() == 1  # the commune's own points
        assert commune.locator('[data-testid="stException"]').count() == 0
        assert outside == []
        assert errors == []


def test_accueil_shows_the_block_and_leads_to_every_point(built_db_url):
    with streamlit_server(built_db_url) as base, chromium_page() as (page, outside, errors):
        page.goto(f"{base}/?scope=departement:95&to=2023-04-17")
        wait_until_rendered(page)
        assert page.locator(HEADING).count() == 1
        show(page, HEADING)
        screenshot(page, "accueil-vigilance-1440")
        assert page.get_by_text("Les plus urgents").count() == 1
        page.get_by_role("link", name="Tous les points de vigilance").click()
        page.wait_for_url("**/deploiement?scope=departement%3A95&to=2023-04-17")
        wait_until_rendered(page)
        assert page.locator(HEADING).count() == 1
        assert page.locator(TABLE_LINKS).count() >= 1
        assert page.locator('[data-testid="stException"]').count() == 0
        assert outside == []
        assert errors == []


def test_the_block_and_the_section_read_on_a_phone(built_db_url):
    with streamlit_server(built_db_url) as base, \
            chromium_page(390, 844) as (page, outside, errors):
        page.goto(f"{base}/?scope=departement:95&to=2023-04-17")
        wait_until_rendered(page)
        show(page, HEADING)
        screenshot(page, "accueil-vigilance-390")
        tile = page.locator('[data-testid="stMetric"]').filter(
            has_text="En retard sur un objectif").first
        box = tile.bounding_box()
        assert box is not None and box["width"] <= 390
        page.goto(base + SECTION)
        wait_until_rendered(page)
        show(page, HEADING)
        screenshot(page, "deploiement-vigilance-390")
        # The table scrolls sideways inside its box; its links stay reachable.
        link = page.locator(TABLE_LINKS).first
        link.scroll_into_view_if_needed()
        assert link.is_visible()
        assert outside == []
        assert errors == []
