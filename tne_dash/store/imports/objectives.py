"""Targets per scope, period and indicator — the same validation for files and the form."""

from __future__ import annotations

from tne_dash.catalogue import CATALOGUE
from tne_dash.periods import FIRST_SCHOOL_YEAR, parse_period
from tne_dash.store.imports.fields import (
    MAX_OBJECTIVE_TARGET,
    FieldError,
    label_key,
    parse_number,
)
from tne_dash.store.imports.reading import RawRow, RawTable
from tne_dash.store.imports.records import ObjectiveRecord
from tne_dash.store.imports.rows import (
    Context,
    Parsed,
    RowCheck,
    parse_rows,
)
from tne_dash.vocabulary import ScopeKind

COLUMNS = ("perimetre", "code", "periode", "indicateur", "cible")
SCOPE_KINDS = {label_key(k.value): k.value for k in ScopeKind} | {
    label_key(k.label): k.value for k in ScopeKind} | {"france": ScopeKind.NATIONAL.value}
INDICATORS = {label_key(code): code for code in CATALOGUE} | {
    label_key(ind.label): code for code, ind in CATALOGUE.items()}


def parse_objective_table(table: RawTable, ctx: Context) -> Parsed:
    return parse_rows(table, ctx, COLUMNS, parse_objective_row, lambda r: (
        f"{r.scope_kind}:{r.scope_code} {r.period.label} {r.indicator}", "indicateur"))


def parse_objective_row(row: RawRow, file_name: str, ctx: Context,
                        problems: list) -> ObjectiveRecord | None:
    """One objective; the form of the Déploiement page calls this too."""
    check = RowCheck(file_name, row, problems)
    kind = check.value("perimetre", _parse_scope_kind)
    code = _scope_code(check, ctx, kind)
    period = check.value("periode", _parse_period)
    indicator = check.value("indicateur", _parse_indicator)
    if kind and indicator and kind not in CATALOGUE[indicator].scopes:
        check.fail("indicateur", f"indicateur sans objectif possible pour le périmètre "
                                 f"{ScopeKind(kind).label.lower()}", check.raw("indicateur"))
    target = check.value("cible", parse_number, MAX_OBJECTIVE_TARGET)
    if target is not None and indicator and CATALOGUE[indicator].unit == "%" and target > 100:
        check.fail("cible", "attendu un pourcentage entre 0 et 100", check.raw("cible"))
    if not check.ok:
        return None
    return ObjectiveRecord(row.number, kind, code, period, indicator, target)


def _scope_code(check: RowCheck, ctx: Context, kind: str | None) -> str | None:
    raw = check.raw("code")
    code = "" if raw is None else str(int(raw) if isinstance(raw, float) else raw).strip()
    code = code.upper()
    if kind == ScopeKind.NATIONAL:
        dep = None
        if code:
            check.fail("code", "attendu une cellule vide pour le périmètre national", raw)
    elif kind == ScopeKind.DEPARTEMENT:
        code = code.zfill(2) if code.isdigit() and len(code) == 1 else code
        dep = code if code in set(ctx.communes.values()) else None
        if dep is None:
            check.fail("code", "attendu un code de département (ex. 95, 2A, 971)", raw)
            return None
    elif kind == ScopeKind.COMMUNE:
        code = code.zfill(5) if code.isdigit() and len(code) == 4 else code
        dep = ctx.communes.get(code)
        if dep is None:
            check.fail("code", "attendu un code INSEE de commune du référentiel (ex. 95063)",
                       raw)
            return None
    else:
        return None
    if not ctx.account.may_write(dep):
        where = "national" if dep is None else f"du département {dep}"
        check.fail("code" if code else "perimetre",
                   f"objectif {where} hors de vos droits ({ctx.account.describe_rights()})",
                   code or check.raw("perimetre"))
        return None
    return code


def _parse_scope_kind(value: object) -> str:
    kind = SCOPE_KINDS.get(label_key(value))
    if kind is None:
        raise FieldError("attendu national, departement ou commune")
    return kind


# Objectives are set for the programme's years: from its first school year to a few years on.
LAST_OBJECTIVE_YEAR = FIRST_SCHOOL_YEAR + 15


def _parse_period(value: object) -> object:
    expected = (f"attendu une année scolaire « 2023-2024 » ou une année « 2024 », entre "
                f"{FIRST_SCHOOL_YEAR} et {LAST_OBJECTIVE_YEAR}")
    if isinstance(value, float) and not (value.is_integer() and abs(value) < 10_000):
        raise FieldError(expected)
    try:
        period = parse_period(str(int(value) if isinstance(value, float) else value or ""))
    except ValueError:
        raise FieldError(expected) from None
    if not FIRST_SCHOOL_YEAR <= period.start.year <= LAST_OBJECTIVE_YEAR:
        raise FieldError(expected)
    return period


def _parse_indicator(value: object) -> str:
    code = INDICATORS.get(label_key(value))
    if code is None:
        raise FieldError("attendu un code d'indicateur du catalogue (ex. workshops, "
                         "parents_reached) — voir la page Données")
    return code
