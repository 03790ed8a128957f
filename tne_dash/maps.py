"""Map builders: frames and GeoJSON in, ``folium.Map`` out. Pure (no streamlit), offline.

Every name shown on the map comes from users or files: it is HTML-escaped here, once, in
``tooltip_html``; Leaflet's tooltips insert the outline tooltips as HTML.

Outlines are not embedded: an ``OutlineLayer`` holds the URL of a GeoJSON file the browser
fetches once and caches (``tne_dash.ui.outlines``), and only each feature's style and
tooltip. The big layers build their script in Python, serialising their data once
(``_Prebuilt``): folium would otherwise compile every rendered script as a Jinja template,
at each of the renders streamlit-folium asks for.
"""

from __future__ import annotations

import functools
import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import folium
import pandas as pd
from branca.element import CssLink, Element, JavascriptLink
from folium import plugins
from folium.template import Template

from tne_dash.labels import format_number
from tne_dash.palette import (
    BLEU_FRANCE,
    GREEN_PCN,
    GREY,
    LIGHT_GREY,
    PHASE_COLOURS,
    ROUGE_MARIANNE,
)
from tne_dash.vocabulary import PHASE_LABELS, Cohort, EmployerKind, VenueKind

COHORT_COLOURS = {Cohort.PILOT_2020.value: BLEU_FRANCE,
                  Cohort.EXTENSION_2021.value: "#6A6AF4"}
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

# Above this many points a layer leaves out names (kind and count remain in the tooltip),
# which keeps a national layer under 1 MB; a département's layers always carry them.
NAMED_POINTS_LIMIT = 5_000

# Draws one point as a canvas circle. row = [lat, lon, style index, count, title, details];
# STYLES[i] = [fill, stroke, stroke width, label].
_POINT_CALLBACK = """function (row) {
    var style = STYLES[row[2]];
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: %(base)s + %(scale)s * Math.sqrt(Math.min(row[3], %(cap)s)),
        color: style[1], weight: style[2], fillColor: style[0], fillOpacity: 0.9});
    marker.tneRow = row;
    return marker;
}"""

# The body of a clustered point layer (as folium's FastMarkerCluster, rows prebuilt). A
# point's tooltip is built and bound when it is first hovered: binding thousands up front
# cost more than drawing them. Text goes through textContent: the browser escapes it, so a
# name can never become markup. ``markers`` go to the cluster once it is on the map, in one
# call: it clusters them in chunks.
_CLUSTER_SCRIPT = """
    var STYLES = %(styles)s, UNIT = %(unit)s;
    var callback = %(callback)s;
    var tooltip = function (row) {
        var style = STYLES[row[2]];
        var tip = document.createElement('div');
        var title = document.createElement('b');
        title.textContent = row[4] || style[3];
        tip.appendChild(title);
        var lines = (row[4] ? [style[3]] : []).concat([row[3] + ' ' + UNIT]);
        if (row[5]) { lines = lines.concat(row[5].split('\\n')); }
        lines.forEach(function (line) {
            tip.appendChild(document.createElement('br'));
            tip.appendChild(document.createTextNode(line));
        });
        return tip;
    };
    var data = %(rows)s;
    var cluster = L.markerClusterGroup(%(options)s);
    cluster.on('mouseover', function (e) {
        var marker = e.layer;
        if (marker && marker.tneRow && !marker.getTooltip()) {
            marker.bindTooltip(tooltip(marker.tneRow));
            if (marker._map) { marker.openTooltip(e.latlng); }
        }
    });
    var markers = new Array(data.length);
    for (var i = 0; i < data.length; i++) {
        markers[i] = callback(data[i]);
    }"""

# Fetches an outline file once per map frame (the browser's HTTP cache keeps it between
# frames and visits); a failure says so on the map in French, and still reaches the console.
_OUTLINE_FETCH = """window.tneOutlines = window.tneOutlines || (function () {
    var files = {};
    return function (url) {
        if (!files[url]) {
            files[url] = fetch(url, {credentials: 'same-origin'}).then(function (answer) {
                if (!answer.ok) { throw new Error('Contours indisponibles (' + answer.status
                                                  + ') : ' + url); }
                return answer.json();
            });
            files[url].catch(function () { delete files[url]; });
        }
        return files[url];
    };
})();
"""

