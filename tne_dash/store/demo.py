"""Deterministic demo activity for the 12 TNE départements, flagged ``source='demo'``.

Nothing here is real activity: the app announces « Données d'activité de démonstration »
wherever these rows contribute. The scale follows the programme's material: a commune holds a
few to a few dozen workshops a year, not every commune is engaged, later cohorts start later.
Bezons (95063) is scripted to reproduce the figures the programme published for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from random import Random

import pandas as pd

from tne_dash.periods import school_year_bounds, school_year_label
from tne_dash.store.reference import TNE_COHORTS
from tne_dash.vocabulary import (
    Cohort,
    FacilitatorKind,
    Phase,
    Source,
    Theme,
    VenueKind,
    WorkshopFormat,
)

DEFAULT_SEED = 42
# Last day of generated activity: fixed, so the same seed always gives the same database.
DEMO_END = dt.date(2026, 10, 31)
DEMO = Source.DEMO.value

BEZONS = "95063"
BEZONS_START_YEAR = 2021
# Bezons' published figures (webinar « cafés numériques », 17 April 2023).
BEZONS_CUTOFF = dt.date(2023, 4, 17)
BEZONS_WORKSHOPS = 50
BEZONS_PARENTS_REACHED = 109
BEZONS_PR_RECRUITED = 20
BEZONS_PR_MEETINGS = 14
BEZONS_WORKSHOP_MINUTES = 90
# Bezons' yearly objectives (demo): met in year 1, on pace in year 2 at the 17 April 2023
# webinar — the published success story.
BEZONS_OBJECTIVES = {
    1: {"workshops": 20, "parents_reached": 60},
    2: {"workshops": 30, "parents_reached": 60, "parents_ressources_recruited": 20},
    3: {"workshops": 30, "parents_reached": 40, "parents_ressources_meetings": 10},
}

PHASES = (Phase.ACCULTURATION, Phase.PARENTS_RESSOURCES, Phase.AUTONOMIE)
# School months carry activity; July and August almost none.
SCHOOL_MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6)

# Possible first school years (September of …) by cohort, with weights.
START_YEARS = {
    Cohort.PILOT_2020: ((2020, 2021, 2022), (5, 3, 2)),
    Cohort.EXTENSION_2021: ((2021, 2022, 2023, 2024, 2025), (3, 4, 3, 2, 1)),
}

THEMES_BY_PHASE = {
    Phase.ACCULTURATION: (Theme.PRISE_EN_MAIN, Theme.MESSAGERIE, Theme.FRANCECONNECT, Theme.ENT,
                          Theme.RESSOURCES_EDUCATIVES, Theme.ECRANS, Theme.PARENTALITE),
    Phase.PARENTS_RESSOURCES: (Theme.ENT, Theme.SUIVI_SCOLARITE, Theme.ECRANS,
                               Theme.IDENTITE_NUMERIQUE, Theme.RESSOURCES_EDUCATIVES, Theme.PIX),
    Phase.AUTONOMIE: (Theme.SUIVI_SCOLARITE, Theme.ORIENTATION_BOURSES, Theme.CODAGE, Theme.PIX,
                      Theme.ECRANS, Theme.ENT),
}
FORMATS_BY_PHASE = {
    Phase.ACCULTURATION: ((WorkshopFormat.ATELIER_COLLECTIF, 6),
                          (WorkshopFormat.ATELIER_PARENT_ENFANT, 2),
                          (WorkshopFormat.STAND_EVENEMENT, 1),
                          (WorkshopFormat.ACCOMPAGNEMENT_INDIVIDUEL, 1)),
    Phase.PARENTS_RESSOURCES: ((WorkshopFormat.ATELIER_COLLECTIF, 4),
                               (WorkshopFormat.CAFE_DES_PARENTS, 3),
                               (WorkshopFormat.ATELIER_PARENT_ENFANT, 2),
                               (WorkshopFormat.ACCOMPAGNEMENT_INDIVIDUEL, 1)),
    Phase.AUTONOMIE: ((WorkshopFormat.CAFE_DES_PARENTS, 3), (WorkshopFormat.PERMANENCE, 2),
                      (WorkshopFormat.ATELIER_COLLECTIF, 3), (WorkshopFormat.STAND_EVENEMENT, 1)),
}
FACILITATORS_BY_PHASE = {
    Phase.ACCULTURATION: ((FacilitatorKind.CNFS, 8), (FacilitatorKind.SCHOOL_STAFF, 1),
                          (FacilitatorKind.PARTNER, 1)),
    Phase.PARENTS_RESSOURCES: ((FacilitatorKind.CNFS, 5), (FacilitatorKind.PARENT_RESSOURCE, 3),
                               (FacilitatorKind.PARTNER, 1)),
    Phase.AUTONOMIE: ((FacilitatorKind.PARENT_RESSOURCE, 6), (FacilitatorKind.SCHOOL_STAFF, 2),
                      (FacilitatorKind.CNFS, 2)),
}
DURATION_BY_FORMAT = {
    WorkshopFormat.ATELIER_COLLECTIF: 90,
    WorkshopFormat.ATELIER_PARENT_ENFANT: 90,
    WorkshopFormat.CAFE_DES_PARENTS: 60,
    WorkshopFormat.STAND_EVENEMENT: 180,
    WorkshopFormat.PERMANENCE: 120,
    WorkshopFormat.ACCOMPAGNEMENT_INDIVIDUEL: 45,
}
# Share of parents attending for the first time, by roll-out year (later years see regulars).
FIRST_TIME_SHARE = {1: 0.75, 2: 0.5, 3: 0.35, 4: 0.25}
# Activity multiplier by roll-out year; year 4+ is durable autonomy.
ACTIVITY_BY_YEAR = {1: 1.0, 2: 1.2, 3: 0.9, 4: 0.6}
NON_SCHOOL_VENUES = (
    (VenueKind.CENTRE_SOCIAL, "Centre social {}"),
    (VenueKind.MEDIATHEQUE, "Médiathèque de {}"),
    (VenueKind.FRANCE_SERVICES, "France Services {}"),
    (VenueKind.SALLE_MUNICIPALE, "Salle municipale de {}"),
    (VenueKind.MDS, "Maison départementale des solidarités de {}"),
    (VenueKind.TIERS_LIEU, "Tiers-lieu numérique de {}"),
    (VenueKind.EVENEMENT, "Fête des écoles de {}"),
)


@dataclass
class DemoActivity:
    """Rows ready for bulk insert, one list of dicts per table."""

    venues: list[dict] = field(default_factory=list)
    workshops: list[dict] = field(default_factory=list)
    workshop_themes: list[dict] = field(default_factory=list)
    parents_ressources: list[dict] = field(default_factory=list)
    rollout_years: list[dict] = field(default_factory=list)
    objectives: list[dict] = field(default_factory=list)
    strategies: list[dict] = field(default_factory=list)
    external_measures: list[dict] = field(default_factory=list)
    # uai → (strategy_target, pcn_since)
    school_programme: dict[str, tuple[bool, dt.date | None]] = field(default_factory=dict)


def engagement_probability(population: int) -> float:
    """Larger communes are more often engaged (they hold the schools and the services)."""
    if population >= 20_000:
        return 0.95
    if population >= 5_000:
        return 0.6
    if population >= 2_000:
        return 0.25
    if population >= 500:
        return 0.06
    return 0.01


def _weighted(rng: Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights)[0]


def _months(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        yield month
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _month_end(month: dt.date) -> dt.date:
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


class _Builder:
    def __init__(self, seed: int, communes: pd.DataFrame, schools: pd.DataFrame) -> None:
        self.rng = Random(seed)
        self.communes = communes
        self.schools_by_commune = {code: grp for code, grp in schools.groupby("commune_code")}
        self.out = DemoActivity()
        self.next_venue_id = 1
        self.next_workshop_id = 1

    # --- venues -----------------------------------------------------------------------
    def make_venues(self, commune) -> list[dict]:
        rng = self.rng
        venues: list[dict] = []
        schools = self.schools_by_commune.get(commune.code_insee)
        if schools is not None:
            eligible = schools[schools["level"].isin(["maternelle", "elementaire", "college"])]
            n_schools = min(len(eligible), 1 + int(commune.population // 6000))
            for school in eligible.sample(n=n_schools, random_state=rng.randrange(2**31)) \
                    .itertuples():
                kind = VenueKind.COLLEGE if school.level == "college" else VenueKind.ECOLE
                own_position = not school.position_is_commune and pd.notna(school.lat)
                venues.append(self._venue(school.name, kind, commune, school.uai,
                                          school.lat if own_position else None,
                                          school.lon if own_position else None))
        n_other = 1 + min(4, int(commune.population // 8000)) + rng.randint(0, 1)
        for kind, pattern in rng.sample(NON_SCHOOL_VENUES, k=min(n_other, 7)):
            venues.append(self._venue(pattern.format(commune.name), kind, commune, None,
                                      None, None))
        self.out.venues.extend(venues)
        return venues

    def _venue(self, name, kind, commune, uai, lat, lon) -> dict:
        rng = self.rng
        if lat is None:
            # Spread venues a few hundred metres around the commune's point.
            lat = commune.lat + rng.uniform(-0.006, 0.006)
            lon = commune.lon + rng.uniform(-0.009, 0.009)
        venue = {"id": self.next_venue_id, "name": name, "kind": kind.value,
                 "commune_code": commune.code_insee, "address": None,
                 "lat": round(float(lat), 6), "lon": round(float(lon), 6),
                 "school_uai": uai, "source": DEMO}
        self.next_venue_id += 1
        return venue

    # --- workshops ----------------------------------------------------------------------
    def add_workshop(self, commune_code: str, day: dt.date, venue: dict, phase: Phase,
                     year_number: int, *, duration: int | None = None,
                     first_time: int | None = None) -> None:
        rng = self.rng
        fmt = _weighted(rng, FORMATS_BY_PHASE[phase])
        if duration is not None:
            fmt = WorkshopFormat.ATELIER_COLLECTIF if fmt in (
                WorkshopFormat.ACCOMPAGNEMENT_INDIVIDUEL, WorkshopFormat.STAND_EVENEMENT,
                WorkshopFormat.PERMANENCE) else fmt
        if fmt == WorkshopFormat.ACCOMPAGNEMENT_INDIVIDUEL:
            parents = 1
        elif fmt == WorkshopFormat.STAND_EVENEMENT:
            parents = rng.randint(8, 30)
        else:
            parents = rng.randint(3, 14)
        if first_time is None:
            share = FIRST_TIME_SHARE[min(year_number, 4)]
            first_time = sum(rng.random() < share for _ in range(parents))
        parents = max(parents, first_time)
        children = rng.randint(2, 12) if fmt == WorkshopFormat.ATELIER_PARENT_ENFANT else 0
        wid = self.next_workshop_id
        self.next_workshop_id += 1
        self.out.workshops.append({
            "id": wid, "date": day, "venue_id": venue["id"], "commune_code": commune_code,
            "phase": phase.value, "format": fmt.value,
            "duration_minutes": duration or DURATION_BY_FORMAT[fmt],
            "facilitator_kind": _weighted(rng, FACILITATORS_BY_PHASE[phase]).value,
            "parents_count": parents, "first_time_parents_count": first_time,
            "children_count": children, "source": DEMO, "external_ref": None,
        })
        for theme in rng.sample(THEMES_BY_PHASE[phase], k=rng.randint(1, 3)):
            self.out.workshop_themes.append({"workshop_id": wid, "theme": theme.value})

    def random_school_day(self, start: dt.date, end: dt.date) -> dt.date:
        rng = self.rng
        while True:
            day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
            if day.month in SCHOOL_MONTHS and day.weekday() < 6:
                return day

    def generic_year(self, commune, venues: list[dict], year_number: int, start: dt.date,
                     end: dt.date, yearly_workshops: int) -> None:
        """Workshops and Parents Ressources counts of one roll-out year, up to DEMO_END."""
        if start > DEMO_END or start > end:
            return
        end = min(end, DEMO_END)
        phase = PHASES[min(year_number, 3) - 1]
        share_of_year = ((end - start).days + 1) / 365
        n = round(yearly_workshops * ACTIVITY_BY_YEAR[min(year_number, 4)] * share_of_year)
        for _ in range(max(n, 0)):
            day = self.random_school_day(start, end)
            self.add_workshop(commune.code_insee, day, self.rng.choice(venues), phase,
                              year_number)

    # --- Parents Ressources ---------------------------------------------------------------
    def parents_ressources(self, commune_code: str, start: dt.date, end: dt.date,
                           monthly: list[tuple[int, int]] | None, target: int,
                           active_start: int) -> int:
        """Monthly counts from ``start`` to ``end``; returns the active count at the end."""
        rng = self.rng
        active = active_start
        months = [m for m in _months(start, min(end, DEMO_END)) if _month_end(m) <= DEMO_END]
        for i, month in enumerate(months):
            if monthly is not None and i < len(monthly):
                recruited, meetings = monthly[i]
            elif month.month in (7, 8):
                recruited, meetings = 0, 0
            else:
                recruited = rng.randint(0, 2) if active < target else 0
                meetings = rng.randint(0, 2)
            left = 1 if active > 3 and rng.random() < 0.08 else 0
            active = active + recruited - left
            self.out.parents_ressources.append({
                "commune_code": commune_code, "period_start": month,
                "period_end": _month_end(month), "recruited": recruited, "active": active,
                "meetings": meetings, "source": DEMO,
            })
        return active


def _distribute(rng: Random, total: int, n: int, minimum: int, weights: list[float]) -> list[int]:
    """``n`` integers ≥ minimum summing exactly to ``total``, drawn along ``weights``."""
    counts = [minimum] * n
    for _ in range(total - minimum * n):
        counts[rng.choices(range(n), weights=weights)[0]] += 1
    return counts


def _bezons(builder: _Builder, commune, venues: list[dict]) -> None:
    """Bezons' scripted start: its published figures hold on 17 April 2023."""
    rng = builder.rng
    y1_start, y1_end = school_year_bounds(BEZONS_START_YEAR)
    y2_start, _ = school_year_bounds(BEZONS_START_YEAR + 1)
    # 22 workshops in year 1, 28 in year 2 up to the cut-off; every one 1 h 30.
    days = sorted(builder.random_school_day(y1_start, y1_end) for _ in range(22)) + sorted(
        builder.random_school_day(y2_start, BEZONS_CUTOFF) for _ in range(28))
    first_time = _distribute(rng, BEZONS_PARENTS_REACHED, BEZONS_WORKSHOPS, 1,
                             [3.0] * 22 + [1.0] * 28)
    for i, (day, ft) in enumerate(zip(days, first_time, strict=True)):
        phase = Phase.ACCULTURATION if i < 22 else Phase.PARENTS_RESSOURCES
        builder.add_workshop(BEZONS, day, rng.choice(venues), phase, 1 if i < 22 else 2,
                             duration=BEZONS_WORKSHOP_MINUTES, first_time=ft)
    # Parents Ressources: recruited Sept 2022 → March 2023 (20), meetings Oct → March (14).
    monthly = list(zip([3, 4, 3, 3, 3, 2, 2], [0, 2, 2, 3, 2, 2, 3], strict=True))
    assert sum(r for r, _ in monthly) == BEZONS_PR_RECRUITED
    assert sum(m for _, m in monthly) == BEZONS_PR_MEETINGS
    y2_end = school_year_bounds(BEZONS_START_YEAR + 1)[1]
    active = builder.parents_ressources(BEZONS, y2_start, dt.date(2023, 3, 31), monthly,
                                       target=20, active_start=0)
    active = builder.parents_ressources(BEZONS, dt.date(2023, 4, 1), y2_end, None,
                                        target=24, active_start=active)
    # The rest of year 2 after the cut-off, then year 3 and durable autonomy.
    builder.generic_year(commune, venues, 2, BEZONS_CUTOFF + dt.timedelta(days=1), y2_end,
                         yearly_workshops=30)
    for year_number in range(3, 6):
        start, end = school_year_bounds(BEZONS_START_YEAR + year_number - 1)
        builder.generic_year(commune, venues, year_number, start, end, yearly_workshops=30)
        active = builder.parents_ressources(BEZONS, start, end, None, target=26,
                                            active_start=active)


