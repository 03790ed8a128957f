"""Filters are a value: widgets and CLI options become one frozen Filters, turned into WHERE
clauses here and nowhere else. Every value is bound as a parameter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import aliased

from tne_dash.figures.scope import COMMUNE, DEPARTEMENT, TNE, Scope
from tne_dash.store.models import Commune, School, Venue, Workshop, WorkshopTheme
from tne_dash.store.reference import TNE_COHORTS
from tne_dash.vocabulary import LabelledEnum, SchoolLevel, Source, VenueKind, register_labels


class SchoolLevelFilter(LabelledEnum):
    """The school levels the filter can tell apart. A workshop knows the kind of its venue
    (école, collège, lycée), never whether an école is maternelle or élémentaire: both are one
    level, so that target schools and workshops read the level the same way."""

    ECOLE = "ecole"
    COLLEGE = "college"
    LYCEE = "lycee"


register_labels(SchoolLevelFilter, {
    SchoolLevelFilter.ECOLE: "École (maternelle et élémentaire)",
    SchoolLevelFilter.COLLEGE: "Collège",
    SchoolLevelFilter.LYCEE: "Lycée",
})
# Each level of the filter: the levels of ``School`` it keeps and the kind of venue of its
# workshops.
SCHOOL_LEVEL_READING = {
    SchoolLevelFilter.ECOLE: ((SchoolLevel.MATERNELLE, SchoolLevel.ELEMENTAIRE), VenueKind.ECOLE),
    SchoolLevelFilter.COLLEGE: ((SchoolLevel.COLLEGE,), VenueKind.COLLEGE),
    SchoolLevelFilter.LYCEE: ((SchoolLevel.LYCEE,), VenueKind.LYCEE),
}
# Levels of older links and callers, read as the école level.
LEGACY_SCHOOL_LEVELS = {SchoolLevel.MATERNELLE.value: SchoolLevelFilter.ECOLE.value,
                        SchoolLevel.ELEMENTAIRE.value: SchoolLevelFilter.ECOLE.value}


def school_level_choices(levels) -> tuple[str, ...]:
    """``levels`` as levels of the filter, in its order: « maternelle » and « élémentaire »
    (older links) read « ecole »; an unknown level raises ``ValueError``."""
    chosen = {SchoolLevelFilter(LEGACY_SCHOOL_LEVELS.get(level, level)) for level in levels}
    return tuple(level.value for level in SchoolLevelFilter if level in chosen)


@dataclass(frozen=True)
class Filters:
    """Every filter of the dashboard; empty tuples mean « all »."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    departements: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    venue_kinds: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    facilitator_kinds: tuple[str, ...] = ()
    school_levels: tuple[str, ...] = ()  # SchoolLevelFilter values
    # Communes with at least one REP/REP+ school: all of their activity and target schools.
    rep_only: bool = False
    include_demo: bool = True


def territory_clauses(scope: Scope, filters: Filters) -> list[ColumnElement[bool]]:
    """Conditions on ``Commune`` for the scope and the territorial filters. ``rep_only``
    keeps the communes with at least one REP/REP+ école or collège."""
    clauses: list[ColumnElement[bool]] = []
    if scope.kind == TNE:
        clauses.append(Commune.departement_code.in_(sorted(TNE_COHORTS)))
    elif scope.kind == DEPARTEMENT:
        clauses.append(Commune.departement_code == scope.code)
    elif scope.kind == COMMUNE:
        clauses.append(Commune.code_insee == scope.code)
    if filters.departements:
        clauses.append(Commune.departement_code.in_(filters.departements))
    if filters.communes:
        clauses.append(Commune.code_insee.in_(filters.communes))
    if filters.rep_only:
        clauses.append(
            Commune.code_insee.in_(
                select(School.commune_code).where(School.education_prioritaire.is_not(None))
            )
        )
    return clauses


def date_clauses(column, filters: Filters) -> list[ColumnElement[bool]]:
    """``column`` within [date_from, date_to], both inclusive."""
    clauses: list[ColumnElement[bool]] = []
    if filters.date_from is not None:
        clauses.append(column >= filters.date_from)
    if filters.date_to is not None:
        clauses.append(column <= filters.date_to)
    return clauses


def source_clauses(column, filters: Filters) -> list[ColumnElement[bool]]:
    """Leave out demo rows when the filters say so."""
    return [] if filters.include_demo else [column != Source.DEMO.value]


def workshop_clauses(filters: Filters) -> list[ColumnElement[bool]]:
    """Conditions on ``Workshop`` for the period, phase, format, theme, venue and facilitator."""
    clauses = date_clauses(Workshop.date, filters) + source_clauses(Workshop.source, filters)
    if filters.phases:
        clauses.append(Workshop.phase.in_(filters.phases))
    if filters.formats:
        clauses.append(Workshop.format.in_(filters.formats))
    if filters.facilitator_kinds:
        clauses.append(Workshop.facilitator_kind.in_(filters.facilitator_kinds))
    if filters.themes:
        # An alias: a breakdown by theme joins WorkshopTheme itself, and the subquery must
        # correlate with Workshop only.
        chosen = aliased(WorkshopTheme)
        clauses.append(
            exists().where(
                and_(chosen.workshop_id == Workshop.id, chosen.theme.in_(filters.themes))
            )
        )
    venue_kinds = set(filters.venue_kinds)
    if filters.school_levels:
        level_kinds = {SCHOOL_LEVEL_READING[SchoolLevelFilter(level)][1].value
                       for level in school_level_choices(filters.school_levels)}
        venue_kinds = venue_kinds & level_kinds if venue_kinds else level_kinds
        if not venue_kinds:
            venue_kinds = {"__none__"}  # contradictory filters: nothing matches
    if venue_kinds:
        clauses.append(
            Workshop.venue_id.in_(select(Venue.id).where(Venue.kind.in_(sorted(venue_kinds))))
        )
    return clauses


def school_clauses(filters: Filters) -> list[ColumnElement[bool]]:
    """Conditions on ``School`` for the school-level filter, read as ``workshop_clauses``
    reads it (« ecole »: maternelle and élémentaire schools, workshops in an école).

    The REP filter is not here: it keeps communes (``territory_clauses``), and within them
    every target school, as it keeps every workshop — one reading for the whole view.
    """
    if not filters.school_levels:
        return []
    levels = sorted({school_level.value for level in school_level_choices(filters.school_levels)
                     for school_level in SCHOOL_LEVEL_READING[SchoolLevelFilter(level)][0]})
    return [School.level.in_(levels)]
