"""Points de vigilance: the rules declared once — each reason's stable code, French title,
threshold, help (the rule stated exactly) and severity, written from the constants that apply
them (``VIGILANCE_RULES``); the Données page and ``tne-dash vigilance`` show them. With them,
the windows of time the rules read at a date (the last three complete months and the same
months a year before, the last six months) and their words.

The rules are applied in ``figures/vigilance.py``, to what ``figures/vigilance_ground.py``
reads of a territory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tne_dash.figures.freshness import QUIET_MONTHS, months_before, quiet_since
from tne_dash.figures.scope import COMMUNE, DEPARTEMENT
from tne_dash.labels import MONTHS, format_date, format_number, format_percent

# ── Thresholds: every number a rule uses, named once (the help texts are written from them).
# « Loin derrière les communes comparables »: strictly more than this many points below the
# median share of the comparable communes, when there are at least MIN_PEERS of them.
BELOW_MEDIAN_POINTS = 10.0
MIN_PEERS = 3
# « Activité en baisse »: the workshops of the last TREND_MONTHS complete months are at most
# TREND_MAX_PERCENT % of the same months a year before, which held at least
# TREND_MIN_WORKSHOPS_BEFORE workshops (so that 2 → 1 triggers nothing).
TREND_MONTHS = 3
TREND_MAX_PERCENT = 75
TREND_MIN_WORKSHOPS_BEFORE = 6
# « Aucun atelier depuis 3 mois »: the freshness window of the Indicateurs page.
WORKSHOP_QUIET_MONTHS = QUIET_MONTHS
WORKSHOP_YEARS = (1, 2, 3)
# « Aucun relevé Parents Ressources depuis 6 mois »: years 2 and 3 recruit and report.
REPORT_QUIET_MONTHS = 6
REPORT_YEARS = (2, 3)
# « Beaucoup de communes en retard » (départements): at least this share of the communes with
# objectives late on at least one of them, and at least this many communes.
LATE_COMMUNES_MIN_SHARE = 40.0
LATE_COMMUNES_MIN = 3

# Severity: the order the points are listed in, most urgent first.
URGENT, WATCH, COMPLETE = 3, 2, 1
SEVERITY_LABELS = {URGENT: "Prioritaire", WATCH: "À surveiller", COMPLETE: "À compléter"}
LEVEL_LABELS = {COMMUNE: "Commune", DEPARTEMENT: "Département"}

# The pages a point links to (their routes: ``ui/navigation.py``, tested).
DEPLOIEMENT, COMPARER, INDICATEURS = "/deploiement", "/comparer", "/indicateurs"
VIEW_NAMES = {DEPLOIEMENT: "Déploiement", COMPARER: "Comparer", INDICATEURS: "Indicateurs"}

LATE_OBJECTIVE = "late_objective"
BELOW_PEERS = "below_peers"
ACTIVITY_DOWN = "activity_down"
NO_RECENT_WORKSHOP = "no_recent_workshop"
NO_RECENT_REPORT = "no_recent_parents_ressources_report"
YEAR_WITHOUT_OBJECTIVES = "year_without_objectives"
OBJECTIVES_WITHOUT_PLAN = "objectives_without_plan"
MANY_LATE_COMMUNES = "many_late_communes"


# ── Windows and words ───────────────────────────────────────────────────────────────────


def _month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def trend_windows(as_of: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The last ``TREND_MONTHS`` complete months at ``as_of`` (a month is complete when its
    last day is at most ``as_of``) and the same months a year before, as (first day, last
    day) pairs: on 17 April 2023, January–March 2023 and January–March 2022."""
    end = as_of if (as_of + dt.timedelta(days=1)).day == 1 else \
        as_of.replace(day=1) - dt.timedelta(days=1)
    start = months_before(end.replace(day=1), TREND_MONTHS - 1)
    before_start = months_before(start, 12)
    before_end = _month_end(months_before(end.replace(day=1), 12))
    return (start, end), (before_start, before_end)


