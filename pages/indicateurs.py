"""Indicateurs: the explorer of departmental directors — every filter, the figures with
their change, a table by territory, breakdowns and exports."""

from dataclasses import replace

import streamlit as st

from tne_dash.indicateurs_tables import NO_ACTIVITY, filters_heading
from tne_dash.indicateurs_view import parse_indicateurs_view
from tne_dash.labels import format_date
from tne_dash.metrics import explorer_kpis
from tne_dash.periods import previous_period
from tne_dash.ui import auth, blocks, data, shell
from tne_dash.ui import indicateurs as sections

shell.ensure_app_shell()
url = data.settings().database_url
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
values = data.load_indicators(url, view.scope, f)
before_from, before_to = previous_period(f.date_from, f.date_to)
previous = data.load_indicators(url, view.scope,
                                replace(f, date_from=before_from, date_to=before_to))
st.header(f"Du {format_date(f.date_from)} au {format_date(f.date_to)}", divider="blue")
blocks.demo_notice(values.demo)
if not values["workshops"] and not values["parents_ressources_recruited"]:
    st.info(NO_ACTIVITY, icon=":material/filter_alt_off:")
blocks.kpi_row(explorer_kpis(values, previous, f"Évolution par rapport au "
                             f"{before_from:%d/%m/%Y} – {before_to:%d/%m/%Y}", exact))
blocks.masking_note(bool(f.communes) and not exact)

index = data.load_commune_index(url)
chosen = index[index["code_insee"].isin(f.communes)]
names = dict(zip(deps["code"], deps["name"], strict=True)) | dict(
    zip(chosen["code_insee"], chosen["name"], strict=True))
heading = filters_heading(view, names, values.demo, exact)
view = sections.table_section(url, view, exact, heading)
sections.breakdown_section(url, view, exact, heading)
