"""The Indicateurs page's tables, in French: the indicator table by territory, the
breakdowns, and the filters written above every export — what is shown is what is exported.

Small counts of people of a commune read « < 5 » for the public, as on every page.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tne_dash.catalogue import CATALOGUE, PER_1000
from tne_dash.figures.filter_scope import FILTER_TITLES as WORKSHOP_FILTER_TITLES
from tne_dash.figures.filter_scope import unfiltered
from tne_dash.figures.filters import Filters, SchoolLevelFilter
from tne_dash.figures.indicators import MONTHLY_CODES
from tne_dash.figures.objectives import BASIS, CHOSEN_COMMUNES
from tne_dash.figures.privacy import MASK, mask_small_counts, mask_value, public_share
from tne_dash.labels import DEMO_BADGE, format_date, format_month
from tne_dash.periods import school_year_of
from tne_dash.screens.indicateurs.view import (
    CHOICE_PARAMS,
    FILTER_TITLES,
    LEVELS,
    REP_FILTER_TITLE,
    REP_FILTER_WORDING,
    SCHOOL_RESPONSIBLE,
    IndicateursView,
)
from tne_dash.vocabulary import FacilitatorKind, Theme, VenueKind, WorkshopFormat

NO_ACTIVITY = "Aucune activité pour ces filtres."
# The workshop filters keep no workshop: the figures they do not apply to still show.
NO_WORKSHOP = "Aucun atelier ne correspond à ces filtres."
# The first rows of the territory table's export: its columns a filter does not apply to.
UNFILTERED_HEADING = "Colonnes non filtrées"
TABLE_CODES = ("workshops", "workshops" + PER_1000, "participations", "parents_reached",
               "parents_reached" + PER_1000, "children_reached", "workshop_hours", "venues",
               "parents_ressources_recruited", "parents_ressources_active", "cnfs_posts")
OBJECTIVE_CODES = ("workshops", "parents_reached")
BREAKDOWN_TITLES = {"theme": "Par thème", "format": "Par format", "venue_kind":
                    "Par type de lieu", "facilitator_kind": "Par animateur", "month": "Par mois"}
_BREAKDOWN_LABELS = {"theme": Theme, "format": WorkshopFormat, "venue_kind": VenueKind,
                     "facilitator_kind": FacilitatorKind}
TERRITORY, CODE = "Territoire", "Code"
GROUPING = "Regroupement"  # the table's grouping, a line of its exports' heading


def objective_column(code: str, as_of: dt.date) -> str:
    """« % objectif ateliers 2022-2023 »: the header of a % reached column."""
    return f"% objectif {CATALOGUE[code].label.lower()} {school_year_of(as_of).label}"


def territory_table(table: pd.DataFrame, shares: pd.DataFrame, level: str, as_of: dt.date,
                    exact: bool, selection: bool = False) -> pd.DataFrame:
    """One row per territory: name, code, the table's indicators and the % reached of its
    objectives of the school year.

    Numbers stay numbers, so that every column reads the French way and sorts as a number:
    a count of people hidden from the public (« < 5 ») is an empty cell, named in the
    « Effectifs masqués » column. ``selection``: the filters keep chosen communes — a row
    then holds commune counts and follows the public rule, whatever the grouping. When a
    % is measured on chosen communes of a département, « Base du % objectif » says on
    which objective (``objective_shares``)."""
    commune_level = level == "commune" or selection
    masked = mask_small_counts(table, commune_level=commune_level,
                               exact=exact).reset_index(drop=True)
    out = pd.DataFrame({TERRITORY: masked["name"].fillna("") if level != "epci"
                        else masked["name"].fillna("Sans intercommunalité"),
                        CODE: masked["key"]})
    for code in TABLE_CODES:
        out[CATALOGUE[code].label] = _rounded(masked[code], CATALOGUE[code].decimals)
    notes = [_masked_labels(row, TABLE_CODES) for _, row in masked.iterrows()]
    if not shares.empty:
        by_key = shares.set_index("key")
        for code in (c for c in OBJECTIVE_CODES if c in by_key):
            column = objective_column(code, as_of)
            values = []
            for index, key in enumerate(out[CODE]):
                share = _public_objective_share(by_key, key, code, commune_level, exact)
                if share == MASK:
                    notes[index].append(f"{CATALOGUE[code].label} de l'année scolaire")
                    share = None
                values.append(share)
            out[column] = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        if BASIS in by_key and (by_key[BASIS] == CHOSEN_COMMUNES).any():
            out[OBJECTIVE_BASIS] = [_objective_basis(by_key, key, level) for key in out[CODE]]
    if any(notes):
        out[MASKED_COLUMN] = [_masked_note(labels) for labels in notes]
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
    """A breakdown with French headers: the value, then the workshop indicators — numbers
    that stay numbers; a count hidden from the public is an empty cell named in the
    « Effectifs masqués » column."""
    masked = mask_small_counts(frame, commune_level=commune_level,
                               exact=exact).reset_index(drop=True)
    out = pd.DataFrame({BREAKDOWN_TITLES[by].removeprefix("Par ").capitalize():
                        [breakdown_label(by, k) for k in masked["key"]]})
    for code in MONTHLY_CODES:
        out[CATALOGUE[code].label] = _rounded(masked[code], CATALOGUE[code].decimals)
    notes = [_masked_labels(row, MONTHLY_CODES) for _, row in masked.iterrows()]
    if any(notes):
        out[MASKED_COLUMN] = [_masked_note(labels) for labels in notes]
    return out


def _rounded(column: pd.Series, decimals: int) -> pd.Series:
    """Values as shown (« 0,4 » per 1 000, « 236,3 » hours, counts « 12 » not « 12,0 »),
    always numbers: a masked cell (« < 5 ») is missing (NaN, or <NA> for counts)."""
    values = pd.to_numeric(column.where(column != MASK), errors="coerce").astype(float)
    if decimals:
        return values.round(decimals).reset_index(drop=True)
    return values.round().astype("Int64").reset_index(drop=True)


def filters_heading(view: IndicateursView, names: dict[str, str], demo: bool,
                    exact: bool) -> list[tuple[str, str]]:
    """The filters in words, written in the first rows of every export."""
    f: Filters = view.filters
    lines = [("Période", f"du {format_date(f.date_from)} au {format_date(f.date_to)}"),
             (TERRITORY, ", ".join(names.get(c, c) for c in f.departements + f.communes)
              or "Les 12 départements TNE")]
    for key, (name, enum) in CHOICE_PARAMS.items():
        if values := getattr(f, name):
            lines.append((FILTER_TITLES[key], ", ".join(enum(v).label for v in values)))
    if f.school_levels:
        lines.append(("Responsables", ", ".join(
            f"{SchoolLevelFilter(v).label} : {SCHOOL_RESPONSIBLE[v]}" for v in f.school_levels)))
    if f.rep_only:
        lines.append((REP_FILTER_TITLE, REP_FILTER_WORDING))
    lines.append((GROUPING, LEVELS[view.level]))
    lines.append(("Données de démonstration", ("incluses" if f.include_demo else "exclues")))
    if not exact:
        lines.append(("Vue publique", "effectifs de 1 à 4 personnes d'une commune « < 5 »"))
    if demo:
        lines.append(("Avertissement", DEMO_BADGE))
    return lines


def unfiltered_columns(columns, filters: Filters, as_of: dt.date) -> dict[str, str]:
    """The columns of the territory table (among ``columns``) that an active filter does not
    apply to, each with its note: « Postes de conseillers numériques » → « non filtré par
    période, thème ». The % objectif count every workshop of the school year: no workshop
    filter applies to them."""
    notes = {CATALOGUE[code].label: note
             for code, note in unfiltered(TABLE_CODES, filters).items()}
    workshop_filters = [title.lower() for name, title in WORKSHOP_FILTER_TITLES.items()
                        if getattr(filters, name)]
    if workshop_filters:
        for code in OBJECTIVE_CODES:
            notes[objective_column(code, as_of)] = (
                f"non filtré par {', '.join(workshop_filters)} (tous les ateliers de l'année "
                "scolaire)")
    return {column: notes[column] for column in columns if column in notes}


def unfiltered_lines(notes: dict[str, str]) -> list[tuple[str, str]]:
    """``unfiltered_columns`` as rows of an export's heading, one per note:
    (« Colonnes non filtrées », « Parents Ressources recrutés, Postes … : non filtré par
    thème »)."""
    by_note: dict[str, list[str]] = {}
    for column, note in notes.items():
        by_note.setdefault(note, []).append(column)
    return [(UNFILTERED_HEADING, f"{', '.join(columns)} : {note}")
            for note, columns in by_note.items()]


def _masked_labels(row: pd.Series, codes) -> list[str]:
    """The labels of the counts of people of ``row`` hidden from the public (rates follow
    their count and are not named again)."""
    return [CATALOGUE[code].label for code in codes
            if not code.endswith(PER_1000) and isinstance(row.get(code), str)
            and row[code] == MASK]


def _public_objective_share(by_key: pd.DataFrame, key, code: str, commune_level: bool,
                            exact: bool):
    """The % reached of ``code`` for the row ``key`` as this viewer sees it: for the public,
    a commune's count of people is rounded to 5 (or « < 5 ») before it is divided."""
    if key not in by_key.index or pd.isna(share := by_key.at[key, code]):
        return None
    achieved_column = f"achieved:{code}"
    if achieved_column not in by_key:
        return float(share)
    achieved = by_key.at[key, achieved_column]
    shown = mask_value(code, achieved, commune_level=commune_level, exact=exact)
    return public_share(float(share), achieved, shown)


