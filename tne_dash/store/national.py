"""Synthetic activity at national scale: the programme extended to every département.

Deterministic (one numpy generator, one seed) and vectorised: a million workshops are drawn
as columns, not rows. Engaged communes get three roll-out years from an engagement wave
(2022, 2023 or 2024), venues, workshops over the four school years 2022-2023 to 2025-2026
(weighted by population, on school days only), themes, monthly Parents Ressources from their
second year, and yearly objectives. Every row is a demo row (``source = demo``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tne_dash.periods import school_year_bounds, school_year_label
from tne_dash.vocabulary import FacilitatorKind, Phase, Source, Theme, VenueKind, WorkshopFormat

FIRST_YEAR = 2022
YEARS = 4  # 2022-2023 … 2025-2026
WAVES = (2022, 2023, 2024)
WAVE_WEIGHTS = (0.45, 0.35, 0.2)
TARGET_WORKSHOPS = 1_050_000
MIN_VENUES = 20_000
PHASES = (Phase.ACCULTURATION.value, Phase.PARENTS_RESSOURCES.value, Phase.AUTONOMIE.value)
DEMO = Source.DEMO.value


@dataclass(frozen=True)
class NationalActivity:
    """The generated tables, as frames with the models' column names."""

    rollout_years: pd.DataFrame
    venues: pd.DataFrame
    workshops: pd.DataFrame
    workshop_themes: pd.DataFrame
    parents_ressources: pd.DataFrame
    objectives: pd.DataFrame

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.__dataclass_fields__}


def school_days(first_year: int = FIRST_YEAR, years: int = YEARS) -> np.ndarray:
    """Weekdays from 1 September of ``first_year`` to 31 August ``years`` later, without
    the summer break (14 July – 31 August), as numpy dates."""
    start, _ = school_year_bounds(first_year)
    _, end = school_year_bounds(first_year + years - 1)
    days = pd.date_range(start, end, freq="D")
    summer = (days.month == 8) | ((days.month == 7) & (days.day >= 14))
    return days[(days.day_of_week < 5) & ~summer].to_numpy()


