"""What axe-core cannot see, checked on the pages themselves (AppTest and the slides' HTML):
a text or a table beside every chart and map, no colour without its words, the presentation's
keys written on screen, the statement's link at the foot of every page.

The accessibility statement (``tne_dash.accessibility.MANUAL_CHECKS``) names these tests.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
from apptest import open_page
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from tne_dash.accessibility import AXE_VIEWS, CONFORMITY, CheckedView
from tne_dash.figures.metrics import Kpi
from tne_dash.figures.objectives import Status
from tne_dash.screens.presentation import slides
from tne_dash.screens.presentation.ui import KEYS_HINT
from tne_dash.ui.navigation import PAGES

HEADINGS = {"title", "header", "subheader"}
CHARTS = {"vega_lite_chart"}
MAPS = {"component_instance"}  # st_folium: the only component of the app
# What reads a chart's figures without seeing it.
ALTERNATIVE_EXPANDER = re.compile(r"en (texte|tableau)$")
TABLES = {"dataframe", "table"}
TEXTS = {"markdown", "caption", "html"}


def open_view(view: CheckedView) -> AppTest:
    """The view's page in AppTest with its address's parameters."""
    parts = urlsplit(view.path)
    page = (parts.path.strip("/") or "accueil") + ".py"
    return open_page(page, **dict(parse_qsl(parts.query)))


def leaves(block: Block):
    """The elements of a block in reading order; an expander or a tab is one leaf."""
    for child in block.children.values():
        if isinstance(child, Block) and child.type not in {"expandable", "tab"}:
            yield from leaves(child)
        else:
            yield child


def says_figures(element) -> bool:
    """An element that gives figures in words or in a table."""
    if element.type in TABLES:
        return True
    if element.type in {"expandable", "tab"}:
        return bool(ALTERNATIVE_EXPANDER.search(element.label or "")) or any(
            says_figures(inner) for inner in leaves(element))
    return element.type in TEXTS and len(re.findall(r"\d", str(element.value))) >= 2


def charts_without_words(at: AppTest) -> list[str]:
    """Each chart needs figures in words or a table in its section — from the heading, or
    the chart, before it (or before the set of charts it belongs to) to the heading, or the
    chart, after it; each map needs a table or a
    legend with figures after it on the page."""
    missing = []
    sections = [list(leaves(at.main))]
    sections += [list(leaves(tab)) for tab in at.tabs]
    for elements in sections:
        for index, element in enumerate(elements):
            if element.type in CHARTS:
                # Charts one after the other with nothing between them are one figure (small
                # multiples, one chart per commune): its words come before or after the set.
                first = last = index
                while first > 0 and elements[first - 1].type in CHARTS:
                    first -= 1
                while last + 1 < len(elements) and elements[last + 1].type in CHARTS:
                    last += 1
                start = max((i for i in range(first) if elements[i].type in HEADINGS | CHARTS),
                            default=-1) + 1
                end = min((i for i in range(last + 1, len(elements))
                           if elements[i].type in HEADINGS | CHARTS), default=len(elements))
                around = elements[start:first] + elements[last + 1:end]
                if not any(says_figures(e) for e in around):
                    missing.append(f"graphique n° {index} sans texte ni tableau")
            elif element.type in MAPS and not any(
                    says_figures(e) for e in elements[index + 1:] if e.type in TABLES | TEXTS):
                missing.append(f"carte n° {index} sans tableau ni légende chiffrée")
    return missing


def test_every_chart_and_map_has_its_figures_in_text_or_a_table(app_env):
    """Every view of the statement, and the presentation's map slide."""
    views = (*AXE_VIEWS, CheckedView("Présentation, carte",
                                     "/presentation?scope=departement:95&lecture=pause"
                                     "&diapo=carte"))
    drawn, missing = 0, {}
    for view in views:
        at = open_view(view)
        assert not at.exception, view.name
        drawn += len(at.get("vega_lite_chart")) + len(at.get("component_instance"))
        if found := charts_without_words(at):
            missing[view.name] = found
    assert drawn >= 14  # the checks saw charts and maps: Indicateurs, Déploiement, Comparer…
    assert missing == {}


