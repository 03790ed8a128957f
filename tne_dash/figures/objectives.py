"""Objectives against what was achieved: the status rule and the tables built on it.

« On track » compares the share of the target achieved with the share of the period elapsed
at a date given by the caller — nothing here reads the clock. Achieved values come from
``indicators.compute_indicator_table``, the one code path of every figure.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from tne_dash.catalogue import CATALOGUE
from tne_dash.figures.filters import Filters, territory_clauses
from tne_dash.figures.indicators import (
    IndicatorValues,
    compute_indicator_sums,
    compute_indicator_table,
    compute_indicators,
    is_count,
)
from tne_dash.figures.privacy import mask_value
from tne_dash.figures.scope import COMMUNE, DEPARTEMENT, NATIONAL, TNE, Scope
from tne_dash.labels import format_figure
from tne_dash.periods import Period, school_year_of
from tne_dash.store.frames import read_frame
from tne_dash.store.models import Commune, Objective
from tne_dash.vocabulary import LabelledEnum, register_labels


class Status(LabelledEnum):
    REACHED = "atteint"
    ON_TRACK = "en_bonne_voie"
    LATE = "en_retard"
    NO_TARGET = "sans_objectif"


register_labels(Status, {
    Status.REACHED: "Atteint",
    Status.ON_TRACK: "En bonne voie",
    Status.LATE: "En retard",
    Status.NO_TARGET: "Sans objectif",
})
# From the most to the least worrying: a commune takes the first status any objective has.
STATUS_SEVERITY = (Status.LATE, Status.ON_TRACK, Status.REACHED, Status.NO_TARGET)


def elapsed_share(period: Period, as_of: dt.date) -> float:
    """Share of ``period`` elapsed at the end of ``as_of``: 0 before it starts, 1 after it ends."""
    if as_of < period.start:
        return 0.0
    if as_of >= period.end:
        return 1.0
    return ((as_of - period.start).days + 1) / ((period.end - period.start).days + 1)


def objective_status(achieved: float | None, target: float | None, elapsed: float) -> Status:
    """Atteint when the target is met; en bonne voie when the share achieved keeps pace with
    the share of the period elapsed; en retard otherwise. A missing or zero target means there
    is nothing to track: sans objectif. (``objective_statuses`` for one objective: one rule.)"""
    return Status(objective_statuses([achieved], [target], elapsed)[0])


def objective_statuses(achieved, target, elapsed: float) -> np.ndarray:
    """The status of many objectives at once (their values, as in the tables; the rule is
    ``objective_status``'s): France's 11 500 commune objectives in one array operation."""
    target = np.asarray(target, dtype=float)
    done = np.nan_to_num(np.asarray(achieved, dtype=float), nan=0.0)
    tracked = target > 0  # a missing target (NaN) is not above 0
    with np.errstate(divide="ignore", invalid="ignore"):
        on_pace = done / target >= elapsed
    return np.select([~tracked, done >= target, on_pace],
                     [Status.NO_TARGET.value, Status.REACHED.value, Status.ON_TRACK.value],
                     Status.LATE.value)


def share_reached(achieved: float | None, target: float | None) -> float | None:
    """100 × achieved ÷ target; None without a positive target."""
    if target is None or math.isnan(target) or target <= 0:
        return None
    return 100.0 * (0.0 if achieved is None or math.isnan(achieved) else achieved) / target


def worst_status(statuses) -> Status:
    """The most worrying of ``statuses`` (sans objectif when there is none)."""
    present = set(statuses)
    return next((s for s in STATUS_SEVERITY if s in present), Status.NO_TARGET)


def period_filters(period: Period, as_of: dt.date, include_demo: bool = True) -> Filters:
    """The filters of « achieved to date »: from the period's start to ``as_of`` (at most its
    end). Stock indicators (PCN share, strategies, engaged communes) only use the end date."""
    return Filters(date_from=period.start, date_to=min(as_of, period.end),
                   include_demo=include_demo)


def objective_scope(scope: Scope) -> tuple[str, str]:
    """The (scope_kind, scope_code) objectives are recorded under: the TNE view reads the
    programme's national objectives."""
    if scope.kind in (NATIONAL, TNE):
        return NATIONAL, ""
    return scope.kind, scope.code


