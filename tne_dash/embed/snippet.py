"""The ``<iframe>`` code the Comparer and Carte pages offer under « Intégrer sur votre site »:
the card's absolute address under the dashboard's public address (``TNE_DASH_PUBLIC_URL``,
else the address the page was opened at), a French title, a width of 360 px and the height
the card needs there."""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from tne_dash.embed import EMBED_PREFIX
from tne_dash.figures.scope import COMMUNE, Scope

EXPANDER_LABEL = "Intégrer sur votre site"
EMBED_HELP = ("Collez ce code dans une page de votre site (bloc «\u00a0HTML\u00a0») : les "
              "chiffres clés publics, à jour, sans script ni cookie, sur 360\u00a0pixels de "
              "large, avec un lien vers ce tableau de bord.")
WIDTH = 360
# Heights that show the whole card at 360 px with the demo notice (measured in Chromium:
# Bezons 663 px, the Val-d'Oise 756 px); a shorter card leaves the frame's bottom white.
HEIGHTS = {COMMUNE: 680, "departement": 780}
# When the page's own address is unknown (tests, a script): the default local server.
FALLBACK_ORIGIN = "http://localhost:8501"


def dashboard_origin(public_url: str, page_url: str | None) -> str:
    """``https://tne.example.fr`` (with the app's path prefix, if any): the configured public
    address, else the one the page was opened at."""
    if public_url:
        return public_url.rstrip("/")
    parts = urlsplit(page_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return FALLBACK_ORIGIN
    return f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}".rstrip("/")


def embed_url(origin: str, scope: Scope) -> str:
    """The card's address: ``https://tne.example.fr/embed/commune/95018``."""
    return f"{origin.rstrip('/')}{EMBED_PREFIX}/{scope.kind}/{scope.code}"


def iframe_snippet(origin: str, scope: Scope, label: str) -> str:
    """The code to paste: ``<iframe src=… title=… width="360" height=… loading="lazy">``,
    every value escaped (``label`` is a commune's name, « L'Haÿ-les-Roses (94) »)."""
    title = f"Chiffres clés du volet parentalité TNE — {label}"
    return (f'<iframe src="{_attribute(embed_url(origin, scope))}" title="{_attribute(title)}" '
            f'width="{WIDTH}" height="{HEIGHTS[scope.kind]}" loading="lazy" '
            'style="border:0;max-width:100%"></iframe>')


def _attribute(text: str) -> str:
    """A double-quoted attribute's value: « L'Haÿ » stays readable, ``"`` ``<`` ``&`` escaped."""
    return escape(text, quote=False).replace('"', "&quot;")
