"""Where the figures come from: the reference files with their vintage and licence."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataSource:
    """One file of the reference pack (full provenance in data/reference/SOURCES.md)."""

    what: str
    file: str
    vintage: str
    licence: str


SOURCES: tuple[DataSource, ...] = (
    DataSource("Départements et régions (contours)", "departements.geojson, regions.geojson",
               "contours IGN Admin Express 2018, codes COG 2026", "Licence Ouverte / Etalab"),
    DataSource("Communes (population, EPCI, point intérieur)", "communes.csv",
               "COG 2026, populations légales millésime 2023", "Licence Ouverte / Etalab 2.0"),
    DataSource("Contours des communes des 12 départements TNE", "communes_tne.geojson",
               "géométrie 2018 réagrégée en codes 2026", "Licence Ouverte / Etalab"),
    DataSource("Collèges et lycées", "etablissements_second_degre.csv",
               "MENJ, extractions 2024", "Licence Ouverte / Etalab 2.0"),
    DataSource("Écoles et collèges REP / REP+", "education_prioritaire_rep_repplus_2022.csv",
               "rentrée 2022 (position : centre de la commune)", "Licence Ouverte / Etalab 2.0"),
    DataSource("Structures d'accueil des conseillers numériques France Services",
               "conseillers_numeriques_structures_2023.csv",
               "ANCT, 5 avril 2023 : 2 889 structures, 3 925 postes", "Licence Ouverte (ANCT)"),
)
