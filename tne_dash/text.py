"""Text normalisation shared by search, imports and classification."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free words separated by one space.

    ``fold("Saint-Ouen-sur-Seine")`` → ``"saint ouen sur seine"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", bare.lower()).strip()


def slug(text: str) -> str:
    """A file-name part: ``slug("Val-d'Oise (95)")`` → ``"val-d-oise-95"``."""
    return fold(text).replace(" ", "-") or "territoire"
