"""Loaders of the shipped reference data: row counts, text codes, clear errors."""

from __future__ import annotations

import shutil

import pytest

from tne_dash import REFERENCE_DIR
from tne_dash.store.reference import (
    COMMUNES_CSV,
    TNE_COHORTS,
    ReferenceDataError,
    load_cnfs_structures,
    load_communes,
    load_departements,
    load_schools,
)


def test_departements_hold_the_109_codes_as_text_with_the_12_tne():
    deps = load_departements(REFERENCE_DIR)
    assert len(deps) == 109
    assert {"01", "2A", "2B", "971"} <= set(deps["code"])
    assert set(deps.loc[deps["tne_in_file"], "code"]) == set(TNE_COHORTS)
    assert set(deps.loc[deps["tne_cohort"].notna(), "code"]) == set(TNE_COHORTS)
    assert "89" not in TNE_COHORTS  # Yonne is not in the official list


def test_pilots_are_aisne_and_val_doise():
    assert {c for c, cohort in TNE_COHORTS.items() if cohort == "pilot_2020"} == {"02", "95"}


def test_communes_keep_leading_zeros_and_corsican_letters():
    communes = load_communes(REFERENCE_DIR)
    assert len(communes) == 34_969
    assert "01001" in set(communes["code_insee"])
    assert communes["code_insee"].str.len().eq(5).all()
    bezons = communes.set_index("code_insee").loc["95063"]
    assert bezons["name"] == "Bezons"
    assert bezons["population"] == 36_434


def test_cnfs_file_holds_2889_structures_and_3925_posts():
    cnfs = load_cnfs_structures(REFERENCE_DIR)
    assert len(cnfs) == 2_889
    assert cnfs["posts"].sum() == 3_925
    assert cnfs["employer_kind"].notna().all()


def test_schools_join_collèges_lycées_and_rep_écoles_once_each():
    schools = load_schools(REFERENCE_DIR)
    assert schools["uai"].is_unique
    assert set(schools["level"]) == {"maternelle", "elementaire", "college", "lycee"}
    ecoles = schools[schools["level"].isin(["maternelle", "elementaire"])]
    assert len(ecoles) == 3_826 + 2_788
    assert ecoles["position_is_commune"].all()
    assert ecoles["education_prioritaire"].isin(["REP", "REP+"]).all()
    # 13 307 collèges and lycées less 2 rows with no commune code, the REP/REP+ écoles, and
    # the one EP collège (0440309X) missing from the collège file.
    assert len(schools) == 13_305 + 6_614 + 1
    assert schools.set_index("uai").loc["0440309X", "level"] == "college"


def test_a_missing_reference_file_is_named_in_french(tmp_path):
    expected = r"Fichier de référence manquant : .*communes\.csv"
    with pytest.raises(ReferenceDataError, match=expected):
        load_communes(tmp_path)


def test_a_corrupt_reference_file_names_the_missing_columns(tmp_path):
    shutil.copy(REFERENCE_DIR / COMMUNES_CSV, tmp_path / COMMUNES_CSV)
    (tmp_path / COMMUNES_CSV).write_text("code,nom\n01001,X\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="colonnes manquantes : code_insee"):
        load_communes(tmp_path)
