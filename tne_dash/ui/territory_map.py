"""The map of a MapView drawn with folium — choropleth, outlines and point layers — shared by
Carte and Présentation; its frame's French title, the link that skips it, Leaflet's own
buttons in French."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import folium
import pandas as pd
import streamlit as st
from folium.template import Template

from tne_dash import maps
from tne_dash.catalogue import CATALOGUE, PER_1000
from tne_dash.config import Settings
from tne_dash.figures.map_frames import (
    TABLE_CODES,
    VIGILANCE_COUNT,
    VIGILANCE_REASONS,
    VIGILANCE_STATES,
    MapFrames,
)
from tne_dash.figures.map_view import COLOUR_BY_PHASE, COLOUR_BY_VIGILANCE, LAYERS, MapView
from tne_dash.labels import format_number
from tne_dash.palette import VIGILANCE_COLOURS
from tne_dash.ui import outlines
from tne_dash.ui.kept import kept_by_content
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


FRANCE_PLACE = "France entière"

# Communes by their points de vigilance: each state's colour and French label (the legend's
# too), and the tooltip's lines besides the state.
VIGILANCE_LABEL = "Points de vigilance"
VIGILANCE_CLASSES = {state: (VIGILANCE_COLOURS[state], label)
                     for state, label in VIGILANCE_STATES.items()}
VIGILANCE_NOTES = {VIGILANCE_COUNT: "Nombre de points", VIGILANCE_REASONS: "Motifs"}


def colour_column(view: MapView) -> tuple[str, str, int]:
    """(column, French label, decimals) the choropleth colours by."""
    if view.colour_by == COLOUR_BY_PHASE:
        return COLOUR_BY_PHASE, "Phase", 0
    if view.colour_by == COLOUR_BY_VIGILANCE:
        return COLOUR_BY_VIGILANCE, VIGILANCE_LABEL, 0
    ind = CATALOGUE[view.colour_by]
    return view.colour_by, ind.label, 1 if view.colour_by.endswith(PER_1000) else ind.decimals


# The map's frame as streamlit-folium makes it: Streamlit titles it with the component's name
# (« streamlit_folium.st_folium »); its address is the component's page, whatever its title.
MAP_FRAME_SELECTOR = 'iframe[src*="/component/streamlit_folium.st_folium/"]'
# What the points on a map are, for its frame's title (the Carte page's layers).
POINT_LAYER_NAMES = {"cnfs": "structures CNFS", "venues": "lieux d'atelier",
                     "schools": "établissements scolaires"}


def map_frame_title(view: MapView, departement_label: str | None, communes_drawn: bool,
                    point_layers: tuple[str, ...] = ()) -> str:
    """What the map's frame shows, in French, for its ``title`` (RGAA 2.1 / 2.2, WCAG 4.1.2):
    « Carte — Val-d'Oise (95) : communes par phase du déploiement ; points : lieux d'atelier »."""
    if view.departement is None:
        what = "Carte — France : départements, les départements TNE par cohorte"
    elif not communes_drawn:
        what = f"Carte — {departement_label} : contour du département"
    elif view.colour_by == COLOUR_BY_PHASE:
        what = f"Carte — {departement_label} : communes par phase du déploiement"
    else:
        what = f"Carte — {departement_label} : communes selon « {colour_column(view)[1]} »"
    points = [POINT_LAYER_NAMES[layer] for layer in LAYERS if layer in point_layers]
    return what + (f" ; points : {', '.join(points)}" if points else "")


FRANCE_FRAME = "france"  # the territory a map of France is framed on (maps.TerritoryFrame)


@dataclass
class TerritoryMap:
    """A view's map in two parts, for streamlit-folium: ``base`` — the same for every view
    and territory, so the map's frame is never reloaded — and the layers that follow the
    view's data and territory (``st_folium(feature_group_to_add=groups,
    layer_control=control)``), swapped in place; the first one frames the territory when it
    changes."""

    base: folium.Map
    groups: list[folium.FeatureGroup]
    control: folium.LayerControl
    bins: list[float]
    title: str  # the frame's French title (``map_frame_title``)
    bounds: tuple[tuple[float, float], tuple[float, float]]  # what the frame opens on
    place: str  # « Val-d'Oise (95) », « France entière »


def _layers(view: MapView, data: MapFrames, departements_geojson: dict,
            commune_features: list[dict], cohorts: pd.Series, tiles: str,
            reference_dir: Path | None) -> tuple:
    """The base map of the view's territory, its layers (outlines, then points), the bins,
    the frame's title, the bounds it opens on and the territory's name."""
    reference_dir = reference_dir or Settings.from_env().reference_dir
    departements_url = outlines.departements_url(reference_dir)
    bins: list[float] = []
    departement_label = None
    # One base for every territory (France's frame): streamlit-folium keeps the map's frame
    # while its base is the same, and the départements' layer frames the territory.
    m = maps.base_map(tiles=tiles)
    if view.departement is None:
        bounds = maps.METROPOLE_BOUNDS
        polygons = [maps.departements_layer(departements_geojson,
                                            departement_figures(data.table, cohorts),
                                            departements_url,
                                            fit=maps.TerritoryFrame(FRANCE_FRAME, bounds))]
    else:
        outline = [f for f in departements_geojson["features"]
                   if f["properties"]["code"] == view.departement]
        shapes = commune_features or outline
        departement_label = (f"{outline[0]['properties']['nom']} ({view.departement})"
                             if outline else view.departement)
        bounds = maps.geojson_bounds(shapes) if shapes else maps.METROPOLE_BOUNDS
        polygons = [maps.departements_layer({"features": outline}, pd.DataFrame(),
                                            departements_url,
                                            fit=maps.TerritoryFrame(view.departement, bounds))]
        if commune_features:
            column, label, decimals = colour_column(view)
            by_vigilance = column == COLOUR_BY_VIGILANCE
            layer, bins = maps.communes_layer(
                commune_features, data.table, column, label, decimals,
                url=outlines.communes_url(reference_dir, view.departement),
                classes=VIGILANCE_CLASSES if by_vigilance else None,
                notes=VIGILANCE_NOTES if by_vigilance else None)
            polygons.append(layer)
    m.add_child(FrenchLeaflet())
    points = []
    if not data.cnfs.empty:
        points.append(maps.points_layer(cnfs_layer(data.cnfs, EmployerKind.labels())))
    if not data.venues.empty:
        points.append(maps.points_layer(venue_layer(data.venues, VenueKind.labels())))
    if not data.schools.empty:
        points.append(maps.points_layer(school_layer(data.schools, SchoolLevel.labels())))
    drawn = tuple(layer for layer, frame in (("cnfs", data.cnfs), ("venues", data.venues),
                                             ("schools", data.schools)) if not frame.empty)
    title = map_frame_title(view, departement_label, bool(commune_features), drawn)
    return m, polygons + points, bins, title, bounds, departement_label or FRANCE_PLACE


# The point layers' rows, made once for the same points (``kept_by_content``): France's
# 20 000 venues turned into rows and written as JSON, 0.07 s of each rerun of the Carte.
cnfs_layer = kept_by_content(maps.cnfs_layer)
venue_layer = kept_by_content(maps.venue_layer)
school_layer = kept_by_content(maps.school_layer)


def build_territory_map(view: MapView, data: MapFrames, departements_geojson: dict,
                        commune_features: list[dict], cohorts: pd.Series,
                        tiles: str = "none", reference_dir: Path | None = None
                        ) -> tuple[folium.Map, list[float]]:
    """The folium map of a view, every layer in it; returns it with the numeric scale's bins
    (for the legend).

    The outlines' geometry is not embedded: the browser fetches it from the outline files
    (``outlines``); ``departements_geojson`` and ``commune_features`` give the codes, names
    and the frame of a département."""
    m, layers, bins, *_ = _layers(view, data, departements_geojson, commune_features,
                                  cohorts, tiles, reference_dir)
    return maps.add_layers(m, layers), bins


def build_territory_layers(view: MapView, data: MapFrames, departements_geojson: dict,
                           commune_features: list[dict], cohorts: pd.Series,
                           tiles: str = "none", reference_dir: Path | None = None
                           ) -> TerritoryMap:
    """The same map as ``build_territory_map``, split into a base that stays the same between
    reruns and the layers that follow the data (each in its feature group)."""
    m, layers, bins, title, bounds, place = _layers(view, data, departements_geojson,
                                                    commune_features, cohorts, tiles,
                                                    reference_dir)
    return TerritoryMap(base=m, groups=[maps.feature_group(layer) for layer in layers],
                        control=folium.LayerControl(collapsed=True), bins=bins, title=title,
                        bounds=bounds, place=place)


class FrenchLeaflet(folium.MacroElement):
    """Leaflet's own English, in French, inside the map's frame: the zoom buttons (« Zoom
    in » → « Zoom avant »), the layers button (« Layers », set on every layers control made
    after this: streamlit-folium makes it after the map), the title of the attribution's
    link; and no imperial scale line (« 5 mi »). The same for every map, so the base map
    stays identical between reruns."""

    _template = Template("""{% macro script(this, kwargs) %}