def generate_demo_activity(
    communes: pd.DataFrame,
    schools: pd.DataFrame,
    seed: int = DEFAULT_SEED,
    progress: Callable[[float], None] | None = None,
) -> DemoActivity:
    """Demo rows for the communes of the TNE départements (``communes`` may hold others)."""
    builder = _Builder(seed, communes, schools)
    rng = builder.rng
    tne = communes[communes["departement_code"].isin(list(TNE_COHORTS))]
    tne = tne.sort_values("code_insee")
    engaged_by_dep: dict[str, list[str]] = {}
    total = len(tne)
    for i, commune in enumerate(tne.itertuples()):
        if progress and i % 200 == 0:
            progress(i / total)
        cohort = TNE_COHORTS[commune.departement_code]
        is_bezons = commune.code_insee == BEZONS
        if not is_bezons and rng.random() >= engagement_probability(commune.population):
            continue
        years, weights = START_YEARS[cohort]
        start_year = BEZONS_START_YEAR if is_bezons else rng.choices(years, weights)[0]
        engaged_by_dep.setdefault(commune.departement_code, []).append(commune.code_insee)
        venues = builder.make_venues(commune)
        yearly = max(3, min(40, round(commune.population / 1500 * rng.uniform(0.6, 1.4))))
        for year_number, phase in enumerate(PHASES, start=1):
            start, end = school_year_bounds(start_year + year_number - 1)
            builder.out.rollout_years.append({
                "commune_code": commune.code_insee, "year_number": year_number,
                "phase": phase.value, "school_year": school_year_label(start.year),
                "start_date": start, "end_date": end, "source": DEMO,
            })
            _commune_objectives(builder, commune.code_insee, year_number, start.year, yearly,
                                commune.population)
        if is_bezons:
            _bezons(builder, commune, venues)
            continue
        active = 0
        for year_number in range(1, 7):
            start, end = school_year_bounds(start_year + year_number - 1)
            builder.generic_year(commune, venues, year_number, start, end, yearly)
            if year_number >= 2:
                active = builder.parents_ressources(
                    commune.code_insee, start, end, None,
                    target=max(4, yearly // 2), active_start=active)
    _school_programme(builder, engaged_by_dep)
    _departement_programme(builder, engaged_by_dep)
    if progress:
        progress(1.0)
    return builder.out


def _objective(scope_kind: str, scope_code: str, start_year: int, indicator: str,
               target: float) -> dict:
    start, end = school_year_bounds(start_year)
    return {"scope_kind": scope_kind, "scope_code": scope_code, "period_kind": "school_year",
            "period_label": school_year_label(start_year), "period_start": start,
            "period_end": end, "indicator": indicator, "target": float(target), "source": DEMO}


def _commune_objectives(builder: _Builder, code: str, year_number: int, start_year: int,
                        yearly: int, population: int) -> None:
    out = builder.out.objectives
    if code == BEZONS:
        for indicator, target in BEZONS_OBJECTIVES[year_number].items():
            out.append(_objective("commune", code, start_year, indicator, target))
        return
    workshops = round(yearly * ACTIVITY_BY_YEAR[year_number])
    out.append(_objective("commune", code, start_year, "workshops", workshops))
    out.append(_objective("commune", code, start_year, "parents_reached",
                          round(workshops * 6 * FIRST_TIME_SHARE[year_number])))
    if year_number == 2:
        out.append(_objective("commune", code, start_year, "parents_ressources_recruited",
                              max(4, yearly // 2)))
    if year_number == 3:
        out.append(_objective("commune", code, start_year, "parents_ressources_meetings", 10))


def _school_programme(builder: _Builder, engaged_by_dep: dict[str, list[str]]) -> None:
    """Strategy targets: REP/REP+ schools and public collèges of engaged communes."""
    rng = builder.rng
    for codes in engaged_by_dep.values():
        for code in codes:
            schools = builder.schools_by_commune.get(code)
            if schools is None:
                continue
            for school in schools.itertuples():
                is_target = pd.notna(school.education_prioritaire) or (
                    school.level == "college" and school.sector == "public")
                if not is_target:
                    continue
                pcn = None
                if rng.random() < 0.3:
                    pcn = dt.date(2022, 9, 1) + dt.timedelta(days=rng.randrange(4 * 365))
                builder.out.school_programme[school.uai] = (True, pcn)


def _departement_programme(builder: _Builder, engaged_by_dep: dict[str, list[str]]) -> None:
    rng = builder.rng
    for dep in sorted(TNE_COHORTS):
        cohort = TNE_COHORTS[dep]
        if cohort == Cohort.EXTENSION_2021:
            # Nine of the ten extension strategies validated, one still in progress.
            validated = None if dep == "971" else dt.date(2022, 1, 15) + dt.timedelta(
                days=rng.randrange(300))
            builder.out.strategies.append({"departement_code": dep, "validated_on": validated,
                                           "source": DEMO})
        n_engaged = len(engaged_by_dep.get(dep, []))
        for start_year in range(2021, 2027):
            out = builder.out.objectives
            out.append(_objective("departement", dep, start_year, "communes_engaged",
                                  round(n_engaged * min(1.0, 0.4 + 0.2 * (start_year - 2021)))))
            out.append(_objective("departement", dep, start_year, "workshops", n_engaged * 15))
            start, end = school_year_bounds(start_year)
            if end > DEMO_END:
                continue
            for indicator, per_commune in (("mallette_consultations", 120),
                                           ("teachers_participating", 6),
                                           ("pix_courses", 9)):
                builder.out.external_measures.append({
                    "scope_kind": "departement", "scope_code": dep, "period_start": start,
                    "period_end": end, "indicator": indicator,
                    "value": float(round(n_engaged * per_commune * rng.uniform(0.6, 1.3))),
                    "source": DEMO,
                })
