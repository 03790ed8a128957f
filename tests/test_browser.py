"""Real browser: Debian's Chromium, headless, against `streamlit run app.py`, offline."""

from __future__ import annotations

import re

import pytest
from browser import (
    MAP_FRAME,
    chromium_page,
    map_frame,
    screenshot,
    sign_in_on_page,
    streamlit_server,
    wait_until_rendered,
)
from pypdf import PdfReader

pytestmark = pytest.mark.browser
NNBSP = "\u202f"


@pytest.fixture(scope="module")
def server(built_db_url):
    """One server for the tests that only read (a cold server's and a writer's have their
    own): each test still opens its pages in a fresh browser."""
    with streamlit_server(built_db_url) as base:
        yield base


def test_home_page_shows_bezons_figures_in_french(server):
    with chromium_page() as (page, outside, errors):
        page.goto(f"{server}/?scope=commune:95063&to=2023-04-17")
        wait_until_rendered(page)
        tiles = page.locator('[data-testid="stMetric"]')
        text = {tiles.nth(i).locator('[data-testid="stMetricLabel"]').inner_text().strip():
                tiles.nth(i).locator('[data-testid="stMetricValue"]').inner_text().strip()
                for i in range(tiles.count())}
        assert text["Ateliers"] == "50"
        assert text["Parents touchés"] == "110"  # 109, rounded to 5 for the public
        assert text["Parents Ressources recrutés"] == "20"
        assert text["Réunions Parents Ressources"] == "14"
        assert page.get_by_text("Données de démonstration.").count() == 1
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.evaluate("document.documentElement.lang") == "fr"
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Accueil" in nav and "Données et méthodes" in nav
        screenshot(page, "accueil-bezons")
        page.goto(f"{server}/?scope=tne")
        wait_until_rendered(page)
        assert page.get_by_text("536").count() >= 1
        screenshot(page, "accueil-tne")
        assert outside == []
        assert errors == []


# First requests of a cold server, all at once (projectors reconnecting after a restart).
COLD_LINKS = {"/donnees": "Données et méthodes", "/carte?dep=95": "Carte des territoires",
              "/accueil?scope=national": "Territoires Numériques Éducatifs — volet parentalité"}


def test_a_deep_link_on_a_cold_server_opens_inside_the_app(built_db_url):
    """Streamlit 1.67 still runs a page file on its own, with its legacy ``pages/`` menu,
    when a cold server's first requests are deep links: each must open inside the app
    (``shell.ensure_app_shell``), the French document and the account control included."""
    with streamlit_server(built_db_url) as base, chromium_page() as (page, outside, errors):
        tabs = [page] + [page.context.new_page() for _ in range(len(COLD_LINKS) - 1)]
        for tab in tabs[1:]:
            tab.on("pageerror", lambda exc: errors.append(str(exc)))
        for tab, link in zip(tabs, COLD_LINKS, strict=True):
            tab.goto(f"{base}{link}", wait_until="commit")  # the very first requests
        for tab, title in zip(tabs, COLD_LINKS.values(), strict=True):
            # A cold server runs these first scripts together, on cores the other tests
            # share: its first runs may come late (what is checked is where they open).
            tab.locator("h1").first.wait_for(timeout=120_000)
            wait_until_rendered(tab)
            assert tab.locator("h1").first.inner_text().strip() == title
            nav = tab.locator('[data-testid="stSidebarNav"]').inner_text()
            assert "Accueil" in nav and "donnees" not in nav
            assert tab.evaluate("document.documentElement.lang") == "fr"
            assert tab.get_by_text("Espace éditeurs").count() == 1
            assert tab.locator('[data-testid="stException"]').count() == 0
            assert tab.locator('[role="dialog"]').count() == 0  # no « Page not found »
        # The script that writes Streamlit's own English in French takes no room above the
        # title.
        assert page.locator('[data-testid="stElementContainer"]:has(#tne-french)') \
            .evaluate("e => getComputedStyle(e).display") == "none"
        screenshot(page, "donnees")
        assert outside == []
        assert errors == []


