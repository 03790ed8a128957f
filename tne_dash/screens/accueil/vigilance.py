"""The Accueil page's « Points de vigilance » block as values: one tile per reason, the most
urgent points with the page and parameters their link opens, and the link to all of them on
the Déploiement page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import pandas as pd

from tne_dash.figures.metrics import Kpi
from tne_dash.figures.scope import COMMUNE, Scope
from tne_dash.figures.vigilance import FOLLOWED, reason_counts, territories_words, vigilance_summary
from tne_dash.figures.vigilance_rules import (
    ACTIVITY_DOWN,
    BELOW_PEERS,
    LATE_OBJECTIVE,
    MANY_LATE_COMMUNES,
    NO_RECENT_REPORT,
    NO_RECENT_WORKSHOP,
    OBJECTIVES_WITHOUT_PLAN,
    RULES,
    VIEW_NAMES,
    YEAR_WITHOUT_OBJECTIVES,
)
from tne_dash.labels import format_number

TOP_POINTS = 5
NO_POINT = "Aucun point de vigilance à cette date."
ALL_POINTS = "Tous les points de vigilance, avec leurs filtres et leurs exports"
# A tile's label holds on one line: each reason in a few words (its title opens its help).
TILE_LABELS = {
    LATE_OBJECTIVE: "En retard sur un objectif",
    BELOW_PEERS: "Loin des comparables",
    ACTIVITY_DOWN: "Activité en baisse",
    NO_RECENT_WORKSHOP: "Aucun atelier (3 mois)",
    NO_RECENT_REPORT: "Aucun relevé (6 mois)",
    YEAR_WITHOUT_OBJECTIVES: "Année sans objectifs",
    OBJECTIVES_WITHOUT_PLAN: "Objectifs sans plan",
    MANY_LATE_COMMUNES: "Communes en retard",
}


@dataclass(frozen=True)
class ShownPoint:
    """One point as the block lists it: its severity, its sentence, and its link — the page
    file and query parameters for ``st.page_link``, and the link's French label."""

    severity_label: str
    sentence: str
    page: str
    params: dict[str, str]
    link_label: str


@dataclass(frozen=True)
class VigilanceDigest:
    """What the block shows of a territory's points, and nothing else: a few hundred bytes
    where the points are France's 12 000 rows (5 MB to copy out of a cache at every run)."""

    empty: bool
    summary: str  # « France, au … : 11 871 points … » and the followed communes
    demo: bool  # demo rows in the points
    tiles: list[Kpi]
    top: list[ShownPoint]


def vigilance_digest(points: pd.DataFrame, place: str, as_of: dt.date) -> VigilanceDigest:
    """The block's words and tiles from the points (``with_follow_ups``'s)."""
    if points.empty:
        return VigilanceDigest(True, "", False, [], [])
    summary = f"{vigilance_summary(points, place, as_of)} {followed_sentence(points)}".strip()
    return VigilanceDigest(False, summary, bool(points["demo"].any()), reason_tiles(points),
                           top_points(points))


def reason_tiles(points: pd.DataFrame) -> list[Kpi]:
    """One tile per reason found, most severe first: how many territories it names, the
    reason in a few words, and in its note the territories in words, the points and the
    severity; its help is the reason's title and rule stated exactly (the Données page's)."""
    tiles = []
    for row in reason_counts(points).itertuples():
        places = territories_words(row.communes, row.departements)
        tiles.append(Kpi(
            code=row.rule, label=TILE_LABELS[row.rule],
            value=format_number(row.communes + row.departements),
            help=f"**{row.rule_title}.** {RULES[row.rule].help}",
            note=f"{places}, {format_number(row.points)} point{'s' if row.points > 1 else ''}"
                 f" — {row.severity_label.lower()}"))
    return tiles


def page_of(link: str) -> tuple[str, dict[str, str]]:
    """A point's link (``/deploiement?scope=commune:95063&to=2023-04-17``) as the page file
    and the query parameters ``st.page_link`` opens (``pages/deploiement.py``, {…}): a page's
    address is its file's name (``ui/navigation.py``)."""
    parts = urlsplit(link)
    return f"pages/{parts.path.strip('/')}.py", dict(parse_qsl(parts.query))


def top_points(points: pd.DataFrame, count: int = TOP_POINTS) -> list[ShownPoint]:
    """The ``count`` most urgent points (``vigilance_points`` lists them most urgent first),
    each with its link."""
    shown = []
    for row in points.head(count).itertuples():
        page, params = page_of(row.link)
        view = VIEW_NAMES.get(urlsplit(row.link).path, "")
        shown.append(ShownPoint(row.severity_label, row.sentence, page, params,
                                f"{row.name} — page {view}"))
    return shown


def all_points_params(scope: Scope, as_of: dt.date) -> dict[str, str]:
    """The Déploiement page's parameters for the same territory and date."""
    return {"scope": str(scope), "to": as_of.isoformat()}


def followed_sentence(points: pd.DataFrame) -> str:
    """« 2 des 23 communes signalées sont suivies. » — the communes with points that an
    editor follows (the points carry ``followed``: ``with_follow_ups``); empty without any
    commune."""
    communes: dict[str, object] = {}  # each commune's follow-up, read once (12 000 points)
    for level, code, state in zip(points["level"].tolist(), points["code"].tolist(),
                                  points[FOLLOWED].tolist(), strict=True):
        if level == COMMUNE and code not in communes:
            communes[code] = state
    if not communes:
        return ""
    total = len(communes)
    followed = sum(state is True for state in communes.values())
    if total == 1:
        return "Cette commune est suivie." if followed else "Cette commune n'est pas suivie."
    among = f"des {format_number(total)} communes signalées"
    if followed == 0:
        return f"Aucune {among} n'est suivie."
    if followed == total:
        return f"Les {format_number(total)} communes signalées sont suivies."
    if followed == 1:
        return f"L'une {among} est suivie."
    return f"{format_number(followed)} {among} sont suivies."