# Polygons from a fetched GeoJSON file; DATA[code] = [style index, tooltip HTML (escaped in
# Python)], STYLES[i] = [fill, stroke]. Features absent from DATA are not drawn. The layer
# is on the map at once (streamlit-folium binds its click handler then); features follow.
# Leaflet draws polygons in the order they are added: each outline layer says its place in
# the stack (STACK: départements under communes) and, when its file arrives, the loaded
# outlines are put back in that order — whichever file came first, a click on a commune
# hits the commune, not the département drawn over it.
_OUTLINE_SCRIPT = """(function () {
    var STYLES = %(styles)s, DATA = %(data)s, WEIGHT = %(weight)s, FIT = %(fit)s;
    var restack = function (map) {
        if (!map) { return; }
        var loaded = [];
        map.eachLayer(function (other) {
            if (other.tneStack !== undefined && other.tneLoaded) { loaded.push(other); }
        });
        loaded.sort(function (a, b) { return a.tneStack - b.tneStack; });
        loaded.forEach(function (other) { other.bringToFront(); });
    };
    var layer = L.geoJson(null, {
        filter: function (f) {
            return Object.prototype.hasOwnProperty.call(DATA, f.properties.code);
        },
        style: function (f) {
            var style = STYLES[DATA[f.properties.code][0]];
            return {fillColor: style[0], color: style[1], weight: WEIGHT, fillOpacity: 0.85};
        },
        onEachFeature: function (f, shape) {
            shape.bindTooltip(DATA[f.properties.code][1], {sticky: true});
            shape.on('mouseover', function () {
                shape.setStyle({weight: WEIGHT + 2, color: %(highlight)s});
            });
            shape.on('mouseout', function () { layer.resetStyle(shape); });
        }
    });
    layer.tneStack = %(stack)s;
    layer.on('add', function () {
        var map = layer._map;
        // The territory framed once, when it changes: a rerun that swaps the layers of the
        // same territory (a layer off, another colouring) keeps the viewer's zoom.
        if (FIT && map && map.tneTerritory !== FIT[0]) {
            map.tneTerritory = FIT[0];
            map.fitBounds(FIT[1], {animate: false});
        }
        restack(map);
    });
    window.tneOutlines(%(url)s).then(function (outlines) {
        layer.addData(outlines);
        layer.tneLoaded = true;
        restack(layer._map);
        layer.fire('tne:loaded');
    }).catch(function (error) {
        if (layer._map) {
            var note = L.control({position: 'bottomleft'});
            note.onAdd = function () {
                var box = L.DomUtil.create('div', 'tne-outline-error');
                box.style.cssText = 'background:#fff;padding:2px 6px;border:1px solid #929292';
                box.textContent = 'Contours indisponibles : rechargez la page.';
                return box;
            };
            note.addTo(layer._map);
        }
        throw error;
    });
    return layer;
})()"""


# Outline layers from the bottom up: a département's outline under its communes.
DEPARTEMENTS_STACK, COMMUNES_STACK = 0, 1


def script_json(value: object) -> str:
    """JSON for a script: compact, UTF-8, and no character that could end the script or
    open markup (as folium's ``tojson``)."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("'", "\\u0027"))


class _RawScript(Element):
    """Script text added to the figure as it is (not compiled as a template)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _Prebuilt:
    """Mixin for layers whose script is built in Python from data serialised once, when the
    layer is built. folium compiles each element's rendered script as a Jinja template, at
    every render (streamlit-folium asks for three): with data inside, that was most of a
    rerun. ``script()`` reads the current names, so renaming by streamlit-folium holds."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.script() }}{% endmacro %}")

    def script(self) -> str:
        raise NotImplementedError

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        for name, url in getattr(self, "default_js", ()):
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in getattr(self, "default_css", ()):
            figure.header.add_child(CssLink(url), name=name)
        figure.script.add_child(_RawScript(self.script()), name=self.get_name())


def outline_stroke(fill: str) -> str:
    """An outline's stroke: grey around a pale fill, white between coloured ones."""
    return GREY if fill in (LIGHT_GREY, "#FFFFFF") else "#FFFFFF"


@dataclass(frozen=True)
class TerritoryFrame:
    """What a map shows when its territory changes: the territory (« france », « 95 ») and
    its ((south, west), (north, east)). Every territory's map has the same base (streamlit-
    folium remounts the map's frame when the base changes): the outline layer frames it."""

    territory: str
    bounds: tuple[tuple[float, float], tuple[float, float]]


