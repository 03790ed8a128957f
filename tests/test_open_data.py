"""The open-data export (``tne-dash export-opendata``): ``frictionless validate`` passes on
it, it reads back to the totals of ``tne-dash indicators``, every cell is the public form of
the exact monthly figure, the package names its licence, sources and the demo notice, and the
folder is written all at once, never over an export by mistake.

How masked cells are counted back: workshops and their minutes are exact, so their sums equal
the indicators exactly. A count of people is rounded to 5 (the exact value is within 2 of the
cell) and « < 5 » stands for 1 to 4: the exact total lies between Σ cells − 2 × (rounded
cells) + 1 × (masked cells) and Σ cells + 2 × (rounded cells) + 4 × (masked cells).
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from required import missing

from tne_dash.cli import main
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_monthly_table
from tne_dash.figures.open_data import CSV_FILE, PACKAGE_FILE, SCHEMA_FILE
from tne_dash.figures.privacy import MASK, public_count
from tne_dash.figures.scope import NATIONAL, Scope
from tne_dash.store.db import make_engine

DAY = "2023-04-17"
PEOPLE = {"participations": "participations", "parents_touches": "parents_reached",
          "enfants_presents": "children_reached"}


@pytest.fixture(scope="module")
def export(built_db_url, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("opendata") / "export"
    assert main(["export-opendata", "--out", str(out), "--to", DAY,
                 "--database-url", built_db_url]) == 0
    return out


def rows_of(folder: Path) -> list[dict[str, str]]:
    with open(folder / CSV_FILE, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def indicators(capsys, url: str, scope: str) -> dict:
    assert main(["indicators", "--database-url", url, "--scope", scope, "--to", DAY,
                 "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)["indicators"]


def test_frictionless_validate_passes_on_the_export(export):
    if importlib.util.find_spec("frictionless") is None:
        missing("frictionless", "paquet Python absent (extras de test : pip install -e .[test])")
    checked = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json",
                              str(export / PACKAGE_FILE)],
                             capture_output=True, text=True, timeout=120, check=False)
    report = json.loads(checked.stdout)
    assert report["valid"], json.dumps(report["tasks"], ensure_ascii=False)[:2000]
    assert checked.returncode == 0
    assert [task["place"] for task in report["tasks"]] == [CSV_FILE]
    assert report["tasks"][0]["stats"]["rows"] == len(rows_of(export)) > 1000


def test_the_export_reads_back_to_the_totals_of_tne_dash_indicators(export, built_db_url,
                                                                     capsys):
    rows = rows_of(export)
    total = indicators(capsys, built_db_url, NATIONAL)
    assert sum(int(r["ateliers"]) for r in rows) == total["workshops"]
    assert sum(int(r["duree_ateliers_minutes"]) for r in rows) / 60 == pytest.approx(
        total["workshop_hours"], abs=1e-9)
    val_d_oise = indicators(capsys, built_db_url, "departement:95")
    assert sum(int(r["ateliers"]) for r in rows if r["code_departement"] == "95") == \
        val_d_oise["workshops"]
    for column, code in PEOPLE.items():
        cells = [r[column] for r in rows]
        masked = cells.count(MASK)
        rounded = [int(c) for c in cells if c != MASK]
        assert all(value % 5 == 0 for value in rounded)
        counted = sum(1 for value in rounded if value)
        low = sum(rounded) - 2 * counted + 1 * masked
        high = sum(rounded) + 2 * counted + 4 * masked
        assert low <= total[code] <= high, column
        assert masked > 0  # the demo has small months: the rule is exercised


def test_every_cell_is_the_public_form_of_the_exact_monthly_figure(export, built_db_url):
    engine = make_engine(built_db_url)
    with engine.connect() as conn:  # the reference: every workshop read, no monthly sums
        exact = compute_monthly_table(conn, Scope(NATIONAL),
                                      Filters(date_to=dt.date.fromisoformat(DAY)), raw=True)
    engine.dispose()
    exact["mois"] = [f"{m:%Y-%m}" for m in exact["month"]]
    reference = exact.set_index(["key", "mois"])
    rows = rows_of(export)
    assert len(rows) == len(reference)
    for row in rows:
        figures = reference.loc[(row["code_commune"], row["mois"])]
        assert int(row["ateliers"]) == figures["workshops"]
        assert int(row["lieux_actifs"]) == figures["venues"]
        for column, code in PEOPLE.items():
            assert row[column] == str(public_count(int(figures[code]))), (row, column)


def test_the_rows_name_their_commune_and_departement_and_flag_demo_workshops(export):
    rows = rows_of(export)
    bezons = [r for r in rows if r["code_commune"] == "95063"]
    assert {(r["nom_commune"], r["code_departement"], r["nom_departement"]) for r in bezons} \
        == {("Bezons", "95", "Val-d'Oise")}
    assert [r["mois"] for r in bezons] == sorted(r["mois"] for r in bezons)
    assert {r["donnees_demonstration"] for r in rows} == {"true"}  # the demo database
    assert (export / CSV_FILE).read_bytes()[:3] != b"\xef\xbb\xbf"  # UTF-8 without BOM


def test_the_package_declares_its_licence_sources_vintages_and_the_demo_notice(export):
    package = json.loads((export / PACKAGE_FILE).read_text(encoding="utf-8"))
    assert package["licenses"] == [{
        "name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0",
        "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}]
    titles = " | ".join(s["title"] for s in package["sources"])
    assert "populations légales millésime 2023 (communes.csv)" in titles
    assert "COG 2026" in titles and "jusqu'au 17 avril 2023" in titles
    assert package["demonstration"] is True
    assert package["description"].startswith("Données de démonstration.")
    assert package["temporal"]["end"] == DAY
    dt.datetime.fromisoformat(package["created"])
    assert package["resources"][0]["schema"] == SCHEMA_FILE
    schema = json.loads((export / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert schema["primaryKey"] == ["code_commune", "mois"]
    assert schema["missingValues"] == ["", MASK]
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["parents_touches"]["title"] == "Parents touchés"
    assert "arrondi à 5 près" in fields["parents_touches"]["description"]
    assert fields["mois"]["type"] == "yearmonth"


def test_a_folder_that_holds_files_is_refused_in_french_unless_forced(export, built_db_url,
                                                                      tmp_path, capsys):
    out = tmp_path / "export"
    out.mkdir()
    (out / "notes.txt").write_text("à garder", encoding="utf-8")
    command = ["export-opendata", "--out", str(out), "--to", DAY, "--database-url",
               built_db_url]
    assert main(command) == 2
    assert "n'est pas vide" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert main([*command, "--to", "17/04/2023"]) == 2
    assert "Date invalide pour --to" in capsys.readouterr().err
    assert main([*command, "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([CSV_FILE, SCHEMA_FILE,
                                                            PACKAGE_FILE])
    assert (out / CSV_FILE).read_bytes() == (export / CSV_FILE).read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["export"]  # no temporary folder left
