"""How fresh the figures are: the first thing a director checks before trusting one.

For each département of the territory: the date of the latest recorded workshop, and the
share of its engaged communes with no workshop recorded in the last 3 months.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
from sqlalchemy import Connection, func, select

from tne_dash.figures.filters import Filters, source_clauses, territory_clauses
from tne_dash.figures.indicators import workshop_rows
from tne_dash.figures.scope import Scope
from tne_dash.labels import format_date, format_percent
from tne_dash.store.models import Commune, Departement, RolloutYear, Workshop

QUIET_MONTHS = 3


def months_before(day: dt.date, months: int) -> dt.date:
    """``day`` moved back by whole months, clamped to the month's last day (31 May → 28/29
    February)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def quiet_since(as_of: dt.date) -> dt.date:
    """The first day of the « last 3 months » window ending on ``as_of``."""
    return months_before(as_of, QUIET_MONTHS) + dt.timedelta(days=1)


def latest_workshop_date(conn: Connection, scope: Scope, as_of: dt.date) -> dt.date | None:
    """The date of the territory's latest workshop up to ``as_of`` (None when none)."""
    rows = workshop_rows(scope, Filters(date_to=as_of))
    latest = conn.scalar(select(func.max(rows.c.last_date)))
    return None if latest is None else pd.Timestamp(latest).date()


def freshness(conn: Connection, scope: Scope, filters: Filters, as_of: dt.date) -> pd.DataFrame:
    """One row per département of the territory: departement_code, name, latest_workshop
    (None when none up to ``as_of``), engaged (communes engaged at ``as_of``), quiet (engaged
    communes with no workshop since ``quiet_since(as_of)``), quiet_share (%)."""
    since = quiet_since(as_of)
    in_scope = territory_clauses(scope, filters)
    workshops = source_clauses(Workshop.source, filters) + [Workshop.date <= as_of]
    # Territory and demo filters only, as the counts below: freshness ignores the others.
    rows = workshop_rows(scope, Filters(
        date_to=as_of, departements=filters.departements, communes=filters.communes,
        rep_only=filters.rep_only, include_demo=filters.include_demo))
    latest = pd.read_sql(
        select(Commune.departement_code, func.max(rows.c.last_date).label("latest_workshop"))
        .join(Commune, Commune.code_insee == rows.c.commune_code)
        .group_by(Commune.departement_code), conn)
    active = select(Workshop.commune_code).where(*workshops, Workshop.date >= since)
    engaged = (select(RolloutYear.commune_code)
               .where(RolloutYear.year_number == 1, RolloutYear.start_date <= as_of,
                      *source_clauses(RolloutYear.source, filters)))
    counts = pd.read_sql(
        select(Commune.departement_code,
               func.count().label("engaged"),
               func.count().filter(Commune.code_insee.not_in(active)).label("quiet"))
        .where(*in_scope, Commune.code_insee.in_(engaged))
        .group_by(Commune.departement_code), conn)
    deps = pd.read_sql(
        select(Departement.code.label("departement_code"), Departement.name)
        .where(Departement.code.in_(select(Commune.departement_code).where(*in_scope))), conn)
    out = deps.merge(latest, how="left").merge(counts, how="left")
    out[["engaged", "quiet"]] = out[["engaged", "quiet"]].fillna(0).astype(int)
    out["latest_workshop"] = [pd.Timestamp(d).date() if pd.notna(d) else None
                              for d in out["latest_workshop"]]
    out["quiet_share"] = [100.0 * q / e if e else None
                          for q, e in zip(out["quiet"], out["engaged"], strict=True)]
    columns = ["departement_code", "name", "latest_workshop", "engaged", "quiet",
               "quiet_share"]
    return out[columns].sort_values("departement_code").reset_index(drop=True)


def freshness_frame(table: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The freshness table with French headers."""
    return pd.DataFrame({
        "Département": table["name"] + " (" + table["departement_code"] + ")",
        "Dernier atelier enregistré": [format_date(d) if d else "Aucun"
                                       for d in table["latest_workshop"]],
        "Communes engagées": table["engaged"],
        f"Sans atelier depuis le {format_date(quiet_since(as_of))}": table["quiet"],
        "Part sans activité récente": [format_percent(s) for s in table["quiet_share"]],
    })