def _objective_basis(by_key: pd.DataFrame, key, level: str) -> str:
    """What a row's % objectif divides by, in words (shown when the filters keep only some
    communes of a département)."""
    if key not in by_key.index:
        return "—"
    if by_key.at[key, BASIS] != CHOSEN_COMMUNES:
        return "objectif de la commune" if level == "commune" else "objectif du département"
    readings = {code: NO_SELECTION_OBJECTIVE if pd.isna(by_key.at[key, code])
                else SELECTION_OBJECTIVE for code in OBJECTIVE_CODES if code in by_key}
    if len(set(readings.values())) == 1:
        return next(iter(readings.values()))
    return " ; ".join(f"{CATALOGUE[code].label.lower()} : {reading}"
                      for code, reading in readings.items())


def _masked_note(labels: list[str]) -> str:
    """« Parents touchés, enfants présents : < 5 »; empty when nothing is hidden."""
    if not labels:
        return ""
    return ", ".join([labels[0], *(label.lower() for label in labels[1:])]) + f" : {MASK}"


# Counts of people hidden from the public: their cells are empty, this column names them.
MASKED_COLUMN = "Effectifs masqués"
# What a % objectif divides by, when the filters keep only some communes of a département.
OBJECTIVE_BASIS = "Base du % objectif"
SELECTION_OBJECTIVE = "somme des objectifs des communes retenues"
NO_SELECTION_OBJECTIVE = ("— (objectif du département, pas de la sélection : une commune "
                          "retenue n'a pas d'objectif)")
