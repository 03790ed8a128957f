"""The Coop's activity export, current and older formats, built here with openpyxl.

Counts are right, the irrelevant activities are set aside with their reason, and no name,
note or beneficiary commune reaches the database.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from imports_helpers import EDITOR_95, counts, make_reference, run
from openpyxl import Workbook
from sqlalchemy import inspect, select, text

from tne_dash.store.models import Workshop, WorkshopTheme

CURRENT = ["Date", "Enregistré le", "Dernière modification le", "Type", "Participants",
           "Bénéficiaire", "Canaux d’accompagnement", "Nom du lieu", "Adresse", "Commune",
           "Code postal", "Code Insee", "Durée (min)", "Nom de l’atelier",
           "Matériel numérique utilisé", "Thématique(s) d’accompagnement", "Tags",
           "Nom de la démarche administrative", "Niveau d’autonomie (ou de l’atelier)",
           "Bénéficiaire réorienté", "Structure de redirection", "Commune du bénéficiaire",
           "Code postal du bénéficiaire", "Code Insee du bénéficiaire", "Genre du bénéficiaire",
           "Tranche d’âge du bénéficiaire", "Statut du bénéficiaire", "Notes supplémentaires",
           "ID CRA"]
OLDER = ["Date", "Type", "Nombre de participants", "Bénéficiaire", "Canaux d’accompagnement",
         "Lieu", "Durée (min)", "Nom de l’atelier", "Matériel numérique utilisé",
         "Thématique(s) d’accompagnement", "Tags", "Nom de la démarche administrative",
         "Niveau d’autonomie (ou de l’atelier)", "Bénéficiaire réorienté",
         "Structure de redirection", "Commune de résidence du bénéficiaire",
         "Genre du bénéficiaire", "Tranche d’âge du bénéficiaire", "Statut du bénéficiaire",
         "Notes supplémentaires"]
SECRET_NAMES = ("Martine Dupuis", "Karim Benali", "Sophie Leroy")
SECRET_NOTE = "Maman inquiète pour son fils, rappeler jeudi"
SECRET_COMMUNE = "Houilles"


def header_block(sheet, extra_filter_rows: int = 0) -> None:
    sheet.append(["Informations export"])
    for label, value in (("Nom", "Durand"), ("Prénom", "Alex"), ("Rôle", "Médiateur"),
                         ("Total", 6), ("Exporté le", "22/11/2026 à 09:12")):
        sheet.append([label, value])
    sheet.append(["Filtres"])
    for label in ("Période", "Source", "Lieux", "Communes", "Départements", "Type", "Rôle",
                  "Thématiques", "Tags", *(f"Filtre {i}" for i in range(extra_filter_rows))):
        sheet.append([label, "-"])
    sheet.append([])
    sheet.append(["—"])


def current_row(cra: str, participant: str, who: str, age: str, *, kind="Atelier collectif",
                themes="Parentalité\nScolarité et numérique", insee="95063",
                place="Médiathèque Maupassant", note=None) -> list:
    values = {"Date": dt.datetime(2025, 10, 14), "Enregistré le": "14/10/2025 à 18:02",
              "Type": kind, "Participants": participant, "Bénéficiaire": who,
              "Canaux d’accompagnement": "Lieu d’activité" if insee else "À distance",
              "Nom du lieu": place if insee else None, "Adresse": "1 rue de la Paix",
              "Commune": "Bezons", "Code postal": "95870", "Code Insee": insee,
              "Durée (min)": 120, "Nom de l’atelier": "Pronote en famille",
              "Thématique(s) d’accompagnement": themes,
              "Commune du bénéficiaire": SECRET_COMMUNE, "Code postal du bénéficiaire": "78800",
              "Code Insee du bénéficiaire": "78311", "Genre du bénéficiaire": "Féminin",
              "Tranche d’âge du bénéficiaire": age, "Statut du bénéficiaire": "En emploi",
              "Notes supplémentaires": note, "ID CRA": cra}
    return [values.get(column) for column in CURRENT]


def current_export(extra_filter_rows: int = 0, insee: str = "95063") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Activités"
    header_block(sheet, extra_filter_rows)
    sheet.append(CURRENT)
    rows = [
        # A parents' workshop: 3 participants, one of them a child of 10.
        current_row("cra-1", "1/3", SECRET_NAMES[0], "40 - 59 ans", note=SECRET_NOTE,
                    insee=insee),
        current_row("cra-1", "2/3", SECRET_NAMES[1], "25 - 39 ans", insee=insee),
        current_row("cra-1", "3/3", "Bénéficiaire anonyme", "Moins de 12 ans", insee=insee),
        # Individual support on « Famille - Scolarité »: kept, 1 parent.
        current_row("cra-2", 1, SECRET_NAMES[2], "40 - 59 ans", kind="Accompagnement individuel",
                    themes="Famille - Scolarité", place="France Services de Bezons",
                    insee=insee),
        # E-mail help only: set aside (2 rows).
        current_row("cra-3", "1/2", "Bénéficiaire anonyme", "60 - 69 ans", themes="E-mail"),
        current_row("cra-3", "2/2", "Bénéficiaire anonyme", "70 ans et plus", themes="E-mail"),
        # At a distance, no place: set aside.
        current_row("cra-4", 1, "Bénéficiaire anonyme", "25 - 39 ans", insee=None),
    ]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def older_export() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Activités"
    header_block(sheet)
    sheet.append(OLDER)
    base = {"Date": dt.datetime(2025, 3, 4), "Type": "Atelier collectif",
            "Canaux d’accompagnement": "Lieu d’activité",
            "Lieu": "Médiathèque Maupassant, 95870 Bezons", "Durée (min)": 90,
            "Nom de l’atelier": "Écrans en famille",
            "Thématique(s) d’accompagnement": "Parentalité",
            "Commune de résidence du bénéficiaire": f"{SECRET_COMMUNE}\nBezons",
            "Notes supplémentaires": SECRET_NOTE}
    rows = [
        base | {"Nombre de participants": 4, "Bénéficiaire": "\n".join(SECRET_NAMES[:2]),
                "Tranche d’âge du bénéficiaire":
                    "40 - 59 ans\n25 - 39 ans\n12 - 17 ans\nMoins de 12 ans"},
        # The same workshop recorded twice (two sessions): two workshops, not one.
        base | {"Nombre de participants": 4, "Bénéficiaire": "\n".join(SECRET_NAMES[:2]),
                "Tranche d’âge du bénéficiaire":
                    "40 - 59 ans\n25 - 39 ans\n12 - 17 ans\nMoins de 12 ans"},
        base | {"Nombre de participants": 1, "Type": "Accompagnement individuel",
                "Thématique(s) d’accompagnement": "Aide aux démarches administratives",
                "Tranche d’âge du bénéficiaire": "60 - 69 ans"},
    ]
    for row in rows:
        sheet.append([row.get(c) for c in OLDER])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def ref_engine(engine, session):
    make_reference(session)
    return engine


def workshops_written(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(Workshop.format, Workshop.parents_count, Workshop.first_time_parents_count,
                   Workshop.children_count, Workshop.duration_minutes, Workshop.source,
                   Workshop.phase).order_by(Workshop.id))]


def every_text_in_the_database(engine) -> str:
    """Every text cell of every table, joined: what a leak would show up in."""
    chunks = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                chunks += [str(v) for v in row if isinstance(v, str)]
    return "\n".join(chunks)


@pytest.mark.parametrize("extra_filter_rows", [0, 3])
def test_current_coop_export_imports_one_workshop_per_activity_in_its_rollout_phase(
        ref_engine, extra_filter_rows):
    report = run(ref_engine, "coop", "coop-numerique_accompagnements_2026-11-22.xlsx",
                 current_export(extra_filter_rows))
    assert report.errors == []
    assert (report.counts.inserted, report.rows_read) == (2, 7)
    assert report.set_aside == {"sans thématique parentalité ou scolarité": 2,
                                "sans lieu ni code INSEE (à domicile ou à distance)": 1}
    assert workshops_written(ref_engine) == [
        ("atelier_collectif", 2, 2, 1, 120, "coop", "autonomie"),
        ("accompagnement_individuel", 1, 1, 0, 120, "coop", "autonomie")]
    with ref_engine.connect() as conn:
        themes = set(conn.scalars(select(WorkshopTheme.theme)))
    assert themes == {"parentalite", "suivi_scolarite"}


def test_older_coop_export_imports_one_workshop_per_row(ref_engine):
    report = run(ref_engine, "coop", "coop_2025.xlsx", older_export())
    assert report.errors == []
    assert report.counts.inserted == 2
    assert report.set_aside == {"sans thématique parentalité ou scolarité": 1}
    assert workshops_written(ref_engine) == [
        ("atelier_collectif", 2, 2, 2, 90, "coop", "autonomie"),
        ("atelier_collectif", 2, 2, 2, 90, "coop", "autonomie")]


@pytest.mark.parametrize("export", [current_export, older_export])
def test_no_name_note_or_beneficiary_commune_reaches_the_database(ref_engine, export):
    run(ref_engine, "coop", "coop.xlsx", export())
    stored = every_text_in_the_database(ref_engine)
    for secret in (*SECRET_NAMES, SECRET_NOTE, SECRET_COMMUNE, "Pronote en famille",
                   "Écrans en famille", "Bénéficiaire anonyme"):
        assert secret not in stored
    assert "Médiathèque Maupassant" in stored  # the place itself is kept


@pytest.mark.parametrize("export", [current_export, older_export])
def test_reimporting_a_coop_export_changes_nothing(ref_engine, export):
    run(ref_engine, "coop", "coop.xlsx", export())
    before = counts(ref_engine)
    again = run(ref_engine, "coop", "coop.xlsx", export())
    assert (again.counts.inserted, again.counts.updated) == (0, 0)
    assert again.counts.unchanged == 2 and counts(ref_engine) == before


def test_a_coop_export_of_another_departement_is_refused_for_an_editor(ref_engine):
    content = current_export(insee="86194")
    report = run(ref_engine, "coop", "coop.xlsx", content, account=EDITOR_95)
    assert [str(e) for e in report.errors] == [
        "ligne 20, colonne Code Insee : « 86194 » — commune du département 86, hors de vos "
        "départements (95)",
        "ligne 23, colonne Code Insee : « 86194 » — commune du département 86, hors de vos "
        "départements (95)"]
    assert counts(ref_engine)["workshop"] == 0


def test_a_file_that_is_not_a_coop_export_is_refused_clearly(ref_engine):
    report = run(ref_engine, "coop", "autre.csv", b"a;b\n1;2\n")
    assert [str(e) for e in report.errors] == ["ligne d'en-têtes introuvable"]
