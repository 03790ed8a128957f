"""Rights hold whatever the address or the form says (issue 21, point 5): through the pages,
an editor of the Val-d'Oise cannot record, import, undo or set objectives for the Vienne;
an admin can — and so can the command line, which acts as the operator (an admin)."""

from __future__ import annotations

import pytest
from apptest import open_page
from imports_helpers import DATA
from streamlit.testing.v1 import AppTest

from tne_dash.access import Account, Role
from tne_dash.cli import main

EDITOR_95 = Account("claire", Role.EDITEUR, frozenset({"95"}))
ADMIN = Account("root", Role.ADMIN)
# The accepted template with its second row moved to Poitiers (Vienne, 86).
MIXED = (DATA / "ok_virgule_utf8.csv").read_text(encoding="utf-8").replace("95018", "86194")


@pytest.fixture
def writable_env(monkeypatch, writable_built_url, tmp_path) -> str:
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", writable_built_url)
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(tmp_path / "accounts.toml"))
    return writable_built_url


def journal_rows(at: AppTest) -> int:
    """Entries of the mixed file in the page's import journal."""
    frames = [d.value for d in at.dataframe if "Par" in d.value.columns]
    return int((frames[0]["Fichier"] == "mixte.csv").sum()) if frames else 0


def import_mixed(at: AppTest) -> AppTest:
    at.get("file_uploader")[0].set_value(("mixte.csv", MIXED.encode(), "text/csv"))
    at.run()
    return next(b for b in at.button if b.label == "Importer").click().run()


def test_the_saisie_page_offers_only_the_editor_s_departements_whatever_the_address(
        writable_env):
    at = open_page("saisie.py", EDITOR_95, dep="86", commune="86194",
                   departement="86", code_insee="86194")
    assert not at.exception
    assert at.selectbox[0].options == ["Val-d'Oise (95)"]
    admin = open_page("saisie.py", ADMIN)
    assert "Vienne (86)" in admin.selectbox[0].options


def test_an_editor_s_import_with_a_row_of_another_departement_is_refused_whole(writable_env):
    at = import_mixed(open_page("importer.py", EDITOR_95))
    assert not at.exception
    assert at.error[0].value.startswith("mixte.csv : fichier refusé")
    errors = next(d.value for d in at.dataframe if "Ligne" in d.value.columns)
    assert errors["Ligne"].tolist() == [3]
    assert any("hors de vos départements (95)" in str(cell) for cell in errors.iloc[0])
    assert journal_rows(at) == 0  # nothing written, nothing journaled


def test_an_admin_imports_the_same_file_and_only_an_admin_may_undo_it(writable_env):
    at = import_mixed(open_page("importer.py", ADMIN))
    assert at.success[0].value == "mixte.csv : importé — 2 ajouté(s), 0 mis à jour, " \
                                  "0 inchangé(s)."
    editor = open_page("importer.py", EDITOR_95)
    assert journal_rows(editor) == 1
    assert not [b for b in editor.button if b.label == "Annuler cette entrée"]
    assert "Seul un administrateur peut annuler un import." in [c.value for c in editor.caption]
    next(b for b in at.button if b.label == "Annuler cette entrée").click().run()
    assert not at.exception
    assert at.dataframe[-1].value.iloc[0]["Annulé par"] == "root"


def save_objective(at: AppTest, code: str, target: float) -> AppTest:
    at.toggle(key="edit_mode").set_value(True).run()
    form_code = next(t for t in at.text_input if t.label == "Code du territoire")
    form_code.set_value(code)
    next(s for s in at.selectbox if s.label == "Indicateur").set_value("workshops")
    at.number_input[0].set_value(target)
    return next(b for b in at.button if b.label == "Enregistrer l'objectif").click().run()


@pytest.mark.parametrize(("scope", "code"), [
    ("departement:86", "86"), ("commune:86194", "86194"),
    ("departement:95", "86"),  # the page of their own département, the form says another
])
def test_an_editor_cannot_set_an_objective_of_another_departement_from_any_link(
        writable_env, scope, code):
    at = save_objective(open_page("deploiement.py", EDITOR_95, scope=scope, to="2023-04-17"),
                        code, 77.0)
    assert not at.exception
    assert not at.success
    assert any("hors de vos droits" in e.value for e in at.error)


def test_an_admin_sets_the_objective_of_any_departement(writable_env):
    at = save_objective(open_page("deploiement.py", ADMIN, scope="departement:86",
                                  to="2023-04-17"), "86", 77.0)
    assert not at.exception
    assert any("Objectif enregistré : Ateliers" in s.value for s in at.success)


def test_the_command_line_acts_as_an_admin_for_every_departement(writable_env, tmp_path,
                                                                 capsys):
    path = tmp_path / "mixte.csv"
    path.write_text(MIXED, encoding="utf-8")
    assert main(["import", "workshops", str(path), "--database-url", writable_env,
                 "--user", "operateur"]) == 0
    out = capsys.readouterr().out
    assert "2 ajouté(s)" in out
    batch = out.split("undo-import ")[1].split(")")[0]
    assert main(["undo-import", batch, "--database-url", writable_env]) == 0
    assert f"Import n° {batch} annulé" in capsys.readouterr().out
