"""The Déploiement page's tables and sentences (the charts' text alternatives), in French:
what is shown is what is exported.

Small counts of people of a commune read « < 5 » for the public, as on every page.
"""

from __future__ import annotations

import pandas as pd

from tne_dash.figures.objectives import Status
from tne_dash.figures.privacy import MASK, mask_value
from tne_dash.labels import format_date, format_number, format_percent, format_value
from tne_dash.screens.deploiement.charts import FUNNEL_STAGES
from tne_dash.vocabulary import PHASE_LABELS


def funnel_frame(funnel: pd.DataFrame) -> pd.DataFrame:
    """The funnel as a table: each stage, communes that reached it, communes in it now."""
    return pd.DataFrame({
        "Étape": funnel["phase"].map(FUNNEL_STAGES),
        "Communes ayant atteint l'étape": funnel["reached"],
        "Phase actuelle": funnel["phase"].map(PHASE_LABELS),
        "Communes dans cette phase": funnel["communes"],
    })


def funnel_summary(funnel: pd.DataFrame, place: str) -> str:
    total, engaged, year2, autonomous = (int(v) for v in funnel["reached"])
    return (f"{place} : {format_number(engaged)} commune{'s' if engaged > 1 else ''} engagée"
            f"{'s' if engaged > 1 else ''} sur {format_number(total)}, dont "
            f"{format_number(year2)} en année 2 ou au-delà et {format_number(autonomous)} en "
            "autonomie.")


def progress_summary(points: pd.DataFrame, unit: str, decimals: int, exact: bool,
                     commune_level: bool) -> str:
    """« 28 au 17 avril 2023 pour un objectif de 30 (93,3 %) ; rythme attendu : 19. »"""
    if points.empty:
        return "L'année scolaire n'a pas encore commencé à cette date."
    last = points.iloc[-1]
    value = mask_value(last["indicator"], last["value"], commune_level=commune_level,
                       exact=exact)
    text = f"{format_value(value, unit, decimals)} au {format_date(last['date'])}"
    if pd.isna(last["target"]):
        return text + " (pas d'objectif pour cette année)."
    share = "" if value == MASK or last["target"] <= 0 else \
        f" ({format_percent(100.0 * value / last['target'])})"
    return (f"{text} pour un objectif de {format_value(last['target'], unit, decimals)}{share} "
            f"; rythme attendu à cette date : "
            f"{format_value(last['expected'], unit, decimals)}.")


def timeline_frame(communes: pd.DataFrame) -> pd.DataFrame:
    """The timeline's communes as a table (its text alternative)."""
    return pd.DataFrame({
        "Commune": communes["label"],
        "Code INSEE": communes["code_insee"],
        "Année 1": communes["first_school_year"],
        "Phase à la date": communes["phase"].map(PHASE_LABELS),
        "Statut de l'année": communes["status"].map(Status.labels()),
        "Objectifs en retard": communes["late_objectives"],
    })


def plan_frame(plan: pd.DataFrame) -> pd.DataFrame:
    """A commune's roll-out plan: « Année 1 — acculturation, 2021-2022, du … au … »."""
    return pd.DataFrame({
        "Phase": plan["phase"].map(PHASE_LABELS),
        "Année scolaire": plan["school_year"],
        "Du": plan["start_date"].map(format_date),
        "Au": plan["end_date"].map(format_date),
    })


# Counts of people hidden from the public: their cells are empty, this column names them.
MASKED_COLUMN = "Effectifs masqués"


def objectives_display(frame: pd.DataFrame) -> pd.DataFrame:
    """The objectives table as shown and exported: « Réalisé » and « % atteint » stay
    numbers (French figures, numeric sort) — a count hidden from the public (« < 5 ») is an
    empty cell, and « Effectifs masqués » says « Réalisé : < 5 » on its row."""
    out = frame.copy()
    hidden = out["Réalisé"].map(lambda v: isinstance(v, str) and v == MASK)
    for column in ("Réalisé", "% atteint"):
        out[column] = pd.to_numeric(out[column].map(lambda v: None if isinstance(v, str)
                                                    else v), errors="coerce").astype(float)
    if hidden.any():
        out[MASKED_COLUMN] = hidden.map({True: f"Réalisé : {MASK}", False: ""})
    return out
