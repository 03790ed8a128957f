"""A territorial scope: all of France, the 12 TNE départements, one département or one commune."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, select

from tne_dash.store.models import Commune, Departement
from tne_dash.store.reference import TNE_COHORTS

NATIONAL = "national"
TNE = "tne"
DEPARTEMENT = "departement"
COMMUNE = "commune"

_DEP_CODE = re.compile(r"^(\d{2}|2[AB]|97\d)$")
INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


class InvalidScope(ValueError):
    """A scope that cannot be parsed or names no known territory; the message is French."""


@dataclass(frozen=True)
class Scope:
    """A territory: ``kind`` is national, tne, departement or commune; ``code`` for the last two."""

    kind: str
    code: str = ""

    @classmethod
    def parse(cls, text: str) -> Scope:
        """Parse ``national``, ``tne``, ``departement:CODE`` or ``commune:INSEE``."""
        raw = (text or "").strip()
        kind, _, code = raw.partition(":")
        kind = kind.lower()
        code = code.strip().upper()
        if kind in (NATIONAL, TNE) and not code:
            return cls(kind)
        if kind == DEPARTEMENT and _DEP_CODE.match(code):
            return cls(kind, code)
        if kind == COMMUNE and INSEE_CODE.match(code):
            return cls(kind, code)
        raise InvalidScope(
            f"Périmètre inconnu : « {raw} » — attendu national, tne, departement:CODE "
            "(ex. departement:86) ou commune:INSEE (ex. commune:95063)."
        )

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}" if self.code else self.kind

    @property
    def is_commune(self) -> bool:
        """One commune (its figures of people are masked for the public when small)."""
        return self.kind == COMMUNE

    @property
    def is_departement(self) -> bool:
        """One département."""
        return self.kind == DEPARTEMENT


def check_scope_exists(conn: Connection, scope: Scope) -> None:
    """Raise InvalidScope if the scope's département or commune is not in the database."""
    if scope.kind == DEPARTEMENT:
        found = conn.scalar(select(Departement.code).where(Departement.code == scope.code))
        if found is None:
            raise InvalidScope(f"Département inconnu : « {scope.code} ».")
    elif scope.kind == COMMUNE:
        found = conn.scalar(select(Commune.code_insee).where(Commune.code_insee == scope.code))
        if found is None:
            raise InvalidScope(f"Commune inconnue : code INSEE « {scope.code} ».")


def scope_label(conn: Connection, scope: Scope) -> str:
    """French name of a scope: « France entière », « Vienne (86) », « Bezons (95) »."""
    if scope.kind == NATIONAL:
        return "France entière"
    if scope.kind == TNE:
        return f"Les {len(TNE_COHORTS)} départements TNE"
    if scope.kind == DEPARTEMENT:
        name = conn.scalar(select(Departement.name).where(Departement.code == scope.code))
        return f"{name} ({scope.code})"
    row = conn.execute(
        select(Commune.name, Commune.departement_code).where(Commune.code_insee == scope.code)
    ).first()
    return f"{row.name} ({row.departement_code})" if row else scope.code
