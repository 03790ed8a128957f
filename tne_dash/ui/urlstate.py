"""Query-string parameters of shareable views, parsed with French messages, never a crash."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from tne_dash.figures.scope import TNE, InvalidScope, Scope
from tne_dash.periods import SCHOOL_YEAR, Period, parse_period

DEFAULT_SCOPE = Scope(TNE)
# The longest legitimate value is a list of communes (Indicateurs, Comparer): 40 codes of 5
# characters and their commas. Longer values are cut before any page parses them.
MAX_PARAM_LENGTH = 400
MAX_PARAMS = 20


@dataclass(frozen=True)
class View:
    """A territory and a period end, as read from the URL, plus what was wrong with it."""

    scope: Scope = DEFAULT_SCOPE
    date_to: dt.date | None = None
    problems: tuple[str, ...] = field(default=())


def parse_view(params: Mapping[str, str], today: dt.date) -> View:
    """``?scope=commune:95063&to=2023-04-17`` → View; bad values fall back with a message."""
    problems: list[str] = []
    scope = DEFAULT_SCOPE
    raw_scope = params.get("scope")
    if raw_scope:
        try:
            scope = Scope.parse(raw_scope)
        except InvalidScope as exc:
            problems.append(f"{exc} Affichage des départements TNE.")
    date_to: dt.date | None = today
    raw_to = params.get("to")
    if raw_to:
        try:
            date_to = dt.date.fromisoformat(raw_to)
        except ValueError:
            problems.append(
                f"Date invalide dans l'adresse : « {raw_to} » — attendu AAAA-MM-JJ. "
                "Affichage à la date du jour."
            )
    return View(scope=scope, date_to=date_to, problems=tuple(problems))


def view_params(view: View) -> dict[str, str]:
    """The query parameters that reopen ``view``."""
    params = {"scope": str(view.scope)}
    if view.date_to is not None:
        params["to"] = view.date_to.isoformat()
    return params


def parse_school_year(raw: str | None, problems: list[str], fallback: str) -> Period | None:
    """``annee=2022-2023`` → that school year; None when absent or invalid (then a message
    naming the value and ``fallback``, what is shown instead, is added to ``problems``)."""
    if not raw:
        return None
    try:
        period = parse_period(raw)
    except ValueError:
        period = None
    if period is None or period.kind != SCHOOL_YEAR:
        problems.append(f"Année scolaire invalide dans l'adresse : « {raw} » — attendu "
                        f"AAAA-AAAA (ex. 2022-2023). {fallback}")
        return None
    return period


def parse_choices(raw: str | None, allowed: tuple[str, ...], what: str, problems: list[str],
                  labels: Mapping[str, str]) -> tuple[str, ...]:
    """``phase=a,b`` → the known values among them, in ``allowed`` order; unknown values are
    named in ``problems`` with what was expected, and ignored."""
    if not raw:
        return ()
    chosen = [v.strip() for v in raw.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        problems.append(f"Valeur de « {what} » inconnue dans l'adresse : "
                        f"« {', '.join(unknown)} » — attendu "
                        f"{', '.join(f'{a} ({labels[a]})' for a in allowed)}. Valeur ignorée.")
    return tuple(v for v in allowed if v in chosen)


def bounded_params(params: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The address's parameters cut to ``MAX_PARAMS`` names of ``MAX_PARAM_LENGTH``
    characters, with a French message for each cut (a 100 kB value costs nothing)."""
    problems: list[str] = []
    kept: dict[str, str] = {}
    for name, value in list(params.items())[:MAX_PARAMS]:
        name = name[:40]
        if len(value) > MAX_PARAM_LENGTH:
            problems.append(f"Paramètre « {name} » trop long dans l'adresse : coupé à "
                            f"{MAX_PARAM_LENGTH} caractères.")
            value = value[:MAX_PARAM_LENGTH]
        kept[name] = value
    if len(params) > MAX_PARAMS:
        problems.append(f"Trop de paramètres dans l'adresse : seuls les {MAX_PARAMS} premiers "
                        "sont lus.")
    return kept, problems
