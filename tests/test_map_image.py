"""The map can leave the app too: under the Carte's map, « Image (PNG) » draws what its
layers draw (each outline with its fill, every point with its colour and size, inside the
map's frame, its legend under it), rendered locally; « Données (CSV) » is the table under the
map after the map's title and filters."""

from __future__ import annotations

import datetime as dt
import json
import struct
from pathlib import Path

import pandas as pd
import pytest
from apptest import open_page
from test_chart_downloads import PNG_SIGNATURE, split_csv

from tne_dash import REFERENCE_DIR, maps
from tne_dash.exports import to_csv_bytes
from tne_dash.figures.map_frames import TABLE_CODES, MapFrames
from tne_dash.figures.map_view import MapView
from tne_dash.screens.carte.image import for_d3, map_rows
from tne_dash.screens.carte.tables import map_heading
from tne_dash.screens.carte.ui import legend_groups, map_png
from tne_dash.store.reference import DEPARTEMENTS_GEOJSON
from tne_dash.ui.figure_downloads import CSV_LABEL, PNG_LABEL, chart_heading
from tne_dash.ui.territory_map import build_territory_layers

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CODES = ["95063", "95018", "95127"]


@pytest.fixture(scope="module")
def departements() -> dict:
    return json.loads((REFERENCE_DIR / DEPARTEMENTS_GEOJSON).read_text(encoding="utf-8"))


def square(code: str, west: float) -> dict:
    """An anticlockwise square, as GeoJSON files write their outer rings."""
    ring = [[west, 49.0], [west + 0.1, 49.0], [west + 0.1, 49.1], [west, 49.1], [west, 49.0]]
    return {"type": "Feature", "properties": {"code": code, "nom": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def frames(venues: pd.DataFrame | None = None) -> MapFrames:
    table = pd.DataFrame({"name": ["Bezons", "Argenteuil", "Cergy"],
                          "population": [30000, 110000, 65000],
                          "phase": ["parents_ressources", "not_engaged", "autonomie"],
                          "workshops": [50, 0, 7]}, index=CODES)
    return MapFrames(table=table, cnfs=pd.DataFrame(), venues=venues if venues is not None
                     else pd.DataFrame(), schools=pd.DataFrame(), demo=True)


def venues(*points: tuple[float, float, int]) -> pd.DataFrame:
    return pd.DataFrame({"lat": [p[0] for p in points], "lon": [p[1] for p in points],
                         "kind": ["mediatheque"] * len(points), "workshops": [p[2] for p in points],
                         "name": [f"Lieu {n}" for n in range(len(points))],
                         "commune": ["Bezons"] * len(points)})


def signed_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))


def test_the_image_fills_each_outline_as_its_layer_does_and_turns_its_rings_for_d3(
        departements):
    communes = [square(code, 2.0 + n * 0.2) for n, code in enumerate(CODES)]
    drawn = build_territory_layers(MapView(departement="95", layers=()), frames(), departements,
                                   communes, pd.Series(dtype=object),
                                   reference_dir=REFERENCE_DIR)
    shapes, points = map_rows(drawn.groups, departements["features"] + communes, drawn.bounds)
    layer = next(iter(drawn.groups[1]._children.values()))
    fills = {s["properties"]["code"]: s["properties"]["fill"] for s in shapes}
    assert fills == {"95": "#FFFFFF"} | {code: fill for code, (fill, _) in layer.features.items()}
    assert fills["95063"] == maps.PHASE_COLOURS["parents_ressources"] and points == []
    bezons = next(s for s in shapes if s["properties"]["code"] == "95063")
    assert signed_area(bezons["geometry"]["coordinates"][0]) < 0  # clockwise for d3
    hole = {"type": "Polygon", "coordinates": [
        communes[0]["geometry"]["coordinates"][0],
        [[2.02, 49.02], [2.05, 49.02], [2.05, 49.05], [2.02, 49.02]]]}
    outer, inner = for_d3(hole)["coordinates"]
    assert signed_area(outer) < 0 < signed_area(inner)


def test_every_point_inside_the_frame_is_drawn_at_the_size_the_browser_gives_it(departements):
    communes = [square(code, 2.0 + n * 0.2) for n, code in enumerate(CODES)]
    found = frames(venues((49.05, 2.05, 1), (49.05, 2.45, 40), (43.3, 5.4, 3)))
    drawn = build_territory_layers(MapView(departement="95", layers=("venues",)), found,
                                   departements, communes, pd.Series(dtype=object),
                                   reference_dir=REFERENCE_DIR)
    _, points = map_rows(drawn.groups, departements["features"] + communes, drawn.bounds)
    # Marseille is outside the Val-d'Oise's frame; the larger venue has the larger circle.
    assert [(p["lat"], p["lon"]) for p in points] == [(49.05, 2.05), (49.05, 2.45)]
    assert points[0]["fill"] == maps.VENUE_COLOURS["mediatheque"]
    assert points[0]["size"] < points[1]["size"]


