"""The open-data export: the workshops of every commune, month by month, as a CSV with its
Table Schema and its Data Package (``tne-dash export-opendata``), in data.gouv.fr's
conventions (UTF-8, comma, ISO dates, Licence Ouverte 2.0, a schema as on
schema.data.gouv.fr).

The figures come from the one indicator path: ``compute_monthly_table`` (the monthly sums of
``workshop_month`` for whole months, the workshops themselves for the last days), grouped by
commune and month — the months of a commune add up to its figure in ``tne-dash indicators``.
Counts only, in their public form (``figures/privacy.py``): a commune's counts of people in a
month are rounded to 5 and those from 1 to 4 read « < 5 » — the schema declares « < 5 » a
missing value. Workshops, their duration and the venues are not counts of people and stay
exact. A month without any workshop in a commune has no row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Connection, func, select

from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_monthly_table
from tne_dash.figures.privacy import MASK, ROUNDED_TO, mask_small_counts
from tne_dash.figures.scope import NATIONAL, Scope
from tne_dash.labels import DEMO_BADGE, DEMO_NOTICE, format_date
from tne_dash.store import queries
from tne_dash.store.models import Workshop
from tne_dash.store.sources import SOURCES

CSV_FILE = "activite_mensuelle_communes.csv"
SCHEMA_FILE = "schema.json"
PACKAGE_FILE = "datapackage.json"
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
# The reference files the rows name their communes and départements from.
REFERENCE_FILES = ("communes.csv", "departements.geojson")
TRUE, FALSE = "true", "false"
PEOPLE_NOTE = (f"Effectif de personnes d'une commune sur un mois : arrondi à {ROUNDED_TO} "
               f"près ; de 1 à 4, « {MASK} » (valeur manquante du schéma), pour qu'aucune "
               "famille ne soit reconnaissable.")


@dataclass(frozen=True)
class Column:
    """One column of the CSV: its field in the schema, and the indicator it comes from."""

    name: str
    type: str
    title: str
    description: str
    indicator: str | None = None  # catalogue code, from compute_monthly_table
    constraints: dict | None = None
    example: str = ""
    extra: dict | None = None


COLUMNS = (
    Column("code_commune", "string", "Code INSEE de la commune",
           "Code officiel géographique (COG) de la commune, 5 caractères.",
           constraints={"required": True, "pattern": r"^(\d{5}|2[AB]\d{3})$"},
           example="95063"),
    Column("nom_commune", "string", "Nom de la commune", "Nom officiel de la commune (COG).",
           constraints={"required": True}, example="Bezons"),
    Column("code_departement", "string", "Code du département",
           "Code officiel géographique du département de la commune.",
           constraints={"required": True, "pattern": r"^(\d{2}|2[AB]|97\d)$"}, example="95"),
    Column("nom_departement", "string", "Nom du département", "Nom officiel du département.",
           constraints={"required": True}, example="Val-d'Oise"),
    Column("mois", "yearmonth", "Mois",
           "Mois des ateliers (AAAA-MM). Le dernier mois s'arrête à la date de fin de l'export "
           "(voir la description du jeu de données).",
           constraints={"required": True}, example="2023-04"),
    Column("ateliers", "integer", "Ateliers",
           "Nombre d'ateliers et d'accompagnements enregistrés dans le mois (valeur exacte).",
           "workshops", {"required": True, "minimum": 0}, "12"),
    Column("participations", "integer", "Participations de parents",
           "Somme des parents présents aux ateliers du mois (un parent venu deux fois compte "
           f"deux fois). {PEOPLE_NOTE}", "participations", {"minimum": 0}, "35"),
    Column("parents_touches", "integer", "Parents touchés",
           "Parents venus pour la première fois à un atelier dans le mois. " + PEOPLE_NOTE,
           "parents_reached", {"minimum": 0}, "20"),
    Column("enfants_presents", "integer", "Enfants présents",
           "Somme des enfants présents aux ateliers du mois. " + PEOPLE_NOTE,
           "children_reached", {"minimum": 0}, "5"),
    Column("duree_ateliers_minutes", "integer", "Durée des ateliers (minutes)",
           "Durée cumulée des ateliers du mois, en minutes (valeur exacte).",
           "workshop_hours", {"required": True, "minimum": 0}, "1080"),
    Column("lieux_actifs", "integer", "Lieux d'atelier actifs",
           "Lieux distincts ayant accueilli au moins un atelier dans le mois (un lieu actif "
           "deux mois compte dans chacun : ne pas additionner les mois).",
           "venues", {"required": True, "minimum": 0}, "3"),
    Column("donnees_demonstration", "boolean", "Données de démonstration",
           "true si des ateliers de démonstration (générés pour illustrer le tableau de bord, "
           "pas mesurés) comptent dans la ligne.",
           constraints={"required": True}, example=FALSE,
           extra={"trueValues": [TRUE], "falseValues": [FALSE]}),
)
PRIMARY_KEY = ["code_commune", "mois"]
MISSING_VALUES = ["", MASK]


@dataclass(frozen=True)
class OpenDataExport:
    """The rows of the CSV (column names of ``COLUMNS``, public values) and what the package
    says about them."""

    rows: pd.DataFrame
    date_to: dt.date
    demo: bool
    latest_workshop: dt.date | None


def monthly_commune_export(conn: Connection, date_to: dt.date) -> OpenDataExport:
    """Every commune's workshops per month, from the start of the programme to ``date_to``,
    as the public sees them."""
    filters = Filters(date_to=date_to)
    everything = compute_monthly_table(conn, Scope(NATIONAL), filters, level="commune")
    measured = compute_monthly_table(conn, Scope(NATIONAL), replace(filters, include_demo=False),
                                     level="commune")
    keys = ["key", "month"]
    demo_workshops = everything.set_index(keys)["workshops"].sub(
        measured.set_index(keys)["workshops"], fill_value=0).reindex(
        pd.MultiIndex.from_frame(everything[keys]), fill_value=0)
    public = mask_small_counts(everything, commune_level=True, exact=False)
    communes = queries.all_communes(conn).set_index("code_insee")
    departements = queries.departements(conn).set_index("code")["name"]
    dep_codes = public["key"].map(communes["departement_code"])
    rows = pd.DataFrame({
        "code_commune": public["key"],
        "nom_commune": public["key"].map(communes["name"]),
        "code_departement": dep_codes,
        "nom_departement": dep_codes.map(departements),
        "mois": [f"{month:%Y-%m}" for month in public["month"]],
    })
    for column in COLUMNS:
        if column.indicator is None:
            continue
        values = public[column.indicator]
        if column.indicator == "workshop_hours":  # minutes, a whole number: no rounding
            values = (everything[column.indicator] * 60).round()
        rows[column.name] = [v if isinstance(v, str) else int(v) for v in values]
    rows["donnees_demonstration"] = [TRUE if n > 0 else FALSE for n in demo_workshops]
    latest = conn.scalar(select(func.max(Workshop.date)).where(Workshop.date <= date_to))
    rows = rows.sort_values(PRIMARY_KEY).reset_index(drop=True)
    return OpenDataExport(rows[[c.name for c in COLUMNS]], date_to,
                          bool((demo_workshops > 0).any()),
                          pd.Timestamp(latest).date() if latest is not None else None)


def csv_bytes(export: OpenDataExport) -> bytes:
    """The CSV: UTF-8 without BOM, comma, a header of field names, one line per row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in COLUMNS])
    writer.writerows(export.rows.itertuples(index=False, name=None))
    return out.getvalue().encode("utf-8")