def test_the_map_draws_offline_from_france_to_a_commune(server):
    with chromium_page() as (page, outside, errors):
        page.goto(f"{server}/carte")
        wait_until_rendered(page)
        frame = map_frame(page)
        assert frame.locator(".leaflet-overlay-pane canvas").count() >= 1
        leaflet = page.locator(MAP_FRAME).element_handle() \
            .content_frame()
        # Every département outline, fetched from the outline file, was projected and drawn.
        assert outlines_drawn(leaflet, 101) == 101
        fetched = leaflet.evaluate(_OUTLINE_FETCHES)
        assert [f["path"] for f in fetched] == ["/geo/departements.geojson"]
        assert 0 < fetched[0]["transferred"] < fetched[0]["decoded"] / 2  # gzipped
        assert frame.locator(".marker-cluster").count() >= 1  # CNFS structures, clustered
        height = page.locator(MAP_FRAME).bounding_box()
        assert height["height"] > 300
        screenshot(page, "carte-france")

        page.goto(f"{server}/carte?dep=95&commune=95063&couches=cnfs,venues,schools")
        wait_until_rendered(page)
        frame = map_frame(page)
        assert frame.locator(".leaflet-control-layers").count() == 1
        assert page.get_by_text("Bezons (95)").count() >= 1
        leaflet = page.locator(MAP_FRAME).element_handle() \
            .content_frame()
        assert outlines_drawn(leaflet, 184) == 184  # 183 communes and their département
        # (Routing requests, as chromium_page does, turns the browser's cache off: the cache
        # itself is tested in test_outline_files.py.)
        fetched = {f["path"] for f in leaflet.evaluate(_OUTLINE_FETCHES)}
        assert fetched == {"/geo/departements.geojson", "/geo/communes/95.geojson"}
        screenshot(page, "carte-val-doise-bezons")
        assert page.locator('[data-testid="stException"]').count() == 0
        assert outside == []
        assert errors == []


