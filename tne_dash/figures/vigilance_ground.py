"""Points de vigilance: what the rules read of a territory.

The ground (``read_ground``) is what does not depend on the date — the territory's communes,
départements and roll-out plan; a caller may keep it and give it back (the pages do), and it
keeps what several dates share (``SharedReads``: a school year's objectives, a month's trend
windows, when each commune's demo rows begin). The area (``read_area``) is what every rule
reads once at a date: the objectives' progress for the school year of the date, the plan's
years under way, and which communes and départements hold demo rows up to it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, select

from tne_dash.figures.filters import Filters, territory_clauses
from tne_dash.figures.indicators import DEMO_START_CODES, demo_groups, read_demo_starts
from tne_dash.figures.objectives import commune_objectives, commune_progress, elapsed_share
from tne_dash.figures.rollout import rollout_plan
from tne_dash.figures.scope import COMMUNE, DEPARTEMENT, Scope
from tne_dash.figures.vigilance_rules import RULES, SEVERITY_LABELS
from tne_dash.periods import Period, school_year_of
from tne_dash.store.frames import read_frame
from tne_dash.store.models import Commune, Departement, Objective
from tne_dash.vocabulary import Source

# What a kept ground holds of the reads several dates share, at most, of each kind.
SHARED_READS = 8


class SharedReads:
    """Reads of a ground's territory that several dates ask alike — a school year's
    objectives, the trend windows of a month, when each commune's demo rows begin —, kept
    with the ground (a write clears both) up to ``SHARED_READS`` of each kind, the latest
    used kept. Threads (sessions) share them: the values are read-only to the rules."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, object] = OrderedDict()

    def holds(self, key: tuple) -> bool:
        with self._lock:
            return key in self._kept

    def get(self, key: tuple, read: Callable[[], object]):
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        value = read()  # outside the lock: two sessions may read the same once each
        with self._lock:
            self._kept[key] = value
            kind = [k for k in self._kept if k[0] == key[0]]
            for old in kind[:-SHARED_READS]:
                del self._kept[old]
        return value


@dataclass(frozen=True)
class VigilanceGround:
    """What the rules read of a territory whatever the date (``read_ground``): its communes,
    départements and roll-out plan. A date changed reads it again for nothing — 0.2 s of
    France's 35 000 communes —, so a caller keeping it (the pages) gives it back."""

    scope: Scope  # the territory asked for
    territory: Scope  # the territory read: a commune's département, else the scope
    include_demo: bool
    communes: pd.DataFrame  # code_insee (index), name, departement_code
    names: Mapping[str, str]  # commune code → name (read per point: dicts, not .at)
    departement_of: Mapping[str, str]  # commune code → département code
    departement_names: Mapping[str, str]  # code → name of the territory's départements
    plan: pd.DataFrame  # rollout_plan of the territory
    year_starts: Mapping[int, Mapping[str, dt.date]]  # year 1, 2 → commune → its first start
    shared: SharedReads = field(default_factory=SharedReads, compare=False, repr=False)


@dataclass(frozen=True)
class VigilanceArea:
    """What every rule reads once: the territory (``VigilanceGround``), its objectives'
    progress for the school year on the date, and which of its communes and départements hold
    demo rows up to it."""

    ground: VigilanceGround
    as_of: dt.date
    period: Period
    elapsed: float
    exact: bool
    current_years: pd.DataFrame  # the plan's year under way on as_of (``_current_years``)
    progress: pd.DataFrame  # commune_progress of every département with objectives
    demo_keys: frozenset[tuple[str, str]]  # (level, code) whose figures read demo rows

    # The ground's parts, read by the rules as if they were the area's.
    territory = property(lambda self: self.ground.territory)
    include_demo = property(lambda self: self.ground.include_demo)
    communes = property(lambda self: self.ground.communes)
    names = property(lambda self: self.ground.names)
    departement_of = property(lambda self: self.ground.departement_of)
    departement_names = property(lambda self: self.ground.departement_names)
    plan = property(lambda self: self.ground.plan)

    @property
    def filters(self) -> Filters:
        return Filters(include_demo=self.include_demo)

    def demo(self, level: str, code: str) -> bool:
        return (level, code) in self.demo_keys

    def commune_row(self, code: str, rule: str, sentence: str, link: str,
                    indicator: str = "", magnitude: float = 0.0) -> dict:
        dep = self.departement_of[code]
        return _row(COMMUNE, code, self.names[code], dep,
                    self.departement_names.get(dep, dep), rule, sentence, link, indicator,
                    magnitude, self.demo(COMMUNE, code))

    def departement_row(self, code: str, rule: str, sentence: str, link: str,
                        indicator: str = "", magnitude: float = 0.0) -> dict:
        name = self.departement_names.get(code, code)
        return _row(DEPARTEMENT, code, name, code, name, rule, sentence, link, indicator,
                    magnitude, self.demo(DEPARTEMENT, code))


def _row(level, code, name, dep, dep_name, rule, sentence, link, indicator, magnitude,
         demo) -> dict:
    severity = RULES[rule].severity
    return {"level": level, "code": code, "name": name, "departement_code": dep,
            "departement_name": dep_name, "rule": rule, "rule_title": RULES[rule].title,
            "indicator": indicator, "severity": severity,
            "severity_label": SEVERITY_LABELS[severity], "sentence": sentence, "link": link,
            "demo": bool(demo), "_magnitude": float(magnitude)}


