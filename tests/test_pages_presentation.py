"""AppTest of the Présentation page: figures equal to ``tne-dash indicators``, notices for a
bad address, stepping through the slides, and a workshop written straight into the database
picked up by the next refresh of the same session."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import time

from apptest import open_page, shown
from imports_helpers import record_bezons_workshop_today
from streamlit.testing.v1 import AppTest

from tne_dash.cli import main
from tne_dash.labels import format_number
from tne_dash.ui.data import VERSION_TTL

_FIGURE = re.compile(r'<div class="tne-fig( tne-changed)?" data-code="([a-z_0-9]+)"[^>]*>'
                     r'<div class="tne-value">([^<]*)</div>')


def open_presentation(**params: str) -> AppTest:
    return open_page("presentation.py", **params)


def slide(at: AppTest) -> str:
    """The HTML of the slide on screen."""
    return next(h.proto.body for h in at.get("html") if 'class="tne-slide"' in h.proto.body)


def figures(at: AppTest) -> dict[str, tuple[str, bool]]:
    """Figures of the slide: code → (value as shown, highlighted as just changed)."""
    return {code: (html.unescape(value), bool(changed))
            for changed, code, value in _FIGURE.findall(slide(at))}


def position(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Diapositive"))


def test_the_headline_slide_shows_the_figures_of_tne_dash_indicators(app_env, capsys):
    at = open_presentation(scope="departement:95", lecture="pause")
    assert not at.exception
    assert main(["indicators", "--database-url", app_env, "--scope", "departement:95",
                 "--to", dt.date.today().isoformat(), "--format", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)["indicators"]
    shown = figures(at)
    for code in ("workshops", "parents_reached", "parents_ressources_recruited",
                 "communes_engaged", "cnfs_posts"):
        assert shown[code] == (format_number(cli[code]), False)
    page = slide(at)
    assert "Val-d&#x27;Oise (95)" in page and "Données de démonstration" in page
    assert 'src="data:image/svg+xml' in page and "/?scope=departement:95" in page
    assert position(at).startswith("Diapositive 1 / 5 · en pause · mis à jour à ")
    assert [b.label for b in at.button] == ["Précédente", "Lecture", "Suivante"]


def test_a_bad_address_gives_notices_and_the_default_show(app_env):
    at = open_presentation(scope="departement:00", intervalle="3", diapos="chiffres,meteo",
                           diapo="7", honneur="99999")
    assert not at.exception
    notices = " ".join(w for w in shown(at.warning))
    for expected in ("Territoire inconnu : « departement:00 »", "Intervalle invalide : « 3 »",
                     "Diapositive(s) inconnue(s) : meteo", "Diapositive de départ invalide",
                     "Commune à l'honneur inconnue : code INSEE « 99999 »"):
        assert expected in notices
    assert "Les 12 départements TNE" in slide(at)
    assert position(at).startswith("Diapositive 1 / 1 · défilement toutes les 20 s")


def test_the_buttons_step_through_the_slides_and_go_round(app_env):
    at = open_presentation(scope="commune:95063", lecture="pause")
    at.button(key="presentation_back").click().run()
    assert position(at).startswith("Diapositive 5 / 5")
    assert "Commune à l&#x27;honneur" in slide(at) and "La commune présentée." in slide(at)
    at.button(key="presentation_forward").click().run()
    at.button(key="presentation_forward").click().run()
    assert position(at).startswith("Diapositive 2 / 5")
    assert at.get("component_instance"), "the map of the communes by phase"
    at.button(key="presentation_play").click().run()
    assert position(at).startswith("Diapositive 2 / 5 · défilement toutes les 20 s")


def test_a_slide_named_in_the_address_opens_first(app_env):
    at = open_presentation(scope="departement:95", diapos="objectifs,mois", diapo="mois",
                           lecture="pause")
    assert position(at).startswith("Diapositive 2 / 2")
    assert "Les ateliers du mois" in slide(at)


def test_a_workshop_written_to_the_database_shows_at_the_next_refresh(monkeypatch,
                                                                      writable_built_url):
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", writable_built_url)
    at = open_presentation(scope="departement:95", lecture="pause")
    before = figures(at)["workshops"][0]
    record_bezons_workshop_today(writable_built_url)  # another process writes
    time.sleep(VERSION_TTL + 0.5)  # the shared fingerprint is read again after its TTL
    at.run()
    after, highlighted = figures(at)["workshops"]
    assert int(after.replace("\u202f", "")) == int(before.replace("\u202f", "")) + 1
    assert highlighted
    assert position(at).startswith("Diapositive 1 / 5")  # the refresh kept the slide
    at.run()
    assert figures(at)["workshops"] == (after, False)  # highlighted once: briefly


def test_the_home_page_links_to_the_presentation_of_its_territory(app_env):
    at = open_page("accueil.py", scope="departement:95")
    link = next(e.proto for e in at.get("page_link") if e.proto.page == "presentation")
    assert link.query_string == "scope=departement%3A95"
    assert link.label == "Projeter ces chiffres (mode présentation)"
