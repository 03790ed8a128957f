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
from tne_dash.vocabulary import Source, VenueKind

# Venue kinds that are schools of a given level (école covers maternelle and élémentaire).
LEVEL_VENUE_KINDS = {
    "maternelle": VenueKind.ECOLE,
    "elementaire": VenueKind.ECOLE,
    "college": VenueKind.COLLEGE,
    "lycee": VenueKind.LYCEE,
}


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
    school_levels: tuple[str, ...] = ()
    rep_only: bool = False
    include_demo: bool = True


def territory_clauses(scope: Scope, filters: Filters) -> list[ColumnElement[bool]]:
    """Conditions on ``Commune`` for the scope and the territorial filters."""
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
        level_kinds = {LEVEL_VENUE_KINDS[level].value for level in filters.school_levels}
        venue_kinds = venue_kinds & level_kinds if venue_kinds else level_kinds
        if not venue_kinds:
            venue_kinds = {"__none__"}  # contradictory filters: nothing matches
    if venue_kinds:
        clauses.append(
            Workshop.venue_id.in_(select(Venue.id).where(Venue.kind.in_(sorted(venue_kinds))))
        )
    return clauses


def school_clauses(filters: Filters) -> list[ColumnElement[bool]]:
    """Conditions on ``School`` for the school-level and REP filters."""
    clauses: list[ColumnElement[bool]] = []
    if filters.school_levels:
        clauses.append(School.level.in_(filters.school_levels))
    if filters.rep_only:
        clauses.append(School.education_prioritaire.is_not(None))
    return clauses
