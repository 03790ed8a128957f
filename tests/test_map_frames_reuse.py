"""The map's figures are cached by what each part reads (ui/data.load_map_frames): the
table of the territories by the territory, period, phases and venue kinds; each point layer
by the territory, period and venue kinds. Turning a layer on or off, changing the colouring
or selecting a commune reuses what was read — and what is reused is what a fresh reading
gives. The point layers' rows are made once for the same points (ui/territory_map)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from apptest import open_page
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tne_dash.figures import map_frames
from tne_dash.figures.map_view import MapView
from tne_dash.store.db import make_engine

VAL_D_OISE = MapView(departement="95", date_to=dt.date(2023, 4, 17),
                     layers=("cnfs", "venues", "schools"))


def test_the_table_and_the_layers_read_the_same_whatever_the_layers_colour_or_commune(
        built_db_url):
    variants = [VAL_D_OISE, replace(VAL_D_OISE, layers=("cnfs",)),
                replace(VAL_D_OISE, colour_by="workshops", commune="95063"),
                replace(VAL_D_OISE, layers=())]
    assert len({map_frames.table_view(v) for v in variants}) == 1
    assert len({map_frames.layer_view(replace(v, phases=("acculturation",)))
                for v in variants}) == 1
    with make_engine(built_db_url).connect() as conn:
        whole = map_frames.load_map_frames(conn, VAL_D_OISE)
        table = map_frames.load_map_table(conn, map_frames.table_view(VAL_D_OISE))
        pd.testing.assert_frame_equal(table, whole.table)
        for layer in map_frames.POINT_LAYERS:
            points = map_frames.load_map_layer(conn, map_frames.layer_view(VAL_D_OISE), layer)
            assert not points.empty, layer
            pd.testing.assert_frame_equal(points, getattr(whole, layer))
        # A phase filter keeps the table's communes in that phase; the points stay.
        phased = replace(VAL_D_OISE, phases=("parents_ressources",))
        fewer = map_frames.load_map_frames(conn, phased)
        assert 0 < len(fewer.table) < len(whole.table)
        assert set(fewer.table["phase"]) == {"parents_ressources"}
        pd.testing.assert_frame_equal(fewer.venues, whole.venues)
        # France has no school layer (too many points: a département's only).
        france = map_frames.load_map_frames(conn, MapView(layers=("cnfs", "schools")))
        assert france.schools.empty and not france.cnfs.empty


def test_in_the_page_a_layer_turned_off_reads_nothing_from_the_database_again(app_env):
    at = open_page("carte.py", timeout=60, dep="95", to="2023-04-17",
                   couches="cnfs,venues,schools")
    assert not at.exception
    before = at.dataframe[0].value
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        next(box for box in at.checkbox if box.label == "Lieux d'atelier").uncheck()
        at.run()
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert not at.exception
    assert at.query_params["couches"] == "cnfs,schools"
    assert not [s for s in statements if "workshop" in s.lower()], statements
    pd.testing.assert_frame_equal(at.dataframe[0].value, before)


def test_a_rerun_of_the_map_makes_its_point_layers_once_and_draws_the_same_rows(
        app_env, monkeypatch):
    """Selecting a commune reruns the page: the point layers of the same points are those
    made before (``territory_map``'s layers, ``kept_by_content``), their rows neither made
    nor written again — and they are the rows a layer made afresh has."""
    from tne_dash import maps
    from tne_dash.ui import territory_map
    from tne_dash.vocabulary import VenueKind

    made: list[int] = []
    rows = maps._rows
    monkeypatch.setattr(maps, "_rows", lambda frame, *args: made.append(len(frame)) or rows(
        frame, *args))
    at = open_page("carte.py", timeout=60, dep="95", to="2023-04-17",
                   couches="cnfs,venues,schools")
    assert not at.exception
    made.clear()
    at.query_params["commune"] = "95063"
    at.run()
    assert not at.exception
    assert made == []  # the same points: the layers kept, no row made again
    with make_engine(app_env).connect() as conn:
        venues = map_frames.load_map_layer(
            conn, map_frames.layer_view(replace(VAL_D_OISE, layers=("venues",))), "venues")
    kept = territory_map.venue_layer(venues, VenueKind.labels())
    assert made == []
    assert kept.rows_json == maps.script_json(maps.venue_layer(venues, VenueKind.labels()).rows)
    assert made == [len(venues)]  # afresh: made
