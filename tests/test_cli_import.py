"""``tne-dash import``: the page's code path at the command line, with its exit codes."""

from __future__ import annotations

import json

from imports_helpers import DATA

from tne_dash.cli import main

BEZONS = ("--scope", "commune:95063", "--to", "2026-10-31")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def bezons_workshops(capsys, url: str) -> int:
    code, out, _ = run(capsys, "indicators", "--database-url", url, "--format", "json", *BEZONS)
    assert code == 0
    return json.loads(out)["indicators"]["workshops"]


def test_an_import_changes_the_figures_and_a_second_one_changes_nothing(capsys,
                                                                        writable_built_url):
    before = bezons_workshops(capsys, writable_built_url)
    path = str(DATA / "ok_virgule_utf8.csv")
    code, out, _ = run(capsys, "import", "workshops", path, "--database-url", writable_built_url)
    assert code == 0
    assert out.splitlines()[0] == ("ok_virgule_utf8.csv : importé — 2 ajouté(s), 0 mis à jour, "
                                   "0 inchangé(s).")
    assert bezons_workshops(capsys, writable_built_url) == before + 1
    code, out, _ = run(capsys, "import", "workshops", path, "--database-url", writable_built_url)
    assert code == 0 and "0 ajouté(s), 0 mis à jour, 2 inchangé(s)" in out
    assert bezons_workshops(capsys, writable_built_url) == before + 1


def test_undo_import_puts_the_figures_back(capsys, writable_built_url):
    before = bezons_workshops(capsys, writable_built_url)
    run(capsys, "import", "workshops", str(DATA / "ok_virgule_utf8.csv"), "--database-url",
        writable_built_url)
    code, out, _ = run(capsys, "undo-import", "1", "--database-url", writable_built_url)
    assert code == 0 and out.startswith("Import n° 1 annulé")
    assert bezons_workshops(capsys, writable_built_url) == before


def test_a_refused_file_prints_every_error_and_exits_1(capsys, writable_built_url):
    code, out, _ = run(capsys, "import", "workshops", str(DATA / "effectifs_invalides.csv"),
                       "--database-url", writable_built_url)
    assert code == 1
    assert out.splitlines() == [
        "effectifs_invalides.csv : fichier refusé, rien n'a été enregistré — 4 erreurs.",
        "Erreur : effectifs_invalides.csv, ligne 2, colonne nb_parents : « -3 » — attendu un "
        "entier entre 0 et 1\u202f000",
        "Erreur : effectifs_invalides.csv, ligne 2, colonne nb_enfants : « beaucoup » — attendu "
        "un entier entre 0 et 1\u202f000",
        "Erreur : effectifs_invalides.csv, ligne 3, colonne nb_enfants : « 2,5 » — attendu un "
        "entier entre 0 et 1\u202f000",
        "Erreur : effectifs_invalides.csv, ligne 3, colonne nb_nouveaux_parents : « 12 » — "
        "attendu au plus nb_parents (10)"]


def test_a_dry_run_exits_0_and_writes_nothing(capsys, writable_built_url):
    before = bezons_workshops(capsys, writable_built_url)
    code, out, _ = run(capsys, "import", "workshops", str(DATA / "ok_virgule_utf8.csv"),
                       "--dry-run", "--database-url", writable_built_url)
    assert code == 0 and "simulation" in out
    assert bezons_workshops(capsys, writable_built_url) == before


def test_a_missing_file_is_a_usage_error(capsys, writable_built_url):
    code, _, err = run(capsys, "import", "workshops", "/nulle/part.csv", "--database-url",
                       writable_built_url)
    assert code == 2 and err.strip() == "Erreur : Fichier introuvable : /nulle/part.csv"


def test_template_writes_an_xlsx_file(capsys, tmp_path):
    target = tmp_path / "modele.xlsx"
    code, out, _ = run(capsys, "template", "objectives", "-o", str(target))
    assert code == 0 and target.read_bytes()[:2] == b"PK"
    assert out.strip() == f"Modèle écrit : {target}"


def test_accounts_are_stored_with_an_argon2_hash_never_the_password(capsys, tmp_path,
                                                                     monkeypatch):
    import io

    path = tmp_path / "accounts.toml"
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(path))
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-Bezons\n"))
    code, _, _ = run(capsys, "accounts", "add", "claire", "--role", "editeur",
                     "--departements", "95,86", "--password-stdin")
    assert code == 0
    stored = path.read_text()
    assert "s3cret-Bezons" not in stored and "$argon2id$" in stored
    code, out, _ = run(capsys, "accounts", "list")
    assert out.splitlines() == ["claire\téditeur (86, 95)\t"]
    code, _, err = run(capsys, "accounts", "add", "paul", "--role", "editeur",
                       "--password-stdin")
    assert code == 2 and "--departements" in err
