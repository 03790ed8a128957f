"""Pure computations on indicator values for display: headline tiles, French formatted."""

from __future__ import annotations

from dataclasses import dataclass

from tne_dash.catalogue import CATALOGUE
from tne_dash.figures.filter_scope import unfiltered
from tne_dash.figures.indicators import IndicatorValues
from tne_dash.figures.privacy import mask_value
from tne_dash.labels import format_value
from tne_dash.store.reference import CNFS_VINTAGE

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
    # Change against the previous comparable period (« +12 (+5,3 %) »), when there is one.
    delta: str | None = None


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


# The Indicateurs page's tiles, in reading order.
EXPLORER = {
    "workshops": "Ateliers",
    "participations": "Participations de parents",
    "parents_reached": "Parents touchés (1re venue)",
    "workshop_hours": "Heures d'atelier",
    "parents_ressources_recruited": "Parents Ressources recrutés",
    "cnfs_posts": "Postes CNFS",
    "venues": "Lieux d'atelier actifs",
}


def change(current: float | int | None, previous: float | int | None,
           decimals: int = 0) -> str | None:
    """« +12 (+5,3 %) », « -3 (-20,0 %) », « +4 » from 0, « = (stable) » when equal.
    (An ASCII minus: Streamlit reads the direction of a delta from its first character.)"""
    if current is None or previous is None:
        return None
    diff = current - previous
    if round(diff, decimals) == 0:
        return "= (stable)"
    sign = "+" if diff > 0 else "-"
    text = f"{sign}{format_value(abs(diff), '', decimals)}"
    if previous:
        text += f" ({sign}{format_value(abs(100.0 * diff / previous), '', 1)} %)"
    return text


def explorer_kpis(values: IndicatorValues, previous: IndicatorValues | None,
                  previous_label: str, exact: bool = True) -> list[Kpi]:
    """The Indicateurs tiles, each with its change against ``previous`` (when given).

    A tile an active filter does not apply to says so first in its note (« non filtré par
    thème »): its figure is the same whatever that filter."""
    commune_level = bool(values.filters.communes)
    not_filtered = unfiltered(EXPLORER, values.filters)
    tiles = []
    for code, label in EXPLORER.items():
        ind = CATALOGUE[code]
        shown = mask_value(code, values[code], commune_level=commune_level, exact=exact)
        before = None if previous is None else mask_value(
            code, previous[code], commune_level=commune_level, exact=exact)
        masked = isinstance(shown, str) or isinstance(before, str)
        tiles.append(Kpi(
            code, label, format_value(shown, ind.unit, ind.decimals),
            f"{ind.label} : {ind.computation}",
            note=_with_scope_note(not_filtered.get(code),
                                  CNFS_NOTE if code.startswith("cnfs_") else previous_label),
            delta=None if masked else change(shown, before, ind.decimals)))
    return tiles


# Marks a tile whose figure a filter does not change (Markdown of the tile's caption).
UNFILTERED_MARK = ":material/filter_alt_off:"


def _with_scope_note(unfiltered_note: str | None, note: str) -> str:
    """« :material/filter_alt_off: **Non filtré par thème** · Fichier ANCT du … »."""
    if not unfiltered_note:
        return note
    marked = f"{UNFILTERED_MARK} **{unfiltered_note[0].upper()}{unfiltered_note[1:]}**"
    return f"{marked} · {note}" if note else marked
