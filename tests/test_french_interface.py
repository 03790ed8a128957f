"""No English in the interface, in a real Chromium: every page, to a visitor and to a signed-in
editor, with Streamlit's own widgets opened (a list's « Select all », « No results », the
date picker, the file uploader and its file); the map's frame titled in French after the
view it shows, Leaflet's buttons in French, and a « Passer la carte » link for keyboards.

Streamlit writes that English itself; the app writes it in French through
``tne_dash/ui/streamlit_french.py`` (texts and accessible names) and the widgets'
``placeholder=``; the map's frame through ``tne_dash/ui/territory_map.py``."""

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

from tne_dash.ui.navigation import PAGES
from tne_dash.ui.streamlit_french import ENGLISH_PHRASES, LABELS, PATTERNS, TEXTS, french_script
from tne_dash.ui.territory_map import MAP_FRAME_SELECTOR, map_frame_script

# Every page at its plain address, and the map of a département.
ADDRESSES = tuple("/" if spec.default else f"/{spec.url_path}" for spec in PAGES) + (
    "/carte?dep=95", "/presentation?scope=departement:95&lecture=pause&diapo=carte")
# A phrase counts only as a whole word of the text, in its case (« Limite » is French).
_ENGLISH = re.compile(r"(?<!\w)(" + "|".join(re.escape(p) for p in ENGLISH_PHRASES)
                      + r")(?!\w)")
# A name read by screen readers that is still Streamlit's English: one of the strings the
# script translates, as it was.
_ENGLISH_NAMES = {*TEXTS, *LABELS}
_ENGLISH_NAME_PATTERNS = tuple(re.compile(pattern) for pattern, _ in PATTERNS)

# What a page says: its visible text, and every aria-label, title and placeholder.
_SAID = """() => ({
    text: document.body.innerText,
    names: [...document.querySelectorAll('[aria-label], [title], [placeholder]')].flatMap(
        (e) => ['aria-label', 'title', 'placeholder'].map((a) => e.getAttribute(a))
                                                      .filter((v) => v)),
})"""


def english_in(said: dict) -> list[str]:
    """The English phrases of the visible text, and the names still in Streamlit's English."""
    found = [m.group(1) for m in _ENGLISH.finditer(said["text"])]
    found += [name for name in said["names"] if name.strip() in _ENGLISH_NAMES
              or any(p.match(name.strip()) for p in _ENGLISH_NAME_PATTERNS)]
    return found


def sign_in(page, base: str) -> None:
    sign_in_on_page(page, base, "/importer", "claire", "pw95")


@pytest.fixture(scope="module")
def server(built_db_url, tmp_path_factory):
    from tne_dash.access import Account, Role, hash_password, save_accounts

    accounts = tmp_path_factory.mktemp("comptes") / "accounts.toml"
    save_accounts(accounts, [Account("claire", Role.EDITEUR, frozenset({"95"}),
                                     password_hash=hash_password("pw95"))])
    with streamlit_server(built_db_url, TNE_DASH_ACCOUNTS_FILE=str(accounts)) as base:
        yield base


def test_the_map_frame_selector_is_the_one_the_app_titles():
    assert MAP_FRAME == MAP_FRAME_SELECTOR


def test_no_text_can_close_the_scripts_it_is_written_into():
    script = map_frame_script("Carte — </script><script>alert(1)</script>")
    assert script.count("</script>") == 1 and "alert(1)" in script
    assert "\\u003c/script>\\u003cscript>alert(1)" in script
    assert french_script().count("</script>") == 1


@pytest.mark.browser
def test_no_page_shows_streamlit_english_to_a_visitor_or_an_editor(server, tmp_path):
    english: dict[str, list[str]] = {}
    with chromium_page() as (page, outside, errors):
        for address in ADDRESSES:
            page.goto(f"{server}{address}")
            wait_until_rendered(page)
            page.wait_for_timeout(1000)  # the map's frame, drawn a moment later
            said = [page.evaluate(_SAID)] + [frame.evaluate(_SAID) for frame in page.frames[1:]
                                             if not frame.is_detached()]
            english[address] = [phrase for s in said for phrase in english_in(s)]
            frames = page.evaluate("() => [...document.querySelectorAll('iframe')]"
                                   ".map((f) => f.getAttribute('title'))")
            assert all(title and "streamlit" not in title for title in frames), (address, frames)

        # Streamlit's own widgets, opened: a list (« Select all »; typing a name that matches
        # nothing: « No results »), the date picker.
        page.goto(f"{server}/indicateurs?dep=95")
        wait_until_rendered(page)
        page.locator('[data-testid="stMultiSelect"]').nth(1).click()
        listbox = page.locator('[role="listbox"]').first
        listbox.wait_for()
        assert listbox.get_by_text("Tout sélectionner").count() == 1
        page.keyboard.type("zzzz")
        page.get_by_text("Aucun résultat").wait_for()
        english["liste ouverte"] = english_in(page.evaluate(_SAID))
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
        page.locator('[data-testid="stDateInputCalendarButton"]').first.click()
        page.locator('[role="dialog"]').first.wait_for()
        english["calendrier"] = english_in(page.evaluate(_SAID))
        page.keyboard.press("Escape")

        # An editor: the Saisie form (a commune chosen) and the Import page with a file.
        sign_in(page, server)
        upload = tmp_path / "ateliers.csv"
        upload.write_text("date;code_insee\n12/03/2024;95063\n", encoding="utf-8")
        uploader = page.locator('[data-testid="stFileUploader"]').first
        assert uploader.get_by_role("button", name="Choisir un fichier").count() == 1
        english["import"] = english_in(page.evaluate(_SAID))
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        page.get_by_text("ateliers.csv").first.wait_for(timeout=30_000)
        wait_until_rendered(page)
        assert page.locator('[data-testid="stFileChip"]').get_attribute("aria-label") \
            .endswith(" octets")
        english["import, un fichier choisi"] = english_in(page.evaluate(_SAID))
        screenshot(page, "importer-en-francais")
        page.get_by_role("link", name="Saisie").click()
        page.get_by_text("Saisir un atelier").wait_for(timeout=30_000)
        wait_until_rendered(page)
        page.get_by_label("Commune (tapez pour chercher)").click()
        page.keyboard.type("Bezons")
        page.keyboard.press("Enter")
        page.get_by_text("Enregistrer l'atelier").wait_for(timeout=30_000)
        wait_until_rendered(page)
        english["saisie"] = english_in(page.evaluate(_SAID))
        assert outside == [] and errors == []
    assert {where: found for where, found in english.items() if found} == {}