def test_the_france_image_is_metropolitan_france_as_the_map_opens(departements):
    france = pd.DataFrame({code: [1] for code in TABLE_CODES} | {"name": ["Val-d'Oise"]},
                          index=["95"])
    found = MapFrames(table=france, cnfs=pd.DataFrame(), venues=pd.DataFrame(),
                      schools=pd.DataFrame(), demo=False)
    drawn = build_territory_layers(MapView(layers=()), found, departements, [],
                                   pd.Series({"95": "pilot_2020"}), reference_dir=REFERENCE_DIR)
    shapes, _ = map_rows(drawn.groups, departements["features"], drawn.bounds)
    codes = {s["properties"]["code"] for s in shapes}
    assert {"95", "2A", "29", "67"} <= codes and not codes & {"971", "972", "973", "974", "976"}


def test_the_png_of_the_val_d_oise_map_is_rendered_locally_with_its_legend(app_env):
    from tne_dash.figures import map_frames
    from tne_dash.store import queries
    from tne_dash.store.db import make_engine
    from tne_dash.store.reference import COMMUNES_TNE_GEOJSON

    view = MapView(departement="95", date_from=dt.date(2020, 9, 1),
                   date_to=dt.date(2023, 4, 17))
    engine = make_engine(app_env)
    with engine.connect() as conn:
        found = map_frames.load_map_frames(conn, view)
        cohorts = queries.departements(conn).set_index("code")["tne_cohort"]
    engine.dispose()
    departements = json.loads((REFERENCE_DIR / DEPARTEMENTS_GEOJSON).read_text("utf-8"))
    communes = [f for f in json.loads((REFERENCE_DIR / COMMUNES_TNE_GEOJSON).read_text(
        "utf-8"))["features"] if f["properties"]["dep_code"] == "95"]
    drawn = build_territory_layers(view, found, departements, communes, cohorts,
                                   reference_dir=REFERENCE_DIR)
    legend = legend_groups(view, drawn.bins, "Phase", masked=True)
    assert [title for title, _, _ in legend] == ["Communes", "Structures CNFS",
                                                "Lieux d'atelier"]
    image = map_png(drawn, departements["features"] + communes, legend)  # the button's
    assert image.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", image[16:24])
    assert width > 1500 and height > width  # the map (scale 2), then its legend
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "carte-95-image.png").write_bytes(image)  # looked at


def test_the_map_csv_is_the_table_under_it_after_the_title_and_the_filters():
    view = MapView(departement="95", date_from=dt.date(2022, 9, 1),
                   date_to=dt.date(2023, 4, 17), phases=("autonomie",),
                   venue_kinds=("mediatheque",), colour_by="workshops")
    heading = map_heading(view, "Val-d'Oise (95)", "Ateliers", ["Lieux d'atelier"],
                          exact=False, demo=True)
    table = pd.DataFrame({"Code": ["95127"], "Commune": ["Cergy"], "Ateliers": [7]})
    lines, rows = split_csv(to_csv_bytes(table, heading=chart_heading(
        "Carte — Val-d'Oise (95)", heading, "https://tne.example.fr/carte?dep=95")))
    assert lines == [
        ["Graphique", "Carte — Val-d'Oise (95)"], ["Territoire", "Val-d'Oise (95)"],
        ["Période", "du 1er septembre 2022 au 17 avril 2023"],
        ["Couleur des territoires", "Ateliers"], ["Couches", "Lieux d'atelier"],
        ["Phases", "Année 3 — autonomie"], ["Types de lieu", "Médiathèque"],
        ["Vue publique", "effectifs de 1 à 4 personnes d'une commune « < 5 »"],
        ["Avertissement", "Données de démonstration"],
        ["Source", "Tableau de bord TNE — volet parentalité"],
        ["Adresse de la vue", "https://tne.example.fr/carte?dep=95"]]
    assert rows.values.tolist() == [["95127", "Cergy", "7"]]


def test_the_carte_offers_the_map_s_image_and_data_named_after_it(app_env):
    for params, name in (({"dep": "95", "to": "2023-04-17"}, "Carte — Val-d'Oise (95)"),
                         ({}, "Carte — France entière")):
        at = open_page("carte.py", **params)
        assert not at.exception
        buttons = [(b.proto.label, b.proto.help.split(" : ")[0].replace("\\", ""))
                   for b in at.get("download_button")
                   if b.proto.label in (PNG_LABEL, CSV_LABEL)]
        assert buttons == [(PNG_LABEL, name), (CSV_LABEL, name)]
