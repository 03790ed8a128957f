"""Map builders: frames and GeoJSON in, ``folium.Map`` out. Pure (no streamlit), offline.

Every name shown on the map comes from users or files: it is HTML-escaped here, once, in
``tooltip_html``; folium's tooltips insert property values as raw HTML.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

import folium
import pandas as pd
from folium import plugins

from tne_dash.labels import format_number
from tne_dash.rollout import NOT_ENGAGED, PHASE_LABELS
from tne_dash.vocabulary import Cohort, EmployerKind, VenueKind

# State palette: bleu France and its tints, rouge Marianne, greys.
BLEU_FRANCE = "#000091"
ROUGE_MARIANNE = "#E1000F"
GREY = "#929292"
LIGHT_GREY = "#EEEEEE"
GREEN_PCN = "#18753C"

COHORT_COLOURS = {Cohort.PILOT_2020.value: BLEU_FRANCE,
                  Cohort.EXTENSION_2021.value: "#6A6AF4"}
PHASE_COLOURS = {NOT_ENGAGED: LIGHT_GREY, "acculturation": "#CACAFB",
                 "parents_ressources": "#6A6AF4", "autonomie": BLEU_FRANCE}
# Five-class sequential scale of bleu France tints for choropleths.
SEQUENTIAL = ("#ECECFE", "#CACAFB", "#9A9AF8", "#6A6AF4", BLEU_FRANCE)
EMPLOYER_COLOURS = {
    EmployerKind.COMMUNE.value: BLEU_FRANCE,
    EmployerKind.COMMUNAUTE_COMMUNES.value: "#6A6AF4",
    EmployerKind.AGGLOMERATION.value: "#009099",
    EmployerKind.DEPARTEMENT.value: ROUGE_MARIANNE,
    EmployerKind.REGION.value: "#A558A0",
    EmployerKind.CENTRE_SOCIAL.value: "#C3992A",
    EmployerKind.MISSION_LOCALE.value: "#E4794A",
    EmployerKind.ASSOCIATION.value: GREEN_PCN,
    EmployerKind.OTHER_PUBLIC.value: "#3A3A3A",
    EmployerKind.OTHER.value: GREY,
}
VENUE_COLOURS = {
    VenueKind.ECOLE.value: BLEU_FRANCE, VenueKind.COLLEGE.value: "#6A6AF4",
    VenueKind.LYCEE.value: "#9A9AF8", VenueKind.CENTRE_SOCIAL.value: "#C3992A",
    VenueKind.MEDIATHEQUE.value: "#009099", VenueKind.FRANCE_SERVICES.value: ROUGE_MARIANNE,
    VenueKind.SALLE_MUNICIPALE.value: "#3A3A3A", VenueKind.MDS.value: "#A558A0",
    VenueKind.TIERS_LIEU.value: GREEN_PCN, VenueKind.EVENEMENT.value: "#E4794A",
    VenueKind.AUTRE.value: GREY,
}
SCHOOL_COLOURS = {"REP+": ROUGE_MARIANNE, "REP": "#F95C5E", "": "#666666"}

METROPOLE_BOUNDS = ((41.3, -5.2), (51.1, 9.6))
MAX_ZOOM = 18
# Points of a layer cluster until this zoom, then show one by one.
CLUSTER_UNTIL_ZOOM = 11

TILES = {
    "ign": ("https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
            "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&FORMAT=image/png",
            "© IGN — Plan IGN v2 (Géoplateforme)"),
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "© contributeurs OpenStreetMap"),
}

# Draws each point as a canvas circle; row = [lat, lon, colour, radius, tooltip HTML, id].
_POINT_CALLBACK = """function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: row[3], color: row[6] || '#FFFFFF', weight: row[7] || 1,
        fillColor: row[2], fillOpacity: 0.9});
    marker.bindTooltip(row[4]);
    marker.feature = {type: 'Feature', properties: {id: row[5]}};
    return marker;
}"""


def tooltip_html(title: str, rows: Iterable[tuple[str, object]] = ()) -> str:
    """Tooltip HTML with every user-provided text escaped: a bold title, then label: value."""
    lines = [f"<b>{html.escape(str(title))}</b>"]
    lines += [f"{html.escape(str(label))} : {html.escape(str(value))}" for label, value in rows]
    return "<br>".join(lines)


def base_map(bounds=METROPOLE_BOUNDS, tiles: str = "none") -> folium.Map:
    """An empty map on canvas, no tiles by default (outlines are the base map)."""
    m = folium.Map(tiles=None, prefer_canvas=True, max_zoom=MAX_ZOOM, maxZoom=MAX_ZOOM,
                   control_scale=True, zoom_snap=0.25)
    if tiles in TILES:
        url, attribution = TILES[tiles]
        folium.TileLayer(url, attr=attribution, name="Fond de carte", max_zoom=MAX_ZOOM).add_to(m)
    m.fit_bounds([list(bounds[0]), list(bounds[1])])
    return m


def geojson_bounds(features: Sequence[Mapping]) -> tuple[tuple[float, float], tuple[float, float]]:
    """((south, west), (north, east)) of polygon features."""
    lats, lons = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            lons.append(coords[0])
            lats.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for feature in features:
        walk(feature["geometry"]["coordinates"])
    return (min(lats), min(lons)), (max(lats), max(lons))


def _polygon_layer(features: list[dict], name: str, weight: float) -> folium.GeoJson:
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#FFFFFF"
                                  if f["properties"]["fill"] not in (LIGHT_GREY, "#FFFFFF")
                                  else GREY, "weight": weight, "fillOpacity": 0.85},
        highlight_function=lambda f: {"weight": weight + 2, "color": ROUGE_MARIANNE},
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        zoom_on_click=False,
    )


def departements_layer(geojson: Mapping, figures: pd.DataFrame) -> folium.GeoJson:
    """Every département outlined; TNE ones filled by cohort. ``figures`` is indexed by code
    with columns cohort_label, tne_cohort and the tooltip's figures (already formatted)."""
    features = []
    for feature in geojson["features"]:
        code = feature["properties"]["code"]
        row = figures.loc[code] if code in figures.index else None
        cohort = None if row is None else row.get("tne_cohort")
        rows = [] if row is None else [(label, row[label]) for label in row.index
                                       if label not in ("tne_cohort", "name")]
        features.append({
            "type": "Feature",
            "geometry": feature["geometry"],
            "properties": {
                "code": code,
                "fill": COHORT_COLOURS.get(cohort, "#FFFFFF"),
                "tooltip": tooltip_html(f"{feature['properties']['nom']} ({code})", rows),
            },
        })
    return _polygon_layer(features, "Départements", weight=1)