def read_objectives(conn: Connection, scope: Scope, period: Period) -> pd.DataFrame:
    """Objectives of one scope and period: indicator, target, source (one row per indicator)."""
    kind, code = objective_scope(scope)
    stmt = (select(Objective.indicator, Objective.target, Objective.source)
            .where(Objective.scope_kind == kind, Objective.scope_code == code,
                   Objective.period_label == period.label)
            .order_by(Objective.indicator))
    return pd.read_sql(stmt, conn)


@dataclass(frozen=True)
class ObjectivesProgress:
    """Objectives of a scope and period at a date, with the values they are measured on."""

    scope: Scope
    period: Period
    as_of: dt.date
    elapsed: float
    # indicator, label, unit, decimals, target, achieved, pct_reached, status, source
    table: pd.DataFrame
    values: IndicatorValues  # the objectives' indicators only

    @property
    def demo(self) -> bool:
        """Demo rows in the objectives: a demo target, or demo rows in an achieved value."""
        return self.values.demo or bool((self.table["source"] == "demo").any())


def objectives_progress(conn: Connection, scope: Scope, period: Period, as_of: dt.date,
                        include_demo: bool = True) -> ObjectivesProgress:
    """Every objective of ``scope`` for ``period``: target, achieved to ``as_of``, % reached
    and status, in catalogue order. Only the objectives' indicators are computed (France's
    two national objectives: 15 ms, against 140 for every indicator family)."""
    objectives = read_objectives(conn, scope, period)
    if not include_demo:
        objectives = objectives[objectives["source"] != "demo"]
    codes = tuple(sorted(set(objectives["indicator"]).intersection(CATALOGUE)))
    values = compute_indicators(conn, scope, period_filters(period, as_of, include_demo),
                                codes=codes)
    elapsed = elapsed_share(period, as_of)
    rows = []
    order = list(CATALOGUE)
    for obj in objectives.itertuples():
        if obj.indicator not in CATALOGUE:
            continue  # a code retired from the catalogue: nothing to measure it with
        ind = CATALOGUE[obj.indicator]
        achieved = values[obj.indicator]
        rows.append({
            "indicator": obj.indicator, "label": ind.label, "unit": ind.unit,
            "decimals": ind.decimals, "target": float(obj.target), "achieved": achieved,
            "pct_reached": share_reached(achieved, obj.target),
            "status": objective_status(achieved, obj.target, elapsed).value,
            "source": obj.source,
        })
    table = pd.DataFrame(rows, columns=["indicator", "label", "unit", "decimals", "target",
                                        "achieved", "pct_reached", "status", "source"])
    table = table.sort_values("indicator", key=lambda s: s.map(order.index), kind="stable")
    return ObjectivesProgress(scope, period, as_of, elapsed, table.reset_index(drop=True),
                              values)


def commune_objectives(conn: Connection, area: Scope, period: Period) -> pd.DataFrame:
    """The objectives of the communes of ``area`` for ``period`` as stored, whatever the
    date: code_insee, indicator, target, source (``commune_progress`` measures them)."""
    communes = select(Commune.code_insee).where(*territory_clauses(area, Filters()))
    return read_frame(conn, select(Objective.scope_code.label("code_insee"), Objective.indicator,
                                   Objective.target, Objective.source)
                      .where(Objective.scope_kind == COMMUNE, Objective.scope_code.in_(communes),
                             Objective.period_label == period.label))


