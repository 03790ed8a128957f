"""Map builders: feature counts, properties, colours, escaping, offline assets, payload."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pandas as pd
import pytest

from tne_dash import REFERENCE_DIR, maps, offline
from tne_dash.bench import synthetic_venues
from tne_dash.store.reference import DEPARTEMENTS_GEOJSON
from tne_dash.vocabulary import PHASE_ORDER, EmployerKind, SchoolLevel, VenueKind

EVIL = "<img src=x onerror=alert(1)>"
URL = "/geo/departements.geojson?v=test"


@pytest.fixture(scope="module")
def departements_geojson():
    return json.loads((REFERENCE_DIR / DEPARTEMENTS_GEOJSON).read_text(encoding="utf-8"))


def rendered(*layers) -> str:
    offline.use_offline_assets()
    m = maps.base_map()
    maps.add_layers(m, layers)
    return m.get_root().render()


def test_tooltips_escape_names_from_users_and_files():
    html_text = maps.tooltip_html(EVIL, [("Commune", "A & B")])
    assert "<img" not in html_text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_text
    assert "A &amp; B" in html_text


def test_france_layer_outlines_every_departement_and_fills_the_tne_by_cohort(
        departements_geojson):
    figures = pd.DataFrame({"tne_cohort": ["pilot_2020", "extension_2021"],
                            "Ateliers": ["12", "3"]}, index=["95", "86"])
    layer = maps.departements_layer(departements_geojson, figures, URL)
    assert len(layer.features) == 101
    fills = {code: fill for code, (fill, _) in layer.features.items()}
    assert fills["95"] == maps.COHORT_COLOURS["pilot_2020"]
    assert fills["86"] == maps.COHORT_COLOURS["extension_2021"]
    assert fills["75"] == "#FFFFFF"
    assert layer.features["86"][1] == "<b>Vienne (86)</b><br>Ateliers : 3"


def _square(code: str) -> dict:
    return {"type": "Feature", "properties": {"code": code},
            "geometry": {"type": "Polygon",
                         "coordinates": [[[2, 48], [2.1, 48], [2.1, 48.1], [2, 48]]]}}


def test_communes_take_one_colour_per_phase():
    codes = [f"9500{i}" for i in range(4)]
    table = pd.DataFrame({"name": ["A", "B", EVIL, "D"], "population": [100] * 4,
                          "phase": list(PHASE_ORDER), "workshops": [0, 1, 5, 9]}, index=codes)
    layer, bins = maps.communes_layer([_square(c) for c in codes], table, "phase", "Phase",
                                      url=URL)
    fills = [fill for fill, _ in layer.features.values()]
    assert fills == [maps.PHASE_COLOURS[p] for p in PHASE_ORDER]
    assert bins == []
    assert "&lt;img" in layer.features[codes[2]][1]


def test_communes_coloured_by_an_indicator_use_quantile_classes():
    codes = [f"9500{i}" for i in range(5)]
    table = pd.DataFrame({"name": list("ABCDE"), "population": [1000] * 5,
                          "phase": ["autonomie"] * 5, "workshops": [0, 2, 4, 6, 8]},
                         index=codes)
    layer, bins = maps.communes_layer([_square(c) for c in codes], table, "workshops",
                                      "Ateliers", url=URL)
    fills = [fill for fill, _ in layer.features.values()]
    assert fills[0] == maps.LIGHT_GREY  # zero stays grey
    assert fills[-1] == maps.SEQUENTIAL[-1]
    assert bins == sorted(bins) and len(bins) == 5 and bins[-1] == 8
    assert "Ateliers : 8" in layer.features[codes[-1]][1]


def test_point_layers_carry_one_compact_row_per_point():
    cnfs = pd.DataFrame({"name": ["COMMUNE DE POITIERS", "CROIX ROUGE FRANCAISE"],
                         "employer_kind": ["commune", "association"], "posts": [3, 1],
                         "commune": ["Poitiers", "Vouneuil"], "lat": [46.58, 46.6],
                         "lon": [0.34, 0.4]})
    layer = maps.cnfs_layer(cnfs, EmployerKind.labels())
    assert [row[:4] for row in layer.rows] == [[46.58, 0.34, 0, 3], [46.6, 0.4, 7, 1]]
    assert layer.styles[layer.rows[1][2]].label == "Association (dont Croix-Rouge)"


def test_a_venue_named_like_markup_is_inert_text_in_the_page():
    venues = pd.DataFrame({"id": [1], "name": [EVIL + "</script>"], "kind": ["ecole"],
                           "commune": ["X"], "lat": [48.9], "lon": [2.2], "workshops": [3]})
    page = rendered(maps.points_layer(maps.venue_layer(venues, VenueKind.labels())))
    assert "<img" not in page and "</script><" not in page.replace("</script>\n", "")
    assert "textContent" in page  # the browser escapes names itself


def test_large_layers_leave_names_out_to_stay_light():
    venues = synthetic_venues(maps.NAMED_POINTS_LIMIT + 1)
    rows = maps.venue_layer(venues, VenueKind.labels()).rows
    assert all(len(row) == 4 for row in rows)  # position, style, count: no text, not even null
    assert ",null" not in maps.script_json(rows)
    small = maps.venue_layer(venues.head(10), VenueKind.labels()).rows
    assert small[0][4] == "Lieu n° 0"


def test_school_layer_marks_rep_and_pcn():
    schools = pd.DataFrame({"uai": ["1", "2"], "name": ["A", "B"], "level": ["college"] * 2,
                            "education_prioritaire": ["REP+", None], "has_pcn": [True, False],
                            "position_is_commune": [False, True], "commune": ["X", "Y"],
                            "lat": [48.0, 48.1], "lon": [2.0, 2.1]})
    layer = maps.school_layer(schools, SchoolLevel.labels())
    first, second = (layer.styles[row[2]] for row in layer.rows)
    assert (first.fill, first.stroke) == (maps.ROUGE_MARIANNE, maps.GREEN_PCN)
    assert second.stroke == "#FFFFFF"
    assert "centre de la commune" in layer.rows[1][5]


def test_the_rendered_map_loads_nothing_from_outside(departements_geojson):
    venues = synthetic_venues(50)
    page = rendered(maps.departements_layer(departements_geojson, pd.DataFrame(), URL),
                    maps.points_layer(maps.venue_layer(venues, VenueKind.labels())))
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/app/static/vendor/") for s in sources)
    assert "cdn" not in page.lower()


def test_offline_assets_are_copied_from_the_installed_packages(tmp_path):
    target = offline.install_assets(tmp_path)
    for name in ("leaflet/leaflet.js", "leaflet/leaflet.css", "jquery/jquery.min.js",
                 "markercluster/leaflet.markercluster.js", "leaflet/images/marker-icon.png"):
        assert (target / name).stat().st_size > 0
    assert "imagePath" in (target / "leaflet" / "icon-path.js").read_text()
    # The map loads its scripts as one file, in their order: Leaflet before what uses it.
    bundle = (target / "map.js").read_text(encoding="utf-8")
    parts = [(target / name).read_text(encoding="utf-8") for name in offline.BUNDLED]
    assert bundle == "\n;\n".join(parts)
    assert [s for _, s in offline.MAP_JS] == ["/app/static/vendor/map.js"]
    # Another server starting never rewrites a file a browser may be loading.
    before = {p: p.stat().st_mtime_ns for p in target.rglob("*") if p.is_file()}
    offline.install_assets(tmp_path)
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*") if p.is_file()} == before


def test_a_département_view_is_framed_on_its_shapes():
    (south, west), (north, east) = maps.geojson_bounds([_square("1")])
    assert (south, west, north, east) == (48, 2, 48.1, 2.1)


def test_a_tile_layer_is_an_option_for_online_deployments():
    offline.use_offline_assets()
    assert "data.geopf.fr" not in maps.base_map().get_root().render()
    page = maps.base_map(tiles="ign").get_root().render()
    assert "GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2" in page


def test_the_base_map_of_a_territory_is_the_same_whatever_the_view_shows(departements_geojson):
    """streamlit-folium remounts the map when its script changes: a territory's base map must
    not depend on the colouring or the figures, which travel in the feature groups."""
    from streamlit_folium import generate_leaflet_string

    from tne_dash.figures.map_frames import MapFrames
    from tne_dash.figures.map_view import MapView
    from tne_dash.ui.territory_map import build_territory_layers

    offline.use_offline_assets()
    codes = ["95063", "95018"]
    table = pd.DataFrame({"name": ["Bezons", "Argenteuil"], "population": [30000, 110000],
                          "phase": ["parents_ressources", "not_engaged"],
                          "workshops": [50, 0]}, index=codes)
    frames = MapFrames(table=table, cnfs=pd.DataFrame(), venues=pd.DataFrame(),
                       schools=pd.DataFrame(), demo=True)
    drawn = [build_territory_layers(MapView(departement="95", colour_by=colour, layers=()),
                                    frames, departements_geojson, [_square(c) for c in codes],
                                    pd.Series(dtype=object), reference_dir=REFERENCE_DIR)
             for colour in ("phase", "workshops")]
    from tne_dash.ui.territory_map import TABLE_CODES
    by_departement = pd.DataFrame({code: [1] for code in TABLE_CODES}, index=["95"])
    france = build_territory_layers(MapView(departement=None, layers=()),
                                    replace(frames, table=by_departement),
                                    departements_geojson, [], pd.Series(dtype=object),
                                    reference_dir=REFERENCE_DIR)
    scripts = [generate_leaflet_string(d.base) for d in [*drawn, france]]
    # The same base for a département and for France: a territory chosen keeps the frame.
    assert scripts[0] == scripts[1] == scripts[2]
    # The départements' layer frames the territory when it changes.
    (outline,) = drawn[0].groups[0]._children.values()
    assert outline.script().count("FIT = [\"95\",[[") == 1
    (outline,) = france.groups[0]._children.values()
    assert 'FIT = ["france",[[41.' in outline.script()
    assert "Bezons" not in scripts[0]  # the data is in the groups
    assert [g.layer_name for g in drawn[0].groups] == ["Départements", "Communes"]
    phase, workshops = (d.groups[1]._children for d in drawn)
    (phase_layer,), (workshops_layer,) = phase.values(), workshops.values()
    assert "Phase : Année 2 — Parents Ressources" in phase_layer.features["95063"][1]
    assert "Ateliers : 50" in workshops_layer.features["95063"][1]
    assert not phase_layer.control  # listed once, by its group