def quantile_bins(values: pd.Series, classes: int = len(SEQUENTIAL)) -> list[float]:
    """Upper bounds of up to ``classes`` quantile classes of the positive values."""
    positive = values[values > 0].dropna()
    if positive.empty:
        return []
    qs = positive.quantile([(i + 1) / classes for i in range(classes)]).tolist()
    return sorted(set(qs))


def colour_for(value: float | None, bins: Sequence[float]) -> str:
    """Sequential colour of ``value`` (light grey for zero or missing)."""
    if value is None or pd.isna(value) or value <= 0 or not bins:
        return LIGHT_GREY
    for i, upper in enumerate(bins):
        if value <= upper:
            return SEQUENTIAL[len(SEQUENTIAL) - len(bins) + i]
    return SEQUENTIAL[-1]


def communes_layer(features: Sequence[Mapping], table: pd.DataFrame, colour_by: str,
                   value_label: str, decimals: int = 0) -> tuple[folium.GeoJson, list[float]]:
    """Commune polygons coloured by phase (``colour_by == 'phase'``) or by a numeric column
    of ``table`` (indexed by INSEE code, columns name, population, phase and the value).
    Returns the layer and the bins of the numeric scale (empty for phases)."""
    bins = [] if colour_by == "phase" else quantile_bins(table[colour_by])
    out = []
    for feature in features:
        code = feature["properties"]["code"]
        if code not in table.index:
            continue
        row = table.loc[code]
        phase = row["phase"]
        rows = [("Population", format_number(row["population"])),
                ("Phase", PHASE_LABELS[phase])]
        if colour_by != "phase":
            rows.append((value_label, format_number(row[colour_by], decimals)))
        fill = PHASE_COLOURS[phase] if colour_by == "phase" else colour_for(row[colour_by], bins)
        out.append({"type": "Feature", "geometry": feature["geometry"],
                    "properties": {"code": code, "fill": fill,
                                   "tooltip": tooltip_html(row["name"], rows)}})
    return _polygon_layer(out, "Communes", weight=0.6), bins


