"""The phase timeline of a département: one row per engaged commune, its three planned years,
its phase at the chosen date and its status against the year's objectives."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection

from tne_dash.figures.filters import Filters
from tne_dash.figures.objectives import STATUS_SEVERITY, Status, commune_progress, commune_statuses
from tne_dash.figures.rollout import phases_at, rollout_plan
from tne_dash.figures.scope import DEPARTEMENT, Scope
from tne_dash.labels import format_date, format_number
from tne_dash.periods import Period
from tne_dash.text import fold
from tne_dash.vocabulary import PHASE_LABELS, PHASE_ORDER, PHASE_STATES

COMMUNE_COLUMNS = ["code_insee", "name", "label", "first_school_year", "engaged_on", "phase",
                   "status", "late_objectives"]


def commune_rollout(plan: pd.DataFrame, phases: pd.Series,
                    statuses: pd.DataFrame) -> pd.DataFrame:
    """One row per commune with a roll-out plan: ``label`` (its name, with the INSEE code for
    homonyms), year 1's school year and start, its phase at the date of ``phases``, and its
    status (sans objectif when it has no objective for the year)."""
    if plan.empty:
        return pd.DataFrame(columns=COMMUNE_COLUMNS)
    first = plan[plan["year_number"] == 1].set_index("code_insee")
    names = plan.drop_duplicates("code_insee").set_index("code_insee")["name"]
    homonyms = names[names.duplicated(keep=False)].index
    out = pd.DataFrame({"code_insee": names.index, "name": names.to_numpy()})
    out["label"] = [f"{n} ({c})" if c in homonyms else n
                    for c, n in zip(out["code_insee"], out["name"], strict=True)]
    out["first_school_year"] = out["code_insee"].map(first["school_year"])
    out["engaged_on"] = out["code_insee"].map(first["start_date"])
    out["phase"] = out["code_insee"].map(phases).fillna(PHASE_ORDER[0])
    by_commune = statuses.set_index("code_insee")
    out["status"] = out["code_insee"].map(by_commune["status"]).astype(object).fillna(
        Status.NO_TARGET.value)
    out["late_objectives"] = out["code_insee"].map(
        by_commune["late_objectives"]).astype(object).fillna("")
    return out[COMMUNE_COLUMNS]


def select_communes(communes: pd.DataFrame, phases: tuple[str, ...] = (),
                    statuses: tuple[str, ...] = (), sort: str = "debut") -> pd.DataFrame:
    """Filter by current phase and status (empty = all), then sort: ``debut`` (engagement
    date), ``nom``, ``phase`` (furthest along first) or ``statut`` (late first)."""
    out = communes
    if phases:
        out = out[out["phase"].isin(phases)]
    if statuses:
        out = out[out["status"].isin(statuses)]
    severity = {s.value: i for i, s in enumerate(STATUS_SEVERITY)}
    keys = {
        "debut": (["engaged_on", "_name"], [True, True]),
        "nom": (["_name"], [True]),
        "phase": (["_phase", "engaged_on", "_name"], [False, True, True]),
        "statut": (["_status", "engaged_on", "_name"], [True, True, True]),
    }[sort]
    # Names sort as a French reader expects: « Écouen » among the E, not after « Z ».
    out = out.assign(_phase=out["phase"].map(PHASE_ORDER.index),
                     _status=out["status"].map(severity), _name=out["name"].map(fold))
    return out.sort_values(keys[0], ascending=keys[1], kind="stable").drop(
        columns=["_phase", "_status", "_name"]).reset_index(drop=True)


def timeline_bars(plan: pd.DataFrame, communes: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The plan's years of the selected communes, with their label, status and whether the
    year is the one under way at ``as_of`` (where a late commune is outlined)."""
    bars = plan[plan["code_insee"].isin(communes["code_insee"])].merge(
        communes[["code_insee", "label", "status", "late_objectives"]], on="code_insee")
    bars["phase_label"] = bars["phase"].map(PHASE_LABELS)
    bars["status_label"] = bars["status"].map(Status.labels())
    bars["current"] = (bars["start_date"] <= as_of) & (as_of <= bars["end_date"])
    bars["late_now"] = bars["current"] & (bars["status"] == Status.LATE.value)
    return bars


def timeline_summary(communes: pd.DataFrame, place: str, as_of: dt.date,
                     filtered: bool = False) -> str:
    """The timeline in one French sentence (its text alternative)."""
    n = len(communes)
    if n == 0:
        return f"Aucune commune engagée ne correspond à ces filtres pour {place}."
    counts = communes["phase"].value_counts()
    parts = [f"{format_number(int(counts[p]))} {PHASE_STATES[p]}" for p in PHASE_ORDER
             if counts.get(p, 0)]
    late = communes[communes["status"] == Status.LATE.value]
    text = (f"{place}, au {format_date(as_of)} : {format_number(n)} commune"
            f"{'s' if n > 1 else ''} engagée{'s' if n > 1 else ''}"
            f"{' retenue' + ('s' if n > 1 else '') + ' par les filtres' if filtered else ''}"
            f" — {', '.join(parts)}.")
    if late.empty:
        return text + " Aucune n'est en retard sur ses objectifs de l'année."
    names = ", ".join(late["label"].head(10))
    more = f" et {format_number(len(late) - 10)} autre(s)" if len(late) > 10 else ""
    verb = "est en retard sur ses" if len(late) == 1 else "sont en retard sur leurs"
    return text + f" {format_number(len(late))} {verb} objectifs de l'année : {names}{more}."


def departement_rollout(conn: Connection, departement: str, period: Period, as_of: dt.date,
                        exact: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plan of every engaged commune of ``departement`` and one row per commune with its
    phase at ``as_of`` and its status against the objectives of ``period``."""
    area = Scope(DEPARTEMENT, departement)
    plan = rollout_plan(conn, area, Filters())
    phases = phases_at(plan["code_insee"].unique(), plan, as_of)
    statuses = commune_statuses(commune_progress(conn, area, period, as_of), exact)
    return plan, commune_rollout(plan, phases, statuses)
