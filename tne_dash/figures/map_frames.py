"""The frames behind a map view: the indicator table of its territories and its point layers,
masked for the viewer."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Connection

from tne_dash.figures import map_layers as layers
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_indicator_table
from tne_dash.figures.map_view import MapView
from tne_dash.figures.privacy import mask_small_counts
from tne_dash.figures.rollout import commune_phases
from tne_dash.figures.scope import COMMUNE, DEPARTEMENT, NATIONAL, Scope
from tne_dash.figures.vigilance_rules import (
    COMPLETE,
    RULE_ORDER,
    RULES,
    SEVERITY_LABELS,
    URGENT,
    WATCH,
)
from tne_dash.vocabulary import NOT_ENGAGED

# Figures shown for each territory in tooltips and in the table under the map.
TABLE_CODES = ("workshops", "parents_reached", "parents_ressources_recruited", "cnfs_posts",
               "venues")

# A commune's state on the map coloured by points de vigilance: its most severe point, else
# whether it is engaged (palette.VIGILANCE_COLOURS has one colour per state).
VIGILANCE_STATE, VIGILANCE_COUNT, VIGILANCE_REASONS = ("vigilance", "vigilance_points",
                                                       "vigilance_reasons")
STATE_OF_SEVERITY = {URGENT: "prioritaire", WATCH: "a_surveiller", COMPLETE: "a_completer"}
NO_POINT, NOT_ENGAGED_STATE = "aucun_point", "non_engagee"
VIGILANCE_STATES = {
    **{state: SEVERITY_LABELS[severity] for severity, state in STATE_OF_SEVERITY.items()},
    NO_POINT: "Engagée, aucun point",
    NOT_ENGAGED_STATE: "Non engagée, aucun point",
}


@dataclass(frozen=True)
class MapFrames:
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


POINT_LAYERS = ("cnfs", "venues", "schools")


def table_view(view: MapView) -> MapView:
    """What the indicator table of a view reads: its territory, period, phases and venue
    kinds — not its layers, colouring or selected commune (a cache key: changing those
    reuses the table)."""
    return MapView(departement=view.departement, date_from=view.date_from,
                   date_to=view.date_to, phases=view.phases, venue_kinds=view.venue_kinds,
                   layers=())


def layer_view(view: MapView) -> MapView:
    """What a point layer reads: the view's territory, period and venue kinds (its filters)."""
    return replace(table_view(view), phases=())


def load_map_table(conn: Connection, view: MapView) -> pd.DataFrame:
    """The indicator table of the view's territories (index ``key``): départements for
    France, communes with their phase for a département."""
    filters = view_filters(view)
    if view.departement is None:
        table = compute_indicator_table(conn, Scope(NATIONAL), filters, level="departement")
    else:
        scope = Scope(DEPARTEMENT, view.departement)
        table = compute_indicator_table(conn, scope, filters, level="commune")
        phases = commune_phases(conn, scope, filters, view.date_to)
        table["phase"] = table["key"].map(phases).fillna("not_engaged")
        if view.phases:
            table = table[table["phase"].isin(view.phases)]
    return table.set_index("key")


def load_map_layer(conn: Connection, view: MapView, layer: str) -> pd.DataFrame:
    """The points of one layer of ``POINT_LAYERS`` (schools: a département's only)."""
    filters = view_filters(view)
    if view.departement is None:
        if layer == "schools":
            return pd.DataFrame()
        scope = Scope(NATIONAL)
    else:
        scope = Scope(DEPARTEMENT, view.departement)
    read = {"cnfs": layers.cnfs_points, "venues": layers.venue_points,
            "schools": layers.school_points}[layer]
    return read(conn, scope, filters)


def map_frames(view: MapView, table: pd.DataFrame,
               points: dict[str, pd.DataFrame]) -> MapFrames:
    """The frames of a view from its table and the points of the layers it shows (a layer
    it hides is an empty frame, whatever ``points`` holds)."""
    shown = {layer: points.get(layer, pd.DataFrame()) if layer in view.layers
             else pd.DataFrame() for layer in POINT_LAYERS}
    return MapFrames(table=table, **shown,
                     demo=bool(table["demo"].any()) if "demo" in table else False)


def load_map_frames(conn: Connection, view: MapView) -> MapFrames:
    """Aggregated frames for the view: the indicator table and the point layers it shows."""
    return map_frames(view, load_map_table(conn, view),
                      {layer: load_map_layer(conn, view, layer)
                       for layer in POINT_LAYERS if layer in view.layers})


def with_vigilance(data: MapFrames, points: pd.DataFrame) -> MapFrames:
    """The frames of a département's map with each commune's points de vigilance
    (``vigilance_points`` of the département at the period's end): its state
    (``VIGILANCE_STATES``), how many points it has and their reasons, most severe first."""
    table = data.table.copy()
    own = points[points["level"] == COMMUNE]
    severity = own.groupby("code")["severity"].max()
    engaged = table["phase"] != NOT_ENGAGED if "phase" in table else pd.Series(
        False, index=table.index)
    table[VIGILANCE_STATE] = [
        STATE_OF_SEVERITY[int(severity[code])] if code in severity.index
        else NO_POINT if is_engaged else NOT_ENGAGED_STATE
        for code, is_engaged in zip(table.index, engaged, strict=True)]
    table[VIGILANCE_COUNT] = own.groupby("code").size().reindex(table.index).fillna(0).astype(
        int)
    reasons = {code: " ; ".join(RULES[r].title for r in sorted(
                   set(group["rule"]), key=lambda r: (-RULES[r].severity, RULE_ORDER[r])))
               for code, group in own.groupby("code")}
    table[VIGILANCE_REASONS] = [reasons.get(code, "") for code in table.index]
    return replace(data, table=table, demo=data.demo or bool(own["demo"].any()))


def for_viewer(data: MapFrames, view: MapView, exact: bool) -> MapFrames:
    """The data as this viewer may see it: small counts of people masked in commune rows."""
    if view.departement is None or exact:
        return data
    return replace(data, table=mask_small_counts(data.table, commune_level=True, exact=False))
