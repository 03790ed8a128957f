"""Comparer: a few communes side by side, fairly (per 1 000 inhabitants, similar communes,
ranks in their département), and a one-page sheet to take away."""

import streamlit as st

from tne_dash.screens.comparer import ui as sections
from tne_dash.screens.comparer.tables import comparison_caveats, side_by_side
from tne_dash.screens.comparer.view import parse_comparer_view
from tne_dash.ui import auth, blocks, data, shell

shell.ensure_app_shell()
url = data.read_url()

st.title("Comparer des communes")
st.markdown(
    "Choisissez de 2 à 6 communes : leurs chiffres côte à côte, en valeur absolue, **pour "
    "1 000 habitants** et par établissement, leur phase de déploiement et leurs objectifs. "
    "Le lien de la page garde la sélection : copiez-le pour la partager."
)
index = data.load_commune_index(url)
profiles = data.load_commune_profiles(url)
view = parse_comparer_view(st.query_params.to_dict(), data.today(),
                           data.load_commune_codes(url))
blocks.problems(view.problems)
view = sections.with_default_selection(view, profiles)
view = sections.controls(view)
labels = sections.chosen_labels(index, view.codes)
sections.selection(index, view, labels)
exact = auth.current_account().sees_exact_counts
similar = sections.similar_communes(profiles, view.codes)
if not sections.enough_chosen(view, similar, labels):
    shell.end_page()

comp = data.load_comparison(url, view.codes, view.period, view.as_of)
side = side_by_side(comp, exact)
st.header(" · ".join(side.columns), divider="blue")
blocks.demo_notice(comp.demo)
for caveat in comparison_caveats(comp):
    st.info(caveat, icon=":material/info:")
sections.table_section(side)
blocks.masking_note(not exact)
sections.downloads(comp, side, exact, data.today())
sections.charts_section(url, comp, side, exact)
view = sections.rank_section(url, comp, side, view, exact)
sections.similar_section(similar, labels[view.codes[0]], view.codes)
