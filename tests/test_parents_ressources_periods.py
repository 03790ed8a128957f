"""One Parents Ressources report per period and commune, never overlapping (issue 19):
overlaps are refused naming both periods, the same period replaces, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from imports_helpers import counts, make_reference
from imports_helpers import run as run_import
from sqlalchemy import select

from tne_dash.figures.comparison import compare_communes
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_indicators
from tne_dash.figures.scope import Scope
from tne_dash.screens.comparer.tables import NO_RECENT_REPORT, side_by_side
from tne_dash.store.db import make_engine
from tne_dash.store.models import ParentsRessourcesCount

HEADER = "code_insee;debut;fin;parents_ressources_recrutes;parents_ressources_actifs;reunions"


@pytest.fixture
def ref_engine(engine, session):
    make_reference(session)
    return engine


def report_file(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode()


def reports(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(
            ParentsRessourcesCount.period_start, ParentsRessourcesCount.period_end,
            ParentsRessourcesCount.active)).all())


def test_a_report_overlapping_one_already_recorded_is_refused_naming_both_periods(ref_engine):
    quarter = run_import(ref_engine, "parents-ressources", "trimestre.csv",
                         report_file("95063;01/01/2023;31/03/2023;25;25;3"))
    assert not quarter.refused
    before = counts(ref_engine)
    month = run_import(ref_engine, "parents-ressources", "mars.csv",
                       report_file("95063;01/03/2023;31/03/2023;4;24;1"))
    assert month.refused
    assert [p.located() for p in month.errors] == [
        "mars.csv, ligne 2, colonne debut : période du 01/03/2023 au 31/03/2023 qui chevauche "
        "le relevé déjà enregistré du 01/01/2023 au 31/03/2023 pour la même commune — un "
        "relevé par période, sans chevauchement (la même période remplace le relevé)"]
    assert counts(ref_engine) == before
    with ref_engine.connect() as conn:  # Bezons stays at 25 active, not 49
        active = compute_indicators(conn, Scope("commune", "95063"),
                                    Filters(date_to=dt.date(2023, 3, 31)))
    assert active["parents_ressources_active"] == 25


def test_the_same_period_reimported_replaces_its_report(ref_engine):
    run_import(ref_engine, "parents-ressources", "a.csv",
               report_file("95063;01/01/2023;31/03/2023;25;25;3"))
    again = run_import(ref_engine, "parents-ressources", "b.csv",
                       report_file("95063;01/01/2023;31/03/2023;25;22;3"))
    assert (again.refused, again.counts.updated) == (False, 1)
    assert reports(ref_engine) == [(dt.date(2023, 1, 1), dt.date(2023, 3, 31), 22)]


def test_two_overlapping_rows_of_one_file_are_refused_and_other_communes_do_not_count(
        ref_engine):
    report = run_import(ref_engine, "parents-ressources", "double.csv", report_file(
        "95063;01/01/2023;31/03/2023;25;25;3",
        "95018;01/03/2023;31/03/2023;4;4;1",
        "95063;15/03/2023;15/04/2023;4;24;1"))
    assert report.refused
    assert [(p.row, p.column) for p in report.errors] == [(4, "debut")]
    assert "chevauche la ligne 2 du 01/01/2023 au 31/03/2023" in report.errors[0].expected
    assert reports(ref_engine) == []


def test_a_commune_whose_last_report_is_too_old_shows_no_recent_report_in_comparer(
        ref_engine):
    run_import(ref_engine, "parents-ressources", "ancien.csv",
               report_file("95063;01/01/2023;31/03/2023;25;25;3",
                           "95018;01/01/2024;31/03/2024;10;8;3"))
    with ref_engine.connect() as conn:
        comp = compare_communes(conn, ("95063", "95018"), None, dt.date(2024, 6, 30))
    row = side_by_side(comp, exact=True).row("parents_ressources_active")
    assert row.values == (NO_RECENT_REPORT, 8)
    rate = side_by_side(comp, exact=True).row(
        "parents_ressources_active_per_1000_inhabitants")
    assert rate.values[0] == NO_RECENT_REPORT


def test_figures_built_from_demo_target_schools_are_labelled_demo(built_db_url):
    """Vienne on 30/06/2021: no demo workshop yet, but its target schools and PCN flags are
    demo-generated — the figures say so (pages, exports, PDF and CLI read this flag)."""
    engine = make_engine(built_db_url)
    with engine.connect() as conn:
        vienne = compute_indicators(conn, Scope("departement", "86"),
                                    Filters(date_to=dt.date(2021, 6, 30)))
        assert vienne["target_schools"] > 0
        assert vienne.demo is True
        real_only = compute_indicators(conn, Scope("departement", "86"),
                                       Filters(date_to=dt.date(2021, 6, 30),
                                               include_demo=False))
        assert real_only.demo is False
    engine.dispose()
