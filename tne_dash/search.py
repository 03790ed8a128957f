"""Find communes by name as people type them: accents, hyphens and case ignored.

``search_communes(frame, "saint ouen")`` finds « Saint-Ouen-sur-Seine (93) » first; homonyms
are told apart by their département.
"""

from __future__ import annotations

import pandas as pd

from tne_dash.text import fold

DEFAULT_LIMIT = 20
FOLDED = "folded_name"


def with_folded_names(communes: pd.DataFrame) -> pd.DataFrame:
    """``communes`` with its names folded once (a national list is searched at every key)."""
    return communes.assign(**{FOLDED: communes["name"].map(fold)})


def commune_labels(communes: pd.DataFrame) -> pd.Series:
    """« Bezons (95) » for every commune (columns code_insee, name, departement_code)."""
    return communes["name"] + " (" + communes["departement_code"] + ")"


def search_communes(communes: pd.DataFrame, query: str,
                    limit: int = DEFAULT_LIMIT) -> pd.DataFrame:
    """Communes whose folded name contains every folded word of ``query``, best first:
    whole name, then name starting with the query, then every word starting a name word,
    then anywhere; larger populations first within a rank. A 5-character INSEE code finds
    its commune."""
    words = fold(query).split()
    if not words:
        return communes.iloc[0:0]
    raw = query.strip().upper()
    if raw in set(communes["code_insee"]):
        return communes[communes["code_insee"] == raw]
    folded = communes[FOLDED] if FOLDED in communes else communes["name"].map(fold)
    phrase = " ".join(words)
    found = folded.map(lambda name: all(w in name for w in words))
    hits = communes[found].assign(_name=folded[found])
    rank = hits["_name"].map(lambda name: _rank(name, phrase, words))
    hits = hits.assign(_rank=rank).sort_values(["_rank", "population", "code_insee"],
                                               ascending=[True, False, True])
    return hits.drop(columns=["_name", "_rank", FOLDED], errors="ignore").head(limit)


def _rank(name: str, phrase: str, words: list[str]) -> int:
    if name == phrase:
        return 0
    if name.startswith(phrase):
        return 1
    name_words = name.split()
    if all(any(nw.startswith(w) for nw in name_words) for w in words):
        return 2
    return 3
