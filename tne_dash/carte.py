"""The Carte page's content: what to show for a MapView (frames), and the map built from it."""

from __future__ import annotations

from dataclasses import dataclass, replace

import folium
import pandas as pd
from sqlalchemy import Connection

from tne_dash import layers, maps
from tne_dash.catalogue import CATALOGUE, PER_1000
from tne_dash.filters import Filters
from tne_dash.indicators import compute_indicator_table
from tne_dash.labels import format_number
from tne_dash.mapview import COLOUR_BY_PHASE, MapView
from tne_dash.privacy import mask_small_counts
from tne_dash.rollout import PHASE_LABELS, commune_phases
from tne_dash.scope import DEPARTEMENT, NATIONAL, Scope
from tne_dash.vocabulary import Cohort, EmployerKind, SchoolLevel, VenueKind

# Figures shown for each territory in tooltips and in the table under the map.
TABLE_CODES = ("workshops", "parents_reached", "parents_ressources_recruited", "cnfs_posts",
               "venues")


@dataclass(frozen=True)
class CarteData:
    """Frames behind one view of the map (picklable: cached by the UI layer)."""

    table: pd.DataFrame  # one row per département (France) or commune (département view)
    cnfs: pd.DataFrame
    venues: pd.DataFrame
    schools: pd.DataFrame
    demo: bool


def view_filters(view: MapView) -> Filters:
    """The indicator filters of a map view (phases filter communes, not workshops)."""
    return Filters(date_from=view.date_from, date_to=view.date_to,
                   departements=(view.departement,) if view.departement else (),
                   venue_kinds=view.venue_kinds)


def load_carte_data(conn: Connection, view: MapView) -> CarteData:
    """Aggregated frames for the view: the indicator table and the point layers."""
    filters = view_filters(view)
    day = view.date_to
    if view.departement is None:
        scope = Scope(NATIONAL)
        table = compute_indicator_table(conn, scope, filters, level="departement")
    else:
        scope = Scope(DEPARTEMENT, view.departement)
        table = compute_indicator_table(conn, scope, filters, level="commune")
        phases = commune_phases(conn, scope, filters, day)
        table["phase"] = table["key"].map(phases).fillna("not_engaged")
        if view.phases:
            table = table[table["phase"].isin(view.phases)]
    table = table.set_index("key")
    empty = pd.DataFrame()
    return CarteData(
        table=table,
        cnfs=layers.cnfs_points(conn, scope, filters) if "cnfs" in view.layers else empty,
        venues=layers.venue_points(conn, scope, filters) if "venues" in view.layers else empty,
        schools=(layers.school_points(conn, scope, filters)
                 if "schools" in view.layers and view.departement else empty),
        demo=bool(table["demo"].any()) if "demo" in table else False,
    )


def for_viewer(data: CarteData, view: MapView, exact: bool) -> CarteData:
    """The data as this viewer may see it: small counts of people masked in commune rows."""
    if view.departement is None or exact:
        return data
    return replace(data, table=mask_small_counts(data.table, commune_level=True, exact=False))


def departement_figures(table: pd.DataFrame, cohorts: pd.Series) -> pd.DataFrame:
    """Tooltip rows of the France view: cohort and headline figures, French formatted."""
    out = pd.DataFrame(index=table.index)
    out["tne_cohort"] = cohorts.reindex(table.index)
    out["Cohorte TNE"] = out["tne_cohort"].map(
        lambda c: Cohort(c).label if isinstance(c, str) else "hors TNE")
    for code in TABLE_CODES:
        out[CATALOGUE[code].label] = table[code].map(format_number)
    return out


def colour_column(view: MapView) -> tuple[str, str, int]:
    """(column, French label, decimals) the choropleth colours by."""
    if view.colour_by == COLOUR_BY_PHASE:
        return COLOUR_BY_PHASE, "Phase", 0
    ind = CATALOGUE[view.colour_by]
    return view.colour_by, ind.label, 1 if view.colour_by.endswith(PER_1000) else ind.decimals


def build_carte_map(view: MapView, data: CarteData, departements_geojson: dict,
                    commune_features: list[dict], cohorts: pd.Series,
                    tiles: str = "none") -> tuple[folium.Map, list[float]]:
    """The folium map of a view; returns it with the numeric scale's bins (for the legend)."""
    bins: list[float] = []
    if view.departement is None:
        m = maps.base_map(tiles=tiles)
        polygons = [maps.departements_layer(departements_geojson,
                                            departement_figures(data.table, cohorts))]
    else:
        outline = [f for f in departements_geojson["features"]
                   if f["properties"]["code"] == view.departement]
        shapes = commune_features or outline
        m = maps.base_map(bounds=maps.geojson_bounds(shapes), tiles=tiles)
        polygons = [maps.departements_layer({"features": outline}, pd.DataFrame())]
        if commune_features:
            column, label, decimals = colour_column(view)
            layer, bins = maps.communes_layer(commune_features, data.table, column, label,
                                              decimals)
            polygons.append(layer)
    points = []
    if not data.cnfs.empty:
        points.append(maps.points_layer(maps.cnfs_layer(data.cnfs, EmployerKind.labels())))
    if not data.venues.empty:
        points.append(maps.points_layer(maps.venue_layer(data.venues, VenueKind.labels())))
    if not data.schools.empty:
        points.append(maps.points_layer(maps.school_layer(data.schools,
                                                          SchoolLevel.labels())))
    return maps.add_layers(m, polygons + points), bins


def table_for_display(view: MapView, data: CarteData) -> pd.DataFrame:
    """The rows the map shows, with French headers (département or commune view)."""
    table = data.table
    column, label, _ = colour_column(view)
    columns = {"name": "Département" if view.departement is None else "Commune",
               "population": "Population"}
    if "phase" in table:
        columns["phase"] = "Phase"
    columns |= {code: CATALOGUE[code].label for code in TABLE_CODES}
    if column != COLOUR_BY_PHASE and column not in columns:
        columns[column] = label
    out = table[list(columns)].rename(columns=columns)
    if "Phase" in out:
        out["Phase"] = out["Phase"].map(PHASE_LABELS)
    out.index.name = "Code"
    return out.reset_index()
