"""Issue 18, command line: output folders, ports, SQLite paths and URIs, database errors —
each one French line with its exit code, never a traceback, never a stray file."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tne_dash.cli import check_database_url, main
from tne_dash.config import DEFAULT_DATABASE_PATH
from tne_dash.store.db import make_engine


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_french_line(err: str, *parts: str) -> None:
    assert err.startswith("Erreur : ")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    for part in parts:
        assert part in err


# -- Output files in missing folders ------------------------------------------------------


def test_a_fiche_into_a_missing_folder_names_out_and_exits_2(capsys, built_db_url, tmp_path):
    target = tmp_path / "absent" / "bezons.pdf"
    code, out, err = run(capsys, "fiche", "--database-url", built_db_url, "--commune", "95063",
                         "--date", "2023-04-17", "--out", str(target))
    assert code == 2 and out == ""
    assert_one_french_line(err, "Dossier introuvable pour --out", str(target.parent))
    assert not target.parent.exists()


def test_a_template_into_a_missing_folder_names_the_option_and_exits_2(capsys, tmp_path):
    target = tmp_path / "absent" / "modele.xlsx"
    code, out, err = run(capsys, "template", "workshops", "-o", str(target))
    assert code == 2 and out == ""
    assert_one_french_line(err, "Dossier introuvable pour -o/--output")
    assert not target.parent.exists()


def test_a_template_onto_a_folder_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "template", "workshops", "-o", str(tmp_path))
    assert code == 2
    assert_one_french_line(err, "-o/--output doit nommer un fichier")


def test_bench_refuses_a_missing_output_folder_before_measuring(capsys, built_db_url,
                                                               tmp_path):
    code, out, err = run(capsys, "bench", "--database-url", built_db_url, "--points", "10",
                         "--output", str(tmp_path / "absent" / "bench.json"))
    assert code == 2 and out == ""
    assert_one_french_line(err, "Dossier introuvable pour --output")


# -- Ports ---------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["abc", "0", "70000", "80.5"])
def test_a_bad_port_is_one_french_line_naming_port_with_exit_code_2(capsys, port):
    with pytest.raises(SystemExit) as exited:
        main(["run", "--port", port])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[-1] == (
        f"Erreur : tne-dash run : argument --port : port invalide : « {port} » — attendu un "
        "nombre entier de 1 à 65535 (ex. 8501)")


# -- SQLite paths that do not exist, SQLite URIs --------------------------------------------


@pytest.mark.parametrize("command", [
    ("indicators", "--scope", "tne"),
    ("objectives", "--scope", "tne"),
    ("fiche", "--commune", "95063", "--out", "fiche.pdf"),
    ("import", "workshops", "ateliers.csv"),
    ("undo-import", "1"),
    ("bench", "--points", "10"),
    ("run",),
])
def test_a_mistyped_sqlite_path_is_refused_and_nothing_is_created(capsys, tmp_path,
                                                                  monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ateliers.csv").write_text("date;code_insee\n", encoding="utf-8")
    typo = tmp_path / "dta" / "tne_dash.sqlite"
    code, out, err = run(capsys, *command, "--database-url", f"sqlite:///{typo}")
    assert code == 2 and out == ""
    assert_one_french_line(err, f"Base SQLite introuvable : « {typo} »", "tne-dash init-db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ateliers.csv"]


def test_only_the_default_embedded_database_may_be_built_by_run():
    default = f"sqlite:///{DEFAULT_DATABASE_PATH}"
    check_database_url(default, builds_default=True)  # built on first start, as before
    with pytest.raises(ValueError, match="Base SQLite introuvable"):
        check_database_url(f"sqlite:///{DEFAULT_DATABASE_PATH.parent / 'tne_dsah.sqlite'}",
                           builds_default=True)


def test_init_db_still_creates_a_new_sqlite_file(tmp_path):
    check_database_url(f"sqlite:///{tmp_path / 'nouvelle.sqlite'}", creates=True)


@pytest.mark.parametrize("url", [
    "sqlite:///file:stray/folder/base.sqlite?uri=true",
    "sqlite:///file:base.sqlite",
    "sqlite:///base.sqlite?uri=true",
])
@pytest.mark.parametrize("command", [("init-db", "--no-demo"), ("indicators", "--scope", "tne"),
                                     ("db", "upgrade")])
def test_sqlite_uris_are_refused_without_creating_any_folder(capsys, tmp_path, monkeypatch,
                                                             url, command):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *command, "--database-url", url)
    assert code == 2 and out == ""
    assert_one_french_line(err, "Adresse SQLite refusée : « sqlite:///", "base.sqlite",
                           "les URI SQLite (file:…, uri=true) ne sont pas acceptées")
    assert list(tmp_path.iterdir()) == []


# -- Database errors -------------------------------------------------------------------------


@pytest.fixture
def overflowing_url(writable_built_url) -> str:
    """Bezons with two workshops whose parents add up past SQLite's 64-bit integers."""
    engine = make_engine(writable_built_url)
    with engine.begin() as conn:
        conn.execute(text(
            "UPDATE workshop SET parents_count = :big WHERE id IN (SELECT id FROM workshop "
            "WHERE commune_code = '95063' ORDER BY id LIMIT 2)"), {"big": 2**62 + 2**61})
        # Its monthly sums edited alike (the figures read them: store/workshop_months.py).
        conn.execute(text(
            "UPDATE workshop_month SET participations = :big WHERE id IN (SELECT id FROM "
            "workshop_month WHERE commune_code = '95063' ORDER BY id LIMIT 2)"),
            {"big": 2**62 + 2**61})
    engine.dispose()
    return writable_built_url


def test_a_database_error_is_one_french_line_without_a_traceback(capsys, overflowing_url):
    code, out, err = run(capsys, "indicators", "--database-url", overflowing_url,
                         "--scope", "commune:95063")
    assert code == 1 and out == ""
    assert err == "Erreur de la base de données : integer overflow\n"


def test_verbose_adds_the_database_error_s_detail_on_stderr(capsys, overflowing_url):
    code, out, err = run(capsys, "indicators", "--database-url", overflowing_url,
                         "--scope", "commune:95063", "--verbose")
    assert code == 1 and out == ""
    assert "ERROR tne_dash.cli : Détail de l'erreur de la base de données" in err
    assert "Traceback" in err and "OperationalError" in err
    assert err.endswith("Erreur de la base de données : integer overflow\n")

