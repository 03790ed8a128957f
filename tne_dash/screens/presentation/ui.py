"""The presentation's slideshow: one fragment that reruns on its own every tick, reads the
figures again when the activity changed, moves to the next slide when its time is up, and
keeps the current slide across refreshes (the deck lives in the session)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from tne_dash.embed.snippet import dashboard_origin
from tne_dash.figures.live_figures import LiveFigures, changed_figures
from tne_dash.figures.map_frames import for_viewer
from tne_dash.figures.map_view import MapView
from tne_dash.figures.scope import TNE, Scope
from tne_dash.labels import format_date, format_month, format_percent
from tne_dash.screens.presentation import slides as html
from tne_dash.screens.presentation.share import dashboard_link, qr_data_uri
from tne_dash.screens.presentation.view import (
    SLIDES,
    PresentationView,
    presentation_params,
    slide_due,
    step,
)
from tne_dash.ui import data
from tne_dash.ui.territory_map import build_territory_layers, introduce_map

_DECK = "presentation_deck"
MAP_HEIGHT = 480
KEYS_HINT = "Clavier : ← diapositive précédente · Espace lecture ou pause · → suivante"


@dataclass
class Deck:
    """Where the show is: current slide, since when, playing or paused, last figures read."""

    key: str
    index: int
    shown_at: float
    playing: bool
    figures: LiveFigures | None = None
    pending: frozenset[str] = field(default_factory=frozenset)  # changed, not yet highlighted
    updated_at: dt.datetime | None = None
    unreachable: bool = False


def current_deck(view: PresentationView) -> Deck:
    """This session's deck; a new one when the URL asks for another show."""
    key = repr(presentation_params(view))
    deck = st.session_state.get(_DECK)
    if deck is None or deck.key != key:
        deck = Deck(key, view.start, time.monotonic(), view.playing)
        st.session_state[_DECK] = deck
    return deck


def _move(by: int, count: int) -> None:
    deck: Deck = st.session_state[_DECK]
    deck.index = step(deck.index, count, by)
    deck.shown_at = time.monotonic()


def _toggle() -> None:
    deck: Deck = st.session_state[_DECK]
    deck.playing = not deck.playing
    deck.shown_at = time.monotonic()


def checked_view(url: str, view: PresentationView) -> PresentationView:
    """The view with a territory and a commune à l'honneur that exist (notices otherwise)."""
    problems = list(view.problems)
    if not data.load_scope_exists(url, view.scope):
        problems.append(f"Territoire inconnu : « {view.scope} ». Présentation des départements "
                        "TNE.")
        view = replace(view, scope=Scope(TNE))
    if view.honour and view.honour not in data.load_commune_codes(url):
        problems.append(f"Commune à l'honneur inconnue : code INSEE « {view.honour} ». Choix "
                        "automatique.")
        view = replace(view, honour=None)
    return replace(view, problems=tuple(problems))


def slideshow(url: str, view: PresentationView) -> None:
    """Run the show: a fragment rerun every ``view.refresh_seconds``, no page reload."""
    link = dashboard_link(dashboard_origin(data.settings().public_url, st.context.url), view.scope)
    share = html.share_block(link, qr_data_uri(link))  # drawn once, not at every tick

    @st.fragment(run_every=view.refresh_seconds)
    def live() -> None:
        deck = current_deck(view)
        if deck.playing and slide_due(time.monotonic() - deck.shown_at, view.interval):
            _move(1, len(view.slides))
        refresh(url, view, deck)
        if deck.figures is None:
            st.error("La base de données est injoignable : les chiffres s'afficheront dès "
                     "qu'elle répondra.", icon=":material/cloud_off:")
        else:
            show_slide(view.slides[deck.index], deck, share)
        controls(view, deck)

    live()


def refresh(url: str, view: PresentationView, deck: Deck) -> None:
    """Read the figures again if the activity changed; note which headline figures moved.
    An unreachable database keeps the last figures on screen and says so."""
    try:
        version = data.load_data_version(url)
        figures = data.load_live_figures(url, view.scope, data.today(), view.honour, version)
    except SQLAlchemyError:
        deck.unreachable = True
        return
    deck.unreachable = False
    before = deck.figures.shown_values() if deck.figures else None
    deck.pending |= changed_figures(before, figures.shown_values())
    deck.figures, deck.updated_at = figures, data.now()


