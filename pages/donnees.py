"""Données et méthodes: each indicator's computation, and the sources with their licences."""

import streamlit as st

from tne_dash.screens.donnees import ui as sections
from tne_dash.screens.donnees.tables import (
    catalogue_table,
    rules_table,
    sources_table,
    vigilance_rules_table,
)
from tne_dash.ui import data, shell

shell.ensure_app_shell()
facts = data.load_build_facts(data.read_url())

st.title("Données et méthodes")
st.markdown(
    "Chaque chiffre du tableau de bord est calculé par une seule fonction, la même pour les "
    "pages, la ligne de commande `tne-dash indicators` et les tests. Les codes des indicateurs "
    "sont stables : on peut les utiliser dans des scripts."
)

# Plain tables, not the sortable grid: whole texts that wrap, read by screen readers as
# tables, and no grid code for the browser to load (0.14 s of this page's 1.4 s).
st.header("Indicateurs")
st.table(catalogue_table(), hide_index=True)

st.header("Règles de calcul")
st.table(rules_table().set_index("Règle"))

st.header("Points de vigilance")
st.markdown(
    "Les communes — et, vus des 12 départements TNE ou de la France, les départements — à "
    "regarder de près à une date. Chaque point donne sa raison en une phrase chiffrée et un "
    "lien vers la page qui la montre ; `tne-dash vigilance` applique les mêmes règles."
)
st.table(vigilance_rules_table().set_index("Point de vigilance"))

st.header("Sources des données de référence")
st.markdown(
    "Données ouvertes embarquées dans le projet (`data/reference/`, provenance détaillée dans "
    "`SOURCES.md`). Les écoles hors éducation prioritaire ne figurent pas dans ces sources."
)
st.table(sources_table(), hide_index=True)

sections.activity_section(facts)
