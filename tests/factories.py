"""Factories with defaults plus ``**overrides``: small, hand-computable databases."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from tne_dash.store import workshop_months
from tne_dash.store.models import (
    CnfsStructure,
    Commune,
    Departement,
    DepartementStrategy,
    ExternalMeasure,
    Objective,
    ParentsRessourcesCount,
    Region,
    RolloutYear,
    School,
    Venue,
    Workshop,
    WorkshopTheme,
)

_ids = itertools.count(1)


def _add(session: Session, obj):
    session.add(obj)
    session.flush()
    return obj


def make_departement(session: Session, code: str = "95", **overrides) -> Departement:
    if session.get(Region, "11") is None:
        _add(session, Region(code="11", name="Île-de-France"))
    values = {"code": code, "name": f"Département {code}", "region_code": "11",
              "zone": "metro", "population": 0, "tne_cohort": "pilot_2020"}
    return _add(session, Departement(**(values | overrides)))


def make_commune(session: Session, code_insee: str = "95063", **overrides) -> Commune:
    dep = overrides.pop("departement_code", code_insee[:2])
    if session.get(Departement, dep) is None:
        make_departement(session, dep)
    values = {"code_insee": code_insee, "name": f"Commune {code_insee}",
              "departement_code": dep, "epci_code": "200058519", "epci_name": "CA Test",
              "population": 10_000, "lat": 48.9, "lon": 2.2}
    return _add(session, Commune(**(values | overrides)))


def make_venue(session: Session, commune_code: str = "95063", **overrides) -> Venue:
    values = {"name": "Centre social Test", "kind": "centre_social",
              "commune_code": commune_code, "lat": 48.9, "lon": 2.2, "source": "form"}
    return _add(session, Venue(**(values | overrides)))


def make_workshop(session: Session, venue: Venue, themes: tuple[str, ...] = ("ent",),
                  monthly_sums: bool = True, **overrides) -> Workshop:
    """A workshop written as the app writes one (``monthly_sums=False``: a schema older than
    the monthly sums, for migration tests)."""
    values = {"date": dt.date(2022, 10, 3), "venue_id": venue.id,
              "commune_code": venue.commune_code, "phase": "acculturation",
              "format": "atelier_collectif", "duration_minutes": 90,
              "facilitator_kind": "cnfs", "parents_count": 8, "first_time_parents_count": 5,
              "children_count": 0, "source": "form"}
    workshop = _add(session, Workshop(**(values | overrides)))
    for theme in themes:
        _add(session, WorkshopTheme(workshop_id=workshop.id, theme=theme))
    # As every write of the app does: the monthly sums of its month, same transaction.
    if monthly_sums:
        workshop_months.refresh(session, [(workshop.commune_code, workshop.date)])
    return workshop


def make_parents_ressources(session: Session, commune_code: str = "95063",
                            month: dt.date = dt.date(2022, 10, 1), **overrides):
    next_month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    values = {"commune_code": commune_code, "period_start": month,
              "period_end": next_month - dt.timedelta(days=1), "recruited": 2, "active": 2,
              "meetings": 1, "source": "form"}
    return _add(session, ParentsRessourcesCount(**(values | overrides)))


def make_cnfs_structure(session: Session, commune_code: str = "95063", **overrides):
    values = {"siret": f"{next(_ids):014d}", "name": "COMMUNE DE TEST",
              "public_private": "publique", "employer_kind": "commune", "posts": 2,
              "commune_code": commune_code, "coselec_date": dt.date(2021, 5, 19),
              "france_services": False}
    return _add(session, CnfsStructure(**(values | overrides)))


def make_school(session: Session, commune_code: str = "95063", **overrides) -> School:
    values = {"uai": f"{next(_ids):07d}X", "name": "École Test", "level": "elementaire",
              "sector": "public", "commune_code": commune_code, "lat": 48.9, "lon": 2.2,
              "education_prioritaire": None, "strategy_target": False, "pcn_since": None,
              "programme_source": None}
    return _add(session, School(**(values | overrides)))


def make_rollout(session: Session, commune_code: str = "95063", first_year: int = 2021,
                 source: str = "form") -> list[RolloutYear]:
    phases = ("acculturation", "parents_ressources", "autonomie")
    return [
        _add(session, RolloutYear(
            commune_code=commune_code, year_number=n, phase=phase,
            school_year=f"{first_year + n - 1}-{first_year + n}",
            start_date=dt.date(first_year + n - 1, 9, 1),
            end_date=dt.date(first_year + n, 8, 31), source=source))
        for n, phase in enumerate(phases, start=1)
    ]


def make_strategy(session: Session, departement_code: str = "95", **overrides):
    values = {"departement_code": departement_code, "validated_on": dt.date(2022, 3, 1),
              "source": "form"}
    return _add(session, DepartementStrategy(**(values | overrides)))


def make_measure(session: Session, **overrides) -> ExternalMeasure:
    values = {"scope_kind": "departement", "scope_code": "95",
              "period_start": dt.date(2022, 9, 1), "period_end": dt.date(2023, 8, 31),
              "indicator": "pix_courses", "value": 10.0, "source": "form"}
    return _add(session, ExternalMeasure(**(values | overrides)))


def make_objective(session: Session, scope_kind: str = "commune", scope_code: str = "95063",
                   indicator: str = "workshops", target: float = 10.0,
                   first_year: int = 2022, **overrides) -> Objective:
    values = {"scope_kind": scope_kind, "scope_code": scope_code,
              "period_kind": "school_year", "period_label": f"{first_year}-{first_year + 1}",
              "period_start": dt.date(first_year, 9, 1),
              "period_end": dt.date(first_year + 1, 8, 31), "indicator": indicator,
              "target": target, "source": "form"}
    return _add(session, Objective(**(values | overrides)))
