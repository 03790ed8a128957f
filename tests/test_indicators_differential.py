"""The indicators against an independent recomputation (issue 19, point 10): hypothesis
generates small random activity — communes of 2–3 départements, venues, workshops, Parents
Ressources reports that never overlap within a commune — and a random scope, period and
filters; ``compute_indicators`` must give what pandas recomputes here from the catalogue's
definitions, on SQLite and PostgreSQL.

Nothing here calls the project's query code: the expected values come from the generated
rows themselves. Each example writes its rows in one transaction, reads the figures inside
it and rolls it back, so one schema per backend serves every example.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from tne_dash.catalogue import PER_1000
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_indicators
from tne_dash.figures.scope import Scope
from tne_dash.store import workshop_months
from tne_dash.store.models import (
    Commune,
    Departement,
    ParentsRessourcesCount,
    Region,
    Venue,
    Workshop,
    WorkshopTheme,
)
from tne_dash.vocabulary import FacilitatorKind, Phase, Theme, VenueKind, WorkshopFormat

# Départements to draw from, with their TNE cohort (None outside the TNE), written here
# rather than read from the project so that the « tne » scope is checked too.
DEPARTEMENT_POOL = {"95": "pilot_2020", "86": "extension_2021", "2A": "extension_2021",
                    "01": None, "33": None, "75": None}
FIRST_DAY = dt.date(2022, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)
ACTIVE_MAX_AGE = dt.timedelta(days=365)
DEMO = "demo"

# Six themes are enough, and make a workshop with two chosen themes likelier.
THEMES = [t.value for t in Theme][:6]
FORMATS = [f.value for f in WorkshopFormat]
VENUE_KINDS = [k.value for k in VenueKind]
FACILITATORS = [f.value for f in FacilitatorKind]
PHASES = [p.value for p in Phase]
# The school-level filter keeps the workshops of venues of these kinds (the older
# « maternelle » and « élémentaire » read « école »).
SCHOOL_LEVEL_KINDS = {"ecole": "ecole", "maternelle": "ecole", "elementaire": "ecole",
                      "college": "college", "lycee": "lycee"}
# In the order hypothesis favours: the first ones are drawn most often.
WORKSHOP_FILTERS = {
    "venue_kinds": VENUE_KINDS, "school_levels": sorted(SCHOOL_LEVEL_KINDS), "themes": THEMES,
    "formats": FORMATS, "phases": PHASES, "facilitator_kinds": FACILITATORS,
}

WORKSHOP_CODES = ("workshops", "participations", "parents_reached", "children_reached",
                  "workshop_hours", "venues")
# Every one of them has a per-1 000-inhabitants variant, meetings excepted (catalogue).
PER_CAPITA_CODES = (*WORKSHOP_CODES, "parents_ressources_recruited", "parents_ressources_active")
# Families with no generated row: nothing may leak into them.
ZERO_CODES = ("cnfs_posts", "cnfs_structures", "communes_engaged", "target_schools",
              "target_schools_with_pcn", "strategies_validated", "teachers_participating",
              "mallette_consultations", "pix_courses")


@dataclass(frozen=True)
class World:
    """The generated rows, as plain dicts (the columns of their tables)."""

    departements: tuple[str, ...]
    communes: tuple[dict, ...]
    venues: tuple[dict, ...]
    workshops: tuple[dict, ...]  # each with its ``themes``
    reports: tuple[dict, ...]


def _day(offset: int) -> dt.date:
    return FIRST_DAY + dt.timedelta(days=offset)


def _month_start(index: int) -> dt.date:
    return dt.date(FIRST_DAY.year + index // 12, index % 12 + 1, 1)


def _sources(demo: bool):
    return st.sampled_from([DEMO, "form", "import", "coop"] if demo else ["form", "import"])


@st.composite
def worlds(draw) -> World:
    departements = draw(st.lists(st.sampled_from(sorted(DEPARTEMENT_POOL)), min_size=2,
                                 max_size=3, unique=True))
    communes = []
    for dep in departements:
        numbers = draw(st.lists(st.integers(1, 999), min_size=1, max_size=2, unique=True))
        communes += [{"code_insee": f"{dep}{n:03d}", "departement_code": dep,
                      "population": draw(st.sampled_from([0, 850, 12_000, 36_434]))}
                     for n in numbers]
    codes = [c["code_insee"] for c in communes]
    # Demo rows in some worlds only, family by family, so that the demo flag is seen coming
    # from each family alone.
    demo_workshops = draw(st.sampled_from([True, False]))
    demo_reports = draw(st.sampled_from([True, False]))

    venues = [{"id": i, "commune_code": draw(st.sampled_from(codes)),
               "kind": draw(st.sampled_from(VENUE_KINDS)), "source": draw(_sources(True))}
              for i in range(1, draw(st.integers(1, 5)) + 1)]

    workshops = []
    for i in range(1, draw(st.integers(1, 20)) + 1):
        venue = draw(st.sampled_from([*venues, None]))  # some workshops have no venue
        parents = draw(st.integers(0, 30))
        workshops.append({
            "id": i,
            "date": _day(draw(st.integers(0, (LAST_DAY - FIRST_DAY).days))),
            "venue_id": venue["id"] if venue else None,
            "commune_code": venue["commune_code"] if venue else draw(st.sampled_from(codes)),
            "phase": draw(st.sampled_from(PHASES)),
            "format": draw(st.sampled_from(FORMATS)),
            "duration_minutes": draw(st.integers(1, 480)),
            "facilitator_kind": draw(st.sampled_from(FACILITATORS)),
            "parents_count": parents,
            "first_time_parents_count": draw(st.integers(0, parents)),
            "children_count": draw(st.integers(0, 30)),
            "source": draw(_sources(demo_workshops)),
            "themes": tuple(draw(st.lists(st.sampled_from(THEMES), unique=True,
                                          min_size=(n := draw(st.sampled_from([2, 1, 3, 0]))),
                                          max_size=n))),
        })

    # Reports of one commune follow each other, a month, a quarter or a semester long, with
    # gaps of 0 to 14 months: they never overlap (an import refuses an overlap).
    reports = []
    for code in codes:
        month = draw(st.integers(0, 47))
        for _ in range(draw(st.sampled_from([2, 1, 3, 0, 4]))):
            month += draw(st.sampled_from([0, 0, 1, 2, 5, 8, 14]))
            length = draw(st.sampled_from([1, 3, 6]))
            reports.append({
                "id": len(reports) + 1, "commune_code": code,
                "period_start": _month_start(month),
                "period_end": _month_start(month + length) - dt.timedelta(days=1),
                "recruited": draw(st.integers(0, 20)), "active": draw(st.integers(1, 50)),
                "meetings": draw(st.integers(0, 10)),
                "source": draw(_sources(demo_reports)),
            })
            month += length
    return World(tuple(departements), tuple(communes), tuple(venues), tuple(workshops),
                 tuple(reports))


def _day_of_period(draw, world: World, to: bool) -> dt.date | None:
    """A bound of the period: none, any day, or a day on an edge of the data — a workshop's
    day, a report's end (or the day before or after it), and for ``date_to`` a report's end
    365 or 366 days later (the last day it is still active, the first it no longer is),
    mostly the last report of its commune (an earlier one is often followed by another)."""
    # The first kinds come first in hypothesis's choices, and most often.
    edges = (["end", "age", "workshop", "any", "age", "end", "none"] if to else
             ["none", "workshop", "end", "any", "none"])
    kind = draw(st.sampled_from(edges))
    if kind == "workshop" and world.workshops:
        return draw(st.sampled_from(world.workshops))["date"]
    if kind in ("end", "age") and world.reports:
        last = {r["commune_code"]: r for r in sorted(world.reports, key=lambda r: r["period_end"])}
        pool = [*last.values(), *last.values(), *world.reports] if kind == "age" else world.reports
        shifts = (365, 366) if kind == "age" else (-1, 0, 1)
        return (draw(st.sampled_from(pool))["period_end"]
                + dt.timedelta(days=draw(st.sampled_from(shifts))))
    if kind == "none":
        return None
    return _day(draw(st.integers(-30, (LAST_DAY - FIRST_DAY).days + 400)))


def _workshop_filters(draw, world: World, *always: str) -> dict[str, tuple[str, ...]]:
    """No filter, one or two of them (a school level often with venue kinds, which it
    narrows — sometimes to nothing), besides those ``always`` there."""
    names = [*always, *draw(st.lists(
        st.sampled_from([*WORKSHOP_FILTERS, "departements", "communes"]),
        min_size=draw(st.sampled_from([0, 1, 1, 2])), max_size=2, unique=True))]
    if "school_levels" in names and draw(st.sampled_from([True, False])):
        names.append("venue_kinds")
    pools = WORKSHOP_FILTERS | {"departements": sorted(DEPARTEMENT_POOL),
                                "communes": [c["code_insee"] for c in world.communes]}
    sizes = st.sampled_from([2, 1, 3])
    return {name: tuple(draw(st.lists(
        st.sampled_from(pools[name]), unique=True,
        min_size=(n := min(draw(sizes), len(pools[name]))), max_size=n)))
        for name in dict.fromkeys(names)}


@dataclass(frozen=True)
class Case:
    """A world, a scope and filters; two more sets of workshop filters read with the same
    period (the second one with themes); the end of one report (mostly the last of its
    commune) around which the active stock is also read."""

    world: World
    scope: Scope
    filters: Filters
    more_workshop_filters: tuple[Filters, ...]
    edge: dt.date | None


@st.composite
def cases(draw) -> Case:
    world = draw(worlds())
    kind = draw(st.sampled_from(["departement", "commune", "tne", "national"]))
    scope = {"national": lambda: Scope("national"), "tne": lambda: Scope("tne"),
             "departement": lambda: Scope("departement",
                                          draw(st.sampled_from(world.departements))),
             "commune": lambda: Scope("commune", draw(st.sampled_from(
                 [c["code_insee"] for c in world.communes])))}[kind]()
    filters = Filters(date_from=_day_of_period(draw, world, to=False),
                      date_to=_day_of_period(draw, world, to=True),
                      include_demo=draw(st.sampled_from([True, False])),
                      **_workshop_filters(draw, world))
    more = tuple(replace(filters, **({name: () for name in WORKSHOP_FILTERS}
                                     | _workshop_filters(draw, world, *always)))
                 for always in ((), ("themes",)))
    last = {r["commune_code"]: r for r in sorted(world.reports, key=lambda r: r["period_end"])}
    edge = (draw(st.sampled_from([*last.values(), *world.reports]))["period_end"]
            if world.reports else None)
    return Case(world, scope, filters, more, edge)


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)


def _within(days: pd.Series, filters: Filters) -> pd.Series:
    """``days`` in [date_from, date_to], a missing bound being open."""
    keep = pd.Series(True, index=days.index)
    if filters.date_from is not None:
        keep &= days >= pd.Timestamp(filters.date_from)
    if filters.date_to is not None:
        keep &= days <= pd.Timestamp(filters.date_to)
    return keep


def _shown(rows: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Demo rows left out when the filters say so."""
    return rows if filters.include_demo else rows[rows["source"] != DEMO]