def test_every_page_links_to_the_accessibility_statement_in_its_footer(app_env):
    """The RGAA's mention, linked to the statement, closes every page of the navigation —
    the editors' pages too, where an anonymous visitor's page stops at the sign-in."""
    for spec in PAGES:
        at = open_page(spec.file, **({"lecture": "pause"} if spec.url_path == "presentation"
                                     else {}))
        assert not at.exception, spec.file
        links = [(link.proto.label, link.proto.page) for link in at.get("page_link")]
        assert links[-2:] == [(f"Accessibilité : {CONFORMITY}", "accessibilite"),
                              ("Données et méthodes", "donnees")], (spec.file, links)


def test_a_page_that_fails_still_ends_with_the_footer(monkeypatch):
    """An unreachable database: the French message, then the footer."""
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", "postgresql+psycopg://tne:x@127.0.0.1:9/tne")
    at = open_page("carte.py")
    assert not at.exception
    assert at.error and "injoignable" in at.error[0].value
    assert [link.proto.page for link in at.get("page_link")][-2:] == ["accessibilite",
                                                                      "donnees"]


def test_the_presentation_writes_its_keyboard_shortcuts_on_screen(app_env):
    at = open_page("presentation.py", lecture="pause")
    bar = [m.value for m in at.markdown if "Diapositive" in m.value]
    assert bar and KEYS_HINT in bar[0]
    assert "← diapositive précédente" in KEYS_HINT and "Espace lecture ou pause" in KEYS_HINT
    assert "→ suivante" in KEYS_HINT
    # The keys the hint names are the buttons' shortcuts.
    assert {b.proto.shortcut for b in at.button if b.key.startswith("presentation_")} == {
        "left", "space", "right"}  # as Streamlit stores them
    # Streamlit's own hints (« Space », read « Shortcut Space ») are hidden by the slides.
    assert '[class*="st-key-presentation_"] kbd {' in slides.STYLE


def test_every_colour_of_the_presentation_is_also_said_in_words():
    """Objective bars name their status beside its colour; the map's legend names each
    phase beside its swatch and counts it; a figure that changed says « mis à jour »."""
    objectives = pd.DataFrame([
        {"label": "Ateliers", "achieved": 412, "target": 600, "pct": 68.7,
         "status": Status.LATE.value, "status_label": "En retard"},
        {"label": "Parents touchés", "achieved": 900, "target": 800, "pct": 112.5,
         "status": Status.REACHED.value, "status_label": "Atteint"},
    ])
    bars = slides.objective_bars(objectives, elapsed=0.8)
    assert re.search(rf"background:{slides.ROUGE_ERREUR}\">En retard<", bars)
    assert re.search(rf"background:{slides.GREEN_PCN}\">Atteint<", bars)
    phases = pd.DataFrame([
        {"phase": "acculturation", "label": "Année 1 — acculturation", "communes": 3},
        {"phase": "autonomie", "label": "Année 3 — autonomie", "communes": 2},
        {"phase": slides.NOT_ENGAGED, "label": "Non engagée", "communes": 7},
    ])
    legend = slides.phase_legend(phases)
    for phase, count in (("Année 1 — acculturation", "3"), ("Année 3 — autonomie", "2")):
        assert re.search(rf'tne-swatch" style="background:#[0-9A-Fa-f]{{6}}"></div>'
                         rf"<b>{count}</b><div>{phase}</div>", legend), phase
    assert "7 communes pas encore engagées" in legend
    cohorts = slides.phase_legend(phases, map_of_departements=True)
    for cohort in slides.Cohort:  # the map of France: départements coloured by cohort
        assert re.search(rf'background:{slides.COHORT_COLOURS[cohort.value]}"></div>'
                         rf'<div style="grid-column: 2 / -1">{re.escape(cohort.label)}</div>',
                         cohorts)
    changed = slides.figure_grid([Kpi("workshops", "Ateliers", "12", help="")],
                                 changed={"workshops"})
    assert "tne-changed" in changed and "mis à jour" in changed
    assert ".tne-fig.tne-changed .tne-new { display: inline-block" in slides.STYLE



def test_no_page_stops_with_st_stop_so_the_footer_always_follows():
    """``st.stop()`` would refuse the footer too: pages end with ``shell.end_page()``."""
    root = Path(__file__).resolve().parent.parent
    stopping = [str(path.relative_to(root))
                for path in [*root.glob("pages/*.py"), *(root / "tne_dash").rglob("*.py")]
                if "st.stop()" in path.read_text(encoding="utf-8")
                and path != root / "tne_dash" / "ui" / "shell.py"]
    assert stopping == []