class OutlineLayer(_Prebuilt, folium.map.Layer):
    """Polygons the browser fetches from ``url`` (a cached GeoJSON file), styled from the
    small per-feature data embedded here: ``features[code] = (fill, tooltip HTML)``. With
    ``fit``, the map is framed on its territory when the layer is added to a map that showed
    another territory (or none yet)."""

    def __init__(self, url: str, features: Mapping[str, tuple[str, str]], name: str,
                 weight: float, stack: int, fit: TerritoryFrame | None = None):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "OutlineLayer"
        self.url = url
        self.features = dict(features)
        self.weight = weight
        styles: list[tuple[str, str]] = []
        data = {}
        for code, (fill, tooltip) in self.features.items():
            style = (fill, outline_stroke(fill))
            if style not in styles:
                styles.append(style)
            data[code] = [styles.index(style), tooltip]
        self._body = _OUTLINE_SCRIPT % {
            "styles": script_json(styles), "data": script_json(data),
            "weight": script_json(weight), "highlight": script_json(ROUGE_MARIANNE),
            "url": script_json(url), "stack": script_json(stack),
            "fit": script_json(None if fit is None else
                               [fit.territory, [list(fit.bounds[0]), list(fit.bounds[1])]])}

    def script(self) -> str:
        return (f"{_OUTLINE_FETCH}var {self.get_name()} = {self._body};\n"
                f"{self.get_name()}.addTo({self._parent.get_name()});\n")


@dataclass(frozen=True)
class PointStyle:
    """How one category of points looks: fill, stroke, stroke width, French label."""

    fill: str
    label: str
    stroke: str = "#FFFFFF"
    weight: float = 1


@dataclass(frozen=True)
class PointLayer:
    """A clustered canvas layer: compact rows plus the styles and unit they refer to."""

    name: str
    rows: list[list]
    styles: list[PointStyle]
    unit: str
    base_radius: float = 3
    scale: float = 1
    cap: float = 40

    @functools.cached_property
    def rows_json(self) -> str:
        """The rows as the cluster's script reads them, written once per layer (France's
        20 000 venues: 22 ms; a layer kept between reruns writes them once)."""
        return script_json(self.rows)


def tooltip_html(title: str, rows: Iterable[tuple[str, object]] = ()) -> str:
    """Tooltip HTML with every user-provided text escaped: a bold title, then label: value."""
    lines = [f"<b>{html.escape(str(title))}</b>"]
    lines += [f"{html.escape(str(label))} : {html.escape(str(value))}" for label, value in rows]
    return "<br>".join(lines)


# folium's map header forbids zooming the page (``maximum-scale=1.0, user-scalable=no``):
# on a phone, nobody could enlarge the map's tooltips and legend (WCAG 1.4.4 Resize text,
# axe-core's meta-viewport rule). The map's own zoom is Leaflet's and stays as it is.
ZOOMABLE_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
_VIEWPORT_TAG = re.compile(r"<meta\s+name=\"viewport\"[^>]*>")


class ZoomableMap(folium.Map):
    """A ``folium.Map`` whose page can be zoomed: its header's viewport tag is replaced."""

    def render(self, **kwargs) -> None:
        super().render(**kwargs)
        header = self.get_root().header
        own = header._children.get(self.get_name())
        if own is not None and own._template_str:
            header.add_child(Element(_VIEWPORT_TAG.sub(ZOOMABLE_VIEWPORT, own._template_str)),
                             name=self.get_name())