def commune_progress(conn: Connection, area: Scope, period: Period, as_of: dt.date,
                     include_demo: bool = True, objectives: pd.DataFrame | None = None
                     ) -> pd.DataFrame:
    """Status of every commune of ``area`` (a département, the TNE, France) with objectives
    for ``period``.

    One row per commune and objective: code_insee, indicator, target, achieved, pct_reached,
    status — measured with one indicator table grouped by commune, whatever the size of the
    area (France: one table, not one per département). ``objectives``: the area's
    ``commune_objectives`` when the caller has read them already (read here otherwise).
    """
    if objectives is None:
        objectives = commune_objectives(conn, area, period)
    if not include_demo:
        objectives = objectives[objectives["source"] != "demo"]
    objectives = objectives[objectives["indicator"].isin(list(CATALOGUE))]
    columns = ["code_insee", "indicator", "target", "achieved", "pct_reached", "status"]
    if objectives.empty:
        return pd.DataFrame(columns=columns)
    # Only the queries of the indicators with objectives (the same figures, less work), and
    # when they are all counts, only the communes with activity (a commune absent counts 0).
    codes = tuple(sorted(objectives["indicator"].unique().tolist()))
    measured = period_filters(period, as_of, include_demo)
    achieved = (compute_indicator_sums(conn, area, measured, "commune", codes)
                if all(map(is_count, codes)) else
                compute_indicator_table(conn, area, measured, level="commune",
                                        codes=codes).set_index("key"))
    elapsed = elapsed_share(period, as_of)
    out = objectives.copy()
    # Each objective's achieved figure: its commune's row, its indicator's column (0 when the
    # commune has no row), read in one array lookup rather than one ``.at`` per objective.
    codes = pd.Index(codes)
    grid = achieved[list(codes)].to_numpy(dtype=float)
    row = achieved.index.get_indexer(out["code_insee"])
    if len(grid):  # no commune with activity: every objective at 0
        found = grid[row.clip(min=0), codes.get_indexer(out["indicator"])]
        out["achieved"] = np.where(row >= 0, found, 0.0)
    else:
        out["achieved"] = 0.0
    out["pct_reached"] = [share_reached(a, t) for a, t in
                          zip(out["achieved"], out["target"], strict=True)]
    out["status"] = objective_statuses(out["achieved"], out["target"], elapsed)
    return out[columns].reset_index(drop=True)


def commune_statuses(progress: pd.DataFrame, exact: bool = True) -> pd.DataFrame:
    """One row per commune: its worst status and the objectives that are late, in words
    (``exact=False`` words small counts of people as « < 5 », as every public view does)."""
    rows = []
    for code, group in progress.groupby("code_insee", sort=True):
        late = group[group["status"] == Status.LATE.value]
        rows.append({
            "code_insee": code,
            "status": worst_status(Status(s) for s in group["status"]).value,
            "late_objectives": "; ".join(_late_words(r, exact) for r in late.itertuples()),
        })
    return pd.DataFrame(rows, columns=["code_insee", "status", "late_objectives"])


def _late_words(row, exact: bool) -> str:
    """« Ateliers : 4 sur 10 » (the achieved count as this viewer sees it)."""
    shown = mask_value(row.indicator, row.achieved, commune_level=True, exact=exact)
    return (f"{CATALOGUE[row.indicator].label} : {format_figure(shown)} sur "
            f"{format_figure(row.target)}")


# objective_shares: which objective a row's % divides by (column ``basis``).
BASIS = "basis"
OWN_OBJECTIVE = "territoire"  # the territory's own objective (a commune's, a département's)
CHOSEN_COMMUNES = "communes"  # the sum of the objectives of the communes chosen in it


