"""The API's query parameters: which each route accepts, read with the pages' own parsers,
refused with a French message naming the parameter (never ignored, never a fallback: an API
user must not get other figures than the ones asked for without noticing).

``/api/v1/indicateurs`` takes the parameters of the Indicateurs page (``view.py``:
``parse_indicateurs_view``, the parser of the page and of ``tne-dash indicators --query``),
``/api/v1/vigilance`` those of the pages' territory and date (``urlstate.parse_view``), and
every data route the output format: ``format=csv`` (or ``json``), or ``sortie=csv`` — on
``/api/v1/indicateurs`` ``format`` is also the page's workshop-format filter, whose values
are never ``csv`` nor ``json``: ``format=csv`` asks for CSV, ``format=atelier_collectif``
filters, ``sortie=csv&format=atelier_collectif`` does both.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import parse_qsl

from tne_dash.figures.filters import LEGACY_SCHOOL_LEVELS
from tne_dash.figures.scope import Scope
from tne_dash.screens.indicateurs.view import (
    CHOICE_PARAMS,
    IndicateursView,
    parse_indicateurs_view,
)
from tne_dash.ui.urlstate import MAX_PARAM_LENGTH, MAX_PARAMS, parse_view

PREFIX = "/api/v1"
INDICATEURS_PATH = f"{PREFIX}/indicateurs"
TERRITOIRES_PATH = f"{PREFIX}/territoires"
VIGILANCE_PATH = f"{PREFIX}/vigilance"
OPENAPI_PATH = f"{PREFIX}/openapi.json"

OUTPUT = "sortie"
OUTPUT_ALIAS = "format"  # format=csv, as most read APIs write it
JSON, CSV = "json", "csv"
OUTPUTS = (JSON, CSV)
# The Indicateurs page's parameters (its view.py), in the order of its address.
PAGE_PARAMS = ("from", "to", "dep", "communes", *CHOICE_PARAMS, "rep", "demo", "par")
DATES = ("from", "to")
# What each route accepts; anything else is refused (tests/test_api.py checks the OpenAPI
# description names exactly these).
ACCEPTED: dict[str, tuple[str, ...]] = {
    INDICATEURS_PATH: (*PAGE_PARAMS, OUTPUT),
    TERRITOIRES_PATH: ("dep", OUTPUT_ALIAS, OUTPUT),
    VIGILANCE_PATH: ("scope", "to", OUTPUT_ALIAS, OUTPUT),
    OPENAPI_PATH: (),
}
# The sentence a page adds after a problem to say what it shows instead: the API refuses.
_PAGE_FALLBACK = re.compile(
    r"\s*(Année scolaire en cours|Valeur ignorée|Regroupement par département|"
    r"Date par défaut : [0-9/]+|Ignoré\(e\)|Affichage des départements TNE|"
    r"Affichage à la date du jour)\.$")


class ApiError(Exception):
    """A refused request: its HTTP status, its French message, the parameter at fault."""

    def __init__(self, status: int, message: str, parameter: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter
        self.headers = headers or {}

    def body(self) -> dict:
        body = {"erreur": self.message, "statut": self.status}
        if self.parameter:
            body["parametre"] = self.parameter
        return body


def _shown(text: str) -> str:
    """A parameter name or value as quoted back: printable, at most 40 characters."""
    cleaned = "".join(c if c.isprintable() else "?" for c in text)
    return cleaned[:40] + ("…" if len(cleaned) > 40 else "")


def query_params(raw_query: str, path: str) -> dict[str, str]:
    """The query string of a request to ``path`` as {name: value}: each name at most once,
    known to the route, values at most ``MAX_PARAM_LENGTH`` characters; ApiError (400)
    otherwise."""
    accepted = ACCEPTED[path]
    try:
        pairs = parse_qsl(raw_query, keep_blank_values=True, encoding="utf-8",
                          errors="strict", max_num_fields=MAX_PARAMS)
    except UnicodeDecodeError:
        raise ApiError(400, "Adresse illisible : les paramètres doivent être encodés en "
                            "UTF-8.") from None
    except ValueError:
        raise ApiError(400, f"Trop de paramètres : au plus {MAX_PARAMS}.") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name not in accepted:
            expected = ", ".join(accepted) if accepted else "aucun"
            raise ApiError(400, f"Paramètre inconnu : « {_shown(name)} » — paramètres "
                                f"acceptés : {expected}.", _shown(name))
        if name in params:
            raise ApiError(400, f"Paramètre « {name} » donné deux fois : séparez plusieurs "
                                f"valeurs par des virgules (ex. {name}=a,b).", name)
        if len(value) > MAX_PARAM_LENGTH:
            raise ApiError(400, f"Paramètre « {name} » trop long : au plus "
                                f"{MAX_PARAM_LENGTH} caractères.", name)
        params[name] = value
    return params


def output_format(params: dict[str, str], *, format_filters: bool = False) -> str:
    """``format`` or ``sortie``: json (by default) or csv. With ``format_filters`` (the
    Indicateurs route), a ``format`` that is not json or csv is the page's filter."""
    value = params.get(OUTPUT) or JSON
    if value not in OUTPUTS:
        raise ApiError(400, f"Paramètre « {OUTPUT} » refusé : « {_shown(value)} » — attendu "
                            f"{' ou '.join(OUTPUTS)}.", OUTPUT)
    if OUTPUT_ALIAS not in params:
        return value
    alias = params[OUTPUT_ALIAS].strip().lower()
    if alias not in OUTPUTS:
        if format_filters:
            return value
        raise ApiError(400, f"Paramètre « {OUTPUT_ALIAS} » refusé : « "
                            f"{_shown(params[OUTPUT_ALIAS])} » — attendu "
                            f"{' ou '.join(OUTPUTS)}.", OUTPUT_ALIAS)
    if params.get(OUTPUT) and params[OUTPUT] != alias:
        raise ApiError(400, f"Paramètres « {OUTPUT_ALIAS} » et « {OUTPUT} » contraires : "
                            f"« {alias} » et « {params[OUTPUT]} » — n'en donnez qu'un.",
                       OUTPUT_ALIAS)
    return alias


