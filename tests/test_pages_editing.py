"""AppTest: the editors' pages (Saisie, Import), sign-in, and the public masking of counts."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd
import pytest
from imports_helpers import DATA
from streamlit.testing.v1 import AppTest

from tne_dash.access import Account, Role, hash_password, save_accounts
from tne_dash.store.imports.service import import_file

APP = str(Path(__file__).resolve().parent.parent / "app.py")
EDITOR = Account("claire", Role.EDITEUR, frozenset({"95"}))
ADMIN = Account("root", Role.ADMIN)


@pytest.fixture
def editing_env(monkeypatch, writable_built_url, tmp_path) -> str:
    accounts = tmp_path / "accounts.toml"
    save_accounts(accounts, [
        Account("claire", Role.EDITEUR, frozenset({"95"}), password_hash=hash_password("pw95")),
    ])
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", writable_built_url)
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(accounts))
    monkeypatch.setenv("TNE_DASH_SESSION_SECRET_FILE", str(tmp_path / "session_secret"))
    return writable_built_url


def open_page(page: str, account: Account | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if account is not None:
        at.session_state["tne_account"] = account
    at.run()
    return at.switch_page(f"pages/{page}").run()


def sign_in_forms(at: AppTest) -> list[str]:
    """The local sign-in forms of the page: plain HTML posting to the server's route."""
    return [h.proto.body for h in at.get("html") if 'action="/auth/connexion"' in h.proto.body]


@pytest.mark.parametrize("page", ["saisie.py", "importer.py"])
def test_editor_pages_refuse_anonymous_viewers_with_a_sign_in_form(editing_env, page):
    at = open_page(page)
    assert not at.exception
    assert "réservée aux éditeurs" in at.warning[0].value
    page_form = [f for f in sign_in_forms(at) if 'value="page"' in f]
    assert len(page_form) == 1 and '<label for="tne-name-page">Identifiant</label>' in \
        page_form[0]
    assert not at.get("file_uploader")


def test_signing_in_with_a_local_account_opens_the_import_page(editing_env, monkeypatch):
    """The cookie the sign-in route sets (tests/test_sign_in.py posts to it) opens the page."""
    from tne_dash import signin
    from tne_dash.access import load_accounts
    from tne_dash.config import Settings

    settings = Settings.from_env()
    secret = signin.server_secret("", settings.session_secret_file)
    cookie = signin.issue_cookie(load_accounts(settings.accounts_file)["claire"], secret,
                                 time.time(), 8)
    monkeypatch.setattr("tne_dash.ui.auth.session_cookie", lambda: cookie)
    at = open_page("importer.py")
    assert not at.exception
    assert at.title[0].value == "Importer des données"
    assert [c.value for c in at.sidebar.caption] == ["Connecté : **claire** — éditeur (95)"]


def test_a_wrong_password_is_refused(editing_env):
    """The sign-in route sends the browser back with ?connexion=echec: the form says it."""
    at = open_page("importer.py", connexion="echec", formulaire="page")
    assert [e.value for e in at.error] == ["Identifiant ou mot de passe incorrect."]
    assert "tne_account" not in at.session_state


def upload(at: AppTest, name: str, content: bytes, button: str) -> AppTest:
    at.get("file_uploader")[0].set_value((name, content, "text/csv"))
    at.run()
    return next(b for b in at.button if b.label == button).click().run()


def test_an_editor_imports_a_file_and_sees_it_in_the_journal(editing_env):
    at = open_page("importer.py", EDITOR)
    at = upload(at, "ok_virgule_utf8.csv", (DATA / "ok_virgule_utf8.csv").read_bytes(),
                "Importer")
    assert not at.exception
    assert at.success[0].value == ("ok_virgule_utf8.csv : importé — 2 ajouté(s), 0 mis à "
                                   "jour, 0 inchangé(s).")
    journal = at.dataframe[-1].value
    assert journal.iloc[0]["Fichier"] == "ok_virgule_utf8.csv"
    assert journal.iloc[0]["Par"] == "claire"


def test_a_refused_file_lists_its_errors_on_the_page(editing_env):
    at = open_page("importer.py", EDITOR)
    at = upload(at, "effectifs_invalides.csv",
                (DATA / "effectifs_invalides.csv").read_bytes(), "Importer")
    assert at.error[0].value.startswith("effectifs_invalides.csv : fichier refusé")
    errors = at.dataframe[0].value
    assert errors["Ligne"].tolist() == [2, 2, 3, 3]
    assert errors["Colonne"].tolist()[0] == "nb_parents"
    assert any(b.label == "Télécharger la liste des erreurs (CSV)"
               for b in at.get("download_button"))