def point_rows(frame: pd.DataFrame, colour: pd.Series, radius: pd.Series,
               tooltips: pd.Series, ids: pd.Series, stroke: pd.Series | None = None
               ) -> list[list]:
    """Rows for the clustered canvas layer (coordinates rounded to ~10 m)."""
    stroke = stroke if stroke is not None else pd.Series([None] * len(frame), index=frame.index)
    return [
        [round(float(lat), 4), round(float(lon), 4), c, float(r), t, i, s,
         3 if s else 1]
        for lat, lon, c, r, t, i, s in zip(frame["lat"], frame["lon"], colour, radius,
                                            tooltips, ids, stroke, strict=True)
    ]


def points_layer(rows: list[list], name: str) -> plugins.FastMarkerCluster:
    """Canvas circle markers clustered in the browser: one JSON array, no Python Marker."""
    return plugins.FastMarkerCluster(
        rows, name=name, callback=_POINT_CALLBACK,
        disableClusteringAtZoom=CLUSTER_UNTIL_ZOOM, chunkedLoading=True,
        showCoverageOnHover=False,
    )


def cnfs_rows(cnfs: pd.DataFrame, employer_labels: Mapping[str, str]) -> list[list]:
    """CNFS host structures: coloured by employer kind, sized by posts."""
    tips = [tooltip_html(name, [("Employeur", employer_labels.get(kind, kind)),
                                ("Postes", posts), ("Commune", commune)])
            for name, kind, posts, commune in zip(cnfs["name"], cnfs["employer_kind"],
                                                  cnfs["posts"], cnfs["commune"], strict=True)]
    return point_rows(cnfs, cnfs["employer_kind"].map(EMPLOYER_COLOURS).fillna(GREY),
                      4 + 3 * cnfs["posts"].clip(upper=9) ** 0.5,
                      pd.Series(tips, index=cnfs.index), cnfs.index.to_series())


def venue_rows(venues: pd.DataFrame, kind_labels: Mapping[str, str]) -> list[list]:
    """Workshop venues: coloured by kind, sized by their workshops in the period."""
    tips = [tooltip_html(name, [("Type", kind_labels.get(kind, kind)),
                                ("Ateliers sur la période", workshops),
                                ("Commune", commune)])
            for name, kind, workshops, commune in zip(
                venues["name"], venues["kind"], venues["workshops"], venues["commune"],
                strict=True)]
    return point_rows(venues, venues["kind"].map(VENUE_COLOURS).fillna(GREY),
                      3 + venues["workshops"].clip(upper=40) ** 0.5,
                      pd.Series(tips, index=venues.index), venues["id"])


def school_rows(schools: pd.DataFrame, level_labels: Mapping[str, str]) -> list[list]:
    """Schools: coloured by REP/REP+, a green ring when their project has a PCN part."""
    tips = []
    for row in schools.itertuples():
        rows = [("Niveau", level_labels.get(row.level, row.level)),
                ("Éducation prioritaire", row.education_prioritaire or "non"),
                ("Volet « numérique et parentalité »", "oui" if row.has_pcn else "non"),
                ("Commune", row.commune)]
        if row.position_is_commune:
            rows.append(("Position", "centre de la commune"))
        tips.append(tooltip_html(row.name, rows))
    ep = schools["education_prioritaire"].fillna("")
    return point_rows(schools, ep.map(SCHOOL_COLOURS).fillna("#666666"),
                      pd.Series(4.0, index=schools.index), pd.Series(tips, index=schools.index),
                      schools["uai"], stroke=schools["has_pcn"].map({True: GREEN_PCN,
                                                                     False: None}))


def add_layers(m: folium.Map, layers: Iterable[folium.Element]) -> folium.Map:
    """Add layers and a French layer control (each layer can be switched off)."""
    for layer in layers:
        layer.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def legend_entries(colours: Mapping[str, str], labels: Mapping[str, str]) -> list[tuple]:
    """(colour, label) pairs for a legend, in the mapping's order."""
    return [(colour, labels.get(key, key)) for key, colour in colours.items()]


def payload_bytes(m: folium.Map) -> int:
    """Size of the HTML a map sends to the browser."""
    return len(m.get_root().render().encode("utf-8"))