@pytest.mark.browser
def test_the_map_frame_is_titled_in_french_after_the_view_it_shows(server):
    with chromium_page() as (page, outside, errors):
        page.goto(f"{server}/carte")
        wait_until_rendered(page)
        map_frame(page)
        assert page.locator(MAP_FRAME).get_attribute("title") == (
            "Carte — France : départements, les départements TNE par cohorte ; "
            "points : structures CNFS, lieux d'atelier")

        page.goto(f"{server}/carte?dep=95&couches=aucune")
        wait_until_rendered(page)
        frame = map_frame(page)
        assert page.locator(MAP_FRAME).get_attribute("title") == (
            "Carte — Val-d'Oise (95) : communes par phase du déploiement")
        # The colouring changes in place (same frame): its title follows.
        colouring = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1)
        colouring.click()
        page.keyboard.type("Parents touchés pour")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "(s) => document.querySelector(s).title.includes('Parents touchés pour 1 000')",
            arg=MAP_FRAME, timeout=30_000)
        assert page.locator(MAP_FRAME).count() == 1
        assert page.locator(MAP_FRAME).get_attribute("title") == (
            "Carte — Val-d'Oise (95) : communes selon « Parents touchés pour 1 000 habitants »")

        # Inside the frame: a French document, Leaflet's buttons in French, no miles.
        leaflet = page.locator(MAP_FRAME).element_handle().content_frame()
        assert leaflet.evaluate("document.documentElement.lang") == "fr"
        assert frame.locator(".leaflet-control-zoom-in").get_attribute("aria-label") \
            == "Zoom avant"
        assert frame.locator(".leaflet-control-zoom-out").get_attribute("aria-label") \
            == "Zoom arrière"
        assert frame.locator(".leaflet-control-layers-toggle").get_attribute("aria-label") \
            == "Couches de la carte"
        scale = frame.locator(".leaflet-control-scale-line:visible").all_inner_texts()
        assert len(scale) == 1 and scale[0].endswith("m")

        page.goto(f"{server}/presentation?scope=departement:95&lecture=pause&diapo=carte")
        wait_until_rendered(page)
        map_frame(page)
        assert page.locator(MAP_FRAME).get_attribute("title") == (
            "Carte — Val-d'Oise (95) : communes par phase du déploiement")
        assert outside == [] and errors == []


@pytest.mark.browser
def test_the_map_can_be_skipped_with_the_keyboard(server):
    with chromium_page() as (page, outside, errors):
        page.goto(f"{server}/carte?dep=95")
        wait_until_rendered(page)
        map_frame(page)
        skip = page.locator("a.tne-passer-carte")
        assert skip.bounding_box()["x"] < 0  # out of sight until the keyboard reaches it
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.className") == "tne-passer-carte":
                break
        else:
            pytest.fail("« Passer la carte » n'est pas atteint au clavier")
        box = skip.bounding_box()
        frame_box = page.locator(MAP_FRAME).bounding_box()
        assert skip.inner_text() == "Passer la carte"
        assert box["width"] > 50 and frame_box["x"] <= box["x"] < frame_box["x"] + 300
        screenshot(page, "carte-passer-la-carte")
        page.keyboard.press("Enter")
        # The focus is after the map: on the legend that follows it, not in the frame.
        after = page.evaluate("""(s) => {
            const frame = document.querySelector(s), focused = document.activeElement;
            return {follows: !!(frame.compareDocumentPosition(focused)
                                & Node.DOCUMENT_POSITION_FOLLOWING),
                    text: focused.innerText};
        }""", MAP_FRAME)
        assert after["follows"] and after["text"].startswith("Communes :"), after
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.tagName") != "IFRAME"
        assert outside == [] and errors == []
