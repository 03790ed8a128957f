"""Saisie: record one workshop (editors), validated like an imported row."""

import streamlit as st

from tne_dash.screens.saisie import ui as saisie
from tne_dash.ui import auth, data, shell

shell.ensure_app_shell()
url = data.settings().database_url

st.title("Saisir un atelier")
account = auth.require_editor("saisir des ateliers")
st.markdown("Un atelier, une permanence ou un accompagnement : sa date, son lieu et ses "
            "**effectifs** (jamais de noms). Pour plusieurs dizaines d'ateliers, préférez "
            "l'import d'un fichier (page **Import**).")

where = saisie.location_picker(url, account)
if where is None:
    st.info("Choisissez la commune de l'atelier pour continuer.", icon=":material/pin_drop:")
    shell.end_page()
submitted = saisie.workshop_form(where, data.today())
if submitted is not None:
    cells, venue = submitted
    report = saisie.record(url, cells, venue, account)
    saisie.remember_problems(report.problems)
    if report.refused:
        st.rerun()
    saisie.forget_problems()
    st.success(f"Atelier enregistré à {where.commune_name} le "
               f"{cells['date']:%d/%m/%Y} (journal : n° {report.batch_id}).",
               icon=":material/check_circle:")
    st.page_link("pages/carte.py", label="Voir la commune sur la carte", icon=":material/map:",
                 query_params={"dep": where.departement, "commune": where.commune_code})
elif problems := st.session_state.get(saisie.PROBLEMS_KEY):
    st.error("L'atelier n'a pas été enregistré : corrigez les champs signalés.",
             icon=":material/error:")
    for problem in problems:
        if problem.column not in {"lieu", "date", "thematiques", "nb_nouveaux_parents"}:
            st.error(str(problem))
