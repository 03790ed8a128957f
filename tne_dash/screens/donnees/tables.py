"""The Données page's tables: the indicator catalogue, the sources register, the calculation
rules and the rules of the points de vigilance, with French headers."""

from __future__ import annotations

import pandas as pd

from tne_dash.catalogue import CATALOGUE
from tne_dash.figures.rules import calculation_rules, vigilance_rules
from tne_dash.html_tables import Code
from tne_dash.store.sources import SOURCES


def sources_table() -> pd.DataFrame:
    """The sources as a French-headed table (file names as code)."""
    return pd.DataFrame(
        [(s.what, Code(s.file), s.vintage, s.licence) for s in SOURCES],
        columns=["Données", "Fichier", "Millésime", "Licence"],
    )


def catalogue_table() -> pd.DataFrame:
    """The indicator catalogue as a French-headed table (the code, kept for scripts, as
    code)."""
    return pd.DataFrame(
        [(i.label, i.unit, i.computation, Code(i.code)) for i in CATALOGUE.values()],
        columns=["Indicateur", "Unité", "Mode de calcul", "Code"],
    )


def rules_table() -> pd.DataFrame:
    """The calculation rules, as the Données page shows them."""
    return pd.DataFrame(calculation_rules(), columns=["Règle", "Ce que fait le tableau de bord"])


def vigilance_rules_table() -> pd.DataFrame:
    """The rules of the points de vigilance: rule, threshold, what it checks, severity and
    the page its link opens."""
    return pd.DataFrame(vigilance_rules(), columns=["Point de vigilance", "Seuil",
                                                    "Règle appliquée", "Gravité", "Lien vers"])
