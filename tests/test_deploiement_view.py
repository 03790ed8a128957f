"""The Déploiement page's address: every parameter read back, bad values named in French."""

from __future__ import annotations

import datetime as dt

from tne_dash.figures.scope import Scope
from tne_dash.screens.deploiement.view import deploiement_params, parse_deploiement_view

TODAY = dt.date(2026, 11, 22)


def test_without_parameters_the_page_shows_the_tne_today_for_the_current_school_year():
    view = parse_deploiement_view({}, TODAY)
    assert (view.scope, view.as_of, view.period.label) == (Scope("tne"), TODAY, "2026-2027")
    assert (view.phases, view.statuses, view.sort, view.problems) == ((), (), "debut", ())


def test_every_parameter_is_read_and_written_back():
    params = {"scope": "departement:95", "to": "2023-04-17", "annee": "2021-2022",
              "phase": "autonomie,acculturation", "statut": "en_retard", "tri": "statut"}
    view = parse_deploiement_view(params, TODAY)
    assert view.scope == Scope("departement", "95")
    assert view.as_of == dt.date(2023, 4, 17)
    assert view.period.label == "2021-2022"
    assert view.phases == ("acculturation", "autonomie")  # roll-out order
    assert (view.statuses, view.sort) == (("en_retard",), "statut")
    assert deploiement_params(view) == params | {"phase": "acculturation,autonomie"}


def test_the_school_year_defaults_to_the_one_of_the_date_and_is_left_out_of_the_url():
    view = parse_deploiement_view({"to": "2023-04-17"}, TODAY)
    assert view.period.label == "2022-2023"
    assert deploiement_params(view) == {"scope": "tne", "to": "2023-04-17"}


def test_bad_values_fall_back_to_their_default_with_a_french_message():
    view = parse_deploiement_view({"scope": "commune:1", "to": "17/04/2023", "annee": "2022",
                                   "phase": "year2,autonomie", "statut": "bof",
                                   "tri": "hasard"}, TODAY)
    assert (view.scope, view.as_of, view.period.label) == (Scope("tne"), TODAY, "2026-2027")
    assert view.phases == ("autonomie",)
    assert (view.statuses, view.sort) == ((), "debut")
    problems = "\n".join(view.problems)
    assert "Périmètre inconnu : « commune:1 »" in problems
    assert "Date invalide dans l'adresse : « 17/04/2023 » — attendu AAAA-MM-JJ" in problems
    assert "Année scolaire invalide dans l'adresse : « 2022 » — attendu AAAA-AAAA" in problems
    assert "Valeur de « phase » inconnue dans l'adresse : « year2 »" in problems
    assert "Valeur de « statut » inconnue dans l'adresse : « bof »" in problems
    assert "Tri inconnu dans l'adresse : « hasard »" in problems
    assert len(view.problems) == 6
