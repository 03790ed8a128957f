"""The JSON and CSV shapes of the figures, shared by ``tne-dash indicators`` / ``tne-dash
vigilance`` and the read API: one shaping, so that the command line and ``/api/v1/…`` give
the same objects and the same rows by construction.

CSV cells that start like a spreadsheet formula are neutralised (``exports``), here too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
from sqlalchemy import Connection

from tne_dash.catalogue import CATALOGUE
from tne_dash.exports import FORMULA_PREFIXES, neutralise_formulas
from tne_dash.figures.filter_scope import unfiltered
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import IndicatorValues, compute_indicator_table, indicator_value
from tne_dash.figures.scope import Scope
from tne_dash.figures.vigilance import vigilance_frame
from tne_dash.periods import school_year_of

# Where an indicator applies, in words (catalogue ``scopes``), and the groups of ``par``.
APPLIES_TO = {"national": "à la France entière", "tne": "aux 12 départements TNE",
              "departement": "à un département", "commune": "à une commune"}
GROUP_WORDS = {"departement": "à un département", "epci": "à une intercommunalité",
               "commune": "à une commune"}
# Computed per département at most (``indicators._strategy_query``): no value for an EPCI.
DEPARTEMENTAL_ONLY = ("strategies_validated",)
CSV_COLUMNS = ["code", "libelle", "valeur", "unite"]
GROUP_CSV_COLUMNS = ["groupe", "nom", *CSV_COLUMNS]


def not_applicable(kind: str) -> dict[str, str]:
    """The catalogue codes that do not apply to a territory of ``kind`` (« commune », or a
    group level of ``par``), each with its reason in French."""
    reasons = {}
    for code, ind in CATALOGUE.items():
        catalogue_kind = "commune" if kind == "epci" else kind
        if catalogue_kind not in ind.scopes and (kind != "epci" or code in DEPARTEMENTAL_ONLY):
            where = [APPLIES_TO[s] for s in ind.scopes]
            reasons[code] = (f"ne s'applique pas {GROUP_WORDS.get(kind, APPLIES_TO.get(kind))} "
                             f"(seulement {', '.join(where[:-1])} ou {where[-1]})")
    return reasons


def indicator_groups(conn: Connection, scope: Scope, filters: Filters, level: str) -> list[dict]:
    """One object per territory of ``level`` (« par » of the Indicateurs address): code,
    name, indicators (null where they do not apply, reasons in ``non_applicables``), demo.
    The groups of an additive count add up to its total."""
    table = compute_indicator_table(conn, scope, filters, level=level)
    reasons = not_applicable(level)
    groups = []
    for row in table.sort_values("key").to_dict("records"):
        name = row["name"] or ("Sans intercommunalité" if level == "epci" else "")
        group = {"code": row["key"], "nom": name,
                 "indicators": {code: None if code in reasons else indicator_value(code, row[code])
                                for code in CATALOGUE if code in row},
                 "demo": bool(row["demo"])}
        if reasons:
            group["non_applicables"] = reasons
        groups.append(group)
    return groups


def indicator_payload(values: IndicatorValues, level: str | None = None,
                      groups: list[dict] | None = None) -> dict:
    """The JSON object of ``tne-dash indicators --format json`` (and the heart of
    ``/api/v1/indicateurs``): ``indicators`` holds every catalogue code (null where it does
    not apply to the scope: ``non_applicables`` says why); ``non_filtres`` names the active
    filters an indicator ignores; ``par`` and ``groupes`` when the address groups the
    figures."""
    reasons = not_applicable(values.scope.kind)
    payload = {
        "scope": str(values.scope),
        "from": values.filters.date_from.isoformat() if values.filters.date_from else None,
        "to": values.filters.date_to.isoformat() if values.filters.date_to else None,
        "indicators": {code: None if code in reasons else value
                       for code, value in values.values.items()},
        "demo": values.demo,
    }
    notes = {code: note for code, note in unfiltered(values.values, values.filters).items()
             if code not in reasons}
    if notes:
        payload["non_filtres"] = notes
    if shown_reasons := {code: why for code, why in reasons.items() if code in values.values}:
        payload["non_applicables"] = shown_reasons
    if groups is not None:
        payload["par"] = level
        payload["groupes"] = groups
    return payload


def indicator_blocks(payload: dict) -> list[tuple[str, str, dict, dict]]:
    """(group code, name, figures, reasons) of the total, then of each group."""
    blocks = [("total", "", payload["indicators"], payload.get("non_applicables", {}))]
    blocks += [(g["code"], g["nom"], g["indicators"], g.get("non_applicables", {}))
               for g in payload.get("groupes") or ()]
    return blocks


def indicators_csv(payload: dict) -> str:
    """The payload as CSV rows (``code, libelle, valeur, unite``; ``groupe, nom`` first when
    grouped): the indicators that do not apply are left out, text cells that start like a
    formula neutralised, numbers written as they are."""
    grouped = "groupes" in payload
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GROUP_CSV_COLUMNS if grouped else CSV_COLUMNS)
    for key, name, figures, reasons in indicator_blocks(payload):
        for code, value in figures.items():
            if code in reasons:
                continue
            ind = CATALOGUE[code]
            row = [code, ind.label, "" if value is None else value, ind.unit]
            writer.writerow([neutral_cell(cell) for cell in
                             ([key, name, *row] if grouped else row)])
    return out.getvalue().rstrip("\n")


def neutral_cell(value):
    """A text cell that starts like a formula, behind an apostrophe (as ``exports`` does);
    anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def vigilance_payload(scope: Scope, place: str, as_of: dt.date, points: pd.DataFrame,
                      exact: bool) -> dict:
    """The JSON object of ``tne-dash vigilance --format json`` and ``/api/v1/vigilance``."""
    return {"scope": str(scope), "territoire": place, "to": as_of.isoformat(),
            "annee": school_year_of(as_of).label, "exact": exact,
            "demo": bool(points["demo"].any()), "points": points.to_dict("records")}


def vigilance_csv(points: pd.DataFrame) -> str:
    """The points with French headers, formulas neutralised (CLI and API)."""
    return neutralise_formulas(vigilance_frame(points)).to_csv(index=False).rstrip("\n")