def read_ground(conn: Connection, scope: Scope, include_demo: bool = True
                ) -> VigilanceGround | None:
    """The territory the rules read for ``scope``, whatever the date; None when it has no
    commune (an unknown code)."""
    # A commune is judged among the communes of its département (the median rule).
    area = scope
    if scope.kind == COMMUNE:
        dep = conn.scalar(select(Commune.departement_code)
                          .where(Commune.code_insee == scope.code))
        if dep is None:
            return None
        area = Scope(DEPARTEMENT, dep)
    filters = Filters(include_demo=include_demo)
    in_area = territory_clauses(area, filters)
    communes = read_frame(conn, select(Commune.code_insee, Commune.name,
                                       Commune.departement_code)
                          .where(*in_area)).set_index("code_insee")
    if communes.empty:
        return None
    departements = read_frame(
        conn, select(Departement.code, Departement.name)
        .where(Departement.code.in_(select(Commune.departement_code).where(*in_area)))
    ).set_index("code")["name"]
    plan = rollout_plan(conn, area, filters)
    return VigilanceGround(scope, area, include_demo, communes,
                           series_lookup(communes["name"]),
                           series_lookup(communes["departement_code"]),
                           series_lookup(departements), plan,
                           {year: series_lookup(_year_start(plan, year)) for year in (1, 2)})


def read_area(conn: Connection, ground: VigilanceGround, as_of: dt.date,
              exact: bool) -> VigilanceArea:
    """What every rule reads once at ``as_of`` (``VigilanceArea``): the objectives' progress
    of the school year of the date, the plan's years under way, the demo rows read."""
    area, include_demo = ground.territory, ground.include_demo
    period = school_year_of(as_of)
    # Read once a school year: progress and demo.
    objectives = ground.shared.get(("objectives", period.label),
                                   lambda: commune_objectives(conn, area, period))
    progress = commune_progress(conn, area, period, as_of, include_demo, objectives) \
        if not objectives.empty else _no_progress()
    # Demo: any demo row the rules read for a territory up to the date (workshops, Parents
    # Ressources reports, roll-out years: ``_demo_communes`` —, objectives).
    demo_keys: set[tuple[str, str]] = set()
    if include_demo:
        demo_communes = _demo_communes(conn, ground, as_of)
        demo_keys |= {(COMMUNE, code) for code in demo_communes}
        # A département's figures are its communes' (and its own objectives, below).
        demo_keys |= {(DEPARTEMENT, ground.departement_of[code]) for code in demo_communes
                      if code in ground.departement_of}
        demo_keys |= {(COMMUNE, code) for code in objectives.loc[
            objectives["source"] == Source.DEMO.value, "code_insee"].tolist()}
        dep_demo = ground.shared.get(("departement_demo", period.label), lambda: conn.scalars(
            select(Objective.scope_code)
            .where(Objective.scope_kind == DEPARTEMENT, Objective.period_label == period.label,
                   Objective.source == Source.DEMO.value,
                   Objective.scope_code.in_(list(ground.departement_names)))).all())
        demo_keys |= {(DEPARTEMENT, code) for code in dep_demo}
    return VigilanceArea(ground, as_of, period, elapsed_share(period, as_of), exact,
                         _current_years(ground.plan, as_of), progress, frozenset(demo_keys))


def _demo_communes(conn: Connection, ground: VigilanceGround, as_of: dt.date) -> set[str]:
    """The communes whose workshops, Parents Ressources reports or first roll-out years hold
    demo rows up to ``as_of``. The first date a ground is asked (a first view, the command
    line, the API, a report) reads the period (``demo_groups``); from the second on, when
    each commune's demo rows begin is read once (``DemoStarts``, 0.12 s for France) and
    answers for every date — a date changed at the end of a school year, 0.14 s less."""
    if ground.shared.get(("first_date",), lambda: as_of) == as_of \
            and not ground.shared.holds(("demo_starts",)):
        return demo_groups(conn, ground.territory, Filters(date_to=as_of), COMMUNE,
                           DEMO_START_CODES)
    starts = ground.shared.get(("demo_starts",),
                               lambda: read_demo_starts(conn, ground.territory))
    return starts.demo_communes(conn, as_of)


def series_lookup(series: pd.Series) -> dict:
    """``series`` as {index: value}, for a rule reading it point by point (``to_dict``
    boxes each value one at a time: 0.4 s for France's communes, against 10 ms so)."""
    return dict(zip(series.index.tolist(), series.tolist(), strict=True))


def frame_records(frame: pd.DataFrame, *names: str):
    """The rows of ``frame`` as tuples of the columns ``names`` (``"index"``: its index), in
    Python values read column by column — pandas' Arrow strings are slow to iterate one value
    at a time (0.14 s for France's points, this way 0.01 s)."""
    return zip(*((frame.index if name == "index" else frame[name]).tolist() for name in names),
               strict=True)


def _no_progress() -> pd.DataFrame:
    """``commune_progress``'s columns, no row."""
    return pd.DataFrame(columns=["code_insee", "indicator", "target", "achieved",
                                 "pct_reached", "status"])


def _current_years(plan: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The roll-out year under way on ``day`` of each commune (index code_insee)."""
    current = plan[(plan["start_date"] <= day) & (day <= plan["end_date"])]
    return current.sort_values("year_number").groupby("code_insee").tail(1).set_index(
        "code_insee")


def _year_start(plan: pd.DataFrame, year_number: int) -> pd.Series:
    rows = plan[plan["year_number"] == year_number]
    # The earliest start of each commune: sorted once (a grouped min of dates is a Python
    # loop per group in pandas).
    first = rows.sort_values(["code_insee", "start_date"]).drop_duplicates("code_insee")
    return first.set_index("code_insee")["start_date"].rename_axis("code_insee")
