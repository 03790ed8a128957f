"""Données et méthodes: each indicator's computation, and the sources with their licences."""

import streamlit as st

from tne_dash.screens.donnees import ui as sections
from tne_dash.screens.donnees.tables import (
    catalogue_table,
    rules_table,
    sources_table,
    vigilance_rules_table,
)
from tne_dash.ui import blocks, data, shell

shell.ensure_app_shell()
facts = data.load_build_facts(data.read_url())

st.title("Données et méthodes")
st.markdown(
    "Chaque chiffre du tableau de bord est calculé par une seule fonction, la même pour les "
    "pages, la ligne de commande `tne-dash indicators` et les tests. Les codes des indicateurs "
    "sont stables : on peut les utiliser dans des scripts."
)

# Plain HTML tables, not the sortable grid nor st.table: whole texts that wrap, read by
# screen readers as tables, drawn by the browser without a component per cell.
st.header("Indicateurs")
blocks.plain_table(catalogue_table(), caption="Indicateurs")

st.header("Règles de calcul")
blocks.plain_table(rules_table(), caption="Règles de calcul", row_headers=True)

st.header("Points de vigilance")
st.markdown(
    "Les communes — et, vus des 12 départements TNE ou de la France, les départements — à "
    "regarder de près à une date. Chaque point donne sa raison en une phrase chiffrée et un "
    "lien vers la page qui la montre ; `tne-dash vigilance` applique les mêmes règles."
)
blocks.plain_table(vigilance_rules_table(), caption="Règles des points de vigilance",
                   row_headers=True)

st.header("Sources des données de référence")
st.markdown(
    "Données ouvertes embarquées dans le projet (`data/reference/`, provenance détaillée dans "
    "`SOURCES.md`). Les écoles hors éducation prioritaire ne figurent pas dans ces sources."
)
blocks.plain_table(sources_table(), caption="Sources des données de référence")

sections.activity_section(facts)
