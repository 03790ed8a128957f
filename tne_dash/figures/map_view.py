"""What a map shows, as a value: France or one département, the period, the filters, the
colouring and the point layers (Carte and Présentation draw from it; the cache keys on it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

LAYERS = ("cnfs", "venues", "schools")
DEFAULT_LAYERS = ("cnfs", "venues")
COLOUR_BY_PHASE = "phase"
# Communes by their points de vigilance at the period's end (a département's map).
COLOUR_BY_VIGILANCE = "vigilance"
NO_LAYER = "aucune"


@dataclass(frozen=True)
class MapView:
    """What the map shows: France or one département, period, filters, colouring, layers."""

    departement: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    phases: tuple[str, ...] = ()
    venue_kinds: tuple[str, ...] = ()
    colour_by: str = COLOUR_BY_PHASE
    layers: tuple[str, ...] = DEFAULT_LAYERS
    commune: str | None = None
    problems: tuple[str, ...] = field(default=(), compare=False)
