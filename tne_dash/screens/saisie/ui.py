"""The Saisie form: where (département, commune, venue), then what (the workshop's figures).

The pickers that depend on each other sit outside the form; the figures inside it. On submit
the cells go through the same validation as a file row, and each problem is shown under its
field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from tne_dash.access import Account
from tne_dash.store.imports import choices
from tne_dash.store.imports.fields import (
    EARLIEST_DATE,
    MAX_DURATION_MINUTES,
    MAX_PEOPLE_PER_WORKSHOP,
)
from tne_dash.store.imports.problems import Problem
from tne_dash.store.imports.service import ImportReport, record_workshop
from tne_dash.ui import data

PROBLEMS_KEY = "saisie_problems"


@dataclass(frozen=True)
class NewVenue:
    """Optional details of a venue created with the workshop (without them: the commune's
    point)."""

    address: str | None = None
    position: tuple[float, float] | None = None
NEW_VENUE = -1


@dataclass(frozen=True)
class Where:
    commune_code: str
    commune_name: str
    departement: str
    venue_name: str | None
    venue_kind: str | None  # a template label


def location_picker(url: str, account: Account) -> Where | None:
    """Département (those the editor may write for), commune, then an existing or new venue."""
    deps = data.load_departements(url)
    allowed = [c for c in deps["code"] if account.may_write(c)]
    if not allowed:
        st.warning("Votre compte n'a aucun département : demandez à un administrateur.")
        return None
    names = dict(zip(deps["code"], deps["name"], strict=True))
    col_dep, col_commune = st.columns(2)
    dep = col_dep.selectbox("Département", allowed, format_func=lambda c: f"{names[c]} ({c})",
                            placeholder="Choisir un département")
    communes = data.load_communes_of(url, dep)
    commune_names = dict(zip(communes["code_insee"], communes["name"], strict=True))
    code = col_commune.selectbox(
        "Commune (tapez pour chercher)", list(commune_names), index=None,
        placeholder="Nom de la commune", format_func=lambda c: f"{commune_names[c]} ({c})")
    if code is None:
        return None
    venues = data.load_venues_of(url, code)
    options = [NEW_VENUE, *venues["id"]]
    labels = {NEW_VENUE: "➕ Nouveau lieu"} | {
        vid: name for vid, name in zip(venues["id"], venues["name"], strict=True)}
    venue_id = st.selectbox("Lieu", options, index=1 if len(options) > 1 else 0,
                            format_func=labels.__getitem__, placeholder="Choisir un lieu")
    if venue_id != NEW_VENUE:
        kind = venues.loc[venues["id"] == venue_id, "kind"].iloc[0]
        return Where(code, commune_names[code], dep, labels[venue_id], kind)
    return Where(code, commune_names[code], dep, None, None)


def field_problems(column: str) -> None:
    """The problems of the last submission for ``column``, under its field."""
    for problem in st.session_state.get(PROBLEMS_KEY, []):
        if problem.column == column:
            st.error(problem.expected, icon=":material/error:")


def workshop_form(where: Where, today: dt.date) -> tuple[dict, NewVenue] | None:
    """The figures of the workshop; on submit, (template cells, new venue's address/position)."""
    with st.form("saisie", border=True):
        address, position = None, None
        if where.venue_name is None:
            col_name, col_kind = st.columns([2, 1])
            venue_name = col_name.text_input("Nom du nouveau lieu", max_chars=200)
            with col_name:
                field_problems("lieu")
            venue_kind = col_kind.selectbox("Type de lieu", choices.VENUE_KINDS.labels,
                                            placeholder="Choisir un type de lieu")
            col_address, col_lat, col_lon = st.columns([2, 1, 1])
            address = col_address.text_input("Adresse (facultatif)", max_chars=300) or None
            lat = col_lat.number_input("Latitude (facultatif)", min_value=-90.0,
                                       max_value=90.0, value=None, format="%.5f")
            lon = col_lon.number_input("Longitude (facultatif)", min_value=-180.0,
                                       max_value=180.0, value=None, format="%.5f")
            position = (lat, lon) if lat is not None and lon is not None else None
        else:
            venue_name, venue_kind = where.venue_name, where.venue_kind
        col1, col2, col3 = st.columns(3)
        day = col1.date_input("Date", value=today, min_value=EARLIEST_DATE, max_value=today,
                              format="DD/MM/YYYY")
        with col1:
            field_problems("date")
        phase = col2.selectbox("Phase", choices.PHASES.labels, placeholder="Choisir une phase")
        fmt = col3.selectbox("Format", choices.FORMATS.labels, placeholder="Choisir un format")
        themes = st.multiselect("Thématiques", choices.THEMES.labels,
                                placeholder="Une ou plusieurs thématiques")
        field_problems("thematiques")
        col1, col2 = st.columns(2)
        duration = col1.number_input("Durée (minutes)", min_value=1,
                                     max_value=MAX_DURATION_MINUTES, value=90,
                                     step=15)
        facilitator = col2.selectbox("Animé par", choices.FACILITATORS.labels,
                                     placeholder="Choisir qui l'a animé")
        col1, col2, col3 = st.columns(3)
        parents = col1.number_input("Parents présents", min_value=0,
                                    max_value=MAX_PEOPLE_PER_WORKSHOP, value=0, step=1)
        first_time = col2.number_input("dont venus pour la première fois", min_value=0,
                                       max_value=MAX_PEOPLE_PER_WORKSHOP, value=0, step=1)
        with col2:
            field_problems("nb_nouveaux_parents")
        children = col3.number_input("Enfants présents", min_value=0,
                                     max_value=MAX_PEOPLE_PER_WORKSHOP, value=0, step=1)
        st.caption("Seuls des nombres sont enregistrés : aucun nom de participant.")
        if not st.form_submit_button("Enregistrer l'atelier", type="primary",
                                     icon=":material/save:"):
            return None
    cells = {"date": day, "code_insee": where.commune_code, "lieu": venue_name,
             "type_lieu": venue_kind, "phase": phase, "format": fmt,
             "thematiques": "|".join(themes), "duree_minutes": duration,
             "animateur": facilitator, "nb_parents": parents, "nb_nouveaux_parents": first_time,
             "nb_enfants": children}
    return cells, NewVenue(address, position)


def remember_problems(problems: list[Problem]) -> None:
    st.session_state[PROBLEMS_KEY] = problems


def forget_problems() -> None:
    st.session_state.pop(PROBLEMS_KEY, None)


def record(url: str, cells: dict, venue: NewVenue, account: Account) -> ImportReport:
    """Write the workshop through the import path (same checks, one transaction, journaled);
    the caches are refreshed when it was written."""
    report = record_workshop(data.get_engine(url), cells, account=account, today=data.today(),
                             now=data.now(), address=venue.address, position=venue.position)
    if not report.refused:
        data.refresh_after_write()
    return report