# Features drawn by Leaflet (projected on the canvas), each département or commune once.
_OUTLINES_DRAWN = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const codes = new Set();
    map.eachLayer(l => { if (l.feature && l._pxBounds) codes.add(l.feature.properties.code); });
    return codes.size;
}"""
# The outline files the map frame fetched: path, bytes over the wire (0: from the browser's
# cache) and decoded size.
_OUTLINE_FETCHES = """() => performance.getEntriesByType('resource')
    .filter(e => new URL(e.name).pathname.startsWith('/geo/'))
    .map(e => ({path: new URL(e.name).pathname, transferred: e.transferSize,
                decoded: e.decodedBodySize}))"""


def outlines_drawn(frame, count: int) -> int:
    """Wait until the map has drawn ``count`` outlines (they are fetched after the map
    starts); the number drawn."""
    frame.wait_for_function(f"() => ({_OUTLINES_DRAWN})() >= {count}", timeout=30_000)
    return frame.evaluate(_OUTLINES_DRAWN)


EVIL = "<img src=x onerror=alert(1)>"
_TOOLTIPS_OF_EVIL_MARKERS = """() => {
    const found = [];
    const map = Object.values(window).find(v => v instanceof L.Map);
    const clusters = [];
    map.eachLayer(l => { if (l instanceof L.MarkerClusterGroup) clusters.push(l); });
    for (const value of clusters) {
        for (const marker of value.getLayers()) {
            // A point's tooltip is built on its first hover, which the cluster sees.
            value.fire('mouseover', {layer: marker, latlng: marker.getLatLng()});
            const tip = marker.getTooltip() && marker.getTooltip().getContent();
            if (tip && tip.textContent.includes('onerror')) {
                found.push({text: tip.textContent, imgs: tip.querySelectorAll('img').length});
            }
        }
    }
    return found;
}"""


def test_an_editor_signs_in_imports_a_file_and_its_markup_venue_shows_as_text(
        writable_built_url, tmp_path):
    from tne_dash.access import Account, Role, hash_password, save_accounts

    accounts = tmp_path / "accounts.toml"
    save_accounts(accounts, [Account("claire", Role.EDITEUR, frozenset({"95"}),
                                     password_hash=hash_password("pw95"))])
    upload = tmp_path / "ateliers.csv"
    upload.write_text(
        "date;code_insee;lieu;type_lieu;phase;format;thematiques;duree_minutes;animateur;"
        "nb_parents;nb_nouveaux_parents;nb_enfants;reference\n"
        f"12/03/2024;95063;{EVIL};école;acculturation;atelier collectif;ENT;90;CNFS;12;7;3;"
        "EVIL-1\n", encoding="utf-8")
    with streamlit_server(writable_built_url, TNE_DASH_ACCOUNTS_FILE=str(accounts)) as base, \
            chromium_page() as (page, outside, errors):
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        sign_in_on_page(page, base, "/importer", "claire", "pw95")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        page.get_by_text("ateliers.csv").first.wait_for(timeout=30_000)
        wait_until_rendered(page)
        page.get_by_role("button", name="Importer", exact=True).click()
        page.get_by_text("ateliers.csv : importé — 1 ajouté(s)").wait_for(timeout=30_000)
        wait_until_rendered(page)
        screenshot(page, "importer")

        page.get_by_role("link", name="Saisie").click()  # in-app navigation keeps the session
        page.get_by_text("Saisir un atelier").wait_for(timeout=30_000)
        wait_until_rendered(page)
        page.get_by_label("Commune (tapez pour chercher)").click()
        page.keyboard.type("Bezons")
        page.keyboard.press("Enter")
        page.get_by_text("Enregistrer l'atelier").wait_for(timeout=30_000)
        wait_until_rendered(page)
        screenshot(page, "saisie")

        page.goto(f"{base}/carte?dep=95")
        wait_until_rendered(page)
        map_frame(page)
        frame = page.locator(MAP_FRAME).element_handle() \
            .content_frame()
        tooltips = frame.evaluate(_TOOLTIPS_OF_EVIL_MARKERS)
        assert tooltips and tooltips[0]["imgs"] == 0
        assert EVIL in tooltips[0]["text"]
        assert frame.locator('img[src="x"]').count() == 0
        assert dialogs == [] and errors == [] and outside == []


def test_the_saisie_page_asks_anonymous_viewers_to_sign_in(server):
    with chromium_page() as (page, outside, errors):
        page.goto(f"{server}/saisie")
        wait_until_rendered(page)
        assert page.get_by_text("Cette page sert à saisir des ateliers").count() == 1
        assert page.locator('[data-testid="stException"]').count() == 0
        assert errors == [] and outside == []


_CENTRE_OF = """(code) => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    let point = null;
    map.eachLayer(layer => {
        if (layer.feature && layer.feature.properties.code === code && layer.getBounds) {
            point = map.latLngToContainerPoint(layer.getBounds().getCenter());
        }
    });
    const box = map.getContainer().getBoundingClientRect();
    return point && {x: point.x + box.left, y: point.y + box.top};
}"""


# The outline layers whose file has arrived (maps.OutlineLayer marks them tneLoaded), on
# the frame's maps (a rerun may leave the previous one in the window).
_OUTLINES_LOADED = """(expected) => Object.values(window)
    .filter(v => v instanceof window.L.Map)
    .some(map => {
        let loaded = 0;
        map.eachLayer(layer => {
            if (layer.tneStack !== undefined && layer.tneLoaded) { loaded += 1; }
        });
        return loaded >= expected;
    })"""
# The code of the polygon drawn last — on top, the one a click hits — on the map that holds
# the outlines (Leaflet's canvas renderer keeps its draw order as a linked list).
_TOPMOST_CODE = """() => {
    for (const map of Object.values(window).filter(v => v instanceof window.L.Map)) {
        let outlines = false;
        map.eachLayer(layer => { if (layer.tneStack !== undefined) { outlines = true; } });
        const last = map._renderer && map._renderer._drawLast;
        if (outlines && last && last.layer.feature) { return last.layer.feature.properties.code; }
    }
    return null;
}"""


def test_clicking_a_departement_then_a_commune_opens_them(server):
    with chromium_page() as (page, outside, errors):
        page.goto(f"{server}/carte?couches=aucune")  # no cluster bubble over the polygons
        wait_until_rendered(page)
        map_frame(page)
        iframe = page.locator(MAP_FRAME)
        frame = iframe.element_handle().content_frame()
        outlines_drawn(frame, 101)
        target = frame.evaluate(_CENTRE_OF, "86")
        origin = iframe.bounding_box()
        page.mouse.move(origin["x"] + target["x"], origin["y"] + target["y"])
        tooltip = page.frame_locator(MAP_FRAME).locator(".leaflet-tooltip")
        tooltip.wait_for(timeout=10_000)  # styled and labelled from the page's own data
        assert tooltip.inner_text().startswith("Vienne (86)")
        assert "Cohorte TNE" in tooltip.inner_text()
        page.mouse.click(origin["x"] + target["x"], origin["y"] + target["y"])
        page.wait_for_function("() => location.search.includes('dep=86')", timeout=30_000)
        wait_until_rendered(page)
        page.get_by_text("Non engagée").first.wait_for(timeout=30_000)  # communes legend
        map_frame(page)
        iframe = page.locator(MAP_FRAME)
        frame = iframe.element_handle().content_frame()
        frame.wait_for_function(f"() => ({_CENTRE_OF})('86194') !== null", timeout=30_000)
        # Both outline files loaded, whichever came first: the département's outline is
        # under its communes (maps.OutlineLayer's stack), so a click hits the commune.
        frame.wait_for_function(_OUTLINES_LOADED, arg=2, timeout=30_000)
        frame.wait_for_function(f"() => !['86', null].includes(({_TOPMOST_CODE})())",
                                timeout=30_000)
        target = frame.evaluate(_CENTRE_OF, "86194")  # Poitiers
        origin = iframe.bounding_box()
        page.mouse.click(origin["x"] + target["x"], origin["y"] + target["y"])
        page.get_by_role("heading", name="Poitiers (86)").wait_for(timeout=30_000)
        screenshot(page, "carte-vienne-poitiers")
        assert "dep=86" in page.url
        assert outside == [] and errors == []


# The map's view: its centre and zoom (the frame's one Leaflet map).
_MAP_VIEW = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const centre = map.getCenter();
    return {lat: centre.lat, lng: centre.lng, zoom: map.getZoom()};
}"""


