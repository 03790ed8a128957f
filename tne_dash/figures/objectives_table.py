"""The objectives' progress as a French table and sentence: what Déploiement shows, the
commune sheet prints and ``tne-dash objectives`` writes — one table for all three.

Small counts of people of a commune read « < 5 » for the public, as on every page.
"""

from __future__ import annotations

import pandas as pd

from tne_dash.figures.objectives import ObjectivesProgress, Status
from tne_dash.figures.privacy import MASK, mask_value, public_share
from tne_dash.figures.scope import COMMUNE
from tne_dash.labels import format_date, format_number, format_percent
from tne_dash.vocabulary import Source

OBJECTIVE_COLUMNS = ["Indicateur", "Unité", "Objectif", "Réalisé", "% atteint",
                     "Attendu à date (%)", "Statut", "Origine de l'objectif", "Code"]


def objectives_frame(progress: ObjectivesProgress, exact: bool) -> pd.DataFrame:
    """The objectives table with French headers; numbers stay numbers (for sorting and
    exports); for the public a commune's count of people is rounded to 5 or reads « < 5 »,
    and its % follows it."""
    commune_level = progress.scope.kind == COMMUNE
    rows = []
    for r in progress.table.itertuples():
        achieved = mask_value(r.indicator, r.achieved, commune_level=commune_level,
                              exact=exact)
        masked = achieved == MASK
        rows.append({
            "Indicateur": r.label, "Unité": r.unit, "Objectif": float(r.target),
            "Réalisé": achieved if masked or achieved is None else float(achieved),
            "% atteint": public_share(r.pct_reached, r.achieved, achieved),
            "Attendu à date (%)": None if r.status == Status.NO_TARGET.value
            else round(100.0 * progress.elapsed, 1),
            "Statut": Status(r.status).label, "Origine de l'objectif": Source(r.source).label,
            "Code": r.indicator,
        })
    return pd.DataFrame(rows, columns=OBJECTIVE_COLUMNS)


def objectives_heading(place: str, progress: ObjectivesProgress,
                       demo: bool | None = None) -> list[tuple[str, str]]:
    """The lines written above an exported table: what, where, when, and the demo notice —
    the objectives' own (``progress.demo``), or ``demo`` when a chart of the page gives it."""
    lines = [("Périmètre", place), ("Année scolaire", progress.period.label),
             ("Situation au", format_date(progress.as_of)),
             ("Part de l'année écoulée", format_percent(100.0 * progress.elapsed))]
    if progress.demo if demo is None else demo:
        lines.append(("Avertissement", "Données de démonstration"))
    return lines


def objectives_summary(progress: ObjectivesProgress) -> str:
    """The objectives in one French sentence per status (the table's short reading)."""
    statuses = progress.table["status"]
    if statuses.empty:
        return (f"Aucun objectif n'est enregistré pour ce périmètre en "
                f"{progress.period.label}.")
    counts = statuses.value_counts()
    parts = [f"{format_number(int(counts[s.value]))} {s.label.lower()}" for s in Status
             if counts.get(s.value, 0)]
    n = len(statuses)
    return (f"{format_number(n)} objectif{'s' if n > 1 else ''} en "
            f"{progress.period.label} au {format_date(progress.as_of)} "
            f"({format_percent(100.0 * progress.elapsed, 0)} de l'année écoulée) : "
            f"{', '.join(parts)}.")