class Recomputation:
    """The catalogue's definitions, recomputed with pandas from the generated rows."""

    FAMILIES = ("workshops", "flows", "active")

    def __init__(self, world: World):
        self.communes = _frame(world.communes, ["code_insee", "departement_code",
                                                "population"])
        kinds = {v["id"]: v["kind"] for v in world.venues}
        self.workshops = _frame(world.workshops, [
            "id", "date", "venue_id", "commune_code", "phase", "format", "duration_minutes",
            "facilitator_kind", "parents_count", "first_time_parents_count", "children_count",
            "source", "themes"])
        self.workshops["date"] = pd.to_datetime(self.workshops["date"])
        self.workshops["venue_kind"] = self.workshops["venue_id"].map(kinds)
        self.reports = _frame(world.reports, ["id", "commune_code", "period_start",
                                              "period_end", "recruited", "active", "meetings",
                                              "source"])
        self.reports["period_end"] = pd.to_datetime(self.reports["period_end"])

    def territory(self, scope: Scope, filters: Filters) -> pd.DataFrame:
        """The communes of the scope and of the territorial filters."""
        communes = self.communes
        keep = {
            "national": pd.Series(True, index=communes.index),
            "tne": communes["departement_code"].map(DEPARTEMENT_POOL).notna(),
            "departement": communes["departement_code"] == scope.code,
            "commune": communes["code_insee"] == scope.code,
        }[scope.kind]
        if filters.departements:
            keep &= communes["departement_code"].isin(filters.departements)
        if filters.communes:
            keep &= communes["code_insee"].isin(filters.communes)
        return communes[keep]

    def workshop_rows(self, territory: pd.DataFrame, filters: Filters) -> pd.DataFrame:
        """Workshops of the territory and period, and of every workshop filter."""
        w = _shown(self.workshops, filters)
        keep = w["commune_code"].isin(territory["code_insee"]) & _within(w["date"], filters)
        for column, chosen in (("phase", filters.phases), ("format", filters.formats),
                               ("facilitator_kind", filters.facilitator_kinds)):
            if chosen:
                keep &= w[column].isin(chosen)
        if filters.themes:  # one of its themes is chosen
            keep &= w["themes"].map(lambda themes: bool(set(themes) & set(filters.themes)))
        venue_kinds = set(filters.venue_kinds)
        if filters.school_levels:
            level_kinds = {SCHOOL_LEVEL_KINDS[level] for level in filters.school_levels}
            venue_kinds = venue_kinds & level_kinds if venue_kinds else level_kinds
            if not venue_kinds:
                keep &= False
        if venue_kinds:
            keep &= w["venue_kind"].isin(venue_kinds)  # a workshop without a venue: no kind
        return w[keep]

    def values(self, scope: Scope, filters: Filters, today: dt.date,
               families: tuple[str, ...] = FAMILIES) -> tuple[dict, int, bool]:
        """The values of ``families`` (and their per-1 000 variants), the territory's
        population and whether demo rows contributed to those families."""
        territory = self.territory(scope, filters)
        population = int(territory["population"].sum())
        tne = territory[territory["departement_code"].map(DEPARTEMENT_POOL).notna()]
        values: dict[str, float | int | None] = {
            "tne_departements": int(tne["departement_code"].nunique())}
        used = []
        if "workshops" in families:
            w = self.workshop_rows(territory, filters)
            values |= {
                "workshops": len(w),
                "participations": int(w["parents_count"].sum()),
                "parents_reached": int(w["first_time_parents_count"].sum()),
                "children_reached": int(w["children_count"].sum()),
                "workshop_hours": float(w["duration_minutes"].sum()) / 60,
                "venues": int(w["venue_id"].dropna().nunique()),
            }
            used.append(w)
        # Parents Ressources: territory, demo rows and dates only (no workshop filter).
        reports = _shown(self.reports, filters)
        reports = reports[reports["commune_code"].isin(territory["code_insee"])]
        if "flows" in families:
            flow = reports[_within(reports["period_end"], filters)]
            values["parents_ressources_recruited"] = int(flow["recruited"].sum())
            values["parents_ressources_meetings"] = int(flow["meetings"].sum())
            used.append(flow)
        if "active" in families:
            # Each commune's one report with the latest end on or before the day, counted
            # when it ended at most 365 days before it.
            day = pd.Timestamp(filters.date_to or today)
            before = reports[reports["period_end"] <= day]
            last = before.sort_values("period_end").groupby("commune_code").tail(1)
            recent = last[last["period_end"] >= day - ACTIVE_MAX_AGE]
            values["parents_ressources_active"] = int(recent["active"].sum())
            used.append(recent)
        for code in PER_CAPITA_CODES:
            if code in values:
                values[code + PER_1000] = (values[code] * 1000.0 / population
                                           if population > 0 else None)
        return values, population, any((rows["source"] == DEMO).any() for rows in used)