def base_map(bounds=METROPOLE_BOUNDS, tiles: str = "none") -> folium.Map:
    """An empty map on canvas, no tiles by default (outlines are the base map)."""
    m = ZoomableMap(tiles=None, prefer_canvas=True, max_zoom=MAX_ZOOM, maxZoom=MAX_ZOOM,
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


def departements_layer(geojson: Mapping, figures: pd.DataFrame, url: str,
                       fit: TerritoryFrame | None = None) -> OutlineLayer:
    """Every département of ``geojson`` (names and codes; the geometry stays in the file at
    ``url``) outlined; TNE ones filled by cohort. ``figures`` is indexed by code with columns
    tne_cohort and the tooltip's figures (already formatted); ``fit``: the territory the
    map is framed on (``OutlineLayer``)."""
    labels = [label for label in figures.columns if label not in ("tne_cohort", "name")]
    rows = figures.to_dict("index")
    features = {}
    for feature in geojson["features"]:
        code = feature["properties"]["code"]
        row = rows.get(code)
        cohort = None if row is None else row.get("tne_cohort")
        lines = [] if row is None else [(label, row[label]) for label in labels]
        features[code] = (COHORT_COLOURS.get(cohort, "#FFFFFF"),
                          tooltip_html(f"{feature['properties']['nom']} ({code})", lines))
    return OutlineLayer(url, features, "Départements", weight=1, stack=DEPARTEMENTS_STACK,
                        fit=fit)


# Communes whose small count is masked for the public (tne_dash.figures.privacy).
MASKED_COLOUR = "#E3E3FD"


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
                   value_label: str, decimals: int = 0, *, url: str,
                   classes: Mapping[str, tuple[str, str]] | None = None,
                   notes: Mapping[str, str] | None = None
                   ) -> tuple[OutlineLayer, list[float]]:
    """Communes of ``features`` (codes; the geometry stays in the file at ``url``) coloured
    by phase (``colour_by == 'phase'``), by a column of categories of ``table`` (``classes``:
    value → (colour, French label), e.g. the points de vigilance) or by a numeric column
    (``table`` indexed by INSEE code, columns name, population, phase and the value).
    ``notes`` (column → French label) adds those columns to the tooltips when not empty.
    Returns the layer and the bins of the numeric scale (empty for phases and classes)."""
    bins = [] if colour_by == "phase" or classes is not None else quantile_bins(
        pd.to_numeric(table[colour_by], errors="coerce"))
    notes = notes or {}
    columns = list(dict.fromkeys(["name", "population", "phase", colour_by, *notes]))
    rows = table[[c for c in columns if c in table]].to_dict("index")
    out = {}
    for feature in features:
        code = feature["properties"]["code"]
        row = rows.get(code)
        if row is None:
            continue
        phase = row["phase"]
        lines = [("Population", format_number(row["population"])),
                 ("Phase", PHASE_LABELS[phase])]
        if classes is not None:
            fill, label = classes[row[colour_by]]
            lines.append((value_label, label))
        elif colour_by == "phase":
            fill = PHASE_COLOURS[phase]
        else:
            lines.append((value_label, format_number(row[colour_by], decimals)))
            # A masked small count (privacy.MASK) is text.
            fill = MASKED_COLOUR if isinstance(row[colour_by], str) else colour_for(
                row[colour_by], bins)
        lines += [(label, format_number(row[column])) for column, label in notes.items()
                  if row.get(column) not in (None, "", 0)]
        out[code] = (fill, tooltip_html(row["name"], lines))
    return OutlineLayer(url, out, "Communes", weight=0.6, stack=COMMUNES_STACK), bins


def _rows(frame: pd.DataFrame, style_index: pd.Series, counts: pd.Series,
          titles: pd.Series | None, details: pd.Series | None) -> list[list]:
    """Compact rows: coordinates rounded to ~10 m, integers, then the texts when the layer
    has any — a layer without names or details sends four numbers a point (France's 20 000
    venues: 30 % less to send and to read than with two nulls each; the script reads a
    missing text as none)."""
    if titles is None and details is None:
        return [[round(float(lat), 4), round(float(lon), 4), int(i), int(c)]
                for lat, lon, i, c in zip(frame["lat"], frame["lon"], style_index, counts,
                                          strict=True)]
    n = len(frame)
    titles = titles if titles is not None else pd.Series([None] * n, index=frame.index)
    details = details if details is not None else pd.Series([None] * n, index=frame.index)
    return [[round(float(lat), 4), round(float(lon), 4), int(i), int(c), t, d]
            for lat, lon, i, c, t, d in zip(frame["lat"], frame["lon"], style_index, counts,
                                            titles, details, strict=True)]


def _styles(keys: list[str], colours: Mapping[str, str], labels: Mapping[str, str]
            ) -> list[PointStyle]:
    return [PointStyle(colours.get(k, GREY), labels.get(k, k)) for k in keys]


def cnfs_layer(cnfs: pd.DataFrame, employer_labels: Mapping[str, str]) -> PointLayer:
    """CNFS host structures: coloured by employer kind, sized by posts."""
    keys = list(EMPLOYER_COLOURS)
    details = "Commune : " + cnfs["commune"].astype(str)
    return PointLayer(
        "Structures d'accueil CNFS (ANCT, avril 2023)",
        _rows(cnfs, cnfs["employer_kind"].map(keys.index), cnfs["posts"], cnfs["name"],
              details),
        _styles(keys, EMPLOYER_COLOURS, employer_labels), "poste(s)", base_radius=4,
        scale=3, cap=9)


