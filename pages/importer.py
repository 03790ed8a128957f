"""Import: workshops, Coop exports, Parents Ressources and objectives from files (editors)."""

import streamlit as st

from tne_dash.screens.importer import ui as imports
from tne_dash.ui import auth, data, shell

shell.ensure_app_shell()
url = data.settings().database_url

st.title("Importer des données")
account = auth.require_editor("importer des fichiers")
st.markdown(
    "Chaque fichier est **vérifié en entier avant d'écrire quoi que ce soit** : s'il contient "
    "une seule erreur, rien n'est enregistré et chaque erreur est listée avec sa ligne et sa "
    "colonne. Un fichier valide est enregistré d'un bloc ; le réimporter ne crée aucun "
    "doublon. Vos droits : " + account.describe_rights() + "."
)

kind = imports.kind_picker()
report = imports.send_file(url, kind, account)
if report is not None:
    imports.show_report(report)

st.subheader("Journal des imports")
imports.journal(url, account)
