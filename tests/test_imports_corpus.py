"""The corpus of tests/data/imports: what must be accepted, and each bad file's exact errors.

Every refused file leaves the database exactly as it was: no activity row, no journal entry.
Each test runs on SQLite and on the real PostgreSQL server.
"""

from __future__ import annotations

import pytest
from imports_helpers import DATA, EDITOR_95, batches, counts, make_reference, run

from tne_dash.store.imports.reading import Limits

EMPTY = {"workshop": 0, "workshop_theme": 0, "venue": 0, "parents_ressources_count": 0,
         "objective": 0}


@pytest.fixture
def ref_engine(engine, session):
    make_reference(session)
    return engine


def errors_of(report) -> list[str]:
    return [str(p) for p in report.errors]


def assert_refused_and_nothing_written(engine, report, expected: list[str]) -> None:
    assert errors_of(report) == expected
    assert report.refused and report.counts is None
    assert counts(engine) == EMPTY and batches(engine) == 0


@pytest.mark.parametrize("name", [
    "ok_point_virgule_utf8_bom.csv", "ok_virgule_utf8.csv", "ok_tabulation_windows1252.csv",
    "ok_lignes_vides_en_fin.csv", "ok_durees_variees.csv",
])
def test_french_spreadsheet_dialects_are_accepted(ref_engine, name):
    report = run(ref_engine, "workshops", name)
    assert report.errors == [] and report.warnings == []
    assert (report.counts.inserted, report.counts.updated, report.counts.unchanged) == (2, 0, 0)
    written = counts(ref_engine)
    assert written["workshop"] == 2 and written["venue"] == 2
    assert written["workshop_theme"] == 3


def test_the_windows_1252_file_keeps_its_accents(ref_engine):
    from sqlalchemy import select

    from tne_dash.store.models import Venue

    run(ref_engine, "workshops", "ok_tabulation_windows1252.csv")
    with ref_engine.connect() as conn:
        names = set(conn.scalars(select(Venue.name)))
    assert names == {"Médiathèque Maupassant", "École Jean-Jaurès"}


def test_a_four_digit_insee_code_is_padded_with_a_warning(ref_engine):
    report = run(ref_engine, "workshops", "ok_insee_sans_zero.csv")
    assert report.errors == []
    assert [str(w) for w in report.warnings] == [
        "ligne 2, colonne code_insee : « 1001 » — complété en 01001 (zéro initial perdu par le "
        "tableur)"]
    assert counts(ref_engine)["workshop"] == 1


def test_missing_columns_are_named_with_the_expected_ones(ref_engine):
    report = run(ref_engine, "workshops", "colonnes_manquantes.csv")
    assert_refused_and_nothing_written(ref_engine, report, [
        "colonnes manquantes : nb_enfants, reference — attendu les colonnes : date, code_insee, "
        "lieu, type_lieu, phase, format, thematiques, duree_minutes, animateur, nb_parents, "
        "nb_nouveaux_parents, nb_enfants, reference"])


def test_unknown_insee_codes_are_refused(ref_engine):
    report = run(ref_engine, "workshops", "insee_inconnu.csv")
    assert_refused_and_nothing_written(ref_engine, report, [
        "ligne 2, colonne code_insee : « 99999 » — code INSEE inconnu — attendu une commune du "
        "référentiel (COG 2026)",
        "ligne 3, colonne code_insee : « 9501A » — attendu un code INSEE de commune à 5 "
        "caractères (ex. 95063)"])


def test_unknown_enumeration_values_name_the_accepted_ones(ref_engine):
    report = run(ref_engine, "workshops", "valeurs_inconnues.csv")
    assert_refused_and_nothing_written(ref_engine, report, [
        "ligne 2, colonne type_lieu : « piscine » — attendu l'une des valeurs : école, collège, "
        "lycée, centre social, médiathèque, France Services, salle municipale, MDS, tiers-lieu, "
        "événement, autre",
        "ligne 2, colonne phase : « année 4 » — attendu l'une des valeurs : acculturation, "
        "parents ressources, autonomie",
        "ligne 2, colonne format : « atelier cuisine » — attendu l'une des valeurs : atelier "
        "collectif, atelier parent-enfant, café des parents, stand lors d'un événement, "
        "permanence, accompagnement individuel",
        "ligne 2, colonne thematiques : « ENT|jardinage » — « jardinage » inconnue — attendu des "
        "valeurs parmi : ENT, FranceConnect, messagerie, prise en main du matériel, écrans et "
        "contrôle parental, identité numérique et données personnelles, ressources éducatives, "
        "suivi de la scolarité, orientation et bourses, Pix, codage, place du parent et "
        "routines (séparées par |)",
        "ligne 2, colonne animateur : « maire » — attendu l'une des valeurs : CNFS, Parent "
        "Ressource, personnel éducatif, partenaire"])


def test_negative_non_numeric_and_inconsistent_counts_are_refused(ref_engine):
    report = run(ref_engine, "workshops", "effectifs_invalides.csv")
    assert_refused_and_nothing_written(ref_engine, report, [
        "ligne 2, colonne nb_parents : « -3 » — attendu un entier entre 0 et 1\u202f000",
        "ligne 2, colonne nb_enfants : « beaucoup » — attendu un entier entre 0 et 1\u202f000",
        "ligne 3, colonne nb_enfants : « 2,5 » — attendu un entier entre 0 et 1\u202f000",
        "ligne 3, colonne nb_nouveaux_parents : « 12 » — attendu au plus nb_parents (10)"])


