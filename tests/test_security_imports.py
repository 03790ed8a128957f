"""Hostile and clumsy import files (issue 18): refused with a French message naming the file
and what is wrong, within seconds, nothing written — never a traceback, never a value that
takes a page down."""

from __future__ import annotations

import datetime as dt
import io
import time

import hostile_files as hostile
import pytest
from alembic import command
from factories import make_venue, make_workshop
from imports_helpers import ADMIN, EDITOR_95, NOW, TODAY, counts, make_reference
from imports_helpers import run as run_import
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_imports_coop import OLDER, current_export, header_block

from tne_dash.access import Account, Role
from tne_dash.store.db import alembic_config, make_engine, upgrade_schema
from tne_dash.store.imports.fields import (
    MAX_OBJECTIVE_TARGET,
    MAX_PEOPLE_PER_WORKSHOP,
    FieldError,
    parse_count,
    parse_number,
)
from tne_dash.store.imports.service import record_objective
from tne_dash.store.models import Workshop

# Every refused file is refused within this time (the target), on a shared machine.
REFUSED_WITHIN_S = 5.0


@pytest.fixture
def ref_engine(engine, session):
    make_reference(session)
    return engine


def refused_quickly(engine, name: str, content: bytes, kind: str = "workshops"):
    before = counts(engine)
    start = time.perf_counter()
    report = run_import(engine, kind, name, content)
    elapsed = time.perf_counter() - start
    assert report.refused, report.summary()
    assert elapsed < REFUSED_WITHIN_S, f"{name} refusé en {elapsed:.1f} s"
    assert counts(engine) == before
    return [p.located() for p in report.errors]


HOSTILE_WORKBOOKS = {
    "ligne_lointaine.xlsx": (hostile.far_row_number, "trop de lignes"),
    "lignes_vides.xlsx": (lambda: hostile.blank_rows(1_000_000), "trop de lignes"),
    "ligne_large.xlsx": (lambda: hostile.wide_row(2_000_000), "trop de cellules"),
    "entites.xlsx": (hostile.entity_expansion, "classeur illisible"),
    "entite_externe.xlsx": (hostile.external_entity, "classeur illisible"),
    "xml_tronque.xlsx": (hostile.truncated_xml, "classeur illisible"),
    "chaine_partagee.xlsx": (hostile.bad_shared_string, "classeur illisible"),
    "reference_de_cellule.xlsx": (hostile.bad_cell_reference, "trop de cellules"),
    "styles_casses.xlsx": (hostile.broken_styles, "classeur illisible"),
}


@pytest.mark.parametrize("name", HOSTILE_WORKBOOKS)
def test_a_hostile_workbook_is_refused_within_seconds_naming_the_file(ref_engine, name):
    make, expected = HOSTILE_WORKBOOKS[name]
    errors = refused_quickly(ref_engine, name, make())
    assert any(e.startswith(name) and expected in e for e in errors), errors


@pytest.mark.parametrize(("name", "make", "expected"), [
    ("utf16_impair.csv", hostile.odd_utf16, "UTF-16 tronqué ou illisible"),
    ("lignes_vides.csv", lambda: hostile.csv_blank_lines(1_000_000), "trop de lignes"),
    ("ligne_large.csv", lambda: hostile.csv_wide_row(2_000_000), "trop de cellules"),
])
def test_a_hostile_csv_is_refused_within_seconds_naming_the_file(ref_engine, name, make,
                                                                 expected):
    errors = refused_quickly(ref_engine, name, make())
    assert any(e.startswith(name) and expected in e for e in errors), errors


def test_a_count_beyond_64_bits_is_refused_with_the_cell_named(ref_engine):
    errors = refused_quickly(ref_engine, "grand.csv", hostile.huge_integer_csv())
    assert errors == ["grand.csv, ligne 2, colonne nb_parents : « 9223372036854775807 » — "
                      "attendu un entier entre 0 et 1\u202f000"]


def test_a_nan_cell_of_a_workbook_is_refused_with_the_cell_named(ref_engine):
    errors = refused_quickly(ref_engine, "nan.xlsx", hostile.nan_value())
    assert errors == ["nan.xlsx : classeur illisible — attendu un fichier .xlsx (ou .csv) "
                      "(ligne 3)"]


def test_a_count_above_its_declared_maximum_is_refused_and_at_the_maximum_accepted(ref_engine):
    row = list(hostile.GOOD_ROW)
    row[9] = row[11] = str(MAX_PEOPLE_PER_WORKSHOP + 1)
    content = "\n".join([";".join(hostile.HEADER), ";".join(row)]).encode()
    errors = refused_quickly(ref_engine, "trop.csv", content)
    assert [e.split(" : ")[0] for e in errors] == ["trop.csv, ligne 2, colonne nb_parents",
                                                   "trop.csv, ligne 2, colonne nb_enfants"]
    row[9] = row[11] = str(MAX_PEOPLE_PER_WORKSHOP)
    content = "\n".join([";".join(hostile.HEADER), ";".join(row)]).encode()
    assert not run_import(ref_engine, "workshops", "juste.csv", content).refused


@pytest.mark.parametrize("value", [float("inf"), 1e308, "inf", "1e308", "nan", -1,
                                   MAX_OBJECTIVE_TARGET + 1, "9" * 400])
