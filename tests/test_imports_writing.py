"""Writing imports: idempotent by key, updates, the journal, undo, and concurrent imports.

Every test runs on SQLite and on the real PostgreSQL server.
"""

from __future__ import annotations

import threading

import pytest
from imports_helpers import ADMIN, DATA, EDITOR_95, NOW, TODAY, batches, counts, make_reference
from imports_helpers import run as run_import
from sqlalchemy import select

from tne_dash.store.db import make_engine
from tne_dash.store.imports.service import import_file, journal, record_workshop, undo_import
from tne_dash.store.imports.templates import template_xlsx
from tne_dash.store.imports.writer import UndoRefused
from tne_dash.store.models import Venue, Workshop

HEADER = ("date;code_insee;lieu;type_lieu;phase;format;thematiques;duree_minutes;animateur;"
          "nb_parents;nb_nouveaux_parents;nb_enfants;reference")


@pytest.fixture
def ref_engine(engine, session):
    make_reference(session)
    return engine


def workshop_rows(n: int, prefix: str = "R", parents: int = 12) -> bytes:
    lines = [HEADER] + [
        f"12/03/2024;95063;Médiathèque;médiathèque;acculturation;café des parents;ENT|Pix;90;"
        f"CNFS;{parents};7;3;{prefix}-{i}" for i in range(n)]
    return "\n".join(lines).encode()


def summary_counts(report) -> tuple[int, int, int]:
    return report.counts.inserted, report.counts.updated, report.counts.unchanged


def test_importing_the_same_file_twice_changes_nothing(ref_engine):
    first = run_import(ref_engine, "workshops", "ok_virgule_utf8.csv")
    before = counts(ref_engine)
    second = run_import(ref_engine, "workshops", "ok_virgule_utf8.csv")
    assert summary_counts(first) == (2, 0, 0)
    assert summary_counts(second) == (0, 0, 2)
    assert counts(ref_engine) == before
    assert "0 ajouté(s), 0 mis à jour, 2 inchangé(s)" in second.summary()


def test_a_known_reference_with_new_values_updates_the_workshop(ref_engine):
    run_import(ref_engine, "workshops", "f.csv", workshop_rows(3))
    changed = run_import(ref_engine, "workshops", "f.csv", workshop_rows(3, parents=20))
    assert summary_counts(changed) == (0, 3, 0)
    with ref_engine.connect() as conn:
        assert set(conn.scalars(select(Workshop.parents_count))) == {20}
    assert counts(ref_engine)["workshop"] == 3


def test_undo_removes_inserted_rows_and_restores_updated_ones(ref_engine):
    inserted = run_import(ref_engine, "workshops", "f.csv", workshop_rows(2))
    updated = run_import(ref_engine, "workshops", "f.csv", workshop_rows(2, parents=30))
    assert undo_import(ref_engine, updated.batch_id, account=ADMIN, now=NOW) == 2
    with ref_engine.connect() as conn:
        assert sorted(conn.scalars(select(Workshop.parents_count))) == [12, 12]
    assert undo_import(ref_engine, inserted.batch_id, account=ADMIN, now=NOW) == 3
    assert counts(ref_engine)["workshop"] == 0 and counts(ref_engine)["venue"] == 0
    assert counts(ref_engine)["workshop_theme"] == 0
    with ref_engine.connect() as conn:
        trace = journal(conn)
    assert len(trace) == 2 and trace["Annulé par"].tolist() == ["admin", "admin"]


def test_only_an_admin_can_undo_and_only_once(ref_engine):
    report = run_import(ref_engine, "workshops", "f.csv", workshop_rows(1))
    with pytest.raises(UndoRefused, match="administrateur"):
        undo_import(ref_engine, report.batch_id, account=EDITOR_95, now=NOW)
    undo_import(ref_engine, report.batch_id, account=ADMIN, now=NOW)
    with pytest.raises(UndoRefused, match="déjà été annulé"):
        undo_import(ref_engine, report.batch_id, account=ADMIN, now=NOW)


def test_the_journal_records_who_when_which_file_and_its_hash(ref_engine):
    import hashlib

    content = (DATA / "ok_virgule_utf8.csv").read_bytes()
    run_import(ref_engine, "workshops", "ok_virgule_utf8.csv", account=EDITOR_95)
    with ref_engine.connect() as conn:
        row = journal(conn).iloc[0]
    assert row["Par"] == "claire" and row["Fichier"] == "ok_virgule_utf8.csv"
    assert row["SHA-256"] == hashlib.sha256(content).hexdigest()
    assert row["Date"].to_pydatetime() == NOW
    assert (row["Lignes lues"], row["Ajoutées"], row["Type"]) == (
        2, 2, "Ateliers (modèle tne-dash)")


def test_a_dry_run_validates_and_counts_but_writes_nothing(ref_engine):
    report = run_import(ref_engine, "workshops", "ok_virgule_utf8.csv", dry_run=True)
    assert summary_counts(report) == (2, 0, 0) and "simulation" in report.summary()
    assert counts(ref_engine)["workshop"] == 0 and batches(ref_engine) == 0