def table_schema() -> dict:
    """The Table Schema of the CSV (frictionless format, French titles and descriptions, as
    the schemas of schema.data.gouv.fr)."""
    fields = []
    for column in COLUMNS:
        field = {"name": column.name, "type": column.type, "title": column.title,
                 "description": column.description, "example": column.example}
        if column.type == "yearmonth":
            field["format"] = "default"
        field.update(column.extra or {})
        if column.constraints:
            field["constraints"] = column.constraints
        fields.append(field)
    return {
        "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
        "name": "tne-parentalite-activite-mensuelle-communes",
        "title": "Ateliers du volet parentalité des TNE, par commune et par mois",
        "description": ("Activité mensuelle, par commune, des ateliers du volet parentalité "
                        "des Territoires Numériques Éducatifs : effectifs seulement, jamais de "
                        f"nom. {PEOPLE_NOTE}"),
        "countryCode": "FR",
        "fields": fields,
        "missingValues": MISSING_VALUES,
        "primaryKey": PRIMARY_KEY,
    }


def data_package(export: OpenDataExport, created: dt.datetime) -> dict:
    """The Data Package describing the CSV: licence, sources and their vintages, period,
    the demo notice when demo workshops are counted, creation date (``created``, given by the
    caller: no clock here)."""
    latest = format_date(export.latest_workshop) if export.latest_workshop else "aucun"
    description = (
        f"Ateliers du volet parentalité des Territoires Numériques Éducatifs par commune et par "
        f"mois, du début du programme au {format_date(export.date_to)} inclus (le dernier mois "
        f"peut être incomplet ; dernier atelier enregistré : {latest}). Les mois sans atelier "
        f"n'ont pas de ligne. {PEOPLE_NOTE} Calculés par le même code que le tableau de bord et "
        "la commande « tne-dash indicators » : les ateliers et les durées d'une commune "
        "s'additionnent sur les mois en son total.")
    if export.demo:
        description = f"{DEMO_BADGE}. {DEMO_NOTICE} {description}"
    sources = [{"title": f"{s.what} — {s.vintage} ({s.file}), {s.licence}"}
               for s in SOURCES if any(f in s.file for f in REFERENCE_FILES)]
    sources.append({"title": "Activité enregistrée dans le tableau de bord TNE (saisie, "
                             "imports, export de la Coop de la médiation numérique)"
                             + (", complétée d'activité de démonstration" if export.demo
                                else "")
                             + f", jusqu'au {format_date(export.date_to)}"})
    package = {
        "profile": "tabular-data-package",
        "name": "tne-parentalite-activite-mensuelle-communes",
        "title": "Volet parentalité des Territoires Numériques Éducatifs — ateliers par "
                 "commune et par mois",
        "description": description,
        "created": created.astimezone(dt.UTC).isoformat(timespec="seconds").replace(
            "+00:00", "Z"),
        "keywords": ["Territoires Numériques Éducatifs", "parentalité", "numérique",
                     "éducation", "communes"],
        "licenses": [LICENCE],
        "sources": sources,
        "temporal": {"start": f"{export.rows['mois'].min()}-01" if len(export.rows)
                     else None, "end": export.date_to.isoformat()},
        "demonstration": export.demo,
        "resources": [{
            "name": "activite-mensuelle-communes",
            "path": CSV_FILE,
            "title": "Ateliers par commune et par mois",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
            "schema": SCHEMA_FILE,
        }],
    }
    if export.demo:
        package["avertissement"] = f"{DEMO_BADGE}. {DEMO_NOTICE}"
    return package


def package_files(export: OpenDataExport, created: dt.datetime) -> dict[str, bytes]:
    """The three files of the export, by name."""
    def as_json(value: dict) -> bytes:
        return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    return {CSV_FILE: csv_bytes(export), SCHEMA_FILE: as_json(table_schema()),
            PACKAGE_FILE: as_json(data_package(export, created))}
