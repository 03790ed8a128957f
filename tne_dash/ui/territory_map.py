"""The map of a MapView drawn with folium — choropleth, outlines and point layers — shared by
Carte and Présentation."""

from __future__ import annotations

import folium
import pandas as pd

from tne_dash import maps
from tne_dash.catalogue import CATALOGUE, PER_1000
from tne_dash.figures.map_frames import TABLE_CODES, MapFrames
from tne_dash.figures.map_view import COLOUR_BY_PHASE, MapView
from tne_dash.labels import format_number
from tne_dash.vocabulary import Cohort, EmployerKind, SchoolLevel, VenueKind


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


def build_territory_map(view: MapView, data: MapFrames, departements_geojson: dict,
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
