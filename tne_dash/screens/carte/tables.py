"""The Carte page's table under the map, with French headers: what is shown is what is
exported."""

from __future__ import annotations

import pandas as pd

from tne_dash.catalogue import CATALOGUE
from tne_dash.figures.map_frames import TABLE_CODES, MapFrames
from tne_dash.figures.map_view import COLOUR_BY_PHASE, MapView
from tne_dash.ui.territory_map import colour_column
from tne_dash.vocabulary import PHASE_LABELS


def table_for_display(view: MapView, data: MapFrames) -> pd.DataFrame:
    """The rows the map shows, with French headers (département or commune view)."""
    table = data.table
    column, label, _ = colour_column(view)
    columns = {"name": "Département" if view.departement is None else "Commune",
               "population": "Population"}
    if "phase" in table:
        columns["phase"] = "Phase"
    columns |= {code: CATALOGUE[code].label for code in TABLE_CODES}
    if column != COLOUR_BY_PHASE and column not in columns:
        columns[column] = label
    out = table[list(columns)].rename(columns=columns)
    if "Phase" in out:
        out["Phase"] = out["Phase"].map(PHASE_LABELS)
    out.index.name = "Code"
    return out.reset_index()