def objective_shares(conn: Connection, scope: Scope, filters: Filters, level: str,
                     as_of: dt.date, codes: tuple[str, ...]) -> pd.DataFrame:
    """% reached of the objectives of each commune or département of the territory for the
    school year of ``as_of``: one row per territory with objectives (``key``), one column
    per indicator of ``codes`` (None without objective), the value each % is measured on
    (``achieved:<code>``, for the public rounding of counts of people) and its ``basis``.

    Achieved counts every activity of the school year to ``as_of`` — objectives are about the
    whole activity, so the workshop filters (theme, format…) do not apply; the territorial
    filters and the demo choice do.

    A share divides like by like. A département of which the filters keep only some communes
    (``communes``, ``rep``) is measured on those communes: its % divides by the sum of their
    objectives (basis ``communes``), and is None when one of them has no objective for the
    indicator — never by the whole département's objective.
    """
    columns = ["key", *codes, *(f"achieved:{c}" for c in codes), BASIS]
    if level not in (COMMUNE, DEPARTEMENT):
        return pd.DataFrame(columns=columns)
    period = school_year_of(as_of)
    measured = replace(period_filters(period, as_of, filters.include_demo),
                       departements=filters.departements, communes=filters.communes,
                       rep_only=filters.rep_only)
    partial = (_partial_departements(conn, scope, measured)
               if level == DEPARTEMENT and (filters.communes or filters.rep_only) else {})
    targets = _targets(conn, level, period, codes, filters.include_demo)
    if partial:
        chosen = [c for communes in partial.values() for c in communes]
        of_communes = _targets(conn, COMMUNE, period, codes, filters.include_demo)
        of_communes = of_communes[of_communes["key"].isin(chosen)]
        if targets.empty and of_communes.empty:
            return pd.DataFrame(columns=columns)
        targets = targets[~targets["key"].isin(list(partial))]
        sums = []
        for dep, communes in partial.items():
            for code in codes:
                rows = of_communes[of_communes["indicator"] == code]
                complete = set(rows["key"]) >= set(communes)
                sums.append({"key": dep, "indicator": code,
                             "target": rows["target"].sum() if complete else None})
        targets = pd.concat([t for t in (targets, pd.DataFrame(sums)) if not t.empty],
                            ignore_index=True)
    if targets.empty:
        return pd.DataFrame(columns=columns)
    achieved = compute_indicator_table(conn, scope, measured, level=level,
                                       codes=codes).set_index("key")
    targets = targets[targets["key"].isin(achieved.index)]
    rows = {}
    for key, code, target in zip(targets["key"], targets["indicator"], targets["target"],
                                 strict=True):
        row = rows.setdefault(key, {"key": key, BASIS: CHOSEN_COMMUNES if key in partial
                                    else OWN_OBJECTIVE})
        done = float(achieved.at[key, code])
        row[code] = None if target is None or pd.isna(target) else share_reached(done, target)
        row[f"achieved:{code}"] = done
    return pd.DataFrame(list(rows.values()), columns=columns)


def _targets(conn: Connection, level: str, period: Period, codes: tuple[str, ...],
             include_demo: bool) -> pd.DataFrame:
    """Objectives of every ``level`` territory for ``period``: key, indicator, target."""
    targets = pd.read_sql(
        select(Objective.scope_code.label("key"), Objective.indicator, Objective.target,
               Objective.source)
        .where(Objective.scope_kind == level, Objective.period_label == period.label,
               Objective.indicator.in_(codes)), conn)
    if not include_demo:
        targets = targets[targets["source"] != "demo"]
    return targets[["key", "indicator", "target"]].reset_index(drop=True)


def _partial_departements(conn: Connection, scope: Scope,
                          filters: Filters) -> dict[str, list[str]]:
    """The départements of which ``filters`` keep some communes but not all: code → the
    communes kept."""
    kept = pd.read_sql(select(Commune.code_insee, Commune.departement_code)
                       .where(*territory_clauses(scope, filters)), conn)
    if kept.empty:
        return {}
    sizes = pd.read_sql(
        select(Commune.departement_code, func.count(Commune.code_insee).label("n"))
        .where(Commune.departement_code.in_(sorted(set(kept["departement_code"]))))
        .group_by(Commune.departement_code), conn).set_index("departement_code")["n"]
    return {dep: sorted(group["code_insee"])
            for dep, group in kept.groupby("departement_code", sort=True)
            if len(group) < sizes[dep]}
