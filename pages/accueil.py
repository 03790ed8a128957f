"""Accueil: the programme's headline figures for a territory and a date."""

import streamlit as st

from tne_dash.screens.accueil import ui as sections
from tne_dash.ui import blocks, data, pickers, report_download, shell
from tne_dash.ui.urlstate import parse_view

shell.ensure_app_shell()
url = data.read_url()

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
sections.start_vigilance(url, view)
sections.headline(url, view)
report_download.report_button(url, view.scope, view.date_to)
sections.vigilance_block(url, view)
sections.page_directory()
