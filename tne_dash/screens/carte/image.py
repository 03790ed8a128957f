"""The map as an image, for « Image (PNG) » under it: what the Carte's layers draw — each
outline with its fill and stroke, each point with its colour and size (every point: the
clusters are the browser's) — inside the map's frame, drawn by Vega-Lite (Mercator, as
Leaflet) with the page's legend under it, and rendered locally like every chart's PNG
(vl-convert: no browser, no tile, no network)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import altair as alt
import folium

from tne_dash import maps
from tne_dash.charts import PRINT_WIDTH
from tne_dash.palette import TEXT_GREY

Bounds = tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east))
LEGEND_COLUMNS = 2
LEGEND_ROW = 18  # pixels
MAP_HEIGHT = 560


def _rings(geometry: Mapping) -> Iterable[Sequence]:
    if geometry["type"] == "Polygon":
        yield from geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield from polygon


def _box(geometry: Mapping) -> Bounds:
    lons = [p[0] for ring in _rings(geometry) for p in ring]
    lats = [p[1] for ring in _rings(geometry) for p in ring]
    return (min(lats), min(lons)), (max(lats), max(lons))


def _meets(box: Bounds, bounds: Bounds) -> bool:
    (south, west), (north, east) = box
    (s, w), (n, e) = bounds
    return south <= n and north >= s and west <= e and east >= w


def _inside(lat: float, lon: float, bounds: Bounds) -> bool:
    (s, w), (n, e) = bounds
    return s <= lat <= n and w <= lon <= e


def _clockwise(ring: Sequence, clockwise: bool) -> list:
    """``ring`` turning the way d3 wants: GeoJSON files turn their outer rings
    anticlockwise (RFC 7946), d3 reads such a ring as the whole globe but the shape."""
    twice_area = sum(x0 * y1 - x1 * y0
                     for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:], strict=False))
    return list(ring) if (twice_area < 0) == clockwise else list(reversed(ring))


def for_d3(geometry: Mapping) -> dict:
    """``geometry`` with outer rings clockwise and holes anticlockwise (d3-geo's rule)."""
    polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                else geometry["coordinates"])
    turned = [[_clockwise(ring, n == 0) for n, ring in enumerate(polygon)]
              for polygon in polygons]
    return {"type": "Polygon", "coordinates": turned[0]} if geometry["type"] == "Polygon" \
        else {"type": "MultiPolygon", "coordinates": turned}


def drawn_layers(groups: Iterable[folium.FeatureGroup]) -> list:
    """The outline and point layers inside the map's feature groups, in drawing order."""
    return [layer for group in groups for layer in group._children.values()
            if isinstance(layer, maps.OutlineLayer | maps.PointCluster)]


def map_rows(groups: Iterable[folium.FeatureGroup], outlines: Sequence[Mapping],
             bounds: Bounds) -> tuple[list[dict], list[dict]]:
    """(shapes, points) the layers draw within ``bounds``: shapes as GeoJSON features whose
    properties hold the fill and stroke, points as rows (lat, lon, fill, stroke, width,
    size in square pixels)."""
    geometry = {f["properties"]["code"]: f["geometry"] for f in outlines}
    shapes, points = [], []
    for layer in drawn_layers(groups):
        if isinstance(layer, maps.OutlineLayer):
            for code, (fill, _tooltip) in layer.features.items():
                shape = geometry.get(code)
                if shape is None or not _meets(_box(shape), bounds):
                    continue
                shapes.append({"type": "Feature", "geometry": for_d3(shape), "properties": {
                    "code": code, "fill": fill, "stroke": maps.outline_stroke(fill),
                    "width": layer.weight}})
        else:
            points_of = layer.layer
            for lat, lon, style, count, *_ in points_of.rows:
                if not _inside(lat, lon, bounds):
                    continue
                look = points_of.styles[style]
                radius = maps.point_radius(points_of, count)
                points.append({"lat": lat, "lon": lon, "fill": look.fill,
                               "stroke": look.stroke, "width": look.weight,
                               "size": round(math.pi * radius * radius, 1)})
    return shapes, points


def _legend(groups: Sequence[tuple[str, str, list[tuple[str, str]]]],
            width: int) -> alt.LayerChart | None:
    """The page's legend as a chart: each group's title, then its swatches in columns."""
    titles, items, row = [], [], 0
    column_width = width // LEGEND_COLUMNS
    for title, note, entries in groups:
        titles.append({"x": 0, "y": row * LEGEND_ROW,
                       "text": title + (f" ({note})" if note else "")})
        row += 1
        for n, (colour, label) in enumerate(entries):
            x = (n % LEGEND_COLUMNS) * column_width
            items.append({"x": x, "square": x + 6,
                          "y": (row + n // LEGEND_COLUMNS) * LEGEND_ROW,
                          "colour": colour, "label": label})
        row += math.ceil(len(entries) / LEGEND_COLUMNS)
    if not titles:
        return None
    at = {"x": alt.X("x:Q", scale=None, axis=None), "y": alt.Y("y:Q", scale=None, axis=None)}
    heads = alt.Chart(alt.Data(values=titles)).mark_text(
        align="left", baseline="middle", fontWeight="bold", fontSize=12, color=TEXT_GREY
    ).encode(text="text:N", **at)
    swatches = alt.Chart(alt.Data(values=items)).mark_square(
        size=110, stroke="#929292", strokeWidth=1, opacity=1).encode(
        fill=alt.Fill("colour:N", scale=None),
        x=alt.X("square:Q", scale=None, axis=None), y=at["y"])
    labels = alt.Chart(alt.Data(values=items)).mark_text(
        align="left", baseline="middle", dx=18, fontSize=12, color=TEXT_GREY
    ).encode(text="label:N", **at)
    return alt.layer(heads, swatches, labels).properties(width=width,
                                                        height=row * LEGEND_ROW)


def map_chart(groups: Iterable[folium.FeatureGroup], outlines: Sequence[Mapping],
              bounds: Bounds, title: str,
              legend: Sequence[tuple[str, str, list[tuple[str, str]]]] = (),
              width: int = PRINT_WIDTH) -> alt.TopLevelMixin:
    """The map of ``groups`` (the Carte's feature groups) within ``bounds``, titled, its
    legend under it. ``outlines``: the GeoJSON features whose codes the layers colour."""
    shapes, points = map_rows(groups, outlines, bounds)
    layers = []
    if shapes:
        layers.append(alt.Chart(alt.Data(values=shapes)).mark_geoshape().encode(
            fill=alt.Fill("properties.fill:N", scale=None),
            stroke=alt.Stroke("properties.stroke:N", scale=None),
            strokeWidth=alt.StrokeWidth("properties.width:Q", scale=None)))
    if points:
        layers.append(alt.Chart(alt.Data(values=points)).mark_circle(opacity=0.9).encode(
            longitude="lon:Q", latitude="lat:Q",
            fill=alt.Fill("fill:N", scale=None), stroke=alt.Stroke("stroke:N", scale=None),
            strokeWidth=alt.StrokeWidth("width:Q", scale=None),
            size=alt.Size("size:Q", scale=None)))
    drawing = (alt.layer(*layers) if layers else alt.Chart(alt.Data(values=[{}])).mark_text(
        text="Rien à dessiner")).project(type="mercator").properties(
        width=width, height=MAP_HEIGHT)
    key = _legend(legend, width)
    chart = alt.vconcat(drawing, key, spacing=16) if key is not None else drawing
    return chart.properties(title=alt.Title(title, anchor="start", fontSize=15)).configure_view(
        stroke=None)