def show_slide(name: str, deck: Deck, share: str) -> None:
    figures = deck.figures
    head = html.slide_head(SLIDES[name], figures.label, figures.demo)
    if name == "chiffres":
        st.html(html.wrap(head, html.subtitle(
            f"Depuis le début du programme, au {format_date(figures.as_of)}"),
            html.first_slide(figures.headline, deck.pending, share)))
        deck.pending = frozenset()  # highlighted once: brief
    elif name == "carte":
        map_slide(head, figures)
    elif name == "objectifs":
        bars = (html.objective_bars(figures.objectives, figures.elapsed)
                if not figures.objectives.empty else
                html.empty(f"Aucun objectif enregistré pour {figures.school_year}."))
        st.html(html.wrap(head, html.subtitle(
            f"Année scolaire {figures.school_year} — au {format_date(figures.as_of)}, "
            f"{format_percent(100 * figures.elapsed, 0)} de l'année écoulée (trait noir)"),
            bars))
    elif name == "mois":
        month = figures.month
        when = format_month(month.start, long=True)
        sub = (f"Du {format_date(month.start)} au {format_date(month.end)}" if month.current
               else f"Pas encore d'atelier ce mois-ci : voici le dernier mois actif, {when}.")
        st.html(html.wrap(head, html.subtitle(sub),
                          html.figure_grid(month.kpis, columns=len(month.kpis)),
                          html.subtitle("Thèmes les plus abordés"),
                          html.theme_bars(month.themes) if not month.themes.empty else
                          html.empty("Aucun atelier sur la période.")))
    else:
        st.html(html.wrap(head, html.honour_card(figures.honour, figures.school_year)
                          if figures.honour else
                          html.empty("Aucun atelier enregistré pour l'instant.")))


def map_slide(head: str, figures: LiveFigures) -> None:
    """The communes by phase: the Carte page's own map, public, no points."""
    config = data.settings()
    data.prepare_offline_maps()
    departement = figures.departement
    view = MapView(departement=departement, date_to=figures.as_of, layers=())
    found = for_viewer(data.load_map_frames(data.read_url(), view), view, exact=False)
    communes = data.commune_outlines(config, departement) if departement else []
    cohorts = data.load_departements(data.read_url()).set_index("code")["tne_cohort"]
    # The base map stays the same from one refresh to the next; the outlines, styled by the
    # live figures, are swapped in place: a new figure never reloads the map on the screen.
    drawn = build_territory_layers(view, found, data.departement_outlines(config), communes,
                                   cohorts, tiles=config.map_tiles,
                                   reference_dir=config.reference_dir)
    st.html(html.wrap(head, html.subtitle(figures.map_label)
                      if figures.map_label != figures.label else ""))
    left, right = st.columns([3, 1], vertical_alignment="center")
    with left:
        # Imported here, in a script run: streamlit-folium declares its component when first
        # imported, and one declared before the server's runtime exists (serve.py imports the
        # screens at start) is never served — the map frame would stay empty.
        from streamlit_folium import st_folium

        introduce_map(drawn.title)  # « Passer la carte », the frame's French title
        st_folium(drawn.base, key="presentation_map", height=MAP_HEIGHT,
                  use_container_width=True, returned_objects=[],
                  feature_group_to_add=drawn.groups, layer_control=drawn.control)
    right.html(html.wrap(html.phase_legend(figures.phases,
                                           map_of_departements=departement is None)))


def controls(view: PresentationView, deck: Deck) -> None:
    """Previous / pause / next, where we are, when figures were read, and the keys that do
    the same (← Espace →) written in French: Streamlit's own key hints (« Space ») are hidden
    by the slides' style."""
    count = len(view.slides)
    bar = st.container(horizontal=True, vertical_alignment="center", gap="small")
    bar.button("Précédente", icon=":material/chevron_left:", shortcut="Left",
                on_click=_move, args=(-1, count), key="presentation_back")
    bar.button("Pause" if deck.playing else "Lecture",
                icon=":material/pause:" if deck.playing else ":material/play_arrow:",
                shortcut="Space", on_click=_toggle, key="presentation_play")
    bar.button("Suivante", icon=":material/chevron_right:", shortcut="Right",
                   on_click=_move, args=(1, count), key="presentation_forward")
    stamp = deck.updated_at.strftime("%H:%M") if deck.updated_at else "—"
    state = (f"défilement toutes les {view.interval} s" if deck.playing else "en pause")
    warning = " · **base injoignable, derniers chiffres affichés**" if deck.unreachable else ""
    bar.markdown(f"Diapositive {deck.index + 1} / {count} · {state} · "
                 f"mis à jour à {stamp}{warning}  \n{KEYS_HINT}")
