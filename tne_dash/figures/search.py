"""Find communes by name as people type them: accents, hyphens and case ignored.

``search_communes(frame, "saint ouen")`` finds « Saint-Ouen-sur-Seine (93) » first; homonyms
are told apart by their département.
"""

from __future__ import annotations

import re

import numpy as np
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
    by_code = communes["code_insee"] == raw
    if by_code.any():
        return communes[by_code]
    folded = communes[FOLDED] if FOLDED in communes else communes["name"].map(fold)
    found = pd.Series(True, index=communes.index)
    for word in words:  # vectorised: a national list (35 000 names) is searched at every key
        found &= folded.str.contains(word, regex=False)
    hits = communes[found]
    rank = _ranks(folded[found], " ".join(words), words)
    hits = hits.assign(_rank=rank).sort_values(["_rank", "population", "code_insee"],
                                               ascending=[True, False, True])
    return hits.drop(columns=["_rank", FOLDED], errors="ignore").head(limit)


def _ranks(names: pd.Series, phrase: str, words: list[str]) -> np.ndarray:
    """0: the whole name; 1: the name starts with the query; 2: each word starts a word of
    the name; 3: found anywhere."""
    word_starts = pd.Series(True, index=names.index)
    for word in words:  # folded words are [a-z0-9] only
        word_starts &= names.str.contains(rf"(?:^| ){re.escape(word)}", regex=True)
    return np.select([names == phrase, names.str.startswith(phrase), word_starts], [0, 1, 2],
                     default=3)
