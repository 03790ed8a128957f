"""The map of a MapView drawn with folium — choropleth, outlines and point layers — shared by
Carte and Présentation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import folium
import pandas as pd

from tne_dash import maps
from tne_dash.catalogue import CATALOGUE, PER_1000
from tne_dash.config import Settings
from tne_dash.figures.map_frames import TABLE_CODES, MapFrames
from tne_dash.figures.map_view import COLOUR_BY_PHASE, MapView
from tne_dash.labels import format_number
from tne_dash.ui import outlines
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


@dataclass
class TerritoryMap:
    """A view's map in two parts, for streamlit-folium: ``base`` — the frame of the
    territory, identical from one rerun to the next, so the map is not remounted — and the
    layers that follow the view's data (``st_folium(feature_group_to_add=groups,
    layer_control=control)``), swapped in place."""

    base: folium.Map
    groups: list[folium.FeatureGroup]
    control: folium.LayerControl
    bins: list[float]


def _layers(view: MapView, data: MapFrames, departements_geojson: dict,
            commune_features: list[dict], cohorts: pd.Series, tiles: str,
            reference_dir: Path | None) -> tuple[folium.Map, list, list[float]]:
    """The base map of the view's territory, its layers (outlines, then points), the bins."""
    reference_dir = reference_dir or Settings.from_env().reference_dir
    departements_url = outlines.departements_url(reference_dir)
    bins: list[float] = []
    if view.departement is None:
        m = maps.base_map(tiles=tiles)
        polygons = [maps.departements_layer(departements_geojson,
                                            departement_figures(data.table, cohorts),
                                            departements_url)]
    else:
        outline = [f for f in departements_geojson["features"]
                   if f["properties"]["code"] == view.departement]
        shapes = commune_features or outline
        m = maps.base_map(bounds=maps.geojson_bounds(shapes), tiles=tiles)
        polygons = [maps.departements_layer({"features": outline}, pd.DataFrame(),
                                            departements_url)]
        if commune_features:
            column, label, decimals = colour_column(view)
            layer, bins = maps.communes_layer(
                commune_features, data.table, column, label, decimals,
                url=outlines.communes_url(reference_dir, view.departement))
            polygons.append(layer)
    points = []
    if not data.cnfs.empty:
        points.append(maps.points_layer(maps.cnfs_layer(data.cnfs, EmployerKind.labels())))
    if not data.venues.empty:
        points.append(maps.points_layer(maps.venue_layer(data.venues, VenueKind.labels())))
    if not data.schools.empty:
        points.append(maps.points_layer(maps.school_layer(data.schools,
                                                          SchoolLevel.labels())))
    return m, polygons + points, bins


def build_territory_map(view: MapView, data: MapFrames, departements_geojson: dict,
                        commune_features: list[dict], cohorts: pd.Series,
                        tiles: str = "none", reference_dir: Path | None = None
                        ) -> tuple[folium.Map, list[float]]:
    """The folium map of a view, every layer in it; returns it with the numeric scale's bins
    (for the legend).

    The outlines' geometry is not embedded: the browser fetches it from the outline files
    (``outlines``); ``departements_geojson`` and ``commune_features`` give the codes, names
    and the frame of a département."""
    m, layers, bins = _layers(view, data, departements_geojson, commune_features, cohorts,
                              tiles, reference_dir)
    return maps.add_layers(m, layers), bins


def build_territory_layers(view: MapView, data: MapFrames, departements_geojson: dict,
                           commune_features: list[dict], cohorts: pd.Series,
                           tiles: str = "none", reference_dir: Path | None = None
                           ) -> TerritoryMap:
    """The same map as ``build_territory_map``, split into a base that stays the same between
    reruns and the layers that follow the data (each in its feature group)."""
    m, layers, bins = _layers(view, data, departements_geojson, commune_features, cohorts,
                              tiles, reference_dir)
    return TerritoryMap(base=m, groups=[maps.feature_group(layer) for layer in layers],
                        control=folium.LayerControl(collapsed=True), bins=bins)
