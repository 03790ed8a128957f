"""Comparer: a few communes side by side, fairly (per 1 000 inhabitants, similar communes,
ranks in their département), and a one-page sheet to take away."""

from dataclasses import replace

import streamlit as st

from tne_dash.comparer_view import comparer_params, parse_comparer_view
from tne_dash.comparison import MIN_SELECTED, default_selection, similar_to
from tne_dash.comparison_tables import comparison_caveats, side_by_side
from tne_dash.search import commune_labels
from tne_dash.ui import auth, blocks, data, shell
from tne_dash.ui import comparer as sections

shell.ensure_app_shell()
url = data.settings().database_url

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
if not view.explicit:
    view = replace(view, codes=default_selection(profiles, view.codes), explicit=True)
    st.query_params.from_dict(comparer_params(view))
view = sections.controls(view)
chosen = index[index["code_insee"].isin(view.codes)]
labels = dict(zip(chosen["code_insee"], commune_labels(chosen), strict=True))
sections.selection(index, view, labels)
exact = auth.current_account().sees_exact_counts
similar = similar_to(profiles, view.codes[0]) if view.codes else profiles.iloc[0:0]

if len(view.codes) < MIN_SELECTED:
    st.info(f"Choisissez au moins {MIN_SELECTED} communes à comparer : cherchez-les ci-dessus "
            "ou partez des communes comparables.", icon=":material/compare_arrows:")
    if view.codes:
        sections.similar_section(similar, labels[view.codes[0]], view.codes)
    st.stop()

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
