"""The Accueil page's sections: the headline figures of a territory, its points de
vigilance, and the page directory."""

from __future__ import annotations

import datetime as dt
from functools import partial

import streamlit as st

from tne_dash.figures.filters import Filters
from tne_dash.figures.metrics import headline_kpis
from tne_dash.figures.scope import Scope
from tne_dash.labels import DEMO_BADGE, markdown_text, population_note
from tne_dash.screens.accueil.vigilance import (
    ALL_POINTS,
    NO_POINT,
    VigilanceDigest,
    all_points_params,
    vigilance_digest,
)
from tne_dash.ui import auth, blocks, data
from tne_dash.ui.navigation import PAGES
from tne_dash.ui.urlstate import View


def headline(url: str, view: View) -> None:
    """The territory's name, population and headline figures to the chosen date, with a link
    that projects them."""
    values = data.load_indicators(url, view.scope, Filters(date_to=view.date_to))
    st.subheader(data.load_scope_label(url, view.scope))
    st.caption(population_note(values.population))
    blocks.demo_notice(values.demo)
    exact = auth.current_account().sees_exact_counts
    blocks.kpi_row(headline_kpis(values, exact=exact))
    blocks.masking_note(view.scope.is_commune and not exact)
    st.page_link("pages/presentation.py", label="Projeter ces chiffres (mode présentation)",
                 icon=":material/co_present:", query_params={"scope": str(view.scope)})


def _points_asked(url: str, view: View) -> tuple:
    """What the block asks ``load_vigilance_digest``: the page's date (today without one),
    exact counts for the viewers who see them, the territory's name."""
    exact = auth.current_account().sees_exact_counts
    return (url, view.scope, view.date_to or data.today(), exact,
            data.load_scope_label(url, view.scope))


@st.cache_data(ttl=data.ACTIVITY_TTL, max_entries=64, show_spinner=False)
def load_vigilance_digest(url: str, scope: Scope, as_of: dt.date, exact: bool,
                          place: str) -> VigilanceDigest:
    """The block's digest of the points (``data.load_followed_vigilance``, no notes): a run
    reads these few values from the cache, not France's 12 000 points (40–70 ms to copy out
    of it, and as much to count them, at every run)."""
    points = data.load_followed_vigilance(url, scope, as_of, exact, False)
    return vigilance_digest(points, place, as_of)


def start_vigilance(url: str, view: View) -> None:
    """The points started in a thread of their own while the headline figures are read
    (``data.prefetch``): France's at a new date are the page's largest computation."""
    data.prefetch(partial(load_vigilance_digest, *_points_asked(url, view)))


def vigilance_block(url: str, view: View) -> None:
    """The territory's points de vigilance at the page's date: how many, one tile per reason,
    the most urgent ones with their links, and the link to all of them on Déploiement."""
    st.subheader("Points de vigilance")
    as_of = view.date_to or data.today()
    digest = load_vigilance_digest(*_points_asked(url, view))
    if digest.empty:
        st.success(NO_POINT, icon=":material/check_circle:")
        return
    st.markdown(markdown_text(digest.summary))
    if digest.demo:
        st.markdown(f":material/science: **{DEMO_BADGE}** : ces points sont calculés sur "
                    "l'activité de démonstration.")
    blocks.kpi_row(digest.tiles)
    st.markdown("**Les plus urgents**")
    for point in digest.top:
        with st.container(border=True):
            st.markdown(f"**{markdown_text(point.severity_label)}** — "
                        f"{markdown_text(point.sentence)}")
            st.page_link(point.page, label=markdown_text(point.link_label),
                         icon=":material/arrow_forward:", query_params=point.params)
    st.page_link("pages/deploiement.py", label=ALL_POINTS, icon=":material/checklist:",
                 query_params=all_points_params(view.scope, as_of))


def page_directory() -> None:
    """One link per page of the menu, with what it is for (the accessibility statement is in
    every page's footer)."""
    st.subheader("Dans ce tableau de bord")
    for spec in PAGES:
        if spec.in_menu and not spec.default:
            st.page_link(spec.path, label=f"**{spec.title}** — {spec.purpose}", icon=spec.icon)