(function (map) {
  var named = function (element, name) {
    if (element) { element.title = name; element.setAttribute('aria-label', name); }
  };
  if (map.zoomControl) {
    named(map.zoomControl._zoomInButton, 'Zoom avant');
    named(map.zoomControl._zoomOutButton, 'Zoom arrière');
  }
  if (map.attributionControl) {
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" hreflang="en" '
      + 'title="Bibliothèque JavaScript de cartes interactives">Leaflet</a>');
  }
  var layers = L.Control.Layers.prototype;
  if (!layers.tneFrench) {
    var layout = layers._initLayout;
    layers._initLayout = function () {
      layout.apply(this, arguments);
      named(this._layersLink, 'Couches de la carte');
    };
    layers.tneFrench = true;
  }
  var style = document.createElement('style');
  style.textContent = '.leaflet-control-scale-line + .leaflet-control-scale-line {display: none}';
  document.head.appendChild(style);
})({{ this._parent.get_name() }});
{% endmacro %}""")

    def __init__(self):
        super().__init__()
        self._name = "FrenchLeaflet"


# The skip link sits before the map, out of the page's flow (no gap, no width: nothing sticks
# out of a phone's screen), and shows on focus; the script titles the map's frame, and keeps
# it titled when Streamlit redraws it (one observer per tab, reading the title the latest run
# gave); the link moves the focus to the first element after the map.
_FRAME_STYLE = """<style>
[data-testid="stElementContainer"]:has(.tne-passer-carte) { position: absolute; z-index: 5;
  width: 0; height: 0; }
