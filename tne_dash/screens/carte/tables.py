"""The Carte page's table under the map, with French headers: what is shown is what is
exported."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tne_dash.catalogue import CATALOGUE, PER_1000
from tne_dash.figures.map_frames import (
    TABLE_CODES,
    VIGILANCE_COUNT,
    VIGILANCE_REASONS,
    VIGILANCE_STATE,
    VIGILANCE_STATES,
    MapFrames,
)
from tne_dash.figures.map_view import COLOUR_BY_PHASE, COLOUR_BY_VIGILANCE, MapView
from tne_dash.figures.privacy import MASK
from tne_dash.labels import DEMO_BADGE, format_date
from tne_dash.ui.territory_map import colour_column
from tne_dash.vocabulary import PHASE_LABELS, VenueKind


def table_for_display(view: MapView, data: MapFrames) -> pd.DataFrame:
    """The rows the map shows, with French headers (département or commune view)."""
    table = data.table
    column, label, _ = colour_column(view)
    columns = {"name": "Département" if view.departement is None else "Commune",
               "population": "Population"}
    if "phase" in table:
        columns["phase"] = "Phase"
    if column == COLOUR_BY_VIGILANCE and VIGILANCE_STATE in table:
        # The map's colours as text: each commune's state, its points and their reasons.
        columns |= {VIGILANCE_STATE: label, VIGILANCE_COUNT: "Nombre de points",
                    VIGILANCE_REASONS: "Motifs de vigilance"}
    columns |= {code: CATALOGUE[code].label for code in TABLE_CODES}
    if column not in (COLOUR_BY_PHASE, COLOUR_BY_VIGILANCE) and column not in columns:
        columns[column] = label
    out = table[list(columns)].rename(columns=columns)
    if "Phase" in out:
        out["Phase"] = out["Phase"].map(PHASE_LABELS)
    if VIGILANCE_STATE in columns:
        out[label] = out[label].map(VIGILANCE_STATES)
    # Numbers stay numbers (French figures, numeric sort): a count hidden from the public
    # (« < 5 ») is an empty cell, named in « Effectifs masqués ».
    hidden = {code: table[code].map(_is_masked) for code in columns
              if code in CATALOGUE and table[code].map(_is_masked).any()}
    for code, header in columns.items():
        if code == "population" or code in CATALOGUE:
            values = pd.to_numeric(table[code].map(lambda v: None if isinstance(v, str) else v),
                                   errors="coerce")
            decimals = CATALOGUE[code].decimals if code in CATALOGUE else 0
            if code.endswith(PER_1000):
                decimals = max(decimals, 1)
            out[header] = (values.round(decimals) if decimals
                           else values.round().astype("Int64"))
    if hidden:
        # A rate is named only when its count is not in the table.
        named = [c for c in hidden if c.removesuffix(PER_1000) == c
                 or c.removesuffix(PER_1000) not in hidden]
        out[MASKED_COLUMN] = [
            _masked_note([CATALOGUE[code].label for code in named if hidden[code].loc[key]])
            for key in table.index]
    if VIGILANCE_STATE in columns:
        # Most severe first, then the most points, then the name.
        rank = table[VIGILANCE_STATE].map(list(VIGILANCE_STATES).index)
        out = out.loc[pd.DataFrame({"rank": rank, "points": -table[VIGILANCE_COUNT],
                                    "name": table["name"]})
                      .sort_values(["rank", "points", "name"], kind="stable").index]
    out.index.name = "Code"
    return out.reset_index()


# Counts of people hidden from the public: their cells are empty, this column names them.
MASKED_COLUMN = "Effectifs masqués"


def _is_masked(value) -> bool:
    return isinstance(value, str) and value == MASK


def _masked_note(labels: list[str]) -> str:
    """« Parents touchés, enfants présents : < 5 »; empty when nothing is hidden."""
    if not labels:
        return ""
    return ", ".join([labels[0], *(label.lower() for label in labels[1:])]) + f" : {MASK}"


def map_heading(view: MapView, place: str, colouring: str, layers: list[str], exact: bool,
                demo: bool) -> list[tuple[str, str]]:
    """The first lines of the map's CSV (after its title): territory, period, colouring,
    layers, the filters chosen, and the notices."""
    start = format_date(view.date_from) if view.date_from else "le début du programme"
    lines = [("Territoire", place),
             ("Période", f"du {start} au {format_date(view.date_to or dt.date.today())}"),
             ("Couleur des territoires", colouring),
             ("Couches", ", ".join(layers) or "aucune")]
    if view.phases:
        lines.append(("Phases", ", ".join(PHASE_LABELS[p] for p in view.phases)))
    if view.venue_kinds:
        kinds = VenueKind.labels()
        lines.append(("Types de lieu", ", ".join(kinds.get(k, k) for k in view.venue_kinds)))
    if not exact:
        lines.append(("Vue publique", f"effectifs de 1 à 4 personnes d'une commune « {MASK} »"))
    if demo:
        lines.append(("Avertissement", DEMO_BADGE))
    return lines