def _write(conn, world: World) -> None:
    rows = [
        (Region, [{"code": "11", "name": "Région de test"}]),
        (Departement, [{"code": dep, "name": f"Département {dep}", "region_code": "11",
                        "zone": "metro", "population": 0,
                        "tne_cohort": DEPARTEMENT_POOL[dep]} for dep in world.departements]),
        (Commune, [c | {"name": f"Commune {c['code_insee']}", "epci_code": None,
                        "epci_name": None, "lat": None, "lon": None} for c in world.communes]),
        (Venue, [v | {"name": f"Lieu {v['id']}", "address": None, "lat": None, "lon": None,
                      "school_uai": None} for v in world.venues]),
        (Workshop, [{k: v for k, v in w.items() if k != "themes"} | {"external_ref": None}
                    for w in world.workshops]),
        (WorkshopTheme, [{"workshop_id": w["id"], "theme": theme}
                         for w in world.workshops for theme in w["themes"]]),
        (ParentsRessourcesCount, list(world.reports)),
    ]
    for model, values in rows:
        if values:
            conn.execute(insert(model.__table__), values)
    workshop_months.rebuild(conn)  # as a build does: the monthly sums of these workshops


def _same(got, expected) -> bool:
    if expected is None or got is None:
        return got is expected
    return got == pytest.approx(expected, rel=1e-9, abs=1e-9)