.tne-passer-carte { position: absolute; left: -10000px; top: 0; white-space: nowrap; }
.tne-passer-carte:focus { left: 3.5rem; top: 0.6rem; background: #FFFFFF; color: #000091;
  padding: 0.4rem 0.8rem; border: 2px solid #000091; outline: 2px solid #FFFFFF;
  font-weight: 700; text-decoration: underline; }
</style>"""
_FRAME_SCRIPT = """<script>
(function () {
  var selector = %(selector)s;
  var state = window.tneMapFrame || (window.tneMapFrame = {});
  state.title = %(title)s;
  var name = function () {
    document.querySelectorAll(selector).forEach(function (frame) {
      if (frame.getAttribute('title') !== window.tneMapFrame.title) {
        frame.setAttribute('title', window.tneMapFrame.title);
      }
    });
  };
  name();
  if (state.observer) { return; }
  state.observer = new MutationObserver(name);
  state.observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                         attributeFilter: ['title', 'src']});
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a.tne-passer-carte');
    if (!link) { return; }
    event.preventDefault();
    var frame = document.querySelector(selector);
    var box = frame && frame.closest('[data-testid="stElementContainer"]');
    if (!box) { return; }
    var next = Array.prototype.find.call(
      document.querySelectorAll('[data-testid="stElementContainer"]'), function (other) {
        return (box.compareDocumentPosition(other) & Node.DOCUMENT_POSITION_FOLLOWING)
          && !box.contains(other) && other.offsetHeight > 0;
      });
    if (!next) { return; }
    next.setAttribute('tabindex', '-1');
    next.focus();
    next.scrollIntoView({block: 'nearest'});
  });
})();
</script>"""


def map_frame_script(title: str) -> str:
    """The skip link, its style and the script that titles the map's frame (the title
    JSON-encoded, ``<`` escaped: no text can close the script)."""
    def as_js(text: str) -> str:
        return json.dumps(text, ensure_ascii=False).replace("<", "\\u003c")
    return (_FRAME_STYLE + '<a class="tne-passer-carte" href="#">Passer la carte</a>'
            + _FRAME_SCRIPT % {"selector": as_js(MAP_FRAME_SELECTOR), "title": as_js(title)})


def introduce_map(title: str) -> None:
    """Just before a map: « Passer la carte » for keyboards, and the frame's French title
    (Streamlit gives a component's frame no title parameter)."""
    st.html(map_frame_script(title), unsafe_allow_javascript=True)
