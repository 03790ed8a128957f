"""The Indicateurs page's tables, in French: the indicator table by territory, the
breakdowns, and the filters written above every export — what is shown is what is exported.

Small counts of people of a commune read « < 5 » for the public, as on every page.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tne_dash.catalogue import CATALOGUE, PER_1000
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import MONTHLY_CODES
from tne_dash.figures.privacy import mask_small_counts
from tne_dash.labels import DEMO_BADGE, format_date, format_month
from tne_dash.periods import school_year_of
from tne_dash.screens.indicateurs.view import (
    CHOICE_PARAMS,
    FILTER_TITLES,
    LEVELS,
    SCHOOL_RESPONSIBLE,
    IndicateursView,
)
from tne_dash.vocabulary import FacilitatorKind, Theme, VenueKind, WorkshopFormat

NO_ACTIVITY = "Aucune activité pour ces filtres."
TABLE_CODES = ("workshops", "workshops" + PER_1000, "participations", "parents_reached",
               "parents_reached" + PER_1000, "children_reached", "workshop_hours", "venues",
               "parents_ressources_recruited", "parents_ressources_active", "cnfs_posts")
OBJECTIVE_CODES = ("workshops", "parents_reached")
BREAKDOWN_TITLES = {"theme": "Par thème", "format": "Par format", "venue_kind":
                    "Par type de lieu", "facilitator_kind": "Par animateur", "month": "Par mois"}
_BREAKDOWN_LABELS = {"theme": Theme, "format": WorkshopFormat, "venue_kind": VenueKind,
                     "facilitator_kind": FacilitatorKind}
TERRITORY, CODE = "Territoire", "Code"


def objective_column(code: str, as_of: dt.date) -> str:
    return f"% objectif {CATALOGUE[code].label.lower()} {school_year_of(as_of).label}"


def territory_table(table: pd.DataFrame, shares: pd.DataFrame, level: str, as_of: dt.date,
                    exact: bool) -> pd.DataFrame:
    """One row per territory: name, code, the table's indicators (numbers stay numbers,
    masked cells « < 5 »), and the % reached of its objectives of the school year."""
    masked = mask_small_counts(table, commune_level=level == "commune", exact=exact)
    out = pd.DataFrame({TERRITORY: masked["name"].fillna("") if level != "epci"
                        else masked["name"].fillna("Sans intercommunalité"),
                        CODE: masked["key"]})
    for code in TABLE_CODES:
        out[CATALOGUE[code].label] = _rounded(masked[code], CATALOGUE[code].decimals)
    if not shares.empty:
        by_key = shares.set_index("key")
        for code in OBJECTIVE_CODES:
            out[objective_column(code, as_of)] = [
                by_key.at[k, code] if k in by_key.index else None for k in out[CODE]]
    return out.sort_values(CATALOGUE["workshops"].label, ascending=False,
                           key=lambda s: pd.to_numeric(s, errors="coerce")).reset_index(
        drop=True)


def breakdown_label(by: str, key) -> str:
    """« ENT », « Collège », « oct. 2022 »; a workshop without a venue: « Sans lieu »."""
    if by == "month":
        return format_month(key)
    if key is None or (isinstance(key, float) and pd.isna(key)):
        return "Sans lieu"
    enum = _BREAKDOWN_LABELS[by]
    try:
        return enum(key).label
    except ValueError:
        return str(key)


def breakdown_frame(frame: pd.DataFrame, by: str, commune_level: bool,
                    exact: bool) -> pd.DataFrame:
    """A breakdown with French headers: the value, then the workshop indicators."""
    masked = mask_small_counts(frame, commune_level=commune_level, exact=exact)
    out = pd.DataFrame({BREAKDOWN_TITLES[by].removeprefix("Par ").capitalize():
                        [breakdown_label(by, k) for k in frame["key"]]})
    for code in MONTHLY_CODES:
        out[CATALOGUE[code].label] = _rounded(masked[code], CATALOGUE[code].decimals)
    return out


def _rounded(column: pd.Series, decimals: int):
    """Values as shown (« 0,4 » per 1 000, « 236,3 » hours), masked cells left as text."""
    if not pd.api.types.is_numeric_dtype(column):
        return column.to_numpy()
    if decimals:
        return column.round(decimals).to_numpy()
    return column.round().astype("Int64").to_numpy()  # counts read « 12 », not « 12,0 »


def filters_heading(view: IndicateursView, names: dict[str, str], demo: bool,
                    exact: bool) -> list[tuple[str, str]]:
    """The filters in words, written in the first rows of every export."""
    f: Filters = view.filters
    lines = [("Période", f"du {format_date(f.date_from)} au {format_date(f.date_to)}"),
             ("Territoire", ", ".join(names.get(c, c) for c in f.departements + f.communes)
              or "Les 12 départements TNE")]
    for key, (name, enum) in CHOICE_PARAMS.items():
        if values := getattr(f, name):
            lines.append((FILTER_TITLES[key], ", ".join(enum(v).label for v in values)))
    if f.school_levels:
        lines.append(("Responsables", ", ".join(
            f"{v} : {SCHOOL_RESPONSIBLE[v]}" for v in f.school_levels)))
    if f.rep_only:
        lines.append(("Éducation prioritaire", "communes avec une école ou un collège "
                                               "REP/REP+"))
    lines.append(("Regroupement", LEVELS[view.level]))
    lines.append(("Données de démonstration", ("incluses" if f.include_demo else "exclues")))
    if not exact:
        lines.append(("Vue publique", "effectifs de 1 à 4 personnes d'une commune « < 5 »"))
    if demo:
        lines.append(("Avertissement", DEMO_BADGE))
    return lines