def venue_layer(venues: pd.DataFrame, kind_labels: Mapping[str, str]) -> PointLayer:
    """Workshop venues: coloured by kind, sized by their workshops in the period; names and
    communes only up to NAMED_POINTS_LIMIT points."""
    keys = list(VENUE_COLOURS)
    named = len(venues) <= NAMED_POINTS_LIMIT
    return PointLayer(
        "Lieux d'atelier",
        _rows(venues, venues["kind"].map(keys.index), venues["workshops"],
              venues["name"] if named else None,
              "Commune : " + venues["commune"].astype(str) if named else None),
        _styles(keys, VENUE_COLOURS, kind_labels), "atelier(s) sur la période")


def school_layer(schools: pd.DataFrame, level_labels: Mapping[str, str]) -> PointLayer:
    """Schools: coloured by REP/REP+ and level, a green ring when their school project has a
    « numérique et parentalité » part."""
    ep = schools["education_prioritaire"].fillna("")
    keys = [(e, pcn) for e in SCHOOL_COLOURS for pcn in (False, True)]
    styles = [PointStyle(SCHOOL_COLOURS[e], f"{e or 'Hors éducation prioritaire'}"
                         + (" — volet « numérique et parentalité »" if pcn else ""),
                         stroke=GREEN_PCN if pcn else "#FFFFFF", weight=3 if pcn else 1)
              for e, pcn in keys]
    index = [keys.index((e, bool(p))) for e, p in zip(ep, schools["has_pcn"], strict=True)]
    where = schools["position_is_commune"].map({True: " (position : centre de la commune)",
                                                False: ""})
    details = ("Niveau : " + schools["level"].map(level_labels).fillna(schools["level"])
               + "\n" + "Commune : " + schools["commune"].astype(str) + where)
    return PointLayer("Établissements scolaires",
                      _rows(schools, pd.Series(index, index=schools.index),
                            pd.Series(1, index=schools.index), schools["name"], details),
                      styles, "établissement", base_radius=3, scale=1, cap=1)


class PointCluster(_Prebuilt, plugins.FastMarkerCluster):
    """A FastMarkerCluster whose rows are serialised once, when it is built (folium's own
    re-serialises and re-compiles them at every render). Same assets, same script."""

    def __init__(self, layer: PointLayer):
        plugins.MarkerCluster.__init__(self, name=layer.name, overlay=True, control=True,
                                       show=True)
        self._name = "FastMarkerCluster"
        self.layer = layer  # what it draws, for the map's image (screens/carte/image.py)
        self.data = layer.rows
        callback = _POINT_CALLBACK % {
            "base": layer.base_radius, "scale": layer.scale, "cap": layer.cap}
        self._body = _CLUSTER_SCRIPT % {
            "styles": script_json([[s.fill, s.stroke, s.weight, s.label]
                                   for s in layer.styles]),
            "unit": script_json(layer.unit), "callback": callback,
            "rows": layer.rows_json,
            "options": script_json({"disableClusteringAtZoom": CLUSTER_UNTIL_ZOOM,
                                    "chunkedLoading": True, "showCoverageOnHover": False}),
        }

    def script(self) -> str:
        # The points join the cluster once it is on a map: a cluster off the map checks each
        # new point against every point added before (Leaflet.markercluster's hasLayer), a
        # square of France's 20 000 venues — 0.12 s of the map page's main thread. In
        # streamlit-folium's feature group, the cluster reaches the map after this script.
        return (f"var {self.get_name()} = (function () {{{self._body}\n"
                f"    cluster.addTo({self._parent.get_name()});\n"
                "    var fill = function () { cluster.addLayers(markers, true); };\n"
                "    if (cluster._map) { fill(); } else { cluster.once('add', fill); }\n"
                "    return cluster;\n})();\n")


def point_radius(layer: PointLayer, count: int) -> float:
    """A point's radius in pixels, as ``_POINT_CALLBACK`` draws it."""
    return layer.base_radius + layer.scale * math.sqrt(min(count, layer.cap))


def points_layer(layer: PointLayer) -> PointCluster:
    """Canvas circle markers clustered in the browser: one JSON array, no Python Marker."""
    return PointCluster(layer)


def feature_group(layer: folium.map.Layer) -> folium.FeatureGroup:
    """``layer`` in a feature group of its name (the group is what the layer control lists):
    how streamlit-folium swaps a layer without remounting the map."""
    group = folium.FeatureGroup(name=layer.layer_name, overlay=True, control=True, show=True)
    layer.control = False
    layer.add_to(group)
    return group


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

