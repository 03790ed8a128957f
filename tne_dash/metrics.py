"""Pure computations on indicator values for display: headline tiles, French formatted."""

from __future__ import annotations

from dataclasses import dataclass

from tne_dash.catalogue import CATALOGUE
from tne_dash.indicators import IndicatorValues
from tne_dash.labels import format_value
from tne_dash.privacy import mask_value
from tne_dash.reference import CNFS_VINTAGE

# The programme's headline figures, in the order a mayor reads them, with tile labels short
# enough for a tile (the catalogue's full label goes in the help).
HEADLINE = {
    "tne_departements": "Départements TNE",
    "communes_engaged": "Communes engagées",
    "workshops": "Ateliers",
    "parents_reached": "Parents touchés",
    "parents_ressources_recruited": "Parents Ressources recrutés",
    "parents_ressources_meetings": "Réunions Parents Ressources",
    "cnfs_posts": "Postes CNFS",
    "cnfs_structures": "Structures CNFS",
}
CNFS_NOTE = f"Fichier ANCT du {CNFS_VINTAGE}"


@dataclass(frozen=True)
class Kpi:
    """A tile: label, formatted value, how it is computed (help) and a source note."""

    code: str
    label: str
    value: str
    help: str
    note: str = ""


def headline_kpis(values: IndicatorValues, exact: bool = True) -> list[Kpi]:
    """The home page's tiles for the scope of ``values`` (indicators that apply to it).

    ``exact=False`` (anonymous viewers) masks small counts of people of a commune.
    """
    tiles = []
    commune_level = values.scope.kind == "commune"
    for code, label in HEADLINE.items():
        ind = CATALOGUE[code]
        if values.scope.kind not in ind.scopes:
            continue
        shown = mask_value(code, values[code], commune_level=commune_level, exact=exact)
        tiles.append(Kpi(
            code, label, format_value(shown, ind.unit, ind.decimals),
            f"{ind.label} : {ind.computation}",
            note=CNFS_NOTE if code.startswith("cnfs_") else "",
        ))
    return tiles
