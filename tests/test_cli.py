"""The tne-dash command: the programme's reference figures, and one-line French errors."""

from __future__ import annotations

import json

import pytest

from tne_dash.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def indicators(capsys, url: str, *args: str) -> dict:
    code, out, _ = run(capsys, "indicators", "--database-url", url, "--format", "json", *args)
    assert code == 0
    return json.loads(out)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_built_url(request):
    return request.getfixturevalue("built_db_url" if request.param == "sqlite"
                                   else "built_pg_url")


def test_bezons_figures_on_17_april_2023(capsys, any_built_url):
    payload = indicators(capsys, any_built_url, "--scope", "commune:95063", "--to", "2023-04-17")
    assert payload["scope"] == "commune:95063"
    assert (payload["from"], payload["to"]) == (None, "2023-04-17")
    assert payload["demo"] is True
    figures = payload["indicators"]
    assert figures["workshops"] == 50
    assert figures["parents_reached"] == 109
    assert figures["parents_ressources_recruited"] == 20
    assert figures["parents_ressources_meetings"] == 14
    assert figures["workshop_hours"] == 75.0


def test_cnfs_posts_of_the_vienne_the_tne_and_france(capsys, any_built_url):
    vienne = indicators(capsys, any_built_url, "--scope", "departement:86")["indicators"]
    assert (vienne["cnfs_posts"], vienne["cnfs_structures"]) == (37, 23)
    assert indicators(capsys, any_built_url, "--scope", "tne")["indicators"]["cnfs_posts"] == 536
    national = indicators(capsys, any_built_url, "--scope", "national")["indicators"]
    assert national["cnfs_posts"] == 3_925


def test_json_uses_every_catalogue_code(capsys, built_db_url):
    from tne_dash.catalogue import CATALOGUE

    payload = indicators(capsys, built_db_url, "--scope", "tne")
    assert set(payload["indicators"]) == set(CATALOGUE)
    assert payload["indicators"]["tne_departements"] == 12


def test_table_format_is_french(capsys, built_db_url):
    code, out, _ = run(capsys, "indicators", "--database-url", built_db_url,
                       "--scope", "national")
    assert code == 0
    assert "3\u202f925" in out
    assert "Postes de conseillers numériques" in out


def test_csv_format_has_one_row_per_code(capsys, built_db_url):
    code, out, _ = run(capsys, "indicators", "--database-url", built_db_url,
                       "--scope", "departement:86", "--format", "csv")
    assert code == 0
    assert "cnfs_posts,Postes de conseillers numériques,37,postes" in out.splitlines()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scope", "region:11"), "Périmètre inconnu : « region:11 »"),
        (("--scope", "departement:99"), "Département inconnu : « 99 »"),
        (("--scope", "commune:95999"), "Commune inconnue : code INSEE « 95999 »"),
        (("--scope", "tne", "--to", "2023-13-01"), "Date invalide pour --to : « 2023-13-01 »"),
        (("--scope", "tne", "--from", "17/04/2023"), "Date invalide pour --from"),
        (("--scope", "tne", "--from", "2024-01-01", "--to", "2023-01-01"), "Période invalide"),
    ],
)
def test_bad_input_exits_non_zero_with_one_french_line(capsys, built_db_url, args, message):
    code, out, err = run(capsys, "indicators", "--database-url", built_db_url, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("Erreur : ")
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_an_unreachable_database_is_named_with_its_password_hidden(capsys):
    code, _, err = run(capsys, "indicators", "--scope", "tne", "--database-url",
                       "postgresql+psycopg://tne:s3cret@127.0.0.1:9/tne")
    assert code == 1
    assert "Base de données injoignable" in err
    assert "127.0.0.1:9/tne" in err
    assert "s3cret" not in err


def test_init_db_builds_once_then_says_it_exists(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    code, _, err = run(capsys, "init-db", "--no-demo", "--database-url", url)
    assert code == 0
    assert "Base prête" in err
    code, out, _ = run(capsys, "init-db", "--database-url", url)
    assert "existe déjà" in out
    payload = indicators(capsys, url, "--scope", "national")
    assert payload["demo"] is False
    assert payload["indicators"]["workshops"] == 0
    assert payload["indicators"]["cnfs_posts"] == 3_925


def test_a_missing_reference_folder_stops_the_build_naming_the_file(capsys, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setenv("TNE_DASH_REFERENCE_DIR", str(tmp_path))
    code, _, err = run(capsys, "init-db", "--database-url", f"sqlite:///{tmp_path / 'y.sqlite'}")
    assert code == 1
    assert "Fichier de référence manquant" in err
    assert "departements.csv" in err


def test_objectives_prints_targets_achievements_and_statuses(capsys, built_db_url):
    code, out, _ = run(capsys, "objectives", "--database-url", built_db_url, "--scope",
                       "commune:95063", "--annee", "2022-2023", "--date", "2023-04-17",
                       "--format", "json")
    assert code == 0
    rows = {r["Code"]: r for r in json.loads(out)}
    assert (rows["workshops"]["Réalisé"], rows["workshops"]["Objectif"]) == (28, 30)
    assert rows["workshops"]["Statut"] == "En bonne voie"
    assert rows["parents_ressources_recruited"]["Statut"] == "Atteint"
    achieved = indicators(capsys, built_db_url, "--scope", "commune:95063", "--from",
                          "2022-09-01", "--to", "2023-04-17")["indicators"]
    assert all(rows[c]["Réalisé"] == achieved[c] for c in rows)
    code, out, _ = run(capsys, "objectives", "--database-url", built_db_url, "--scope", "tne",
                       "--date", "2023-04-17")
    assert code == 0
    assert "Les 12 départements TNE — objectifs 2022-2023 au 17 avril 2023" in out
    assert "Stratégies départementales validées" in out


def test_objectives_refuses_a_malformed_school_year(capsys, built_db_url):
    code, _, err = run(capsys, "objectives", "--database-url", built_db_url, "--scope", "tne",
                       "--annee", "2022-2025")
    assert code == 2
    assert "Année scolaire invalide : « 2022-2025 »" in err
