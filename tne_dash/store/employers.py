"""Employer kind of a CNFS host structure, derived from its name and public/private type.

The ANCT file has no legal-form column, so the kind is read from the words of the name
(« COMMUNE DE … », « CC DU … », « MISSION LOCALE … »). Rules are tried in order; the first
match wins, so the more specific rules come first.
"""

from __future__ import annotations

import re

from tne_dash.text import fold
from tne_dash.vocabulary import EmployerKind

# (pattern on the folded name, kind). Word boundaries matter: "ca" must not match "canope".
_RULES: tuple[tuple[str, EmployerKind], ...] = (
    (r"\bmission locale\b", EmployerKind.MISSION_LOCALE),
    (r"\bcroix rouge\b", EmployerKind.ASSOCIATION),
    (r"\b(centre|ctre|espace) (social|socio|socioculturel|socio culturel)\b",
     EmployerKind.CENTRE_SOCIAL),
    (r"\bcentre socio", EmployerKind.CENTRE_SOCIAL),
    (r"\b(communaute d agglomeration|communaute urbaine|metropole|agglomeration|agglo)\b",
     EmployerKind.AGGLOMERATION),
    (r"^(ca|cu|cda) ", EmployerKind.AGGLOMERATION),
    (r"\b(communaute de communes|communaute des communes|communaute communes|com com"
     r"|communaute com|centre intercommunal|cias)\b", EmployerKind.COMMUNAUTE_COMMUNES),
    (r"^cc ", EmployerKind.COMMUNAUTE_COMMUNES),
    (r"\b(conseil departemental|departement)\b", EmployerKind.DEPARTEMENT),
    (r"\b(conseil regional|region|collectivite de corse)\b", EmployerKind.REGION),
    (r"^(commune|ville|mairie)\b", EmployerKind.COMMUNE),
    (r"\b(centre communal d action sociale|ctre com|ccas)\b", EmployerKind.COMMUNE),
    (r"\b(association|ass|asso|assoc|secours|emmaus|ligue|federation|familles rurales"
     r"|union departementale|foyer|amicale|mjc|maison des jeunes|maison de la culture"
     r"|pimms)\b", EmployerKind.ASSOCIATION),
)
_COMPILED = tuple((re.compile(pattern), kind) for pattern, kind in _RULES)

# Kinds that only a public (resp. private) employer can be, per the file's type column.
_PUBLIC_ONLY = {
    EmployerKind.COMMUNE, EmployerKind.COMMUNAUTE_COMMUNES, EmployerKind.AGGLOMERATION,
    EmployerKind.DEPARTEMENT, EmployerKind.REGION,
}


def derive_employer_kind(name: str, public_private: str) -> EmployerKind:
    """The EmployerKind of a structure named ``name`` of type publique/privée."""
    folded = fold(name)
    is_public = fold(public_private).startswith("publique")
    for pattern, kind in _COMPILED:
        if pattern.search(folded):
            if kind in _PUBLIC_ONLY and not is_public:
                # A private body named after a territory ("Association du Département …").
                continue
            return kind
    return EmployerKind.OTHER_PUBLIC if is_public else EmployerKind.OTHER