def _refused(parameter: str, problem: str) -> ApiError:
    reason = _PAGE_FALLBACK.sub("", problem).rstrip()
    return ApiError(400, f"Paramètre « {parameter} » refusé : {reason}", parameter)


@dataclass(frozen=True)
class IndicateursRequest:
    """What ``/api/v1/indicateurs`` was asked: the page's view, whether the figures are
    grouped (``par`` given, as ``tne-dash indicators --query``), the output format."""

    view: IndicateursView
    grouped: bool
    output: str


def parse_indicateurs(params: dict[str, str], today: dt.date, departements: Collection[str],
                      communes: Collection[str]) -> IndicateursRequest:
    """The Indicateurs page's parser on the API's parameters; the first problem it finds
    is refused, named after its parameter."""
    output = output_format(params, format_filters=True)
    page_params = {k: v for k, v in params.items() if k != OUTPUT and not (
        k == OUTPUT_ALIAS and v.strip().lower() in OUTPUTS)}
    old = [v.strip() for v in page_params.get("niveau", "").split(",")
           if v.strip() in LEGACY_SCHOOL_LEVELS]
    if old:
        raise ApiError(400, f"Paramètre « niveau » refusé : « {', '.join(old)} » — les "
                            "ateliers ne disent pas si une école est maternelle ou "
                            "élémentaire : écrivez niveau=ecole.", "niveau")
    view = parse_indicateurs_view(page_params, today, departements, communes)
    if view.problems:
        # Which parameter: each one read alone (the dates together: their order counts).
        for name, value in page_params.items():
            alone = ({k: page_params[k] for k in DATES if k in page_params} if name in DATES
                     else {name: value})
            problems = parse_indicateurs_view(alone, today, departements, communes).problems
            if problems:
                culprit = next((d for d in DATES if f"({d})" in problems[0]), name)
                raise _refused(culprit, problems[0])
        raise ApiError(400, " ".join(_PAGE_FALLBACK.sub("", p) for p in view.problems))
    return IndicateursRequest(view, grouped=bool(page_params.get("par")), output=output)


def parse_departements(params: dict[str, str], today: dt.date,
                       departements: Collection[str]) -> tuple[str, ...]:
    """``dep=95,86`` of ``/api/v1/territoires``, read as the Indicateurs page reads it."""
    if not params.get("dep"):
        return ()
    view = parse_indicateurs_view({"dep": params["dep"]}, today, departements, ())
    if view.problems:
        raise _refused("dep", view.problems[0])
    return view.filters.departements


def parse_vigilance(params: dict[str, str], today: dt.date) -> tuple[Scope, dt.date, str]:
    """``scope`` (the 12 TNE départements by default) and ``to`` (today by default), read as
    the pages read them; the output format."""
    output = output_format(params)
    for name in ("scope", "to"):
        if name in params:
            problems = parse_view({name: params[name]}, today).problems
            if problems:
                raise _refused(name, problems[0])
    view = parse_view({k: params[k] for k in ("scope", "to") if k in params}, today)
    return view.scope, view.date_to or today, output
