"""Loaders of the shipped reference data pack (``data/reference/``), validated on read."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from tne_dash.vocabulary import Cohort

# The TNE départements and their cohort (DOMAIN.md; the pack's `tne` column agrees).
TNE_COHORTS: dict[str, Cohort] = {
    "02": Cohort.PILOT_2020,
    "95": Cohort.PILOT_2020,
    **{
        code: Cohort.EXTENSION_2021
        for code in ("13", "18", "2A", "25", "29", "34", "38", "86", "88", "971")
    },
}
COHORT_START_YEAR = {Cohort.PILOT_2020: 2020, Cohort.EXTENSION_2021: 2021}

# Vintage of the ANCT file of CNFS host structures, shown beside its figures.
CNFS_VINTAGE = "5 avril 2023"

DEPARTEMENTS_CSV = "departements.csv"
COMMUNES_CSV = "communes.csv"
SECOND_DEGRE_CSV = "etablissements_second_degre.csv"
REP_CSV = "education_prioritaire_rep_repplus_2022.csv"
CNFS_CSV = "conseillers_numeriques_structures_2023.csv"
DEPARTEMENTS_GEOJSON = "departements.geojson"
COMMUNES_TNE_GEOJSON = "communes_tne.geojson"

# Columns each loader needs; the rest of a file is ignored.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    DEPARTEMENTS_CSV: ("code", "nom", "region_code", "region_nom", "zone", "population", "tne"),
    COMMUNES_CSV: (
        "code_insee", "nom", "dep_code", "epci_code", "epci_nom", "population",
        "lat_inside", "lon_inside",
    ),
    SECOND_DEGRE_CSV: (
        "uai", "nom", "type", "secteur", "code_insee", "lat", "lon", "ep_2022", "etat",
    ),
    REP_CSV: ("uai", "nom", "type_simplifie", "ep", "code_insee", "lat_commune", "lon_commune"),
    CNFS_CSV: (
        "raison_sociale", "siret", "type_structure", "n_conseillers_coselec", "date_coselec",
        "code_insee", "france_services",
    ),
}
# Code columns stay text: leading zeros ("01001") and Corsica letters ("2A").
TEXT_COLUMNS = (
    "code", "region_code", "code_insee", "dep_code", "epci_code", "uai", "siret", "chef_lieu",
    "code_insee_source", "code_postal", "codes_postaux", "siren", "uai_tete_de_reseau",
)


class ReferenceDataError(RuntimeError):
    """A reference file is missing or unreadable; the message names it, in French."""


def read_reference_csv(directory: Path, name: str) -> pd.DataFrame:
    """Read one CSV of the pack, codes as text, checking the columns the loaders need."""
    path = Path(directory) / name
    if not path.is_file():
        raise ReferenceDataError(f"Fichier de référence manquant : {path}")
    try:
        frame = pd.read_csv(
            path,
            dtype={c: "string" for c in TEXT_COLUMNS},
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8",
        )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReferenceDataError(
            f"Fichier de référence illisible : {path} ({type(exc).__name__})"
        ) from exc
    _require_columns(path, frame.columns, REQUIRED_COLUMNS.get(name, ()))
    return frame


def _require_columns(path: Path, present: Iterable[str], required: Iterable[str]) -> None:
    missing = [c for c in required if c not in set(present)]
    if missing:
        raise ReferenceDataError(
            f"Fichier de référence corrompu : {path} — colonnes manquantes : {', '.join(missing)}"
        )


def _as_bool(series: pd.Series) -> pd.Series:
    return series.astype("string").str.lower().isin(["true", "oui", "1"])


def load_departements(directory: Path) -> pd.DataFrame:
    """The 109 départements and collectivities, with their TNE cohort (None outside)."""
    frame = read_reference_csv(directory, DEPARTEMENTS_CSV)
    out = pd.DataFrame({
        "code": frame["code"],
        "name": frame["nom"],
        "region_code": frame["region_code"],
        "region_name": frame["region_nom"],
        "zone": frame["zone"],
        "population": pd.to_numeric(frame["population"]).fillna(0).astype(int),
    })
    out["tne_cohort"] = out["code"].map(lambda c: TNE_COHORTS.get(c)).astype(object)
    out["tne_in_file"] = _as_bool(frame["tne"])
    return out


def load_communes(directory: Path) -> pd.DataFrame:
    """Every COG 2026 commune with its EPCI, population and a point inside it."""
    frame = read_reference_csv(directory, COMMUNES_CSV)
    return pd.DataFrame({
        "code_insee": frame["code_insee"],
        "name": frame["nom"],
        "departement_code": frame["dep_code"],
        "epci_code": frame["epci_code"],
        "epci_name": frame["epci_nom"],
        "population": pd.to_numeric(frame["population"]).fillna(0).astype(int),
        "lat": pd.to_numeric(frame["lat_inside"]),
        "lon": pd.to_numeric(frame["lon_inside"]),
    })


_SECOND_DEGRE_LEVEL = {
    "college": "college",
    "lycee": "lycee",
    # A cité scolaire shares one UAI; its collège part is what the département (and the
    # parentality strand) deals with, so it counts once, as a collège.
    "college;lycee": "college",
}
_REP_LEVEL = {
    "ecole_maternelle": "maternelle",
    "ecole_elementaire_ou_primaire": "elementaire",
    "college": "college",
}


def load_schools(directory: Path) -> pd.DataFrame:
    """Collèges and lycées (own positions) plus the REP/REP+ écoles (commune positions)."""
    second = read_reference_csv(directory, SECOND_DEGRE_CSV)
    second = second[second["code_insee"].notna()]
    sector = second["secteur"].map({"Public": "public", "Privé": "prive"})
    secondary = pd.DataFrame({
        "uai": second["uai"],
        "name": second["nom"],
        "level": second["type"].map(_SECOND_DEGRE_LEVEL),
        "sector": sector.astype(object),
        "commune_code": second["code_insee"],
        "lat": pd.to_numeric(second["lat"]),
        "lon": pd.to_numeric(second["lon"]),
        "position_is_commune": False,
        "education_prioritaire": second["ep_2022"].astype(object).where(
            second["ep_2022"].notna(), None
        ),
    })
    rep = read_reference_csv(directory, REP_CSV)
    rep = rep[rep["type_simplifie"].isin(_REP_LEVEL) & ~rep["uai"].isin(secondary["uai"])]
    ecoles = pd.DataFrame({
        "uai": rep["uai"],
        "name": rep["nom"].str.title(),
        "level": rep["type_simplifie"].map(_REP_LEVEL),
        "sector": "public",  # education prioritaire networks are public schools
        "commune_code": rep["code_insee"],
        "lat": pd.to_numeric(rep["lat_commune"]),
        "lon": pd.to_numeric(rep["lon_commune"]),
        "position_is_commune": True,
        "education_prioritaire": rep["ep"],
    })
    schools = pd.concat([secondary, ecoles], ignore_index=True)
    # A few rows of the sources have no name: show the UAI rather than nothing.
    schools["name"] = schools["name"].fillna("Établissement " + schools["uai"])
    return schools.drop_duplicates("uai").reset_index(drop=True)


def load_cnfs_structures(directory: Path) -> pd.DataFrame:
    """The real 2023 ANCT file of CNFS host structures, with each employer's kind derived."""
    from tne_dash.store.employers import derive_employer_kind

    frame = read_reference_csv(directory, CNFS_CSV)
    out = pd.DataFrame({
        "siret": frame["siret"].fillna(""),
        "name": frame["raison_sociale"].str.strip(),
        "public_private": frame["type_structure"],
        "posts": pd.to_numeric(frame["n_conseillers_coselec"]).fillna(0).astype(int),
        "commune_code": frame["code_insee"],
        "coselec_date": pd.to_datetime(frame["date_coselec"], errors="coerce").dt.date,
        "france_services": _as_bool(frame["france_services"]),
    })
    out["employer_kind"] = [
        derive_employer_kind(name, kind).value
        for name, kind in zip(out["name"], out["public_private"], strict=True)
    ]
    return out
