"""A commune « suivie » on the points de vigilance: an editor marks it with a short note,
checked on the server (rights, the note: no e-mail address, no phone number, 280 characters),
written with its journal entry and undone back to the exact state before — on SQLite and on a
real PostgreSQL server; the points, the table and its exports carry « Suivie » and, for
signed-in viewers, « Note de suivi »; on Déploiement an editor marks a commune and the
column reads « Oui »."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pandas as pd
import pytest
from apptest import TableReader, open_page, plain_tables
from imports_helpers import ADMIN, EDITOR_95, NOW, make_reference
from sqlalchemy import func, select

from tne_dash.access import Account, Role
from tne_dash.exports import to_csv_bytes
from tne_dash.figures.scope import Scope
from tne_dash.figures.vigilance import (
    join_follow_ups,
    vigilance_frame,
    vigilance_points,
    vigilance_summary,
    with_follow_ups,
)
from tne_dash.figures.vigilance_rules import LATE_OBJECTIVE, RULES, URGENT
from tne_dash.html_tables import table_html
from tne_dash.screens.accueil.vigilance import (
    followed_sentence,
    reason_tiles,
    top_points,
    vigilance_digest,
)
from tne_dash.screens.deploiement.tables import (
    LINK_SHOWN,
    follow_up_choices,
    select_points,
    vigilance_display,
    vigilance_heading,
    vigilance_table,
)
from tne_dash.screens.deploiement.view import deploiement_params, parse_deploiement_view
from tne_dash.store.db import make_engine
from tne_dash.store.follow_ups import (
    MAX_NOTE_LENGTH,
    FollowUp,
    FollowUpRefused,
    check_note,
    follow_ups,
    set_follow_up,
)
from tne_dash.store.imports.service import journal, undo_import
from tne_dash.store.imports.writer import UndoRefused
from tne_dash.store.models import ImportBatch, VigilanceFollowUp

LATER = NOW + dt.timedelta(hours=1)
EDITOR_86 = Account("paul", Role.EDITEUR, frozenset({"86"}))
READER = Account("lea", Role.LECTEUR)
BEZONS = "95063"


def unescaped(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


# ── The note ────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("note", [
    "Retard sur les ateliers 2022-2023 : 12 sur 30, +12 % en mars ; point le 17/04/2023.",
    "Relance prévue avec la médiathèque (95063) à la rentrée.",
    "",
])
def test_a_note_about_the_figures_is_kept_as_written(note):
    assert check_note(f"  {note}\r\n ") == note


@pytest.mark.parametrize(("note", "message"), [
    ("x" * (MAX_NOTE_LENGTH + 1), "Note de suivi : 281 caractères — au plus 280."),
    ("Écrire à prenom.nom@mairie-bezons.fr", "Note de suivi : une adresse e-mail a été reconnue"),
    ("Appeler le 06 12 34 56 78", "Note de suivi : un numéro de téléphone a été reconnu"),
    ("Tél. 01.30.45.67.89", "Note de suivi : un numéro de téléphone a été reconnu"),
    ("+33 (0)6 12 34 56 78", "Note de suivi : un numéro de téléphone a été reconnu"),
    ("Bureau +44 20 7946 0958", "Note de suivi : un numéro de téléphone a été reconnu"),
    ("a\x1b[31mb", "Note de suivi : caractère invisible refusé (U+001B)"),
])
def test_a_note_too_long_or_with_personal_data_is_refused_naming_the_field(note, message):
    with pytest.raises(FollowUpRefused, match=re.escape(message)) as refused:
        check_note(note)
    if "reconnu" in message:
        assert str(refused.value).endswith("pas de nom ni de donnée personnelle dans la note.")


# ── The store, on both backends ─────────────────────────────────────────────────────────


@pytest.fixture
def ref_engine(engine, session):
    make_reference(session)
    return engine


def stored(engine) -> dict[str, FollowUp]:
    with engine.connect() as conn:
        return follow_ups(conn)


def journal_entries(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(ImportBatch))


def test_an_editor_marks_then_unmarks_a_commune_and_each_change_is_journaled(ref_engine):
    first = set_follow_up(ref_engine, EDITOR_95, BEZONS, True, " Relance des ateliers ",
                          now=NOW)
    assert first.created and first.changed
    assert stored(ref_engine) == {BEZONS: FollowUp(True, "Relance des ateliers", "claire", NOW)}
    second = set_follow_up(ref_engine, EDITOR_95, BEZONS, False, "Rattrapé en mai", now=LATER)
    assert not second.created and second.batch_id > first.batch_id
    assert stored(ref_engine)[BEZONS] == FollowUp(False, "Rattrapé en mai", "claire", LATER)
    # The same state again: nothing written, no journal entry.
    assert not set_follow_up(ref_engine, EDITOR_95, BEZONS, False, "Rattrapé en mai ",
                             now=LATER).changed
    with ref_engine.connect() as conn:
        entries = journal(conn)
    assert entries[["N°", "Type", "Par", "Fichier", "Ajoutées", "Mises à jour"]].values.tolist() \
        == [[second.batch_id, "Suivi d'un point de vigilance", "claire", "Suivi de Bezons (95063)",
             0, 1],
            [first.batch_id, "Suivi d'un point de vigilance", "claire",
             "Suivi de Bezons (95063)", 1, 0]]


def test_undo_restores_the_state_before_an_edit_and_before_a_first_mark(ref_engine):
    first = set_follow_up(ref_engine, EDITOR_95, BEZONS, True, "Relance", now=NOW)
    before_edit = stored(ref_engine)
    edit = set_follow_up(ref_engine, ADMIN, BEZONS, True, "Relance faite", now=LATER)
    # The first mark cannot be undone under the edit that followed it.
    with pytest.raises(UndoRefused, match=f"Annulez d'abord l'import n° {edit.batch_id}"):
        undo_import(ref_engine, first.batch_id, account=ADMIN, now=LATER)
    undo_import(ref_engine, edit.batch_id, account=ADMIN, now=LATER)
    assert stored(ref_engine) == before_edit  # note, author and time: exactly as before
    undo_import(ref_engine, first.batch_id, account=ADMIN, now=LATER)
    assert stored(ref_engine) == {}
    # Followed again after the undos: a new first mark.
    assert set_follow_up(ref_engine, EDITOR_95, BEZONS, True, "", now=LATER).created


@pytest.mark.parametrize(("account", "code", "message"), [
    (EDITOR_95, "86194", "Commune : Poitiers (86194) est dans le département 86, hors de vos "
                         "droits (éditeur (95))"),
    (EDITOR_86, BEZONS, "hors de vos droits (éditeur (86))"),
    (READER, BEZONS, "hors de vos droits (lecteur)"),
    (EDITOR_95, "99999", "Commune : code INSEE « 99999 » inconnu du référentiel."),
])
def test_a_follow_up_outside_the_account_s_rights_is_refused_and_nothing_is_written(
        ref_engine, account, code, message):
    with pytest.raises(FollowUpRefused, match=re.escape(message)):
        set_follow_up(ref_engine, account, code, True, "Relance", now=NOW)
    with pytest.raises(FollowUpRefused, match="adresse e-mail"):
        set_follow_up(ref_engine, EDITOR_95, BEZONS, True, "a@b.fr", now=NOW)
    assert stored(ref_engine) == {}
    assert journal_entries(ref_engine) == 0


def test_the_points_carry_their_commune_s_follow_up_and_the_note_only_when_asked(ref_engine):
    set_follow_up(ref_engine, EDITOR_95, BEZONS, True, "Objectifs à saisir en mai", now=NOW)
    with ref_engine.connect() as conn:
        points = vigilance_points(conn, Scope("departement", "95"), dt.date(2023, 4, 17),
                                  exact=True)
        public = with_follow_ups(conn, points, with_notes=False)
        signed_in = with_follow_ups(conn, points, with_notes=True)
    assert set(points["code"]) == {BEZONS}  # a year without objectives
    assert list(public["followed"]) == [True] * len(points)
    assert "follow_up_note" not in public
    assert set(signed_in["follow_up_note"]) == {"Objectifs à saisir en mai"}
    assert public.drop(columns="followed").equals(points)  # the rules' rows unchanged


# ── The table and its exports (pure) ────────────────────────────────────────────────────


def two_points() -> pd.DataFrame:
    """A commune and a département, both late."""
    rows = []
    for level, code, name in (("commune", BEZONS, "Bezons"), ("departement", "95", "Val-d'Oise")):
        rows.append({
            "level": level, "code": code, "name": name, "departement_code": "95",
            "departement_name": "Val-d'Oise", "rule": LATE_OBJECTIVE,
            "rule_title": RULES[LATE_OBJECTIVE].title, "indicator": "workshops",
            "severity": URGENT, "severity_label": "Prioritaire",
            "sentence": f"{name} est en retard.", "link": f"/deploiement?scope={level}:{code}",
            "demo": False})
    return pd.DataFrame(rows)


HOSTILE_NOTE = "=HYPERLINK(\"http://x\") <b>gras</b> [clic](javascript:alert(1))"


def test_the_exports_carry_suivie_and_the_note_neutralised():
    points = join_follow_ups(two_points(), {BEZONS: FollowUp(True, HOSTILE_NOTE, "claire", NOW)},
                             with_notes=True)
    table = vigilance_table(points, with_departement=False)
    assert list(table.columns) == ["Gravité", "Territoire", "Suivie", "Motif", "Constat",
                                   "Note de suivi", "Lien", "Code"]
    assert list(table["Suivie"]) == ["Oui", ""]  # a département cannot be followed
    heading = vigilance_heading("Val-d'Oise (95)", dt.date(2023, 4, 17), (), (), True, False,
                                "oui")
    assert ("Suivi", "communes suivies") in heading
    text = to_csv_bytes(table, heading=heading).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text.partition("\n\n")[2]), delimiter=";"))
    assert (row["Suivie"], row["Note de suivi"]) == ("Oui", "'" + HOSTILE_NOTE)
    assert list(vigilance_frame(points)[["Suivie", "Note de suivi"]].iloc[0]) == [
        "Oui", HOSTILE_NOTE]
    # On the page, the note is text: no tag, no link, no formula.
    markup = table_html(vigilance_display(table, points), caption="Points de vigilance")
    assert "<b>" not in markup and markup.count("<a ") == 2  # the two points' own links
    reader = TableReader()
    reader.feed(markup)
    (_, header, rows), = reader.tables
    assert dict(zip(header, rows[0], strict=True))["Note de suivi"] == HOSTILE_NOTE


def test_the_public_table_says_suivie_without_the_note():
    points = join_follow_ups(two_points(), {BEZONS: FollowUp(True, "interne", "claire", NOW)},
                             with_notes=False)
    table = vigilance_table(points, with_departement=False)
    assert "Suivie" in table and "Note de suivi" not in table
    assert "interne" not in to_csv_bytes(table).decode("utf-8-sig")


def test_the_follow_up_filter_keeps_followed_communes_or_the_others():
    points = join_follow_ups(two_points(), {BEZONS: FollowUp(True, "", "claire", NOW)},
                             with_notes=False)
    assert list(select_points(points, (), (), "oui")["code"]) == [BEZONS]
    assert list(select_points(points, (), (), "non")["code"]) == ["95"]
    assert len(select_points(points, (), (), "")) == 2
    view = parse_deploiement_view({"scope": "departement:95", "suivi": "oui"},
                                  dt.date(2023, 4, 17))
    assert view.follow == "oui" and deploiement_params(view)["suivi"] == "oui"
    wrong = parse_deploiement_view({"suivi": "peut-etre"}, dt.date(2023, 4, 17))
    assert wrong.follow == "" and "Valeur de « suivi » inconnue dans l'adresse : « peut-etre »" \
        in wrong.problems[0]


def test_an_editor_is_offered_only_the_communes_of_their_departements():
    points = two_points()
    assert follow_up_choices(points, EDITOR_95) == {BEZONS: "Bezons (95063)"}
    assert follow_up_choices(points, EDITOR_86) == {}
    assert follow_up_choices(points, ADMIN) == {BEZONS: "Bezons (95063)"}


def test_accueil_says_how_many_of_the_communes_are_followed():
    points = join_follow_ups(two_points(), {BEZONS: FollowUp(True, "", "claire", NOW)},
                             with_notes=False)
    assert followed_sentence(points) == "Cette commune est suivie."
    more = pd.concat([points, points.assign(code="95018", followed=False)], ignore_index=True)
    assert followed_sentence(more) == "L'une des 2 communes signalées est suivie."
    assert followed_sentence(more.assign(followed=True)) == \
        "Les 2 communes signalées sont suivies."
    assert followed_sentence(more.assign(followed=False)) == \
        "Aucune des 2 communes signalées n'est suivie."



def test_accueil_keeps_a_digest_of_the_points_with_what_its_block_shows():
    """What the block reads from its cache at each run instead of the points themselves:
    the summary and the followed sentence, the demo flag, the tiles, the most urgent."""
    points = join_follow_ups(two_points(), {BEZONS: FollowUp(True, "", "claire", NOW)},
                             with_notes=False)
    digest = vigilance_digest(points, "Bezons (95)", dt.date(2023, 4, 17))
    assert not digest.empty
    assert digest.summary == (f"{vigilance_summary(points, 'Bezons (95)', dt.date(2023, 4, 17))}"
                              " Cette commune est suivie.")
    assert digest.demo == bool(points["demo"].any())
    assert digest.tiles == reason_tiles(points) and digest.top == top_points(points)
    assert vigilance_digest(points.iloc[:0], "Bezons (95)", dt.date(2023, 4, 17)).empty

# ── Déploiement (AppTest) ───────────────────────────────────────────────────────────────

VAL_DOISE = {"scope": "departement:95", "to": "2023-04-17", "vigilance": "retard"}


@pytest.fixture
def editing_db(monkeypatch, writable_built_url) -> str:
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", writable_built_url)
    return writable_built_url


def section_table(at) -> pd.DataFrame:
    return next(t for t in plain_tables(at).values() if LINK_SHOWN in t.columns)


def test_an_editor_marks_a_commune_on_deploiement_and_its_rows_read_oui(editing_db):
    at = open_page("deploiement.py", EDITOR_95, **VAL_DOISE)
    assert not at.exception
    assert set(section_table(at)["Suivie"]) == {"Non"}
    commune = at.selectbox(key="follow_up_commune")
    code = commune.value
    name = commune.format_func(code).rsplit(" (", 1)[0]
    at.text_area(key=f"follow_up_note_{code}").input("Relance des ateliers prévue en mai.")
    at.checkbox(key=f"follow_up_followed_{code}").check()
    at.button[[b.label for b in at.button].index("Enregistrer le suivi")].click().run()
    assert not at.exception
    engine = make_engine(editing_db)
    with engine.connect() as conn:
        batch = conn.scalar(select(func.max(ImportBatch.id)))
        assert conn.scalar(select(VigilanceFollowUp.note)) == "Relance des ateliers prévue en mai."
    engine.dispose()
    assert [s.value for s in at.success] == [
        f"Suivi enregistré : {name} ({code}) est suivie (journal : n° {batch}). Un "
        "administrateur peut l'annuler depuis la page Importer."]
    table = section_table(at)
    mine = table[table["Territoire"].map(unescaped) == name]
    assert not mine.empty and set(mine["Suivie"]) == {"Oui"}
    assert set(mine["Note de suivi"].map(unescaped)) == {"Relance des ateliers prévue en mai."}
    # « Communes suivies » keeps only its rows, and the address says so.
    at.selectbox(key="vigilance_follow").set_value("oui").run()
    assert at.query_params["suivi"] == "oui"
    assert set(section_table(at)["Territoire"].map(unescaped)) == {name}


def test_the_public_reads_suivie_without_notes_and_another_editor_has_no_form(editing_db):
    engine = make_engine(editing_db)
    set_follow_up(engine, EDITOR_95, "95205", True, "Note interne", now=NOW)
    engine.dispose()
    public = open_page("deploiement.py", suivi="oui", **VAL_DOISE)
    assert not public.exception
    table = section_table(public)
    assert set(table["Suivie"]) == {"Oui"} and "Note de suivi" not in table
    assert not any("Note interne" in str(v) for v in table.to_numpy().ravel())
    assert not public.get("selectbox") or all(s.key != "follow_up_commune"
                                               for s in public.selectbox)
    accueil = open_page("accueil.py", scope="commune:95205", to=VAL_DOISE["to"])
    assert any(unescaped(m.value).endswith(" Cette commune est suivie.") for m in accueil.markdown)
    other = open_page("deploiement.py", EDITOR_86, **VAL_DOISE)
    assert all(s.key != "follow_up_commune" for s in other.selectbox)
    assert any("aucune dans cette liste" in c.value for c in other.caption)
