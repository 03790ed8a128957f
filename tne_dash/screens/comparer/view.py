"""The Comparer page's view as query parameters: the communes, the date, the period and the
indicator of the ranking. Bad values fall back with a French message, never a traceback.
``?commune=95063`` (a link from another page) asks for that commune and the most similar
ones.

``?communes=95063,95018,95176&to=2023-04-17&annee=2022-2023&indicateur=workshops_per_1000_inhabitants``
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from tne_dash.catalogue import CATALOGUE, PER_1000
from tne_dash.figures.comparison import MAX_SELECTED
from tne_dash.figures.scope import INSEE_CODE
from tne_dash.periods import Period
from tne_dash.ui.urlstate import parse_school_year, parse_view

DEFAULT_RANK_INDICATOR = "workshops" + PER_1000
# Indicators a commune can be ranked on: activity measured in the commune, absolute or per
# 1 000 inhabitants.
RANK_INDICATORS = tuple(
    code for code, ind in CATALOGUE.items()
    if "commune" in ind.scopes and code.removesuffix(PER_1000) in {
        "workshops", "participations", "parents_reached", "workshop_hours", "venues",
        "parents_ressources_recruited", "parents_ressources_active", "cnfs_posts"})


@dataclass(frozen=True)
class ComparerView:
    """The communes to compare (INSEE codes, in order), the date figures are read at, the
    period (None: since the start of the programme) and the ranking's indicator."""

    codes: tuple[str, ...]
    as_of: dt.date
    period: Period | None = None
    indicator: str = DEFAULT_RANK_INDICATOR
    problems: tuple[str, ...] = ()
    # False when the URL names no selection (``?commune=INSEE`` only seeds a default one).
    explicit: bool = True


def parse_comparer_view(params: Mapping[str, str], today: dt.date,
                        known: Collection[str]) -> ComparerView:
    """Read the page's query parameters. ``known``: every commune code of the database —
    unknown codes, duplicates and communes beyond the sixth are named and left out."""
    base = parse_view({"to": params.get("to", "")}, today)
    problems = list(base.problems)
    explicit = "communes" in params
    codes = _codes(params["communes"] if explicit else params.get("commune", ""), known,
                   problems)
    period = parse_school_year(params.get("annee"), problems,
                               "Affichage depuis le début du programme.")
    indicator = params.get("indicateur") or DEFAULT_RANK_INDICATOR
    if indicator not in RANK_INDICATORS:
        problems.append(f"Indicateur inconnu dans l'adresse : « {indicator} ». Classement sur "
                        f"les {CATALOGUE[DEFAULT_RANK_INDICATOR].label.lower()}.")
        indicator = DEFAULT_RANK_INDICATOR
    return ComparerView(codes, base.date_to or today, period, indicator, tuple(problems),
                        explicit)


def comparer_params(view: ComparerView) -> dict[str, str]:
    """The query parameters that reopen ``view`` (defaults left out, except the date)."""
    params = {"communes": ",".join(view.codes), "to": view.as_of.isoformat()}
    if view.period is not None:
        params["annee"] = view.period.label
    if view.indicator != DEFAULT_RANK_INDICATOR:
        params["indicateur"] = view.indicator
    return params


def _codes(raw: str, known: Collection[str], problems: list[str]) -> tuple[str, ...]:
    asked = [c.strip().upper() for c in raw.split(",") if c.strip()]
    codes: list[str] = []
    for code in asked:
        if code in codes:
            continue
        if not INSEE_CODE.match(code):
            problems.append(f"Code commune invalide dans l'adresse : « {code} » — attendu un "
                            "code INSEE à 5 caractères (ex. 95063). Commune ignorée.")
        elif code not in known:
            problems.append(f"Commune inconnue : code INSEE « {code} ». Commune ignorée.")
        else:
            codes.append(code)
    if len(codes) > MAX_SELECTED:
        problems.append(f"On compare au plus {MAX_SELECTED} communes à la fois : "
                        f"{len(codes)} demandées, les {MAX_SELECTED} premières sont affichées.")
        codes = codes[:MAX_SELECTED]
    return tuple(codes)