def test_the_downloadable_template_with_its_example_row_imports(ref_engine):
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template_xlsx("workshops")))
    sheet = book.worksheets[0]
    for cell, value in zip(sheet[2], [c.value for c in book["Exemple"][2]], strict=True):
        cell.value = value
    out = io.BytesIO()
    book.save(out)
    report = run_import(ref_engine, "workshops", "modele_ateliers.xlsx", out.getvalue())
    assert report.errors == [] and summary_counts(report) == (1, 0, 0)
    validations = {str(v.sqref).split(":")[0] for v in sheet.data_validations.dataValidation}
    assert validations == {"D2", "E2", "F2", "G2", "I2"}


def test_the_form_records_one_workshop_through_the_same_validation(ref_engine):
    cells = {"date": TODAY, "code_insee": "95063", "lieu": "Centre social Rosa Parks",
             "type_lieu": "centre social", "phase": "acculturation",
             "format": "atelier collectif", "thematiques": "ENT", "duree_minutes": 120,
             "animateur": "CNFS", "nb_parents": 9, "nb_nouveaux_parents": 10, "nb_enfants": 0}
    refused = record_workshop(ref_engine, cells, account=EDITOR_95, today=TODAY, now=NOW)
    assert [(p.column, p.expected) for p in refused.errors] == [
        ("nb_nouveaux_parents", "attendu au plus nb_parents (9)")]
    assert counts(ref_engine)["workshop"] == 0
    saved = record_workshop(ref_engine, cells | {"nb_nouveaux_parents": 9}, account=EDITOR_95,
                            today=TODAY, now=NOW, address="1 rue de la Paix")
    assert saved.errors == [] and summary_counts(saved) == (1, 0, 0)
    with ref_engine.connect() as conn:
        venue = conn.execute(select(Venue.name, Venue.address, Venue.source)).one()
        ref = conn.scalar(select(Workshop.external_ref))
    assert tuple(venue) == ("Centre social Rosa Parks", "1 rue de la Paix", "form")
    assert ref.startswith("saisie:")


def test_the_form_refuses_an_editor_a_commune_of_another_departement_and_lets_an_admin(
        ref_engine):
    poitiers = {"date": TODAY, "code_insee": "86194", "lieu": "Médiathèque François-Mitterrand",
                "type_lieu": "médiathèque", "phase": "acculturation",
                "format": "atelier collectif", "thematiques": "ENT", "duree_minutes": 90,
                "animateur": "CNFS", "nb_parents": 6, "nb_nouveaux_parents": 4,
                "nb_enfants": 0}
    refused = record_workshop(ref_engine, poitiers, account=EDITOR_95, today=TODAY, now=NOW)
    assert [p.column for p in refused.errors] == ["code_insee"]
    assert "hors de vos départements (95)" in refused.errors[0].expected
    assert counts(ref_engine)["workshop"] == 0 and journal(ref_engine).empty
    saved = record_workshop(ref_engine, poitiers, account=ADMIN, today=TODAY, now=NOW)
    assert saved.errors == [] and counts(ref_engine)["workshop"] == 1


def test_an_existing_venue_of_the_commune_is_reused_whatever_its_case(ref_engine):
    run_import(ref_engine, "workshops", "a.csv", workshop_rows(1, prefix="A"))
    run_import(ref_engine, "workshops", "b.csv",
               workshop_rows(1, prefix="B").replace("Médiathèque;".encode(),
                                                    b"MEDIATHEQUE ;"))
    assert counts(ref_engine)["venue"] == 1 and counts(ref_engine)["workshop"] == 2


def import_together(db_url: str, files: list[tuple[str, bytes]]) -> list:
    """Import the files at the same moment, one thread and one engine (pool) each."""
    engines = [make_engine(db_url) for _ in files]
    reports: list = [None] * len(files)

    def worker(index: int) -> None:
        name, content = files[index]
        reports[index] = import_file(engines[index], "workshops", name, content,
                                     account=ADMIN, today=TODAY, now=NOW)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(files))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    return reports


def test_two_imports_at_the_same_time_both_land_completely(ref_engine, db_url):
    reports = import_together(db_url, [(f"f{i}.csv", workshop_rows(400, prefix=f"T{i}"))
                                       for i in range(2)])
    assert [summary_counts(r) for r in reports] == [(400, 0, 0), (400, 0, 0)]
    assert counts(ref_engine)["workshop"] == 800 and batches(ref_engine) == 2
    assert counts(ref_engine)["venue"] == 1


def test_two_imports_of_the_same_keys_at_the_same_time_never_double_rows(ref_engine, db_url):
    reports = import_together(db_url, [("same.csv", workshop_rows(300))] * 2)
    assert sorted(summary_counts(r) for r in reports) == [(0, 0, 300), (300, 0, 0)]
    assert counts(ref_engine)["workshop"] == 300
