"""The Carte page's URL: parsed with French messages, written back to reopen the view."""

from __future__ import annotations

import datetime as dt

import pytest

from tne_dash.figures.map_view import DEFAULT_LAYERS, MapView
from tne_dash.screens.carte.view import map_view_params, parse_map_view

TODAY = dt.date(2026, 11, 22)
DEPS = {"86", "95", "971"}


def test_an_empty_url_is_the_france_view_up_to_today():
    view = parse_map_view({}, TODAY, DEPS)
    assert view == MapView(date_to=TODAY)
    assert view.layers == DEFAULT_LAYERS


def test_a_full_url_round_trips():
    params = {"dep": "95", "from": "2022-09-01", "to": "2023-04-17",
              "phase": "acculturation,autonomie", "lieux": "ecole,mediatheque",
              "couleur": "workshops_per_1000_inhabitants", "couches": "cnfs,schools",
              "commune": "95063"}
    view = parse_map_view(params, TODAY, DEPS)
    assert view.problems == ()
    assert view.departement == "95" and view.commune == "95063"
    assert view.phases == ("acculturation", "autonomie")
    assert map_view_params(view) == params


def test_no_layer_is_said_explicitly():
    view = parse_map_view({"couches": "aucune"}, TODAY, DEPS)
    assert view.layers == ()
    assert map_view_params(view)["couches"] == "aucune"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dep": "99"}, "Département inconnu : « 99 ». Retour à la vue France."),
        ({"to": "2023-02-30"}, "Date invalide dans l'adresse (to) : « 2023-02-30 »"),
        ({"from": "2024-01-01", "to": "2023-01-01"}, "Période invalide"),
        ({"couleur": "nope"}, "Indicateur inconnu : « nope »"),
        ({"couches": "cnfs,routes"}, "Couche inconnu(s) dans l'adresse : routes"),
        ({"phase": "annee4"}, "Phase inconnu(s) dans l'adresse : annee4"),
    ],
)
def test_bad_parameters_fall_back_with_a_french_message(params, message):
    view = parse_map_view(params, TODAY, DEPS)
    assert any(message in p for p in view.problems)
    assert view.departement in (None, "95", "86")


def test_a_commune_without_its_departement_is_ignored():
    assert parse_map_view({"commune": "95063"}, TODAY, DEPS).commune is None