def test_an_objective_target_beyond_its_maximum_or_not_finite_is_refused(value):
    with pytest.raises(FieldError, match="attendu un nombre entre 0 et 10\u202f000\u202f000"):
        parse_number(value, MAX_OBJECTIVE_TARGET)


@pytest.mark.parametrize("value", [True, 1.5, "12 parents", "-1", "1" * 30, 1001])
def test_a_count_that_is_not_a_whole_number_up_to_its_maximum_is_refused(value):
    with pytest.raises(FieldError, match="attendu un entier entre 0 et 1\u202f000"):
        parse_count(value, 1_000)


@pytest.mark.parametrize(("period", "accepted"), [("9999", False), ("2019-2020", False),
                                                  ("2023-2024", True), ("2035", True),
                                                  ("2036-2037", False)])
def test_an_objective_year_outside_the_programme_is_refused(ref_engine, period, accepted):
    report = record_objective(ref_engine, {"perimetre": "commune", "code": "95063",
                                           "periode": period, "indicateur": "workshops",
                                           "cible": 12}, account=ADMIN, today=TODAY, now=NOW)
    assert report.refused is not accepted
    if not accepted:
        assert "entre 2020 et 2035" in str(report.errors[0])


@pytest.mark.parametrize("name", ["Média\u202ethèque", "Salle\u200b 1", "Salle\x00", "Lieu\x07"])
def test_invisible_or_control_characters_in_a_name_are_refused(ref_engine, name):
    row = list(hostile.GOOD_ROW)
    row[2] = name
    content = "\n".join([";".join(hostile.HEADER), ";".join(row)]).encode()
    errors = refused_quickly(ref_engine, "caracteres.csv", content)
    assert errors[0].startswith("caracteres.csv")
    assert ("caractère invisible ou de contrôle" in errors[0]
            or "caractère NUL (0x00)" in errors[0]), errors


EDITOR_86 = Account("paul", Role.EDITEUR, frozenset({"86"}))


def workshop_file(insee: str, reference: str) -> bytes:
    row = list(hostile.GOOD_ROW)
    row[1], row[12] = insee, reference
    return "\n".join([";".join(hostile.HEADER), ";".join(row)]).encode()


def workshop_communes(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(Workshop.external_ref, Workshop.commune_code)).all())


def test_two_coordinators_using_the_same_reference_never_touch_each_others_workshop(
        ref_engine):
    vienne = run_import(ref_engine, "workshops", "vienne.csv",
                        workshop_file("86194", "VIE-2024-001"), account=EDITOR_86)
    oise = run_import(ref_engine, "workshops", "oise.csv",
                      workshop_file("95063", "VIE-2024-001"), account=EDITOR_95)
    assert (vienne.counts.inserted, oise.counts.inserted, oise.counts.updated) == (1, 1, 0)
    assert workshop_communes(ref_engine) == [("ref:86:VIE-2024-001", "86194"),
                                             ("ref:95:VIE-2024-001", "95063")]


def test_an_editor_cannot_update_a_workshop_already_recorded_in_another_departement(
        ref_engine):
    assert not run_import(ref_engine, "coop", "coop-86.xlsx", current_export(insee="86194"),
                          account=ADMIN).refused
    before = workshop_communes(ref_engine)
    report = run_import(ref_engine, "coop", "coop-95.xlsx", current_export(insee="95063"),
                        account=EDITOR_95)
    assert report.refused
    assert all("déjà enregistré dans le département 86, hors de vos droits" in p.expected
               for p in report.errors)
    assert "« " in report.errors[0].expected  # the reference is named
    assert workshop_communes(ref_engine) == before


def test_references_imported_before_the_scoping_take_their_communes_departement(db_url):
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0002")
    with Session(engine) as session:
        make_reference(session)
        make_workshop(session, make_venue(session, "86194"), external_ref="ref:VIE-1",
                      monthly_sums=False)  # schema 0002: no monthly sums yet
        session.commit()
    upgrade_schema(engine)
    assert workshop_communes(engine) == [("ref:86:VIE-1", "86194")]
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    assert workshop_communes(engine) == [("ref:VIE-1", "86194")]
    engine.dispose()


@pytest.mark.parametrize("participants", ["inf", "nan", "1e9", 10**19])
def test_a_coop_activity_with_an_impossible_number_of_participants_is_refused(
        ref_engine, participants):
    book = Workbook()
    sheet = book.active
    sheet.title = "Activités"
    header_block(sheet)
    sheet.append(OLDER)
    row = {"Date": dt.datetime(2025, 3, 4), "Type": "Atelier collectif",
           "Lieu": "Médiathèque Maupassant, 95870 Bezons", "Durée (min)": 90,
           "Thématique(s) d’accompagnement": "Parentalité",
           "Nombre de participants": participants}
    sheet.append([row.get(c) for c in OLDER])
    out = io.BytesIO()
    book.save(out)
    errors = refused_quickly(ref_engine, "coop.xlsx", out.getvalue(), kind="coop")
    assert any("colonne Nombre de participants" in e
               and "attendu un nombre de participants entier entre 1 et 1\u202f000" in e
               for e in errors), errors