def test_an_admin_undoes_an_import_from_the_journal(editing_env):
    at = open_page("importer.py", ADMIN)
    at = upload(at, "ok_virgule_utf8.csv", (DATA / "ok_virgule_utf8.csv").read_bytes(),
                "Importer")
    picker = next(s for s in at.selectbox if s.label == "Annuler l'entrée du journal n°")
    number = picker.value
    assert picker.format_func(number) == f"{number} — Ateliers (modèle tne-dash)"
    next(b for b in at.button if b.label == "Annuler cette entrée").click().run()
    assert not at.exception
    journal = at.dataframe[-1].value
    assert journal.iloc[0]["Annulé par"] == "root"
    # The confirmation outlives the rerun that shows the journal updated.
    undone = [s.value for s in at.success if s.value.startswith("Entrée n°")]
    assert len(undone) == 1 and re.fullmatch(
        rf"Entrée n° {number} du journal annulée \(Ateliers \(modèle tne-dash\)\) : [1-9]\d* "
        r"ligne\(s\) retirée\(s\) ou rétablie\(s\)\. Le journal en garde la trace\.",
        undone[0])


def test_the_saisie_form_records_a_workshop_and_shows_field_errors(editing_env):
    at = open_page("saisie.py", EDITOR)
    assert at.selectbox[0].options == ["Val-d'Oise (95)"]
    at.selectbox[1].select("95063").run()
    at.number_input[1].set_value(5)  # parents present
    at.number_input[2].set_value(6)  # first-time > present
    at.multiselect[0].select("ENT")
    next(b for b in at.button if b.label == "Enregistrer l'atelier").click().run()
    assert not at.exception
    assert at.error[0].value == "attendu au plus nb_parents (5)"
    at.number_input[2].set_value(5)
    next(b for b in at.button if b.label == "Enregistrer l'atelier").click().run()
    assert at.success[0].value.startswith("Atelier enregistré à Bezons le ")


def import_small_counts(url: str) -> None:
    """Three parents and one child at L'Abergement-Clémenciat (01001, no demo activity)."""
    from datetime import date, datetime

    from tne_dash.store.db import make_engine

    content = (b"date;code_insee;lieu;type_lieu;phase;format;thematiques;duree_minutes;"
               b"animateur;nb_parents;nb_nouveaux_parents;nb_enfants;reference\n"
               b"12/03/2024;01001;Mairie;salle municipale;acculturation;atelier collectif;ENT;"
               b"90;CNFS;3;3;1;AIN-1\n")
    engine = make_engine(url)
    report = import_file(engine, "workshops", "petit.csv", content, account=ADMIN,
                         today=date(2026, 11, 22), now=datetime(2026, 11, 22))
    assert not report.refused
    engine.dispose()


@pytest.mark.parametrize(("account", "shown"), [(None, "< 5"), (EDITOR, "3")])
def test_small_commune_counts_are_masked_for_the_public_only(editing_env, account, shown):
    import_small_counts(editing_env)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["scope"] = "commune:01001"
    if account is not None:
        at.session_state["tne_account"] = account
    at.run()
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Parents touchés"] == shown
    assert tiles["Ateliers"] == "1"  # not a count of people
    assert any("< 5" in c.value for c in at.caption) == (account is None)


def test_the_map_table_masks_small_commune_counts_for_the_public(editing_env):
    import_small_counts(editing_env)
    at = open_page("carte.py", dep="01", **{"from": "2024-01-01", "to": "2024-12-31"})
    assert not at.exception
    table = at.dataframe[0].value.set_index("Code")
    # A hidden count is an empty cell (the column stays numeric); its row says which.
    assert pd.isna(table.loc["01001", "Parents touchés"])
    assert table.loc["01001", "Effectifs masqués"] == "Parents touchés : < 5"
    assert table.loc["01001", "Ateliers"] == 1
    assert any("< 5" in c.value for c in at.caption)


def test_the_saisie_form_creates_a_new_venue_with_its_position(editing_env):
    from sqlalchemy import select

    from tne_dash.store.db import make_engine
    from tne_dash.store.models import Venue

    at = open_page("saisie.py", EDITOR)
    at.selectbox[1].select("95063").run()
    at.selectbox[2].select(-1).run()  # « Nouveau lieu »
    next(t for t in at.text_input if t.label == "Nom du nouveau lieu").input("Tiers-lieu Le Pont")
    next(n for n in at.number_input if n.label == "Latitude (facultatif)").set_value(48.9301)
    next(n for n in at.number_input if n.label == "Longitude (facultatif)").set_value(2.2152)
    at.number_input[-3].set_value(4)
    at.multiselect[0].select("Pix")
    next(b for b in at.button if b.label == "Enregistrer l'atelier").click().run()
    assert not at.exception and at.success
    engine = make_engine(editing_env)
    with engine.connect() as conn:
        venue = conn.execute(select(Venue.lat, Venue.lon, Venue.source)
                             .where(Venue.name == "Tiers-lieu Le Pont")).one()
    engine.dispose()
    assert tuple(venue) == (48.9301, 2.2152, "form")
