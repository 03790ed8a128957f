"""The objective form of the Déploiement page: each bad input refused with its message and
nothing written; a good one written in one transaction with its journal entry."""

from __future__ import annotations

import datetime as dt

import pytest
from imports_helpers import ADMIN, EDITOR_95, NOW, TODAY, batches, counts, make_reference
from sqlalchemy import select

from tne_dash.figures.objectives import objectives_progress
from tne_dash.figures.scope import Scope
from tne_dash.periods import parse_period
from tne_dash.store.imports.service import journal, record_objective, undo_import
from tne_dash.store.models import Objective

GOOD = {"perimetre": "commune", "code": "95063", "periode": "2022-2023",
        "indicateur": "workshops", "cible": 30.0}

BAD_TARGET = "attendu un nombre entre 0 et 10\u202f000\u202f000"


@pytest.fixture
def ref_engine(engine, session):
    make_reference(session)
    return engine


def save(engine, account=EDITOR_95, **changes):
    return record_objective(engine, GOOD | changes, account=account, today=TODAY, now=NOW)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cible": -3.0}, f"colonne cible : « -3 » — {BAD_TARGET} (ex. 12 ou 12,5)"),
        ({"cible": "beaucoup"}, f"colonne cible : « beaucoup » — {BAD_TARGET}"),
        ({"cible": None}, f"colonne cible : cellule vide — {BAD_TARGET}"),
        ({"indicateur": "target_schools_with_pcn_pct", "perimetre": "national", "code": "",
          "cible": 120.0}, "colonne cible : « 120 » — attendu un pourcentage entre 0 et 100"),
        ({"indicateur": "happiness"}, "colonne indicateur : « happiness » — attendu un code "
                                      "d'indicateur du catalogue"),
        ({"indicateur": "communes_engaged"}, "colonne indicateur : « communes_engaged » — "
                                             "indicateur sans objectif possible pour le "
                                             "périmètre commune"),
        ({"perimetre": "region"}, "colonne perimetre : « region » — attendu national, "
                                  "departement ou commune"),
        ({"code": "99999"}, "colonne code : « 99999 » — attendu un code INSEE de commune du "
                            "référentiel"),
        ({"perimetre": "departement", "code": "ZZ"}, "colonne code : « ZZ » — attendu un code "
                                                     "de département"),
        ({"periode": "2022-2024"}, "colonne periode : « 2022-2024 » — attendu une année "
                                   "scolaire « 2023-2024 » ou une année « 2024 », entre 2020 "
                                   "et 2035"),
        ({"code": "86194"}, "colonne code : « 86194 » — objectif du département 86 hors de "
                            "vos droits"),
        ({"perimetre": "national", "code": ""}, "objectif national hors de vos droits"),
    ],
)
def test_a_bad_objective_is_refused_with_its_message_and_nothing_is_written(
        ref_engine, changes, message):
    before, journal_rows = counts(ref_engine), batches(ref_engine)
    report = save(ref_engine, **changes)
    assert report.refused
    assert any(message in str(p) for p in report.errors), [str(p) for p in report.errors]
    assert counts(ref_engine) == before
    assert batches(ref_engine) == journal_rows


def test_a_good_objective_is_written_journaled_and_measured_by_the_page(ref_engine):
    report = save(ref_engine)
    assert not report.refused
    assert (report.counts.inserted, report.counts.updated) == (1, 0)
    with ref_engine.connect() as conn:
        row = conn.execute(select(Objective.target, Objective.source, Objective.period_start)
                           ).one()
        entry = journal(conn).iloc[0]
        progress = objectives_progress(conn, Scope("commune", "95063"),
                                       parse_period("2022-2023"), dt.date(2023, 1, 1))
    assert tuple(row) == (30.0, "form", dt.date(2022, 9, 1))
    assert (entry["Type"], entry["Par"], entry["Ajoutées"]) == ("Saisie d'un objectif",
                                                                "claire", 1)
    assert progress.table[["indicator", "target"]].values.tolist() == [["workshops", 30.0]]


def test_changing_a_target_updates_it_and_an_admin_can_undo_the_change(ref_engine):
    save(ref_engine)
    changed = save(ref_engine, cible=45.0)
    assert (changed.counts.inserted, changed.counts.updated) == (0, 1)
    undo_import(ref_engine, changed.batch_id, account=ADMIN, now=NOW)
    with ref_engine.connect() as conn:
        assert conn.scalar(select(Objective.target)) == 30.0


def test_an_admin_sets_the_programme_s_national_percentage(ref_engine):
    report = save(ref_engine, account=ADMIN, perimetre="national", code="",
                  indicateur="target_schools_with_pcn_pct", cible=25.0)
    assert not report.refused
    with ref_engine.connect() as conn:
        assert conn.execute(select(Objective.scope_kind, Objective.scope_code)).one() == \
            ("national", "")
