"""The Accueil page's sections: the headline figures of a territory, and the page directory."""

from __future__ import annotations

import streamlit as st

from tne_dash.figures.filters import Filters
from tne_dash.figures.metrics import headline_kpis
from tne_dash.labels import population_note
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


def page_directory() -> None:
    """One link per page of the dashboard, with what it is for."""
    st.subheader("Dans ce tableau de bord")
    for spec in PAGES:
        if not spec.default:
            st.page_link(spec.path, label=f"**{spec.title}** — {spec.purpose}", icon=spec.icon)
