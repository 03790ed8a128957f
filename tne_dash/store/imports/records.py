"""Validated rows, ready to be written: what leaves a file is only these counts and labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tne_dash.periods import Period


@dataclass(frozen=True)
class WorkshopRecord:
    row: int
    key: str  # stored as workshop.external_ref: idempotence key
    date: dt.date
    commune_code: str
    venue_name: str
    venue_kind: str
    phase: str
    format: str
    themes: tuple[str, ...]
    duration_minutes: int
    facilitator_kind: str
    parents_count: int
    first_time_parents_count: int
    children_count: int
    venue_address: str | None = None
    venue_lat: float | None = None
    venue_lon: float | None = None


@dataclass(frozen=True)
class ParentsRessourcesRecord:
    row: int
    commune_code: str
    period_start: dt.date
    period_end: dt.date
    recruited: int
    active: int
    meetings: int


@dataclass(frozen=True)
class ObjectiveRecord:
    row: int
    scope_kind: str
    scope_code: str
    period: Period
    indicator: str
    target: float