def test_future_too_old_impossible_and_unreadable_dates_are_refused(ref_engine):
    report = run(ref_engine, "workshops", "dates_invalides.csv")
    assert_refused_and_nothing_written(ref_engine, report, [
        "ligne 2, colonne date : « 01/01/2031 » — attendu une date passée (au plus tard le "
        "22/11/2026)",
        "ligne 3, colonne date : « 15/06/2019 » — attendu une date à partir du 01/01/2020",
        "ligne 4, colonne date : « 31/02/2024 » — attendu une date JJ/MM/AAAA (ou AAAA-MM-JJ)",
        "ligne 5, colonne date : « mars 2024 » — attendu une date JJ/MM/AAAA (ou AAAA-MM-JJ)"])


def test_a_reference_twice_in_a_file_and_a_missing_one_are_refused(ref_engine):
    report = run(ref_engine, "workshops", "reference_en_double.csv")
    assert_refused_and_nothing_written(ref_engine, report, [
        "ligne 4, colonne reference : cellule vide — attendu une référence unique (ex. "
        "BEZ-2024-001)",
        "ligne 3, colonne reference : « BEZ-001 » — attendu une valeur unique dans le fichier "
        "(déjà en ligne 2)"])


@pytest.mark.parametrize(("name", "expected"), [
    ("vide.csv", "fichier vide — attendu une ligne d'en-têtes puis au moins une ligne de "
                 "données"),
    ("entetes_seules.csv", "aucune ligne de données sous les en-têtes"),
])
def test_empty_and_header_only_files_are_refused(ref_engine, name, expected):
    report = run(ref_engine, "workshops", name)
    assert_refused_and_nothing_written(ref_engine, report, [expected])
    assert report.errors[0].located() == f"{name} : {expected}"


def test_a_file_over_the_size_limit_is_refused_with_the_limit(ref_engine):
    big = b"x" * (2 * 1024 * 1024 + 1)
    report = run(ref_engine, "workshops", "enorme.csv", big,
                 limits=Limits(max_bytes=2 * 1024 * 1024))
    assert_refused_and_nothing_written(ref_engine, report, [
        "fichier trop volumineux (2,0 Mo) — limite 2,0 Mo"])


def test_a_file_over_the_row_limit_is_refused_with_the_limit(ref_engine):
    header = ("date;code_insee;lieu;type_lieu;phase;format;thematiques;duree_minutes;"
              "animateur;nb_parents;nb_nouveaux_parents;nb_enfants;reference")
    row = ("12/03/2024;95063;Médiathèque;médiathèque;acculturation;café des parents;ENT;90;"
           "CNFS;12;7;3;R-{}")
    content = "\n".join([header, *(row.format(i) for i in range(1_001))]).encode()
    report = run(ref_engine, "workshops", "trop_de_lignes.csv", content,
                 limits=Limits(max_rows=1_000))
    assert_refused_and_nothing_written(ref_engine, report, [
        "trop de lignes — limite 1\u202f000 lignes de données par fichier : découpez-le"])


def test_an_editor_cannot_import_rows_of_another_departement(ref_engine):
    text = (DATA / "ok_virgule_utf8.csv").read_text().replace("95018", "86194")
    report = run(ref_engine, "workshops", "mixte.csv", text.encode(), account=EDITOR_95)
    assert_refused_and_nothing_written(ref_engine, report, [
        "ligne 3, colonne code_insee : « 86194 » — commune du département 86, hors de vos "
        "départements (95)"])


def test_parents_ressources_file_is_imported_and_a_bad_one_refused(ref_engine):
    bad = run(ref_engine, "parents-ressources", "parents_ressources_invalides.csv")
    assert errors_of(bad) == [
        "ligne 2, colonne fin : « 31/08/2023 » — attendu une date de fin après le début "
        "(01/09/2023) et au plus un an après",
        "ligne 3, colonne parents_ressources_recrutes : « x » — attendu un entier entre 0 et "
        "1\u202f000"]
    assert counts(ref_engine) == EMPTY
    good = run(ref_engine, "parents-ressources", "parents_ressources_ok.csv")
    assert (good.counts.inserted, good.counts.updated, good.counts.unchanged) == (2, 0, 0)
    assert counts(ref_engine)["parents_ressources_count"] == 2


def test_objectives_file_is_imported_and_a_bad_one_refused(ref_engine):
    bad = run(ref_engine, "objectives", "objectifs_invalides.csv", account=EDITOR_95)
    assert errors_of(bad) == [
        "ligne 2, colonne periode : « 2024-2026 » — attendu une année scolaire « 2023-2024 » "
        "ou une année « 2024 », entre 2020 et 2035",
        "ligne 3, colonne perimetre : « region » — attendu national, departement ou commune",
        "ligne 4, colonne indicateur : « indicateur_inconnu » — attendu un code d'indicateur du "
        "catalogue (ex. workshops, parents_reached) — voir la page Données",
        "ligne 4, colonne cible : « -1 » — attendu un nombre entre 0 et 10\u202f000\u202f000 "
        "(ex. 12 ou 12,5)",
        "ligne 5, colonne perimetre : « national » — objectif national hors de vos droits "
        "(éditeur (95))",
        "ligne 5, colonne cible : « 140 » — attendu un pourcentage entre 0 et 100",
        "ligne 6, colonne code : « 86 » — objectif du département 86 hors de vos droits "
        "(éditeur (95))"]
    assert counts(ref_engine) == EMPTY
    good = run(ref_engine, "objectives", "objectifs_ok.csv")
    assert good.counts.inserted == 3 and counts(ref_engine)["objective"] == 3