def _wrong(got, values: dict) -> dict:
    return {code: (got[code], want) for code, want in values.items()
            if not _same(got[code], want)}


ACTIVE = "parents_ressources_active"
FLOW_CODES = ("parents_ressources_recruited", "parents_ressources_meetings")
# The families of the project's queries that some codes need, as the recomputation names them.
FAMILIES_OF = {None: Recomputation.FAMILIES, WORKSHOP_CODES: ("workshops",),
               FLOW_CODES: ("flows",), (ACTIVE,): ("active",)}


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          # One schema per backend for every example: each example rolls its rows back.
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_indicators_match_an_independent_recomputation(engine, case):
    """Every figure at the drawn scope and filters; then, with only their own queries (so
    that each family's demo flag is seen alone): the Parents Ressources flows, the workshop
    figures under two more sets of workshop filters, and the active stock the day before a
    report ends, the day it ends (with and without demo rows), the last day it is recent
    (365 days later) and the next."""
    filters, edge = case.filters, case.edge
    reads = [(filters, None), (filters, FLOW_CODES),
             *((f, WORKSHOP_CODES) for f in case.more_workshop_filters)]
    if edge is not None:
        reads += [(replace(filters, date_to=edge + dt.timedelta(days=days), include_demo=demo),
                   (ACTIVE,))
                  for days, demo in ((-1, filters.include_demo), (0, True), (0, False),
                                     (365, filters.include_demo), (366, filters.include_demo))]
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            _write(conn, case.world)
            today = dt.date.today()
            got = [compute_indicators(conn, case.scope, f, codes=codes) for f, codes in reads]
        finally:
            transaction.rollback()

    recomputation = Recomputation(case.world)
    for (f, codes), values in zip(reads, got, strict=True):
        wanted, population, demo = recomputation.values(case.scope, f, today, FAMILIES_OF[codes])
        wrong = _wrong(values, wanted)
        if codes is None:  # nothing leaks into the families without rows
            wrong |= {code: (values[code], 0) for code in ZERO_CODES if values[code] != 0}
            if values["target_schools_with_pcn_pct"] is not None:
                wrong["target_schools_with_pcn_pct"] = (values["target_schools_with_pcn_pct"],
                                                        None)
        assert (f, codes, wrong, values.population, values.demo) == (
            f, codes, {}, population, demo)