def report_quiet_since(as_of: dt.date) -> dt.date:
    """The first day of the « last 6 months » window ending on ``as_of``."""
    return months_before(as_of, REPORT_QUIET_MONTHS) + dt.timedelta(days=1)


def _month_name(day: dt.date) -> str:
    return MONTHS[day.month - 1]


def months_phrase(start: dt.date, end: dt.date) -> str:
    """« de janvier à mars 2023 », « d'octobre à décembre 2022 », « de novembre 2022 à
    janvier 2023 »."""
    first = _month_name(start)
    of = "d'" if first[0] in "aeiouéâ" else "de "
    if start.year == end.year:
        return f"{of}{first} à {_month_name(end)} {end.year}"
    return f"{of}{first} {start.year} à {_month_name(end)} {end.year}"


@dataclass(frozen=True)
class VigilanceRule:
    """One reason a territory needs attention: its stable code, its French title, its
    threshold in a few words, its help (the rule stated exactly), its severity, the levels
    it applies to and the page its link opens."""

    code: str
    title: str
    threshold: str
    help: str
    severity: int
    levels: tuple[str, ...]
    view: str


_ABOVE = "Vue des 12 départements TNE ou de la France, elle s'applique aussi aux départements."
# The help texts' example date, and the windows the rules read on it.
EXAMPLE_DATE = dt.date(2023, 4, 17)
_EXAMPLE_TREND = trend_windows(EXAMPLE_DATE)
_EXAMPLE = (f"au {format_date(EXAMPLE_DATE)}, les ateliers "
            f"{months_phrase(*_EXAMPLE_TREND[0])} face à ceux "
            f"{months_phrase(*_EXAMPLE_TREND[1])}")
