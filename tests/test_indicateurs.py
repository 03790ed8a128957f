"""Indicateurs' core: the URL (every filter, bad values), the previous comparable period,
quick periods, tiles with their change, freshness, objective progress by territory, and the
exports read back — factory data on both databases where a query runs."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from factories import make_commune, make_objective, make_rollout, make_venue, make_workshop
from openpyxl import load_workbook

from tne_dash.exports import to_csv_bytes, to_xlsx_bytes
from tne_dash.figures.filters import Filters
from tne_dash.figures.freshness import freshness, months_before, quiet_since
from tne_dash.figures.indicators import IndicatorValues, compute_indicator_table
from tne_dash.figures.metrics import change, explorer_kpis
from tne_dash.figures.objectives import objective_shares
from tne_dash.figures.scope import Scope
from tne_dash.periods import last_twelve_months, previous_period, quick_periods
from tne_dash.screens.indicateurs.tables import filters_heading, territory_table
from tne_dash.screens.indicateurs.view import (
    indicateurs_params,
    parse_indicateurs_view,
    query_params_of,
)

TODAY = dt.date(2023, 4, 17)
DEPS, COMMUNES = {"95", "86"}, {"95063", "95018"}


@pytest.mark.parametrize(
    ("start", "end", "before"),
    [
        # A school year to date: the same dates one year earlier, across the New Year.
        ((2022, 9, 1), (2023, 4, 17), ((2021, 9, 1), (2022, 4, 17))),
        ((2022, 9, 1), (2023, 8, 31), ((2021, 9, 1), (2022, 8, 31))),
        ((2023, 1, 1), (2023, 12, 31), ((2022, 1, 1), (2022, 12, 31))),
        # 12 months ending on a leap day's neighbour.
        ((2023, 3, 1), (2024, 2, 29), ((2022, 3, 1), (2023, 2, 28))),
        # Any other range: the same number of days just before.
        ((2022, 12, 20), (2023, 1, 10), ((2022, 11, 28), (2022, 12, 19))),
        ((2024, 3, 1), (2024, 3, 1), ((2024, 2, 29), (2024, 2, 29))),
    ],
)
def test_the_previous_period_is_the_comparable_one_before(start, end, before):
    got = previous_period(dt.date(*start), dt.date(*end))
    assert got == (dt.date(*before[0]), dt.date(*before[1]))


def test_quick_periods_offer_school_years_calendar_years_and_twelve_months():
    choices = quick_periods(TODAY, 2021)
    assert choices["Année scolaire 2022-2023"] == (dt.date(2022, 9, 1), TODAY)
    assert choices["Année scolaire 2021-2022"] == (dt.date(2021, 9, 1), dt.date(2022, 8, 31))
    assert choices["Année civile 2023"] == (dt.date(2023, 1, 1), TODAY)
    assert choices["12 derniers mois (au 17/04/2023)"] == last_twelve_months(TODAY) == (
        dt.date(2022, 4, 18), TODAY)


def test_a_url_with_every_filter_round_trips():
    params = {"dep": "95,86", "communes": "95063", "from": "2022-09-01", "to": "2023-04-17",
              "phase": "acculturation", "lieu": "college", "format": "permanence",
              "theme": "ent,pix", "animateur": "cnfs", "niveau": "college", "rep": "1",
              "demo": "0", "par": "epci"}
    view = parse_indicateurs_view(params, TODAY, DEPS, COMMUNES)
    assert view.problems == ()
    f = view.filters
    assert (f.departements, f.communes, f.themes, f.rep_only, f.include_demo) == (
        ("95", "86"), ("95063",), ("ent", "pix"), True, False)
    assert view.scope == Scope("national")  # narrowed by the filters
    assert indicateurs_params(view) == params
    link = "http://localhost:8501/indicateurs?" + "&".join(f"{k}={v}" for k, v in params.items())
    assert parse_indicateurs_view(query_params_of(link), TODAY, DEPS, COMMUNES) == view


def test_no_filter_means_the_tne_and_the_current_school_year():
    view = parse_indicateurs_view({}, TODAY, DEPS, COMMUNES)
    assert view.scope == Scope("tne")
    assert (view.filters.date_from, view.filters.date_to) == (dt.date(2022, 9, 1), TODAY)
    assert view.level == "departement"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dep": "99"}, "Département inconnu(e) dans l'adresse : code « 99 »"),
        ({"communes": "<script>"}, "Commune inconnu(e) dans l'adresse : code « <SCRIPT> »"),
        ({"theme": "jardinage"}, "Valeur de « theme » inconnue dans l'adresse : « jardinage »"),
        ({"rep": "peut-être"}, "Valeur de « rep » inconnue"),
        ({"par": "region"}, "Regroupement inconnu dans l'adresse : « region »"),
        ({"from": "2023-05-01", "to": "2023-04-01"}, "Période invalide"),
        ({"to": "17/04/2023"}, "Date invalide dans l'adresse (to) : « 17/04/2023 »"),
    ],
)
def test_bad_values_are_named_in_french_and_fall_back(params, message):
    view = parse_indicateurs_view(params, TODAY, DEPS, COMMUNES)
    assert any(message in p for p in view.problems), view.problems
    assert view.filters.themes == () and view.filters.departements == ()


@pytest.mark.parametrize(
    ("current", "previous", "decimals", "expected"),
    [(473, 440, 0, "+33 (+7,5 %)"), (111, 162, 0, "-51 (-31,5 %)"), (4, 0, 0, "+4"),
     (50, 50, 0, "= (stable)"), (717.0, 598.5, 1, "+118,5 (+19,8 %)"), (3, None, 0, None)],
)
def test_changes_read_in_french_with_a_sign_streamlit_understands(current, previous,
                                                                   decimals, expected):
    assert change(current, previous, decimals) == expected


def test_tiles_mask_small_counts_of_communes_and_their_change():
    def values(parents, communes=("95063",)):
        return IndicatorValues(Scope("national"), Filters(communes=communes),
                               {"workshops": 3, "participations": 9, "parents_reached": parents,
                                "workshop_hours": 4.5, "parents_ressources_recruited": 0,
                                "cnfs_posts": 2, "venues": 1}, 36_434, False)
    tiles = {k.code: k for k in explorer_kpis(values(3), values(12), "avant", exact=False)}
    assert (tiles["parents_reached"].value, tiles["parents_reached"].delta) == ("< 5", None)
    assert tiles["workshops"].delta == "= (stable)"
    exact = {k.code: k for k in explorer_kpis(values(3), values(12), "avant", exact=True)}
    assert exact["parents_reached"].delta == "-9 (-75,0 %)"
    above = {k.code: k for k in explorer_kpis(values(3, ()), None, "", exact=False)}
    assert above["parents_reached"].value == "3"  # not a commune: exact for everyone


def test_months_before_clamps_to_the_end_of_month():
    assert months_before(dt.date(2023, 5, 31), 3) == dt.date(2023, 2, 28)
    assert months_before(dt.date(2024, 1, 15), 3) == dt.date(2023, 10, 15)
    assert quiet_since(dt.date(2023, 4, 17)) == dt.date(2023, 1, 18)


@pytest.fixture
def activity(session):
    """Bezons active in March 2023, Argenteuil quiet since 2022, both engaged in 2021."""
    for code in ("95063", "95018"):
        make_commune(session, code)
        make_rollout(session, code, first_year=2021)
    make_commune(session, "95500")  # not engaged: not counted as quiet
    make_workshop(session, make_venue(session, "95063"), date=dt.date(2023, 3, 2))
    make_workshop(session, make_venue(session, "95018"), date=dt.date(2022, 11, 3))
    make_objective(session, scope_code="95063", indicator="workshops", target=4)
    make_objective(session, scope_kind="departement", scope_code="95", indicator="workshops",
                   target=8)
    session.commit()


def test_freshness_gives_the_latest_workshop_and_the_quiet_communes(engine, activity):
    with engine.connect() as conn:
        table = freshness(conn, Scope("departement", "95"), Filters(), TODAY)
        earlier = freshness(conn, Scope("departement", "95"), Filters(), dt.date(2023, 1, 31))
    row = table.iloc[0]
    assert (row["latest_workshop"], row["engaged"], row["quiet"]) == (dt.date(2023, 3, 2), 2, 1)
    assert row["quiet_share"] == 50.0
    # On 31 January, Bezons had nothing since 1 November; Argenteuil had its 3 November one.
    assert (earlier.iloc[0]["latest_workshop"], earlier.iloc[0]["quiet"]) == (
        dt.date(2022, 11, 3), 1)


def test_objective_progress_by_territory_counts_the_school_year_to_date(engine, activity):
    with engine.connect() as conn:
        communes = objective_shares(conn, Scope("departement", "95"), Filters(), "commune",
                                    TODAY, ("workshops",)).set_index("key")
        deps = objective_shares(conn, Scope("departement", "95"), Filters(), "departement",
                                TODAY, ("workshops",)).set_index("key")
        epci = objective_shares(conn, Scope("departement", "95"), Filters(), "epci", TODAY,
                                ("workshops",))
    assert communes.at["95063", "workshops"] == pytest.approx(25.0)  # 1 of 4
    assert "95018" not in communes.index  # no objective
    assert deps.at["95", "workshops"] == pytest.approx(25.0)  # 2 of 8
    assert epci.empty


def test_exports_read_back_with_the_filters_above_the_table(engine, activity):
    view = parse_indicateurs_view({"dep": "95", "theme": "ent", "from": "2022-09-01"},
                                  TODAY, DEPS, COMMUNES)
    with engine.connect() as conn:
        table = compute_indicator_table(conn, view.scope, view.filters, level="commune")
    table.loc[table["key"] == "95063", "name"] = "=HYPERLINK(\"x\")"
    frame = territory_table(table, pd.DataFrame(), "commune", TODAY, exact=True)
    data = to_csv_bytes(frame)
    assert data.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", dtype={"Code": str})
    assert list(back.columns) == list(frame.columns)
    assert set(back["Territoire"]) >= {"'=HYPERLINK(\"x\")"}
    assert back.loc[back["Code"] == "95063", "Ateliers"].item() == 1
    rates = frame["Ateliers pour 1 000 habitants"]
    assert rates.map(lambda v: isinstance(v, float)).all()
    comma = pd.read_csv(io.BytesIO(to_csv_bytes(frame, sep=",")), encoding="utf-8-sig",
                        dtype={"Code": str})
    assert list(comma["Ateliers pour 1 000 habitants"]) == pytest.approx(list(rates))
    heading = filters_heading(view, {"95": "Val-d'Oise"}, demo=False, exact=True)
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(frame, "Indicateurs", heading))).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0][:2] == ["Période", "du 1er septembre 2022 au 17 avril 2023"]
    assert ["Thème", "ENT"] in [row[:2] for row in cells]
    assert ["Territoire", "Val-d'Oise"] in [row[:2] for row in cells]
    numbers = [row for row in cells if row[1] == "95063"]
    assert numbers and isinstance(numbers[0][2], int)
