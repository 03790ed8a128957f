"""Pure computations on indicator values for display: headline tiles, French formatted."""

from __future__ import annotations

from dataclasses import dataclass

from tne_dash.catalogue import CATALOGUE
from tne_dash.indicators import IndicatorValues
from tne_dash.labels import format_value
from tne_dash.reference import CNFS_VINTAGE

# The programme's headline figures, in the order a mayor reads them.
HEADLINE_CODES = (
    "tne_departements",
    "communes_engaged",
    "workshops",
    "parents_reached",
    "parents_ressources_recruited",
    "parents_ressources_meetings",
    "cnfs_posts",
    "cnfs_structures",
)


@dataclass(frozen=True)
class Kpi:
    """A tile: label, formatted value, and how it is computed (shown as help)."""

    code: str
    label: str
    value: str
    help: str


def headline_kpis(values: IndicatorValues) -> list[Kpi]:
    """The home page's tiles for the scope of ``values`` (indicators that apply to it)."""
    tiles = []
    for code in HEADLINE_CODES:
        ind = CATALOGUE[code]
        if values.scope.kind not in ind.scopes:
            continue
        label = ind.label
        if code == "cnfs_posts":
            label = f"{ind.label} (fichier ANCT du {CNFS_VINTAGE})"
        tiles.append(Kpi(code, label, format_value(values[code], ind.unit, ind.decimals),
                         ind.computation))
    return tiles
