"""The one code path that computes indicator values: pages, CLI and tests all call it.

Each family of indicators is one aggregated SQL query over the territory (commune table),
grouped by the requested level; the results are merged into one frame, one row per group.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Connection,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    union_all,
)

from tne_dash.catalogue import BASE_INDICATORS, CATALOGUE, PER_1000
from tne_dash.figures.filters import (
    Filters,
    date_clauses,
    school_clauses,
    source_clauses,
    territory_clauses,
    workshop_clauses,
)
from tne_dash.figures.scope import COMMUNE, NATIONAL, Scope
from tne_dash.store.frames import read_frame
from tne_dash.store.models import (
    CnfsStructure,
    Commune,
    Departement,
    DepartementStrategy,
    ExternalMeasure,
    ParentsRessourcesCount,
    RolloutYear,
    School,
    Venue,
    Workshop,
    WorkshopMonth,
    WorkshopTheme,
)
from tne_dash.store.workshop_months import first_of_month, month_start, next_month
from tne_dash.vocabulary import Source

EXTERNAL_CODES = ("teachers_participating", "mallette_consultations", "pix_courses")


@dataclass(frozen=True)
class IndicatorValues:
    """Indicator values of one scope and filters, with the facts needed to read them honestly."""

    scope: Scope
    filters: Filters
    values: dict[str, float | int | None]
    population: int
    demo: bool

    def __getitem__(self, code: str) -> float | int | None:
        return self.values[code]


def _group_key(level: str):
    if level == "total":
        return literal("total")
    if level == "departement":
        return Commune.departement_code
    if level == "epci":
        return func.coalesce(Commune.epci_code, literal(""))
    if level == "commune":
        return Commune.code_insee
    raise ValueError(f"Niveau de regroupement inconnu : « {level} ».")


def _grouped(stmt: Select, key, level: str) -> Select:
    return stmt.group_by(key) if level != "total" else stmt


def _territory_query(key, scope: Scope, filters: Filters, level: str) -> Select:
    if level == "commune":
        # One row per commune already (its code is the key): no grouping to pay for (half
        # the time of this query for France's 35 000 communes on SQLite).
        return (
            select(key.label("key"), Commune.name.label("name"),
                   func.coalesce(Commune.population, 0).label("population"),
                   case((Departement.tne_cohort.is_not(None), 1), else_=0)
                   .label("tne_departements"))
            .select_from(Commune)
            .join(Departement, Departement.code == Commune.departement_code)
            .where(*territory_clauses(scope, filters))
        )
    name = {
        "total": literal(""),
        "departement": func.max(Departement.name),
        "epci": func.max(Commune.epci_name),
        "commune": func.max(Commune.name),
    }[level]
    stmt = (
        select(
            key.label("key"),
            name.label("name"),
            func.coalesce(func.sum(Commune.population), 0).label("population"),
            func.count(func.distinct(case(
                (Departement.tne_cohort.is_not(None), Departement.code)))
            ).label("tne_departements"),
        )
        .select_from(Commune)
        .join(Departement, Departement.code == Commune.departement_code)
        .where(*territory_clauses(scope, filters))
    )
    return _grouped(stmt, key, level)


# Workshop attributes only the workshops know: filtering one reads ``workshop`` itself.
def reads_monthly_sums(filters: Filters) -> bool:
    """Whether the workshop figures of ``filters`` can read the monthly sums
    (``store/workshop_months.py``): territory, period and demo filters only."""
    return not (filters.phases or filters.formats or filters.themes or filters.facilitator_kinds
                or filters.venue_kinds or filters.school_levels)


def period_split(date_from: dt.date | None, date_to: dt.date | None
                 ) -> tuple[tuple[dt.date | None, dt.date | None] | None,
                            list[tuple[dt.date, dt.date]]]:
    """The whole months of [date_from, date_to] (first and last month's first day; None: open
    end; None altogether when no month is whole) and the day ranges left at its ends."""
    first = date_from if date_from is None or date_from.day == 1 else next_month(date_from)
    after = None if date_to is None else first_of_month(date_to + dt.timedelta(days=1))
    last = None if after is None else first_of_month(after - dt.timedelta(days=1))
    if first is not None and last is not None and first > last:
        return None, [(date_from, date_to)]
    edges = []
    if date_from is not None and date_from != first:
        edges.append((date_from, first - dt.timedelta(days=1)))
    if date_to is not None and after <= date_to:
        edges.append((after, date_to))
    return (first, last), edges


def _workshop_row_columns(workshops, participations, parents_reached, children_reached,
                          duration_minutes, last_date) -> list:
    return [workshops.label("workshops"), participations.label("participations"),
            parents_reached.label("parents_reached"),
            children_reached.label("children_reached"),
            duration_minutes.label("duration_minutes"), last_date.label("last_date")]


def _raw_workshop_rows(filters: Filters, in_territory: list, *extra_where,
                       attribute=None, departement: bool = False) -> Select:
    w = Workshop
    columns = [w.commune_code, w.venue_id, month_start(w.date).label("month"), w.source,
               *_workshop_row_columns(literal(1), w.parents_count, w.first_time_parents_count,
                                      w.children_count, w.duration_minutes, w.date)]
    if attribute is not None:
        columns.append(attribute.label("attribute"))
    if departement:
        columns.append(Commune.departement_code)
    stmt = select(*columns).where(*in_territory, *workshop_clauses(filters), *extra_where)
    if departement:
        stmt = stmt.join(Commune, Commune.code_insee == w.commune_code)
    if attribute is WorkshopTheme.theme:
        stmt = stmt.join(WorkshopTheme, WorkshopTheme.workshop_id == w.id)
    elif attribute is Venue.kind:
        stmt = stmt.outerjoin(Venue, Venue.id == w.venue_id)
    return stmt


def workshop_rows(scope: Scope, filters: Filters, *, raw: bool = False, attribute=None,
                  departement: bool = False):
    """The workshops of the territory and filters, as rows to sum: ``commune_code``,
    ``venue_id``, ``month``, ``source``, ``workshops``, ``participations``, ``parents_reached``,
    ``children_reached``, ``duration_minutes``, ``last_date`` (of the latest workshop summed
    in the row), ``attribute`` (one row per value) when asked, and ``departement_code`` (the
    commune's) when ``departement`` — read in each part, so that summing by département
    needs no join around the rows (SQLite then copies France's rows to a temporary table
    before joining them: 0.38 s, against 0.26 this way).

    Whole months come from the monthly sums when ``reads_monthly_sums(filters)`` (one row per
    commune, venue, month and source), the days left at the period's ends from ``workshop``
    (one row per workshop); ``raw`` reads every workshop — the reference the sums are tested
    against. Either way the sums of the rows are the same figures.
    """
    parts = _row_parts(scope, filters, raw=raw, attribute=attribute, departement=departement)
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("rows")


def _within_territory(column, territory: list) -> list:
    """``column`` (a commune code) among the communes of ``territory`` (``territory_clauses``),
    as a list of conditions: none for France."""
    return [column.in_(select(Commune.code_insee).where(*territory))] if territory else []


def _row_parts(scope: Scope, filters: Filters, *, raw: bool = False, attribute=None,
               departement: bool = False) -> list[Select]:
    """The SELECTs whose rows ``workshop_rows`` puts together: the whole months' monthly
    sums and the days at the period's ends, or every workshop (one part)."""
    territory = territory_clauses(scope, filters)
    in_commune_territory = _within_territory(Workshop.commune_code, territory)
    if raw or attribute is not None or not reads_monthly_sums(filters):
        return [_raw_workshop_rows(filters, in_commune_territory, attribute=attribute,
                                   departement=departement)]
    whole, edges = period_split(filters.date_from, filters.date_to)
    parts = []
    if whole is not None:
        wm, (first, last) = WorkshopMonth, whole
        where = [*source_clauses(wm.source, filters),
                 *_within_territory(wm.commune_code, territory)]
        if first is not None:
            where.append(wm.month >= first)
        if last is not None:
            where.append(wm.month <= last)
        part = (select(wm.commune_code, wm.venue_id, wm.month, wm.source,
                       *_workshop_row_columns(wm.workshops, wm.participations,
                                              wm.parents_reached, wm.children_reached,
                                              wm.duration_minutes, wm.last_date))
                .where(*where))
        if departement:
            part = part.add_columns(Commune.departement_code).join(
                Commune, Commune.code_insee == wm.commune_code)
        parts.append(part)
    undated = Filters(include_demo=filters.include_demo)
    for first_day, last_day in edges:
        part = _raw_workshop_rows(undated, in_commune_territory, Workshop.date >= first_day,
                                  Workshop.date <= last_day, departement=departement)
        if not in_commune_territory:
            # A few days of every commune: SQLite's planner took the (commune, date) index and
            # skipped through France's 35 000 communes (14–22 ms for a fortnight), where the
            # date index reads those days alone (3–6 ms). A territory keeps its communes' seeks.
            part = part.with_hint(Workshop.__table__, "INDEXED BY ix_workshop_date", "sqlite")
        parts.append(part)
    return parts


def _workshop_sums(rows, key, codes: tuple[str, ...] | None = None) -> Select:
    """The workshop indicators of ``rows`` summed per ``key`` (``codes``: only those, each
    sum left out a little less work for the database), and the demo workshops among them."""
    sums = {
        "workshops": lambda: func.coalesce(func.sum(rows.c.workshops), 0),
        "participations": lambda: func.coalesce(func.sum(rows.c.participations), 0),
        "parents_reached": lambda: func.coalesce(func.sum(rows.c.parents_reached), 0),
        "children_reached": lambda: func.coalesce(func.sum(rows.c.children_reached), 0),
        "workshop_hours": lambda: func.coalesce(func.sum(rows.c.duration_minutes), 0) / 60.0,
        "venues": lambda: func.count(func.distinct(rows.c.venue_id)),
    }
    return select(
        key.label("key"),
        *(sum_of().label(code) for code, sum_of in sums.items()
          if codes is None or code in codes),
        func.coalesce(func.sum(case((rows.c.source == Source.DEMO.value, rows.c.workshops))),
                      0).label("_demo_rows"),
    ).select_from(rows)


# The workshop figures that add up across parts of the rows (not ``venues``: distinct).
ADDITIVE_WORKSHOP_CODES = frozenset({"workshops", "participations", "parents_reached",
                                     "children_reached", "workshop_hours"})
# ``_workshop_sums``' order of its columns.
_WORKSHOP_SUM_ORDER = ("workshops", "participations", "parents_reached", "children_reached",
                       "workshop_hours")


def _workshop_query(key, scope: Scope, filters: Filters, level: str,
                    raw: bool = False, codes: tuple[str, ...] | None = None) -> Select:
    if level in ("commune", "departement") and codes and \
            ADDITIVE_WORKSHOP_CODES.issuperset(codes):
        parts = _row_parts(scope, filters, raw=raw, departement=level == "departement")
        if len(parts) > 1:
            return _summed_by_part(parts, level, codes)
    if level == "departement":  # the rows hold their département: no join around them
        rows = workshop_rows(scope, filters, raw=raw, departement=True)
        return (_workshop_sums(rows, rows.c.departement_code, codes)
                .group_by(rows.c.departement_code))
    rows = workshop_rows(scope, filters, raw=raw)
    if level == "commune":  # the rows hold the commune (kept in the territory) : no join
        return _workshop_sums(rows, rows.c.commune_code, codes).group_by(rows.c.commune_code)
    stmt = _workshop_sums(rows, key, codes)
    if level != "total":  # the key is the commune's (a total's rows are the territory's already)
        stmt = stmt.join(Commune, Commune.code_insee == rows.c.commune_code)
    return _grouped(stmt, key, level)


def _summed_by_part(parts: list[Select], level: str, codes: tuple[str, ...]) -> Select:
    """``_workshop_sums`` of the union of ``parts`` per commune or département, each part
    summed per group first: the monthly sums are read in their index's order, and only a
    few rows per group are put together. Grouping the union itself made SQLite sort every
    row in a temporary tree (France's communes up to a mid-month date: 0.2 s). Only the
    columns ``codes`` need are summed (SQLite pays each sum on every row). Counts and
    minutes are sums: the same figures."""
    column = "commune_code" if level == "commune" else "departement_code"
    summed_columns = [("duration_minutes" if code == "workshop_hours" else code)
                      for code in _WORKSHOP_SUM_ORDER if code in codes]
    summed = []
    for part in parts:
        rows = part.subquery()
        group = rows.c[column]
        summed.append(select(
            group.label("key"), *(func.sum(rows.c[name]).label(name) for name in summed_columns),
            func.sum(case((rows.c.source == Source.DEMO.value, rows.c.workshops)))
            .label("demo_workshops"),
        ).group_by(group))
    groups = union_all(*summed).subquery("groups")

    def total(column):  # PostgreSQL sums bigints as numeric: back to integers
        return cast(func.coalesce(func.sum(column), 0), BigInteger)

    columns = [(total(groups.c.duration_minutes) / 60.0).label(code) if code == "workshop_hours"
               else total(groups.c[code]).label(code)
               for code in _WORKSHOP_SUM_ORDER if code in codes]
    return select(groups.c.key.label("key"), *columns,
                  total(groups.c.demo_workshops).label("_demo_rows")).group_by(groups.c.key)


def _parents_ressources_flow_query(key, scope: Scope, filters: Filters, level: str) -> Select:
    prc = ParentsRessourcesCount
    stmt = (
        select(
            key.label("key"),
            func.coalesce(func.sum(prc.recruited), 0).label("parents_ressources_recruited"),
            func.coalesce(func.sum(prc.meetings), 0).label("parents_ressources_meetings"),
            func.count(case((prc.source == Source.DEMO.value, 1))).label("_demo_rows"),
        )
        .select_from(prc)
        .join(Commune, Commune.code_insee == prc.commune_code)
        .where(
            *territory_clauses(scope, filters),
            *date_clauses(prc.period_end, filters),
            *source_clauses(prc.source, filters),
        )
    )
    return _grouped(stmt, key, level)


# A commune's Parents Ressources stock is « active » from its last report at most this old;
# past it the commune has « pas de relevé récent » (catalogue, Données page).
ACTIVE_REPORT_MAX_AGE = dt.timedelta(days=365)


def _parents_ressources_active_query(key, scope: Scope, filters: Filters, level: str) -> Select:
    """Sum, over communes, of ``active`` in each commune's one last report before date_to
    (latest end, then latest recorded), when that report ended within
    ``ACTIVE_REPORT_MAX_AGE``; ``parents_ressources_recent_reports`` counts those communes."""
    prc = ParentsRessourcesCount
    day = filters.date_to or dt.date.today()
    until = Filters(date_to=day, include_demo=filters.include_demo)
    territory = territory_clauses(scope, filters)
    # Only the territory's communes: a département reads its own reports, not France's.
    latest = (
        select(prc.commune_code, func.max(prc.period_end).label("last_end"))
        .where(*_within_territory(prc.commune_code, territory),
               *date_clauses(prc.period_end, until),
               *source_clauses(prc.source, until))
        .group_by(prc.commune_code)
        .subquery()
    )
    chosen = (
        select(func.max(prc.id).label("id"))
        .join(latest, and_(latest.c.commune_code == prc.commune_code,
                           latest.c.last_end == prc.period_end))
        .where(latest.c.last_end >= day - ACTIVE_REPORT_MAX_AGE,
               *source_clauses(prc.source, until))
        .group_by(prc.commune_code)
        .subquery()
    )
    stmt = (
        select(key.label("key"),
               func.coalesce(func.sum(prc.active), 0).label("parents_ressources_active"),
               func.count(prc.id).label("parents_ressources_recent_reports"),
               func.count(case((prc.source == Source.DEMO.value, 1))).label("_demo_rows"))
        .select_from(prc)
        .join(chosen, chosen.c.id == prc.id)
        .join(Commune, Commune.code_insee == prc.commune_code)
        .where(*territory_clauses(scope, filters))
    )
    return _grouped(stmt, key, level)


def _cnfs_query(key, scope: Scope, filters: Filters, level: str) -> Select:
    stmt = (
        select(
            key.label("key"),
            func.coalesce(func.sum(CnfsStructure.posts), 0).label("cnfs_posts"),
            func.count(CnfsStructure.id).label("cnfs_structures"),
        )
        .select_from(CnfsStructure)
        .join(Commune, Commune.code_insee == CnfsStructure.commune_code)
        .where(*territory_clauses(scope, filters))
    )
    return _grouped(stmt, key, level)


def _school_query(key, scope: Scope, filters: Filters, level: str) -> Select:
    with_pcn = School.pcn_since.is_not(None)
    if filters.date_to is not None:
        with_pcn = and_(with_pcn, School.pcn_since <= filters.date_to)
    stmt = (
        select(
            key.label("key"),
            func.count(School.uai).label("target_schools"),
            func.count(case((with_pcn, 1))).label("target_schools_with_pcn"),
            # The strategies' targets and PCN flags of the demo are demo figures too.
            func.count(case((School.programme_source == Source.DEMO.value, 1))).label(
                "_demo_rows"),
        )
        .select_from(School)
        .join(Commune, Commune.code_insee == School.commune_code)
        .where(
            School.strategy_target.is_(True),
            *territory_clauses(scope, filters),
            *school_clauses(filters),
            *source_clauses(func.coalesce(School.programme_source, ""), filters),
        )
    )
    return _grouped(stmt, key, level)


def _engaged_query(key, scope: Scope, filters: Filters, level: str) -> Select:
    started = [RolloutYear.year_number == 1]
    if filters.date_to is not None:
        started.append(RolloutYear.start_date <= filters.date_to)
    stmt = (
        select(
            key.label("key"),
            func.count(func.distinct(RolloutYear.commune_code)).label("communes_engaged"),
            func.count(case((RolloutYear.source == Source.DEMO.value, 1))).label("_demo_rows"),
        )
        .select_from(RolloutYear)
        .join(Commune, Commune.code_insee == RolloutYear.commune_code)
        .where(*started, *territory_clauses(scope, filters),
               *source_clauses(RolloutYear.source, filters))
    )
    return _grouped(stmt, key, level)


def _strategy_query(key, scope: Scope, filters: Filters, level: str) -> Select:
    validated = [DepartementStrategy.validated_on.is_not(None)]
    if filters.date_to is not None:
        validated.append(DepartementStrategy.validated_on <= filters.date_to)
    # A département counts once, whatever the number of its communes in the territory.
    in_territory = select(Commune.departement_code).where(*territory_clauses(scope, filters))
    dep_key = {
        "total": literal("total"),
        "departement": DepartementStrategy.departement_code,
    }.get(level)
    if dep_key is None:  # strategies are departmental: no value below that level
        return select(literal("total").label("key")).where(literal(False))
    stmt = (
        select(dep_key.label("key"),
               func.count(DepartementStrategy.departement_code).label("strategies_validated"),
               func.count(case((DepartementStrategy.source == Source.DEMO.value, 1))).label(
                   "_demo_rows"))
        .where(*validated, DepartementStrategy.departement_code.in_(in_territory),
               *source_clauses(DepartementStrategy.source, filters))
    )
    return _grouped(stmt, dep_key, level)


def _external_query(key, scope: Scope, filters: Filters, level: str) -> list[Select]:
    """External measures recorded for communes, départements (or France) in the territory.

    A measure counts at the level it was recorded: département figures are not split among
    communes, so a commune-level table shows only commune-level measures.
    """
    em = ExternalMeasure
    period = date_clauses(em.period_end, filters) + source_clauses(em.source, filters)
    values = [
        func.coalesce(func.sum(case((em.indicator == code, em.value))), 0).label(code)
        for code in EXTERNAL_CODES
    ]
    commune_rows = (
        select(key.label("key"), *values)
        .select_from(em)
        .join(Commune, and_(em.scope_kind == "commune", Commune.code_insee == em.scope_code))
        .where(*period, *territory_clauses(scope, filters))
    )
    queries = [_grouped(commune_rows, key, level)]
    above_commune = scope.kind != COMMUNE and not filters.communes
    if level in ("total", "departement") and above_commune:
        dep_key = literal("total") if level == "total" else em.scope_code
        in_territory = select(Commune.departement_code).where(
            *territory_clauses(scope, filters))
        dep_rows = select(dep_key.label("key"), *values).where(
            em.scope_kind == "departement", em.scope_code.in_(in_territory), *period)
        queries.append(_grouped(dep_rows, dep_key, level))
        if level == "total" and scope.kind == NATIONAL and not filters.departements \
                and not filters.rep_only:
            queries.append(select(literal("total").label("key"), *values).where(
                em.scope_kind == "national", *period))
    return queries


# Each family of queries and the catalogue codes it returns (a test checks they agree), so
# that a caller needing a few indicators runs only the queries that compute them.
FAMILIES = (
    (_workshop_query, ("workshops", "participations", "parents_reached", "children_reached",
                       "workshop_hours", "venues")),
    (_parents_ressources_flow_query, ("parents_ressources_recruited",
                                      "parents_ressources_meetings")),
    (_parents_ressources_active_query, ("parents_ressources_active",)),
    (_cnfs_query, ("cnfs_posts", "cnfs_structures")),
    (_school_query, ("target_schools", "target_schools_with_pcn")),
    (_engaged_query, ("communes_engaged",)),
    (_strategy_query, ("strategies_validated",)),
    (_external_query, EXTERNAL_CODES),
)
_COUNTED = frozenset(code for _, family_codes in FAMILIES for code in family_codes)
# Indicators computed from others after the queries, and the base codes they need.
DERIVED = {"target_schools_with_pcn_pct": ("target_schools", "target_schools_with_pcn")}


def compute_indicator_table(
    conn: Connection, scope: Scope, filters: Filters, level: str = "total",
    codes: tuple[str, ...] | None = None, *, raw: bool = False,
) -> pd.DataFrame:
    """Every catalogue indicator for the territory, one row per group of ``level``.

    Columns: ``key``, ``name``, ``population``, each catalogue code, and ``demo`` (True when
    demo rows contributed to the row's activity figures). ``codes`` limits the work to the
    queries those indicators need (the other codes are then absent from the frame). ``raw``
    reads every workshop instead of the monthly sums (the reference, for tests).
    """
    key = _group_key(level)
    table = read_frame(conn, _territory_query(key, scope, filters, level)).set_index("key")
    demo_rows = pd.Series(0, index=table.index, dtype="int64")
    needed = _base_codes(codes)
    for family_codes, part, family_demo in _family_sums(conn, key, scope, filters, level,
                                                       needed, raw):
        demo_rows = demo_rows.add(family_demo, fill_value=0)
        table = table.join(part, how="left")
        # The family's codes asked for (0 without rows) or given, in the family's order, then
        # any other it gave.
        for code in (*(c for c in family_codes if c in needed or c in part),
                     *part.columns.difference(family_codes)):
            table[code] = table[code].fillna(0) if code in table else 0
    if "target_schools" in table:
        table["target_schools_with_pcn_pct"] = (
            100.0 * table["target_schools_with_pcn"] / table["target_schools"].where(
                table["target_schools"] > 0)
        )
    population = table["population"].where(table["population"] > 0)
    for code in CATALOGUE:
        base = code.removesuffix(PER_1000)
        if code.endswith(PER_1000) and base in table:
            table[code] = table[base] * 1000.0 / population
    table["demo"] = demo_rows.reindex(table.index).fillna(0) > 0
    return table.reset_index()


def compute_indicator_sums(conn: Connection, scope: Scope, filters: Filters, level: str,
                           codes: tuple[str, ...]) -> pd.DataFrame:
    """The counts ``codes`` (base indicators: no rate, no share) of the groups of ``level``
    **with rows**, indexed by ``key``, and ``demo`` — ``compute_indicator_table``'s figures
    without its territory rows: a group absent here is a group whose counts are 0.

    For a rule that reads a few counts of every commune of France at one date (the points de
    vigilance): the table's 35 000 rows of names and populations, read for each window,
    were half its time.
    """
    if not all(map(is_count, codes)):
        raise ValueError("Seuls des comptes de base se lisent sans la table des territoires.")
    needed = _base_codes(codes)
    key = _group_key(level)
    parts, demo_rows = [], pd.Series(dtype="int64")
    for _, part, family_demo in _family_sums(conn, key, scope, filters, level, needed, False):
        parts.append(part)
        demo_rows = demo_rows.add(family_demo, fill_value=0)
    sums = pd.concat(parts, axis=1).fillna(0) if parts else pd.DataFrame()
    for code in needed.difference(sums.columns):  # no rows: the queries' columns are lost
        sums[code] = 0
    sums["demo"] = demo_rows.reindex(sums.index).fillna(0) > 0
    return sums.rename_axis("key")


def is_count(code: str) -> bool:
    """Whether ``code`` is one of the counts the queries sum (``compute_indicator_sums``
    gives it), not a rate, a share or a territory's fact."""
    return code in _COUNTED


def _family_sums(conn: Connection, key, scope: Scope, filters: Filters, level: str,
                 needed: set[str], raw: bool):
    """For each family of queries computing one of ``needed``: its codes, its sums per group
    with rows (index ``key``) and the demo rows of each group."""
    for family_codes, stmts in _family_statements(key, scope, filters, level, needed, raw):
        frames = [read_frame(conn, s) for s in stmts]
        part = pd.concat(frames).groupby("key").sum(numeric_only=True)
        demo = part.pop("_demo_rows") if "_demo_rows" in part else pd.Series(dtype="int64")
        yield family_codes, part, demo


def _family_statements(key, scope: Scope, filters: Filters, level: str, needed: set[str],
                       raw: bool):
    """For each family of queries computing one of ``needed``: its codes and its SELECTs
    (one per group with rows, columns ``key``, the sums and ``_demo_rows`` when the family
    reads activity that can be demo)."""
    for family, family_codes in FAMILIES:
        if not needed.intersection(family_codes):
            continue
        stmts = (_workshop_query(key, scope, filters, level, raw=raw,
                                 codes=tuple(needed.intersection(family_codes)))
                 if family is _workshop_query else family(key, scope, filters, level))
        yield family_codes, stmts if isinstance(stmts, list) else [stmts]


def demo_groups(conn: Connection, scope: Scope, filters: Filters, level: str,
                codes: tuple[str, ...]) -> set[str]:
    """The groups of ``level`` whose figures ``codes`` read demo rows: the keys whose
    ``compute_indicator_sums(…)["demo"]`` is True, from the same queries, only those keys
    sent back (a rule asking which of France's communes hold demo activity up to a date
    needs no sum: up to today, 0.2 → 0.08 s)."""
    found: set[str] = set()
    needed = _base_codes(codes)
    if level == "commune" and needed.intersection(MONTHLY_CODES):
        # The workshops: a group has demo figures when one of its rows is demo (a row of the
        # monthly sums counts at least one workshop) — asked as such of each part of the
        # rows, in the sums' index order, without summing them.
        for part in _row_parts(scope, filters):
            rows = part.subquery()
            keys = select(rows.c.commune_code.label("key")).where(
                rows.c.source == Source.DEMO.value)
            # Each key once, asked of the database — but of the days at a period's ends, a
            # few weeks of workshops read by date and kept once here (asked to give each key
            # once, SQLite reads them commune by commune: 20 ms for a fortnight).
            if not reads_monthly_sums(filters) or \
                    WorkshopMonth.__table__ in part.get_final_froms():
                keys = keys.distinct()
            found.update(read_frame(conn, keys)["key"].tolist())
        needed = needed.difference(MONTHLY_CODES)
    for _, stmts in _family_statements(_group_key(level), scope, filters, level, needed,
                                       False):
        for stmt in stmts:
            rows = stmt.subquery()
            if "_demo_rows" in rows.c:  # read as plain tuples (``read_frame``): 40 ms less
                keys = read_frame(conn, select(rows.c.key).where(rows.c._demo_rows > 0))
                found.update(keys["key"].tolist())
    return found


# The counts whose demo rows the points de vigilance name a commune by (``DemoStarts``).
DEMO_START_CODES = ("workshops", "parents_ressources_recruited", "communes_engaged")
# Communes asked at once about their first demo month's days (bound parameters per query).
_EDGE_CHUNK = 500


@dataclass(frozen=True)
class DemoStarts:
    """When each commune of a territory first has a demo row among the rows of
    ``DEMO_START_CODES`` — a workshop, a Parents Ressources report (at its end, the day it
    counts at) or a first roll-out year (at its start): ``demo_communes`` answers which
    communes' figures read demo rows up to any day, as ``demo_groups(…, Filters(date_to=day),
    "commune", DEMO_START_CODES)`` does, without reading the period again for each day (0.14 s
    for France's 7 000 demo communes; so, a few ms). Read once per territory
    (``read_demo_starts``)."""

    first_day: dict[str, dt.date]  # the first demo report's end or first year's start
    first_workshop_month: dict[str, dt.date]  # the month of the first demo workshop

    def demo_communes(self, conn: Connection, day: dt.date) -> set[str]:
        month = first_of_month(day)
        found = {code for code, first in self.first_day.items() if first <= day}
        found.update(code for code, first in self.first_workshop_month.items()
                     if first < month)
        # A first demo workshop in the day's own month: is it on or before the day? Asked
        # of the workshops of those communes alone (their (commune, date) index).
        edge = sorted(code for code, first in self.first_workshop_month.items()
                      if first == month and code not in found)
        for start in range(0, len(edge), _EDGE_CHUNK):
            found.update(conn.scalars(
                select(Workshop.commune_code).distinct()
                .where(Workshop.commune_code.in_(edge[start:start + _EDGE_CHUNK]),
                       Workshop.source == Source.DEMO.value,
                       Workshop.date >= month, Workshop.date <= day)))
        return found


def read_demo_starts(conn: Connection, scope: Scope) -> DemoStarts:
    """The ``DemoStarts`` of the communes of ``scope``: the monthly sums give each commune's
    first demo month (they are the workshops', to the last row), the reports and roll-out
    years their first demo day."""
    territory = territory_clauses(scope, Filters())
    demo = Source.DEMO.value
    def firsts(stmt) -> dict[str, dt.date]:
        return {code: _as_date(first) for code, first in conn.execute(stmt)}

    wm, prc, ry = WorkshopMonth, ParentsRessourcesCount, RolloutYear
    months = firsts(select(wm.commune_code, func.min(wm.month))
                    .where(wm.source == demo, *_within_territory(wm.commune_code, territory))
                    .group_by(wm.commune_code))
    first_day = firsts(select(prc.commune_code, func.min(prc.period_end))
                       .where(prc.source == demo, *_within_territory(prc.commune_code, territory))
                       .group_by(prc.commune_code))
    for code, start in firsts(select(ry.commune_code, func.min(ry.start_date))
                              .where(ry.source == demo, ry.year_number == 1,
                                     *_within_territory(ry.commune_code, territory))
                              .group_by(ry.commune_code)).items():
        first_day[code] = min(start, first_day.get(code, start))
    return DemoStarts(first_day, months)


def _base_codes(codes: tuple[str, ...] | None) -> set[str]:
    """The base indicators the queries must compute to give ``codes`` (all when None)."""
    if codes is None:
        return {ind.code for ind in BASE_INDICATORS}
    needed: set[str] = set()
    for code in codes:
        base = code.removesuffix(PER_1000)
        if base not in CATALOGUE:
            raise KeyError(f"Indicateur inconnu : « {code} ».")
        needed.update(DERIVED.get(base, (base,)))
    return needed


MONTHLY_CODES = FAMILIES[0][1]


def compute_monthly_table(conn: Connection, scope: Scope, filters: Filters,
                          level: str = "commune", *, raw: bool = False) -> pd.DataFrame:
    """The workshop indicators (``MONTHLY_CODES``) month by month, one row per group of
    ``level`` and month with activity: ``key``, ``month`` (its first day) and the codes.

    The same rows and sums as ``compute_indicator_table``, grouped by month as well: the
    months of a group add up to its figure for the period (``venues`` excepted, a venue
    active in two months counting in both).
    """
    key = _group_key(level)
    rows = workshop_rows(scope, filters, raw=raw)
    stmt = (_workshop_sums(rows, key).add_columns(rows.c.month.label("month"))
            .join(Commune, Commune.code_insee == rows.c.commune_code)
            .group_by(rows.c.month))
    frame = read_frame(conn, _grouped(stmt, key, level)).drop(columns="_demo_rows")
    columns = ["key", "month", *MONTHLY_CODES]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["month"] = [_as_date(month) for month in frame["month"]]
    for code in MONTHLY_CODES:
        frame[code] = pd.to_numeric(frame[code])
    return frame[columns].sort_values(["key", "month"]).reset_index(drop=True)


def _as_date(value) -> dt.date:
    # SQLite gives a union's dates back as text; PostgreSQL as dates.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


# Workshop attributes the workshop indicators can be broken down by.
BREAKDOWNS = ("theme", "format", "venue_kind", "facilitator_kind", "month")


def compute_breakdown(conn: Connection, scope: Scope, filters: Filters,
                      by: str) -> pd.DataFrame:
    """The workshop indicators (``MONTHLY_CODES``) for each value of one workshop attribute:
    ``key`` (a theme, format, venue kind, facilitator kind code — or the month's first day)
    and the codes, largest first (months in order).

    The same aggregated query as ``compute_indicator_table``, grouped by the attribute. A
    workshop with two themes counts under each of them; a workshop without a venue has the
    venue kind ``None``.
    """
    if by == "month":
        table = compute_monthly_table(conn, scope, filters, level="total")
        return table.drop(columns="key").rename(columns={"month": "key"})
    column = {"theme": WorkshopTheme.theme, "format": Workshop.format,
              "venue_kind": Venue.kind, "facilitator_kind": Workshop.facilitator_kind}.get(by)
    if column is None:
        raise ValueError(f"Ventilation inconnue : « {by} ».")
    rows = workshop_rows(scope, filters, attribute=column)
    stmt = _workshop_sums(rows, rows.c.attribute).group_by(rows.c.attribute)
    frame = read_frame(conn, stmt).drop(columns="_demo_rows")
    for code in MONTHLY_CODES:
        frame[code] = pd.to_numeric(frame[code])
    return frame.sort_values(["workshops", "key"], ascending=[False, True],
                             na_position="last").reset_index(drop=True)


def indicator_value(code: str, value) -> float | int | None:
    """A cell of the indicator table as the figure it is: a whole count, a decimal, or None
    (a rate without population, a share without base)."""
    if value is None or pd.isna(value):
        return None
    if CATALOGUE[code].decimals == 0 and not code.endswith(PER_1000):
        return int(value)
    return float(value)


def compute_indicators(conn: Connection, scope: Scope, filters: Filters,
                       codes: tuple[str, ...] | None = None) -> IndicatorValues:
    """Every catalogue indicator for one scope and filters (``codes``: only the queries those
    need; the values then hold at least those codes)."""
    row = compute_indicator_table(conn, scope, filters, level="total", codes=codes).iloc[0]
    values = {code: indicator_value(code, row[code]) for code in CATALOGUE if code in row}
    return IndicatorValues(
        scope=scope,
        filters=filters,
        values=values,
        population=int(row["population"]),
        demo=bool(row["demo"]),
    )