VIGILANCE_RULES: tuple[VigilanceRule, ...] = (
    VigilanceRule(
        LATE_OBJECTIVE, "En retard sur un objectif de l'année",
        "statut « En retard » de la page Déploiement",
        "Un objectif de l'année scolaire en cours a le statut « En retard » : la part de "
        "l'objectif réalisée du 1er septembre à la date est inférieure à la part de l'année "
        "scolaire écoulée. La phrase donne le réalisé, l'objectif, les deux parts et l'écart "
        f"en points (une ligne par objectif en retard). {_ABOVE} Le statut est celui de la "
        "page Déploiement, calculé sur les effectifs exacts.",
        URGENT, (COMMUNE, DEPARTEMENT), DEPLOIEMENT),
    VigilanceRule(
        BELOW_PEERS, "Loin derrière les communes comparables",
        f"plus de {format_number(BELOW_MEDIAN_POINTS)} points sous la médiane, au moins "
        f"{MIN_PEERS} communes comparables",
        "La part de son objectif de l'année réalisée par la commune est inférieure de plus de "
        f"{format_number(BELOW_MEDIAN_POINTS)} points à la médiane des autres communes de son "
        "département qui sont dans la même phase à la date et ont un objectif pour le même "
        f"indicateur, quand elles sont au moins {MIN_PEERS}. Les parts comptent au plus pour "
        "100 % (un objectif atteint est atteint). En vue publique, ce sont celles des "
        "effectifs arrondis, comme sur les pages.",
        WATCH, (COMMUNE,), COMPARER),
    VigilanceRule(
        ACTIVITY_DOWN, "Activité en baisse",
        f"au plus {format_percent(TREND_MAX_PERCENT, 0)} des mêmes {TREND_MONTHS} mois un an "
        f"plus tôt, qui comptaient au moins {TREND_MIN_WORKSHOPS_BEFORE} ateliers",
        f"Les ateliers des {TREND_MONTHS} derniers mois complets avant la date sont au plus "
        f"{format_percent(TREND_MAX_PERCENT, 0)} de ceux des mêmes mois un an plus tôt "
        f"({_EXAMPLE}), qui devaient compter au moins {TREND_MIN_WORKSHOPS_BEFORE} ateliers : "
        "une commune qui passe de 2 ateliers à 1 n'est pas signalée. Ce sont les ateliers "
        f"enregistrés, de tout format et de tout thème. {_ABOVE}",
        WATCH, (COMMUNE, DEPARTEMENT), INDICATEURS),
    VigilanceRule(
        NO_RECENT_WORKSHOP, f"Aucun atelier depuis {WORKSHOP_QUIET_MONTHS} mois",
        f"{WORKSHOP_QUIET_MONTHS} mois sans atelier, en année 1, 2 ou 3",
        "La commune est en année 1, 2 ou 3 de son déploiement à la date, engagée depuis au "
        f"moins {WORKSHOP_QUIET_MONTHS} mois, et n'a enregistré aucun atelier dans les "
        f"{WORKSHOP_QUIET_MONTHS} mois qui finissent à la date (au {format_date(EXAMPLE_DATE)} : "
        f"depuis le {format_date(quiet_since(EXAMPLE_DATE))}) — la fenêtre de la fraîcheur des "
        "données de la page Indicateurs.",
        URGENT, (COMMUNE,), INDICATEURS),
    VigilanceRule(
        NO_RECENT_REPORT, f"Aucun relevé Parents Ressources depuis {REPORT_QUIET_MONTHS} mois",
        f"{REPORT_QUIET_MONTHS} mois sans relevé, en année 2 ou 3",
        f"La commune est en année 2 ou 3 de son déploiement depuis au moins "
        f"{REPORT_QUIET_MONTHS} mois, et aucun de ses relevés Parents Ressources ne finit "
        f"dans les {REPORT_QUIET_MONTHS} mois qui finissent à la date (au "
        f"{format_date(EXAMPLE_DATE)} : depuis le "
        f"{format_date(report_quiet_since(EXAMPLE_DATE))}). Un relevé compte à la date de fin "
        "de sa période, comme dans les indicateurs.",
        WATCH, (COMMUNE,), INDICATEURS),
    VigilanceRule(
        YEAR_WITHOUT_OBJECTIVES, "Année de déploiement sans objectifs",
        "une année en cours, aucun objectif",
        "Une année du déploiement de la commune (1, 2 ou 3) est en cours à la date, et la "
        "commune n'a aucun objectif pour cette année scolaire : données à compléter (page "
        "Déploiement en mode édition, ou import des objectifs).",
        COMPLETE, (COMMUNE,), DEPLOIEMENT),
    VigilanceRule(
        OBJECTIVES_WITHOUT_PLAN, "Objectifs sans plan de déploiement",
        "des objectifs, aucune année de déploiement cette année scolaire",
        "La commune a des objectifs pour l'année scolaire de la date, mais aucune année de "
        "son plan de déploiement n'a lieu pendant cette année scolaire (pas de plan, ou un "
        "plan qui ne la couvre pas) : données à compléter.",
        COMPLETE, (COMMUNE,), DEPLOIEMENT),
    VigilanceRule(
        MANY_LATE_COMMUNES, "Beaucoup de communes en retard",
        f"au moins {format_percent(LATE_COMMUNES_MIN_SHARE, 0)} des communes ayant des "
        f"objectifs, et au moins {LATE_COMMUNES_MIN}",
        "Vue des 12 départements TNE ou de la France : un département dont au moins "
        f"{format_percent(LATE_COMMUNES_MIN_SHARE, 0)} des communes ayant des objectifs pour "
        f"l'année scolaire — et au moins {LATE_COMMUNES_MIN} communes — sont en retard sur au "
        "moins un objectif (le statut de la frise de la page Déploiement).",
        URGENT, (DEPARTEMENT,), DEPLOIEMENT),
)
RULES = {rule.code: rule for rule in VIGILANCE_RULES}
RULE_ORDER = {rule.code: index for index, rule in enumerate(VIGILANCE_RULES)}
