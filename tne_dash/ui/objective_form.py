"""Set or change an objective (editors, « mode édition »): validated like a row of the
objectives template, written in one transaction with its journal entry, caches refreshed."""

from __future__ import annotations

import streamlit as st

from tne_dash.access import Account
from tne_dash.catalogue import CATALOGUE
from tne_dash.deploiement_view import DeploiementView
from tne_dash.imports.problems import Problem
from tne_dash.imports.service import record_objective
from tne_dash.labels import format_number
from tne_dash.objectives import objective_scope
from tne_dash.ui import data
from tne_dash.vocabulary import ScopeKind

FIELDS = {"perimetre": "Périmètre", "code": "Code du territoire", "periode": "Année scolaire",
          "indicateur": "Indicateur", "cible": "Objectif"}
DONE_KEY = "objective_saved"


def objective_editor(url: str, view: DeploiementView, account: Account) -> None:
    """The « mode édition » toggle and form; a plain note for viewers who cannot edit."""
    if message := st.session_state.pop(DONE_KEY, None):
        st.success(message, icon=":material/check_circle:")
    if not account.can_edit:
        st.caption("Les éditeurs connectés (« Espace éditeurs », dans la barre latérale) "
                   "peuvent fixer ou modifier les objectifs de leurs territoires.")
        return
    if not st.toggle("Mode édition : fixer ou modifier un objectif", key="edit_mode"):
        return
    kind, code = objective_scope(view.scope)
    kinds = [k.value for k in ScopeKind]
    with st.form("objective-form"):
        col_kind, col_code, col_period = st.columns(3)
        scope_kind = col_kind.selectbox(FIELDS["perimetre"], kinds, index=kinds.index(kind),
                                        format_func=lambda k: ScopeKind(k).label)
        scope_code = col_code.text_input(FIELDS["code"], value=code,
                                         help="Code du département (95, 2A, 971) ou code "
                                              "INSEE de la commune ; vide pour la France.")
        period = col_period.text_input(FIELDS["periode"], value=view.period.label,
                                       help="Du 1er septembre au 31 août : « 2023-2024 ».")
        col_indicator, col_target = st.columns([3, 1])
        indicator = col_indicator.selectbox(
            FIELDS["indicateur"], list(CATALOGUE),
            format_func=lambda c: f"{CATALOGUE[c].label} ({CATALOGUE[c].unit})")
        target = col_target.number_input(FIELDS["cible"], value=None, step=1.0,
                                         placeholder="ex. 30", help="Un nombre positif ; "
                                         "un pourcentage entre 0 et 100.")
        submitted = st.form_submit_button("Enregistrer l'objectif", type="primary",
                                          icon=":material/save:")
    if not submitted:
        return
    cells = {"perimetre": scope_kind, "code": scope_code, "periode": period,
             "indicateur": indicator, "cible": target}
    report = record_objective(data.get_engine(url), cells, account=account,
                              today=data.today(), now=data.now())
    if report.refused:
        st.error("L'objectif n'a pas été enregistré :", icon=":material/error:")
        for problem in report.errors:
            st.error(_field_message(problem))
        return
    data.refresh_after_write()
    st.session_state[DONE_KEY] = (
        f"Objectif enregistré : {CATALOGUE[indicator].label}, {period.strip()}, "
        f"{format_number(target, 0 if float(target).is_integer() else 1)} "
        f"(journal : n° {report.batch_id}). Les chiffres de la page sont recalculés.")
    st.rerun()


def _field_message(problem: Problem) -> str:
    """« Objectif : « -3 » — attendu un nombre positif » (the form's labels, no row)."""
    field = FIELDS.get(problem.column or "", "Formulaire")
    found = f"« {problem.value} » — " if problem.value is not None else ""
    return f"{field} : {found}{problem.expected}"
