"""Accueil: the programme's headline figures for a territory and a date."""

import streamlit as st

from tne_dash.filters import Filters
from tne_dash.labels import population_note
from tne_dash.metrics import headline_kpis
from tne_dash.ui import auth, blocks, data, pickers, shell
from tne_dash.ui.navigation import PAGES
from tne_dash.urlstate import parse_view

shell.ensure_app_shell()
url = data.settings().database_url

st.title("Territoires Numériques Éducatifs — volet parentalité")
st.markdown(
    "Où les familles sont-elles accompagnées dans les outils numériques de l'école, par qui, "
    "et chaque commune avance-t-elle comme prévu ? Ce tableau de bord suit les ateliers pour "
    "les parents, les **Parents Ressources** et les **conseillers numériques France Services** "
    "(CNFS) dans les 12 départements TNE."
)
view = parse_view(st.query_params.to_dict(), today=data.today())
blocks.problems(view.problems)
view = pickers.view_picker(url, view)
values = data.load_indicators(url, view.scope, Filters(date_to=view.date_to))

st.subheader(data.load_scope_label(url, view.scope))
st.caption(population_note(values.population))
blocks.demo_notice(values.demo)
exact = auth.current_account().sees_exact_counts
blocks.kpi_row(headline_kpis(values, exact=exact))
blocks.masking_note(view.scope.kind == "commune" and not exact)
st.page_link("pages/presentation.py", label="Projeter ces chiffres (mode présentation)",
             icon=":material/co_present:", query_params={"scope": str(view.scope)})

st.subheader("Dans ce tableau de bord")
for spec in PAGES:
    if not spec.default:
        st.page_link(spec.path, label=f"**{spec.title}** — {spec.purpose}", icon=spec.icon)
