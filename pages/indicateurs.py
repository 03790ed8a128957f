"""Indicateurs: the explorer of departmental directors — every filter, the figures with
their change, a table by territory, breakdowns and exports."""

import streamlit as st

from tne_dash.screens.indicateurs import ui as sections
from tne_dash.screens.indicateurs.tables import filters_heading
from tne_dash.screens.indicateurs.view import parse_indicateurs_view
from tne_dash.ui import auth, blocks, data, shell

shell.ensure_app_shell()
url = data.read_url()
today = data.today()

st.title("Indicateurs")
st.markdown("Tous les filtres sont dans le panneau latéral et dans l'adresse de la page : "
            "copiez-la pour partager exactement cette vue.")
deps = data.load_departements(url)
view = parse_indicateurs_view(st.query_params.to_dict(), today, set(deps["code"]),
                              data.load_commune_codes(url))
blocks.problems(view.problems)
view = sections.sidebar_filters(url, view, today)
f = view.filters
exact = auth.current_account().sees_exact_counts

sections.freshness_section(url, view)
values = sections.headline_section(url, view, exact)

index = data.load_commune_index(url)
chosen = index[index["code_insee"].isin(f.communes)]
names = dict(zip(deps["code"], deps["name"], strict=True)) | dict(
    zip(chosen["code_insee"], chosen["name"], strict=True))
heading = filters_heading(view, names, values.demo, exact)
view = sections.table_section(url, view, exact, heading)
sections.breakdown_section(url, view, exact, heading)