def choose_territory(page, typed: str) -> None:
    """The sidebar's « Territoire » list: a few letters typed, Enter picks the first match."""
    page.locator('[data-testid="stSidebar"]').get_by_label("Territoire", exact=True).click()
    page.keyboard.type(typed)
    page.keyboard.press("Enter")


def test_a_territory_chosen_in_the_sidebar_keeps_the_map_s_frame_and_frames_it(server):
    """The map's frame is not reloaded when the territory changes (its Leaflet, its scripts
    and France's outlines stay), the map is framed on the new territory, and a commune
    clicked before going back to France is not taken for a new click there."""
    with chromium_page() as (page, outside, errors):
        page.goto(f"{server}/carte?couches=aucune")
        wait_until_rendered(page)
        map_frame(page)
        frame = page.locator(MAP_FRAME).element_handle().content_frame()
        outlines_drawn(frame, 101)
        france = frame.evaluate(_MAP_VIEW)
        frame.evaluate("() => { window.tneKeptFrame = true; }")

        choose_territory(page, "Val-d'Oise (95)")
        page.wait_for_function("() => location.search.includes('dep=95')", timeout=30_000)
        wait_until_rendered(page)
        frame.wait_for_function(f"() => ({_CENTRE_OF})('95063') !== null", timeout=30_000)
        assert frame.evaluate("() => window.tneKeptFrame") is True  # the same frame
        assert page.locator(MAP_FRAME).count() == 1
        val_d_oise = frame.evaluate(_MAP_VIEW)
        assert val_d_oise["zoom"] >= france["zoom"] + 2  # framed on the département
        assert 48.9 < val_d_oise["lat"] < 49.3 and 1.6 < val_d_oise["lng"] < 2.6
        outlines_drawn(frame, 184)  # its 183 communes and its outline

        frame.wait_for_function(_OUTLINES_LOADED, arg=2, timeout=30_000)
        frame.wait_for_function(f"() => !['95', null].includes(({_TOPMOST_CODE})())",
                                timeout=30_000)
        target = frame.evaluate(_CENTRE_OF, "95063")  # Bezons
        origin = page.locator(MAP_FRAME).bounding_box()
        page.mouse.click(origin["x"] + target["x"], origin["y"] + target["y"])
        page.get_by_role("heading", name="Bezons (95)").wait_for(timeout=30_000)
        wait_until_rendered(page)

        choose_territory(page, "France entière")
        page.wait_for_function("() => !location.search.includes('dep=')", timeout=30_000)
        wait_until_rendered(page)
        page.wait_for_timeout(1500)  # a stale click would reopen the Val-d'Oise by now
        wait_until_rendered(page)
        assert "dep=" not in page.url and "commune=" not in page.url
        assert page.get_by_role("heading", name="Bezons (95)").count() == 0
        assert frame.evaluate("() => window.tneKeptFrame") is True
        back = frame.evaluate(_MAP_VIEW)
        assert abs(back["zoom"] - france["zoom"]) < 0.3  # France framed again
        screenshot(page, "carte-france-apres-val-doise")
        assert outside == [] and errors == []