def engaged_communes(communes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The communes taking part, more likely the larger they are, with their wave."""
    population = communes["population"].to_numpy()
    chance = np.clip(population / 5000, 0.03, 0.95)
    engaged = communes[rng.random(len(communes)) < chance].copy()
    engaged["wave"] = rng.choice(WAVES, size=len(engaged), p=WAVE_WEIGHTS)
    return engaged.sort_values("code_insee").reset_index(drop=True)


def generate_national_activity(communes: pd.DataFrame, seed: int = 20201,
                               progress: Callable[[float], None] | None = None
                               ) -> NationalActivity:
    """Every table of the national scenario for ``communes`` (all of France)."""
    report = progress or (lambda _f: None)
    rng = np.random.default_rng(seed)
    engaged = engaged_communes(communes, rng)
    report(0.05)
    rollout = _rollout(engaged)
    venues = _venues(engaged, rng)
    report(0.15)
    workshops = _workshops(engaged, venues, rng)
    report(0.6)
    themes = _themes(workshops["id"].to_numpy(), rng)
    report(0.75)
    parents = _parents_ressources(engaged, rng)
    objectives = _objectives(engaged, workshops)
    report(1.0)
    return NationalActivity(rollout, venues, workshops, themes, parents, objectives)


def _rollout(engaged: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for number, phase in enumerate(PHASES, start=1):
        start_year = engaged["wave"] + number - 1
        rows.append(pd.DataFrame({
            "commune_code": engaged["code_insee"], "year_number": number, "phase": phase,
            "school_year": [school_year_label(y) for y in start_year],
            "start_date": [dt.date(y, 9, 1) for y in start_year],
            "end_date": [dt.date(y + 1, 8, 31) for y in start_year], "source": DEMO}))
    return pd.concat(rows, ignore_index=True)


def _venues(engaged: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Two to eight venues per engaged commune (more in larger ones), at least MIN_VENUES."""
    population = engaged["population"].to_numpy()
    per_commune = 2 + np.minimum(6, population // 10_000) + rng.integers(0, 2, len(engaged))
    shortfall = MIN_VENUES - per_commune.sum()
    if shortfall > 0:
        per_commune[np.argsort(-population)[:shortfall]] += 1
    owner = np.repeat(np.arange(len(engaged)), per_commune)
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(per_commune) - per_commune, per_commune)
    kinds = np.array([k.value for k in VenueKind])
    lat = engaged["lat"].fillna(46.6).to_numpy()[owner] + rng.normal(0, 0.01, len(owner))
    lon = engaged["lon"].fillna(2.4).to_numpy()[owner] + rng.normal(0, 0.01, len(owner))
    names = engaged["name"].to_numpy()[owner]
    return pd.DataFrame({
        "id": np.arange(1, len(owner) + 1),
        "name": [f"Lieu {r + 1} — {n}" for r, n in zip(rank, names, strict=True)],
        "kind": kinds[rng.integers(0, len(kinds), len(owner))],
        "commune_code": engaged["code_insee"].to_numpy()[owner],
        "address": None, "lat": lat.round(5), "lon": lon.round(5), "school_uai": None,
        "source": DEMO,
    })


def _workshops(engaged: pd.DataFrame, venues: pd.DataFrame,
               rng: np.random.Generator) -> pd.DataFrame:
    """About TARGET_WORKSHOPS workshops, shared by population and years since engagement,
    each on a school day of its commune's active years, in one of its venues."""
    days = school_days()
    first_day_of = {y: np.searchsorted(days, np.datetime64(dt.date(y, 9, 1)))
                    for y in range(FIRST_YEAR, FIRST_YEAR + YEARS)}
    active_years = FIRST_YEAR + YEARS - engaged["wave"].to_numpy()
    weight = engaged["population"].to_numpy() ** 0.8 * active_years
    counts = rng.multinomial(TARGET_WORKSHOPS, weight / weight.sum())
    owner = np.repeat(np.arange(len(engaged)), counts)
    n = len(owner)
    low = np.array([first_day_of[w] for w in engaged["wave"]])[owner]
    date = days[low + (rng.random(n) * (len(days) - low)).astype(int)]
    venue_counts = venues.groupby("commune_code", sort=True).size().to_numpy()
    first_venue = np.cumsum(venue_counts) - venue_counts + 1
    venue_id = first_venue[owner] + (rng.random(n) * venue_counts[owner]).astype(int)
    dates = pd.DatetimeIndex(date)
    school_year = dates.year - (dates.month < 9)
    year_number = school_year - engaged["wave"].to_numpy()[owner] + 1
    phases = np.array(PHASES)[np.minimum(year_number, 3) - 1]
    parents = 3 + rng.poisson(6, n)
    formats = np.array([f.value for f in WorkshopFormat])
    facilitators = np.array([f.value for f in FacilitatorKind])
    order = np.lexsort((venue_id, date))  # ids in date order, like real recording
    return pd.DataFrame({
        "id": np.arange(1, n + 1),
        "date": dates.date[order],
        "venue_id": venue_id[order],
        "commune_code": engaged["code_insee"].to_numpy()[owner][order],
        "phase": phases[order],
        "format": formats[rng.integers(0, len(formats), n)],
        "duration_minutes": rng.choice([60, 90, 120], n, p=[0.3, 0.5, 0.2]),
        "facilitator_kind": facilitators[rng.integers(0, len(facilitators), n)],
        "parents_count": parents[order],
        "first_time_parents_count": rng.binomial(parents[order], 0.45),
        "children_count": rng.poisson(2, n),
        "source": DEMO,
        "external_ref": None,
    })


def _themes(ids: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """One theme per workshop, a second (different) one for 40 % of them."""
    themes = np.array([t.value for t in Theme])
    first = rng.integers(0, len(themes), len(ids))
    second_of = rng.random(len(ids)) < 0.4
    second = (first + rng.integers(1, len(themes), len(ids))) % len(themes)
    return pd.DataFrame({
        "workshop_id": np.concatenate([ids, ids[second_of]]),
        "theme": np.concatenate([themes[first], themes[second[second_of]]]),
    })


def _parents_ressources(engaged: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Monthly counts (September–June) from each commune's second year."""
    months = pd.date_range(dt.date(FIRST_YEAR, 9, 1), dt.date(FIRST_YEAR + YEARS, 6, 1),
                           freq="MS")
    months = months[(months.month <= 6) | (months.month >= 9)]
    start = pd.to_datetime([dt.date(w + 1, 9, 1) for w in engaged["wave"]])
    grid = pd.DataFrame({"commune": np.repeat(np.arange(len(engaged)), len(months)),
                         "month": np.tile(months, len(engaged))})
    grid = grid[grid["month"].to_numpy() >= start.to_numpy()[grid["commune"]]]
    n = len(grid)
    size = np.maximum(1, engaged["population"].to_numpy()[grid["commune"]] // 5000)
    ends = grid["month"] + pd.offsets.MonthEnd(0)
    return pd.DataFrame({
        "commune_code": engaged["code_insee"].to_numpy()[grid["commune"]],
        "period_start": grid["month"].dt.date.to_numpy(),
        "period_end": ends.dt.date.to_numpy(),
        "recruited": rng.poisson(np.minimum(size, 20) * 0.3, n),
        "active": rng.poisson(np.minimum(size, 20) * 2, n) + 1,
        "meetings": rng.poisson(1.2, n),
        "source": DEMO,
    })


def _objectives(engaged: pd.DataFrame, workshops: pd.DataFrame) -> pd.DataFrame:
    """Per commune and school year since its wave: workshops and parents reached, set near
    what a typical year of its size gives (so some are reached, some late)."""
    dates = pd.to_datetime(workshops["date"])
    year = dates.dt.year - (dates.dt.month < 9)
    yearly = (workshops.assign(year=year).groupby(["commune_code", "year"])
              .agg(workshops=("id", "size"), parents=("first_time_parents_count", "sum")))
    typical = yearly.groupby("commune_code").median()
    rows = []
    for y in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        codes = engaged.loc[engaged["wave"] <= y, "code_insee"]
        codes = codes[codes.isin(typical.index)]
        start, end = school_year_bounds(y)
        for indicator, column in (("workshops", "workshops"), ("parents_reached", "parents")):
            rows.append(pd.DataFrame({
                "scope_kind": "commune", "scope_code": codes.to_numpy(),
                "period_kind": "school_year", "period_label": school_year_label(y),
                "period_start": start, "period_end": end, "indicator": indicator,
                "target": (typical.loc[codes, column].to_numpy() * 1.05).round(),
                "source": DEMO}))
    return pd.concat(rows, ignore_index=True)
