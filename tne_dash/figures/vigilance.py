"""Points de vigilance: the communes — and, seen from the 12 TNE départements or France, the
départements — that need attention at a date, each with its reason in one French sentence
and a link to the view that shows it.

Three modules, one per part of the domain:

- ``vigilance_rules.py``: the rules declared once (``VIGILANCE_RULES``: code, title, threshold
  and help, written from the constants that apply them; the Données page and ``tne-dash
  vigilance`` show them) and the windows of time they read;
- ``vigilance_ground.py``: what the rules read of a territory — whatever the date (the ground,
  ``read_ground``, which a caller may keep and give back: a date changed then reads only the
  windows of that date, and the ground keeps what dates share), and once at a date (the
  area: the objectives' progress, the years under way, the demo rows);
- here: each rule applied to the area, its French sentence and its link; the points as a
  frame, sorted, with their follow-ups; their summary and their counts.

Every figure comes from the existing figure functions — objectives and statuses
(``objectives.commune_progress``, ``objective_shares``, ``objective_status``), phases and plans
(``rollout``), the « last 3 months » window (``freshness``) and workshop counts from the one
indicator path (``indicators.compute_indicator_sums``: the table's counts, without its rows of
names). The caller gives the date: nothing here reads the clock.

Small counts: the statuses are those of the Déploiement page (measured on exact counts); the
figures a sentence quotes follow the public rule (``privacy``) unless ``exact``, and the
comparison with similar communes is made on the figures as shown.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import re
from collections.abc import Mapping
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy import Connection, func, select

from tne_dash.catalogue import CATALOGUE
from tne_dash.figures.filters import Filters, source_clauses
from tne_dash.figures.freshness import quiet_since
from tne_dash.figures.indicators import compute_indicator_sums, workshop_rows
from tne_dash.figures.objectives import (
    Status,
    objective_shares,
    objective_status,
    share_reached,
)
from tne_dash.figures.privacy import mask_value, public_share
from tne_dash.figures.rollout import phases_at
from tne_dash.figures.scope import COMMUNE, DEPARTEMENT, NATIONAL, TNE, Scope
from tne_dash.figures.vigilance_ground import (
    VigilanceArea,
    VigilanceGround,
    frame_records,
    read_area,
    read_ground,
    series_lookup,
)
from tne_dash.figures.vigilance_rules import (
    ACTIVITY_DOWN,
    BELOW_MEDIAN_POINTS,
    BELOW_PEERS,
    COMPARER,
    DEPLOIEMENT,
    INDICATEURS,
    LATE_COMMUNES_MIN,
    LATE_COMMUNES_MIN_SHARE,
    LATE_OBJECTIVE,
    LEVEL_LABELS,
    MANY_LATE_COMMUNES,
    MIN_PEERS,
    NO_RECENT_REPORT,
    NO_RECENT_WORKSHOP,
    OBJECTIVES_WITHOUT_PLAN,
    REPORT_QUIET_MONTHS,
    REPORT_YEARS,
    RULE_ORDER,
    SEVERITY_LABELS,
    TREND_MAX_PERCENT,
    TREND_MIN_WORKSHOPS_BEFORE,
    URGENT,
    VIGILANCE_RULES,
    WORKSHOP_QUIET_MONTHS,
    WORKSHOP_YEARS,
    YEAR_WITHOUT_OBJECTIVES,
    months_phrase,
    report_quiet_since,
    trend_windows,
)
from tne_dash.labels import format_date, format_number, format_percent, format_value
from tne_dash.store.follow_ups import FollowUp, follow_ups
from tne_dash.store.models import Objective, ParentsRessourcesCount
from tne_dash.vocabulary import NOT_ENGAGED, PHASE_LABELS

# ── Links and words of the sentences ────────────────────────────────────────────────────

URL_SAFE = ":,"
# What ``quote_plus`` leaves as it is: letters, digits, ``_.-~`` and the safe signs.
_PLAIN = re.compile(r"[A-Za-z0-9_.\-~:,]*")


def point_link(path: str, params: dict[str, str]) -> str:
    """A link relative to the app: ``/deploiement?scope=commune:95063&to=2023-04-17``
    (``urlencode``'s, a value of codes and dates written as it is without asking it: the
    same link, thousands of points faster)."""
    pairs = ((str(key), str(value)) for key, value in params.items())
    return path + "?" + "&".join(
        f"{key}={value}" if _PLAIN.fullmatch(key) and _PLAIN.fullmatch(value)
        else urlencode({key: value}, safe=URL_SAFE) for key, value in pairs)


def _change(percent: float) -> str:
    """« −67 % » (a true minus sign), « +5 % »."""
    text = format_percent(abs(percent), 0)
    return ("−" if percent < 0 else "+") + text if round(percent) else text


def _points(value: float) -> str:
    text = format_number(value, 1)
    return f"{text} point{'s' if abs(value) >= 2 else ''}"


# ── The points as a table ────────────────────────────────────────────────────────────────

COLUMNS = ["level", "code", "name", "departement_code", "departement_name", "rule",
           "rule_title", "indicator", "severity", "severity_label", "sentence", "link", "demo"]
# The same table with French headers (pages, CSV, XLSX).
FRENCH_HEADERS = {
    "severity_label": "Gravité", "level": "Niveau", "code": "Code", "name": "Territoire",
    "departement_name": "Département", "rule_title": "Règle", "rule": "Code de la règle",
    "indicator": "Indicateur", "sentence": "Constat", "link": "Lien",
    "demo": "Données de démonstration",
    "followed": "Suivie", "follow_up_note": "Note de suivi",
}
# A commune's follow-up on the points (``with_follow_ups``): « suivie » for everyone, the note
# — internal steering text — for signed-in accounts only.
FOLLOWED, FOLLOW_UP_NOTE = "followed", "follow_up_note"


# ── The rules ───────────────────────────────────────────────────────────────────────────


def _phase_words(phase: str) -> str:
    """« en année 2 — Parents Ressources », « non engagée »."""
    label = PHASE_LABELS[phase]
    return ("en " if phase != NOT_ENGAGED else "") + label[0].lower() + label[1:]


def _workshops(conn: Connection, area: VigilanceArea, start: dt.date, end: dt.date,
               level: str) -> pd.Series:
    """Workshops of each territory of ``level`` from ``start`` to ``end`` — the one
    indicator path."""
    sums = compute_indicator_sums(
        conn, area.territory, Filters(date_from=start, date_to=end,
                                      include_demo=area.include_demo), level, ("workshops",))
    return sums["workshops"].astype(int)


def _shown(area: VigilanceArea, indicator: str, achieved: float, pct, commune_level: bool):
    """An achieved count and its % as the viewer sees them (rounded to 5 or « < 5 » for the
    public at commune level)."""
    shown = mask_value(indicator, achieved, commune_level=commune_level, exact=area.exact)
    return shown, public_share(pct, achieved, shown)


def _late_sentence(name: str, area: VigilanceArea, indicator: str, shown, shown_pct,
                   target_words: str) -> str:
    """« X est en retard sur son objectif … » from the figures as the viewer sees them
    (``_shown``) and the target already in words."""
    ind = CATALOGUE[indicator]
    done = shown if isinstance(shown, str) else format_value(shown, ind.unit, ind.decimals)
    elapsed = 100.0 * area.elapsed
    text = (f"{name} est en retard sur son objectif « {ind.label} » {area.period.label} : "
            f"{done} sur {target_words}")
    if isinstance(shown_pct, str) or shown_pct is None:
        return text + f", quand {format_percent(elapsed)} de l'année scolaire est écoulée."
    text += f" ({format_percent(shown_pct)}), quand {format_percent(elapsed)} de l'année " \
            "scolaire est écoulée"
    gap = elapsed - shown_pct
    return text + (f" — {_points(gap)} de retard." if gap > 0 else ".")


def _target_words(indicator: str, target) -> str:
    ind = CATALOGUE[indicator]
    return format_value(target, ind.unit, ind.decimals)


def _late_objectives(area: VigilanceArea) -> list[dict]:
    late = area.progress[area.progress["status"] == Status.LATE.value]
    rows = []
    link = {"to": area.as_of.isoformat()}
    targets: dict[tuple[str, float], str] = {}  # few distinct targets: each in words once
    for code, indicator, achieved, target, pct in frame_records(
            late, "code_insee", "indicator", "achieved", "target", "pct_reached"):
        # Ranked by the gap the sentence quotes (the public's rounded share), so that the
        # list reads in order; a share hidden from the public ranks last of its rule.
        shown, shown_pct = _shown(area, indicator, achieved, pct, True)
        gap = (100.0 * area.elapsed - shown_pct if isinstance(shown_pct, int | float)
               else 0.0)
        words = targets.get((indicator, target))
        if words is None:
            words = targets[(indicator, target)] = _target_words(indicator, target)
        rows.append(area.commune_row(
            code, LATE_OBJECTIVE,
            _late_sentence(area.names[code], area, indicator, shown, shown_pct, words),
            point_link(DEPLOIEMENT, {"scope": f"{COMMUNE}:{code}", **link}),
            indicator, gap))
    return rows


def _below_peers(area: VigilanceArea) -> list[dict]:
    """The communes more than ``BELOW_MEDIAN_POINTS`` points below the median share of the
    other communes of their département in the same phase with the same objective."""
    progress = area.progress[area.progress["pct_reached"].notna()]
    if progress.empty:
        return []
    phases = series_lookup(phases_at(area.communes.index, area.plan, area.as_of))
    departements = area.departement_of
    groups: dict[tuple[str, str, str], dict[str, float]] = {}
    for code, indicator, achieved, pct in frame_records(progress, "code_insee", "indicator",
                                                   "achieved", "pct_reached"):
        _, shown_pct = _shown(area, indicator, achieved, pct, True)
        if isinstance(shown_pct, str) or shown_pct is None:
            continue  # hidden from the public: neither judged nor a yardstick
        key = (departements[code], phases.get(code, NOT_ENGAGED), indicator)
        # An objective reached is reached: shares count up to 100 %.
        groups.setdefault(key, {})[code] = min(float(shown_pct), 100.0)
    rows = []
    as_of, year = area.as_of.isoformat(), area.period.label
    for (_, phase, indicator), shares in sorted(groups.items()):
        if len(shares) <= MIN_PEERS:
            continue  # nobody has MIN_PEERS others to be compared with
        ordered = sorted(shares.values())
        # The commune with the lowest share has the highest median of the others: when even
        # it is not far enough below, nobody of the group is (most groups end here).
        if median_without(ordered, ordered[0]) - ordered[0] <= BELOW_MEDIAN_POINTS:
            continue
        nearest_to: dict[float, list[str]] = {}
        tail = (f"{len(shares) - 1} autres communes du département {_phase_words(phase)} qui "
                "ont cet objectif.")
        label = CATALOGUE[indicator].label
        for code, share in sorted(shares.items()):
            median = median_without(ordered, share)
            gap = median - share
            if gap <= BELOW_MEDIAN_POINTS:
                continue
            nearest = nearest_peers(shares, code, median, nearest_to)
            rows.append(area.commune_row(
                code, BELOW_PEERS,
                f"{area.names[code]} a réalisé {format_percent(share)} de son "
                f"objectif « {label} » {year}, {_points(gap)} sous la médiane "
                f"({format_percent(median)}) des {tail}",
                point_link(COMPARER, {"communes": ",".join([code, *nearest]),
                                      "to": as_of, "annee": year}),
                indicator, gap))
    return rows


def nearest_peers(shares: Mapping[str, float], code: str, median: float,
                  kept: dict[float, list[str]]) -> list[str]:
    """The 3 communes of ``shares`` but ``code`` whose shares are nearest ``median`` (ties:
    the smaller code). The 4 nearest of each median are kept in ``kept`` (a group has one
    or two medians): a commune's 3 are the first 3 of them once it is left out — not a
    search through the group for each commune."""
    if median not in kept:
        kept[median] = heapq.nsmallest(4, shares, key=lambda c: (abs(shares[c] - median), c))
    return [other for other in kept[median] if other != code][:3]


def median_without(ordered: list[float], value: float) -> float:
    """``statistics.median`` of ``ordered`` (sorted) without one occurrence of ``value``:
    read at its rank in the sorted list, not sorted again for each commune."""
    gone = bisect.bisect_left(ordered, value)
    size = len(ordered) - 1

    def kept(rank: int) -> float:  # the rank-th value once ``value`` is taken out
        return ordered[rank] if rank < gone else ordered[rank + 1]

    middle = size // 2
    return kept(middle) if size % 2 else (kept(middle - 1) + kept(middle)) / 2


def _trend_counts(conn: Connection, area: VigilanceArea) -> tuple[pd.Series, pd.Series]:
    """Each commune's workshops in the last three months and in the same months a year
    before (``trend_windows``)."""
    (start, end), (before_start, before_end) = windows = trend_windows(area.as_of)
    return area.ground.shared.get(("trends", windows), lambda: (
        _workshops(conn, area, start, end, COMMUNE),
        _workshops(conn, area, before_start, before_end, COMMUNE)))


def _activity_down(area: VigilanceArea, level: str, communes_now: pd.Series,
                   communes_before: pd.Series) -> list[dict]:
    (start, end), (before_start, before_end) = trend_windows(area.as_of)
    if level == COMMUNE:
        now, before = communes_now, communes_before
    else:  # a département's workshops are its communes'
        now, before = (counts.groupby([area.departement_of.get(code) for code in
                                       counts.index.tolist()]).sum()
                       for counts in (communes_now, communes_before))
    now = series_lookup(now)
    rows = []
    for code, previous in series_lookup(before).items():
        current = int(now.get(code, 0))
        if previous < TREND_MIN_WORKSHOPS_BEFORE or 100 * current > TREND_MAX_PERCENT * previous:
            continue
        change = 100.0 * (current - previous) / previous
        territory = {COMMUNE: {"communes": code}, DEPARTEMENT: {"dep": code}}[level]
        link = point_link(INDICATEURS, {**territory, "from": before_start.isoformat(),
                                        "to": end.isoformat()})
        if level == COMMUNE:
            name = area.names[code]
        else:
            name = f"{area.departement_names.get(code, code)} ({code})"
        sentence = (f"{name} : {format_number(current)} atelier{'s' if current > 1 else ''} "
                    f"{months_phrase(start, end)}, contre {format_number(previous)} "
                    f"{months_phrase(before_start, before_end)} ({_change(change)}).")
        make = area.commune_row if level == COMMUNE else area.departement_row
        rows.append(make(code, ACTIVITY_DOWN, sentence, link, "workshops", -change))
    return rows


def _no_recent_workshop(conn: Connection, area: VigilanceArea) -> list[dict]:
    since = quiet_since(area.as_of)
    current = area.current_years
    first_start = area.ground.year_starts[1]
    watched = [code for code, year_number in frame_records(current, "index", "year_number")
               if year_number in WORKSHOP_YEARS and first_start.get(code) is not None
               and first_start[code] <= since]
    if not watched:
        return []
    recent = series_lookup(_workshops(conn, area, since, area.as_of, COMMUNE))
    quiet = [code for code in watched if not recent.get(code, 0)]
    if not quiet:
        return []
    rows_of = workshop_rows(Scope(NATIONAL), Filters(date_to=area.as_of, communes=tuple(quiet),
                                                     include_demo=area.include_demo))
    latest = {code: day for code, day in conn.execute(  # dates (the column's type)
        select(rows_of.c.commune_code, func.max(rows_of.c.last_date))
        .group_by(rows_of.c.commune_code))}
    phases = series_lookup(current["phase"])
    rows = []
    for code in quiet:
        name = area.names[code]
        last = latest.get(code)
        tail = (f" ; le dernier date du {format_date(last)}" if last else
                " ; aucun atelier n'a jamais été enregistré")
        rows.append(area.commune_row(
            code, NO_RECENT_WORKSHOP,
            f"{name}, {_phase_words(phases[code])}, n'a enregistré aucun atelier "
            f"depuis le {format_date(since)} ({WORKSHOP_QUIET_MONTHS} derniers mois){tail}.",
            point_link(INDICATEURS, {"communes": code, "from": since.isoformat(),
                                     "to": area.as_of.isoformat()}),
            "workshops", (area.as_of - last).days if last else 10_000))
    return rows


def _latest_reports(conn: Connection, area: VigilanceArea, codes: list[str]) -> dict[str, dt.date]:
    """The end of each commune's latest Parents Ressources report up to the date (the date a
    report counts at, as in the indicators)."""
    prc = ParentsRessourcesCount
    found = conn.execute(
        select(prc.commune_code, func.max(prc.period_end))
        .where(prc.commune_code.in_(codes), prc.period_end <= area.as_of,
               *source_clauses(prc.source, area.filters))
        .group_by(prc.commune_code))
    return {code: day for code, day in found}  # dates (the column's type)


def _no_recent_report(conn: Connection, area: VigilanceArea) -> list[dict]:
    since = report_quiet_since(area.as_of)
    current = area.current_years
    second_start = area.ground.year_starts[2]
    watched = [code for code, year_number in frame_records(current, "index", "year_number")
               if year_number in REPORT_YEARS and second_start.get(code) is not None
               and second_start[code] <= since]
    if not watched:
        return []
    latest = _latest_reports(conn, area, watched)
    rows = []
    for code in watched:
        last = latest.get(code)
        if last is not None and last >= since:
            continue
        name = area.names[code]
        tail = (f" ; le dernier finit le {format_date(last)}" if last else
                " ; aucun relevé n'a jamais été enregistré")
        rows.append(area.commune_row(
            code, NO_RECENT_REPORT,
            f"{name}, {_phase_words(current.at[code, 'phase'])}, n'a aucun relevé Parents "
            f"Ressources depuis le {format_date(since)} ({REPORT_QUIET_MONTHS} derniers "
            f"mois){tail}.",
            point_link(INDICATEURS, {"communes": code, "from": since.isoformat(),
                                     "to": area.as_of.isoformat()}),
            "parents_ressources_recruited", (area.as_of - last).days if last else 10_000))
    return rows


def _data_to_complete(area: VigilanceArea) -> list[dict]:
    with_objectives = set(area.progress["code_insee"].tolist())
    current = area.current_years
    link = {"to": area.as_of.isoformat()}
    rows = []
    for code, year_number, phase, start_date in frame_records(current, "index", "year_number",
                                                         "phase", "start_date"):
        if year_number in WORKSHOP_YEARS and code not in with_objectives:
            rows.append(area.commune_row(
                code, YEAR_WITHOUT_OBJECTIVES,
                f"{area.names[code]} est {_phase_words(phase)} depuis le "
                f"{format_date(start_date)} sans aucun objectif "
                f"{area.period.label} : objectifs à saisir.",
                point_link(DEPLOIEMENT, {"scope": f"{COMMUNE}:{code}", **link})))

    def unplanned() -> tuple[list[str], dict[str, tuple[int, int, str, str]]]:
        plan = area.plan
        in_year = plan[(plan["start_date"] <= area.period.end)
                       & (plan["end_date"] >= area.period.start)]
        missing = [code for code in sorted(with_objectives - set(in_year["code_insee"].tolist()))
                   if code in area.communes.index]
        return missing, _planned_years(plan[plan["code_insee"].isin(missing)])

    # The communes with objectives of the school year but no year of it in their plan: the
    # same whatever its day (the objectives and the plan are the year's).
    missing, planned = area.ground.shared.get(("unplanned", area.period.label), unplanned)
    for code in missing:
        name = area.names[code]
        if code in planned:
            low, high, first, last = planned[code]
            what = (f"son plan de déploiement ne prévoit aucune année en {area.period.label} "
                    f"(années {low} à {high} : {first} à {last})")
        else:
            what = "elle n'a aucun plan de déploiement"
        rows.append(area.commune_row(
            code, OBJECTIVES_WITHOUT_PLAN,
            f"{name} a des objectifs {area.period.label}, mais {what} : plan à compléter.",
            point_link(DEPLOIEMENT, {"scope": f"{COMMUNE}:{code}", **link})))
    return rows


def _planned_years(plan: pd.DataFrame) -> dict[str, tuple[int, int, str, str]]:
    """Each commune's plan in one pass: its lowest and highest year numbers, and the school
    years of its first and last rows (in the plan's order). France's 3 000 communes with
    objectives but no year in the school year took 1.3 s filtered one by one."""
    years: dict[str, tuple[int, int, str, str]] = {}
    for code, number, school_year in frame_records(plan, "code_insee", "year_number",
                                              "school_year"):
        number = int(number)
        if code in years:
            low, high, first, _ = years[code]
            years[code] = (min(low, number), max(high, number), first, school_year)
        else:
            years[code] = (number, number, school_year, school_year)
    return years


def _departement_late_objectives(conn: Connection, area: VigilanceArea) -> list[dict]:
    """Départements late on their own objectives: every département's achieved value from
    one indicator table (``objective_shares``), its status by the rule of the Déploiement
    page (``objective_status``)."""
    targets = pd.read_sql(
        select(Objective.scope_code, Objective.indicator, Objective.target)
        .where(Objective.scope_kind == DEPARTEMENT, Objective.period_label == area.period.label,
               Objective.scope_code.in_(list(area.departement_names)),
               Objective.indicator.in_(list(CATALOGUE)),
               *source_clauses(Objective.source, area.filters)), conn)
    if targets.empty:
        return []
    codes = tuple(sorted(set(targets["indicator"])))
    shares = objective_shares(conn, area.territory, area.filters, DEPARTEMENT, area.as_of,
                              codes).set_index("key")
    rows = []
    for dep, indicator, target in zip(targets["scope_code"], targets["indicator"],
                                      targets["target"], strict=True):
        if dep not in shares.index:
            continue
        achieved = float(shares.at[dep, f"achieved:{indicator}"])
        if objective_status(achieved, float(target), area.elapsed) != Status.LATE:
            continue
        pct = share_reached(achieved, float(target))
        name = f"{area.departement_names.get(dep, dep)} ({dep})"
        shown, shown_pct = _shown(area, indicator, achieved, pct, False)
        rows.append(area.departement_row(
            dep, LATE_OBJECTIVE,
            _late_sentence(name, area, indicator, shown, shown_pct,
                           _target_words(indicator, float(target))),
            point_link(DEPLOIEMENT, {"scope": f"{DEPARTEMENT}:{dep}",
                                     "to": area.as_of.isoformat()}),
            indicator, 100.0 * area.elapsed - pct))
    return rows


def late_communes(progress: pd.DataFrame) -> pd.DataFrame:
    """Per commune of ``progress`` (``commune_progress``): ``counted`` — it has an objective
    with a target — and ``late`` — its status on the timeline is « en retard », i.e. one of
    its objectives is (``commune_statuses``' worst status)."""
    status = progress["status"]
    frame = pd.DataFrame({"code_insee": progress["code_insee"],
                          "counted": status != Status.NO_TARGET.value,
                          "late": status == Status.LATE.value})
    return frame.groupby("code_insee").any()


def _many_late_communes(area: VigilanceArea) -> list[dict]:
    communes = late_communes(area.progress)
    communes = communes[communes["counted"]]
    if communes.empty:
        return []
    deps = [area.departement_of[code] for code in communes.index.tolist()]
    rows = []
    for dep, group in communes.groupby(deps):
        late = int(group["late"].sum())
        share = 100.0 * late / len(group)
        if late < LATE_COMMUNES_MIN or share < LATE_COMMUNES_MIN_SHARE:
            continue
        rows.append(area.departement_row(
            dep, MANY_LATE_COMMUNES,
            f"{area.departement_names.get(dep, dep)} ({dep}) : {format_number(late)} communes sur "
            f"{format_number(len(group))} ayant des objectifs {area.period.label} "
            f"({format_percent(share)}) sont en retard sur au moins un objectif.",
            point_link(DEPLOIEMENT, {"scope": f"{DEPARTEMENT}:{dep}", "to": area.as_of.isoformat(),
                                     "statut": Status.LATE.value, "tri": "statut"}),
            magnitude=share))
    return rows


def vigilance_points(conn: Connection, scope: Scope, as_of: dt.date, *, exact: bool,
                     include_demo: bool = True,
                     ground: VigilanceGround | None = None) -> pd.DataFrame:
    """The points de vigilance of ``scope`` on ``as_of``: one row per territory, rule and
    indicator (``COLUMNS``) — ``level`` (commune, or département at TNE and national
    scope), ``code``, ``name``, ``departement_code``, ``departement_name``, ``rule`` (a code
    of ``VIGILANCE_RULES``), ``rule_title``, ``indicator`` (a catalogue code, or empty),
    ``severity`` (3 prioritaire, 2 à surveiller, 1 à compléter) and its label, the French
    ``sentence`` with its figures, the ``link`` of the view that shows it (relative to the
    app) and ``demo`` (demo rows of that territory were read).

    Sorted most urgent first: severity, départements before communes, the rules' order, how
    far past its threshold, then the name. ``exact=False`` quotes counts of people of a
    commune as the public sees them (rounded to 5, « < 5 »). Never raises on an empty
    territory: no point is an empty frame. ``ground``: the territory's ``read_ground`` kept
    by the caller (read here otherwise).
    """
    if ground is None:
        ground = read_ground(conn, scope, include_demo)
    elif (ground.scope, ground.include_demo) != (scope, include_demo):
        raise ValueError("Le territoire lu n'est pas celui des points demandés.")
    if ground is None:
        return pd.DataFrame(columns=COLUMNS)
    area = read_area(conn, ground, as_of, exact)
    trend = _trend_counts(conn, area)
    rows = [*_late_objectives(area), *_below_peers(area),
            *_activity_down(area, COMMUNE, *trend), *_no_recent_workshop(conn, area),
            *_no_recent_report(conn, area), *_data_to_complete(area)]
    if scope.kind == COMMUNE:
        rows = [r for r in rows if r["code"] == scope.code]
    if scope.kind in (NATIONAL, TNE):
        rows += [*_departement_late_objectives(conn, area), *_many_late_communes(area),
                 *_activity_down(area, DEPARTEMENT, *trend)]
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.DataFrame(rows)
    frame["_rule"] = frame["rule"].map(RULE_ORDER)
    frame["_level"] = (frame["level"] == COMMUNE).astype(int)
    frame = frame.sort_values(["severity", "_level", "_rule", "_magnitude", "departement_code",
                               "name", "code", "indicator"],
                              ascending=[False, True, True, False, True, True, True, True],
                              kind="stable")
    return frame[COLUMNS].reset_index(drop=True)


def join_follow_ups(points: pd.DataFrame, found: Mapping[str, FollowUp], *,
                    with_notes: bool) -> pd.DataFrame:
    """``points`` with each commune's follow-up (``store.follow_ups``): ``followed`` (True,
    False; None on a département's points — only communes are followed) and, ``with_notes``,
    ``follow_up_note`` (the editor's text, « » when none). The rules and the order stay."""
    out = points.copy()
    pairs = list(zip(out["code"], out["level"] == COMMUNE, strict=True))
    out[FOLLOWED] = pd.Series([(code in found and found[code].followed) if is_commune
                               else None for code, is_commune in pairs],
                              index=out.index, dtype=object)
    if with_notes:
        out[FOLLOW_UP_NOTE] = [found[code].note if is_commune and code in found else ""
                               for code, is_commune in pairs]
    return out


def with_follow_ups(conn: Connection, points: pd.DataFrame, *,
                    with_notes: bool) -> pd.DataFrame:
    """``join_follow_ups`` with the follow-ups of the points' communes, read now: a
    follow-up is today's, whatever the date of the points."""
    codes = points.loc[points["level"] == COMMUNE, "code"].unique().tolist()
    return join_follow_ups(points, follow_ups(conn, codes) if codes else {},
                           with_notes=with_notes)


def followed_words(value) -> str:
    """« Oui », « Non »; empty for a département's point (only communes are followed)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return "Oui" if value else "Non"


def vigilance_frame(points: pd.DataFrame) -> pd.DataFrame:
    """The points with French headers and words (pages, CSV, XLSX), with « Suivie » and
    « Note de suivi » when the points carry them (``with_follow_ups``)."""
    out = pd.DataFrame({
        FRENCH_HEADERS["severity_label"]: points["severity_label"],
        FRENCH_HEADERS["level"]: points["level"].map(LEVEL_LABELS),
        FRENCH_HEADERS["code"]: points["code"],
        FRENCH_HEADERS["name"]: points["name"],
        FRENCH_HEADERS["departement_name"]: points["departement_name"],
        FRENCH_HEADERS["rule_title"]: points["rule_title"],
        FRENCH_HEADERS["rule"]: points["rule"],
        FRENCH_HEADERS["indicator"]: [CATALOGUE[c].label if c in CATALOGUE else ""
                                      for c in points["indicator"]],
        FRENCH_HEADERS["sentence"]: points["sentence"],
        FRENCH_HEADERS["link"]: points["link"],
        FRENCH_HEADERS["demo"]: ["Oui" if d else "Non" for d in points["demo"]],
    })
    if FOLLOWED in points:
        out[FRENCH_HEADERS[FOLLOWED]] = points[FOLLOWED].map(followed_words).to_numpy()
    if FOLLOW_UP_NOTE in points:
        out[FRENCH_HEADERS[FOLLOW_UP_NOTE]] = points[FOLLOW_UP_NOTE].to_numpy()
    return out.reset_index(drop=True)


def vigilance_summary(points: pd.DataFrame, place: str, as_of: dt.date) -> str:
    """The points in one French sentence: how many, by severity."""
    if points.empty:
        return f"{place}, au {format_date(as_of)} : aucun point de vigilance."
    # One pass over plain lists: France's 12 000 points, 2 ms (pandas' counts on its string
    # columns: 20 ms at every run of Accueil).
    counts: dict[int, int] = {}
    for severity in points["severity"].tolist():
        counts[severity] = counts.get(severity, 0) + 1
    parts = [f"{format_number(counts[s])} {SEVERITY_LABELS[s].lower()}"
             + ("s" if s == URGENT and counts[s] > 1 else "")  # « 3 prioritaires »
             for s in sorted(SEVERITY_LABELS, reverse=True) if counts.get(s, 0)]
    n = len(points)
    territories = len(set(zip(points["level"].tolist(), points["code"].tolist(), strict=True)))
    return (f"{place}, au {format_date(as_of)} : {format_number(n)} point"
            f"{'s' if n > 1 else ''} de vigilance sur {format_number(territories)} "
            f"territoire{'s' if territories > 1 else ''} ({', '.join(parts)}).")


# ── Counting the points (pages: Accueil's block, Déploiement's section, Carte) ──────────────


def reason_counts(points: pd.DataFrame) -> pd.DataFrame:
    """Per rule found in ``points`` (``vigilance_points``), most severe first, then in the
    rules' order: ``rule``, ``rule_title``, ``severity`` and its label, the ``communes`` and
    ``departements`` it names and its ``points`` — a commune late on two objectives is one
    commune, two points."""
    # One pass over plain lists (a boolean mask per rule on pandas' string columns: 50 ms
    # for France's 12 000 points, at every run of Accueil and Déploiement).
    named: dict[str, tuple[set, set]] = {}
    found: dict[str, int] = {}
    for rule, level, code in zip(points["rule"].tolist(), points["level"].tolist(),
                                 points["code"].tolist(), strict=True):
        communes, departements = named.setdefault(rule, (set(), set()))
        (communes if level == COMMUNE else departements).add(code)
        found[rule] = found.get(rule, 0) + 1
    rows = [{"rule": rule.code, "rule_title": rule.title, "severity": rule.severity,
             "severity_label": SEVERITY_LABELS[rule.severity],
             "communes": len(named[rule.code][0]), "departements": len(named[rule.code][1]),
             "points": found[rule.code]}
            for rule in sorted(VIGILANCE_RULES, key=lambda r: -r.severity)  # stable
            if rule.code in found]
    return pd.DataFrame(rows, columns=["rule", "rule_title", "severity", "severity_label",
                                       "communes", "departements", "points"])


def territories_words(communes: int, departements: int) -> str:
    """« 20 communes », « 1 département », « 18 communes et 2 départements »."""
    parts = [f"{format_number(n)} {noun}{'s' if n > 1 else ''}"
             for n, noun in ((communes, "commune"), (departements, "département")) if n]
    return " et ".join(parts) or "aucun territoire"