def test_the_val_d_oise_timeline_draws_with_french_months_and_the_date(server):
    with chromium_page() as (page, outside, errors):
        page.goto(f"{server}/deploiement?scope=departement:95&to=2023-04-17")
        wait_until_rendered(page)
        assert page.locator("h1").first.inner_text().strip() == "Déploiement"
        assert page.locator('[data-testid="stException"]').count() == 0
        timeline = page.locator('[data-testid="stVegaLiteChart"]').first
        timeline.scroll_into_view_if_needed()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stVegaLiteChart\"] svg, "
            "[data-testid=\"stVegaLiteChart\"] canvas') !== null", timeout=30_000)
        drawn = timeline.inner_html()
        assert "17 avril 2023" in drawn or timeline.locator("canvas").count() == 1
        # The timeline's sentence (its text alternative); the points de vigilance say the
        # place and date too, in their own words.
        assert page.get_by_text(re.compile(
            r"Val-d'Oise \(95\), au 17 avril 2023 : \d+ communes engagées")).count() == 1
        # Shown once (the chart's downloads carry its title too, hidden, for their names).
        assert page.locator("text=Frise des communes engagées >> visible=true").count() == 1
        timeline.screenshot(path=str(screenshot(page, "deploiement-val-doise").with_name(
            "deploiement-frise.png")))
        page.set_viewport_size({"width": 1440, "height": 2600})  # the whole page in one shot
        page.goto(f"{server}/deploiement?scope=commune:95063&to=2023-04-17")
        wait_until_rendered(page)
        # The commune's three-year plan is a plain table: its words are in the page.
        plan = page.locator("table.tne-table").filter(has_text="Année 1 — acculturation")
        plan.first.wait_for(timeout=30_000)
        assert plan.first.get_by_text("Année 3").count() >= 1
        screenshot(page, "deploiement-bezons")
        assert outside == []
        assert errors == []


def test_three_communes_compare_side_by_side_and_the_fiche_downloads(server, tmp_path):
    with chromium_page(height=3600) as (page, outside, errors):
        page.goto(f"{server}/comparer?communes=95063,95018,95127&to=2023-04-17")
        wait_until_rendered(page)
        assert page.locator("h1").first.inner_text().strip() == "Comparer des communes"
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.get_by_text("Bezons (95) · Argenteuil (95) · Cergy (95)").count() == 1
        page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] svg, "
            "[data-testid=\"stVegaLiteChart\"] canvas').length >= 3", timeout=30_000)
        screenshot(page, "comparer-trois-communes")
        with page.expect_download() as download:
            page.get_by_role("button", name="Fiche PDF de Bezons (95)").click()
        pdf = tmp_path / "fiche.pdf"
        download.value.save_as(pdf)
        text = PdfReader(pdf).pages[0].extract_text()
        assert "Fiche commune — Bezons (95)" in text
        assert "Argenteuil (95), Cergy (95)" in text
        search = page.get_by_label("Ajouter une commune")
        search.fill("saint ouen")
        page.get_by_role("button", name="Saint-Ouen-l'Aumône (95)").wait_for(timeout=30_000)
        assert outside == []
        assert errors == []


def _tile(page, label: str) -> str:
    tile = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_an_indicateurs_link_copied_from_the_address_bar_reopens_the_same_figures(server):
    with chromium_page(height=2400) as (page, outside, errors):
        page.goto(f"{server}/indicateurs?dep=95&from=2022-09-01&to=2023-04-17")
        wait_until_rendered(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        before = _tile(page, "Ateliers")
        page.get_by_text("Communes REP/REP+ seulement").click()
        page.wait_for_function("() => window.location.search.includes('rep=1')",
                               timeout=30_000)
        wait_until_rendered(page)
        after = _tile(page, "Ateliers")
        assert after != before
        screenshot(page, "indicateurs-val-doise-rep")
        link = page.url
        page.goto("about:blank")
        page.goto(link)
        wait_until_rendered(page)
        assert _tile(page, "Ateliers") == after
        assert page.get_by_text("Ventilations").count() >= 1
        # Only the open breakdown is drawn; choosing another tab draws it in its place.
        charts = page.locator('[data-testid="stVegaLiteChart"]')
        assert charts.count() == 1
        page.get_by_role("tab", name="Par format", exact=True).click()
        page.get_by_text("Ateliers par format").first.wait_for(state="attached",
                                                                timeout=30_000)
        wait_until_rendered(page)
        assert charts.count() == 1
        assert page.get_by_text("Ateliers par thème").count() == 0
        assert outside == []
        assert errors == []
