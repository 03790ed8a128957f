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
from tne_dash.figures.scope import DEPARTEMENT, NATIONAL, Scope

# Figures shown for each territory in tooltips and in the table under the map.
TABLE_CODES = ("workshops", "parents_reached", "parents_ressources_recruited", "cnfs_posts",
               "venues")


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


def load_map_frames(conn: Connection, view: MapView) -> MapFrames:
    """Aggregated frames for the view: the indicator table and the point layers."""
    filters = view_filters(view)
    day = view.date_to
    if view.departement is None:
        scope = Scope(NATIONAL)
        table = compute_indicator_table(conn, scope, filters, level="departement")
    else:
        scope = Scope(DEPARTEMENT, view.departement)
        table = compute_indicator_table(conn, scope, filters, level="commune")
        phases = commune_phases(conn, scope, filters, day)
        table["phase"] = table["key"].map(phases).fillna("not_engaged")
        if view.phases:
            table = table[table["phase"].isin(view.phases)]
    table = table.set_index("key")
    empty = pd.DataFrame()
    return MapFrames(
        table=table,
        cnfs=layers.cnfs_points(conn, scope, filters) if "cnfs" in view.layers else empty,
        venues=layers.venue_points(conn, scope, filters) if "venues" in view.layers else empty,
        schools=(layers.school_points(conn, scope, filters)
                 if "schools" in view.layers and view.departement else empty),
        demo=bool(table["demo"].any()) if "demo" in table else False,
    )


def for_viewer(data: MapFrames, view: MapView, exact: bool) -> MapFrames:
    """The data as this viewer may see it: small counts of people masked in commune rows."""
    if view.departement is None or exact:
        return data
    return replace(data, table=mask_small_counts(data.table, commune_level=True, exact=False))
