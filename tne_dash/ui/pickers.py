"""Territory and date pickers, seeded from the URL and written back to it."""

from __future__ import annotations

import streamlit as st

from tne_dash.figures.scope import COMMUNE, DEPARTEMENT, NATIONAL, TNE, Scope
from tne_dash.labels import format_date
from tne_dash.ui import data
from tne_dash.ui.urlstate import DEFAULT_SCOPE, View, view_params

KEY_TERRITORY = "territory"
KEY_COMMUNE = "commune"
KEY_DATE_TO = "date_to"
ALL_COMMUNES = ""


def view_picker(url: str, view: View, date_label: str = "Jusqu'au",
                cumulative_note: bool = True) -> View:
    """Territory (TNE, France, a département, one of its communes) and « jusqu'au » date."""
    deps = data.load_departements(url)
    names = dict(zip(deps["code"], deps["name"], strict=True))
    tne_codes = [c for c, cohort in zip(deps["code"], deps["tne_cohort"], strict=True)
                 if cohort is not None]
    others = [c for c in deps["code"] if c not in tne_codes]
    options = [TNE, NATIONAL] + [f"{DEPARTEMENT}:{c}" for c in tne_codes + others]
    labels = {TNE: "Les 12 départements TNE", NATIONAL: "France entière"}
    labels |= {f"{DEPARTEMENT}:{c}": f"{names[c]} ({c})" for c in names}

    scope, commune_code = _resolve(url, view.scope, options)
    col_territory, col_commune, col_date = st.columns([2, 2, 1])
    territory = col_territory.selectbox(
        "Territoire", options, index=options.index(scope), key=KEY_TERRITORY,
        format_func=labels.__getitem__, placeholder="Choisir un territoire")
    commune = ALL_COMMUNES
    if territory.startswith(DEPARTEMENT):
        communes = data.load_communes_of(url, territory.partition(":")[2])
        codes = [ALL_COMMUNES, *communes["code_insee"]]
        commune_names = dict(zip(communes["code_insee"], communes["name"], strict=True))
        commune_names[ALL_COMMUNES] = "Toutes les communes"
        index = codes.index(commune_code) if commune_code in codes else 0
        commune = col_commune.selectbox("Commune", codes, index=index, key=KEY_COMMUNE,
                                        format_func=commune_names.__getitem__,
                                        placeholder="Choisir une commune")
    date_to = col_date.date_input(date_label, value=view.date_to, key=KEY_DATE_TO,
                                  format="DD/MM/YYYY", min_value=None)
    chosen = Scope(COMMUNE, commune) if commune else Scope.parse(territory)
    result = View(scope=chosen, date_to=date_to)
    st.query_params.update(view_params(result))
    if date_to is not None and cumulative_note:
        st.caption(f"Chiffres cumulés depuis le début du programme jusqu'au "
                   f"{format_date(date_to)} inclus.")
    return result


def _resolve(url: str, scope: Scope, options: list[str]) -> tuple[str, str]:
    """The territory option and commune code for ``scope``; unknown codes fall back."""
    if scope.kind == COMMUNE:
        dep = data.load_departement_of_commune(url, scope.code)
        if dep is not None:
            return f"{DEPARTEMENT}:{dep}", scope.code
        st.warning(f"Commune inconnue : code INSEE « {scope.code} ». "
                   "Affichage des départements TNE.")
        return str(DEFAULT_SCOPE), ALL_COMMUNES
    if str(scope) in options:
        return str(scope), ALL_COMMUNES
    st.warning(f"Département inconnu : « {scope.code} ». Affichage des départements TNE.")
    return str(DEFAULT_SCOPE), ALL_COMMUNES
