"""The link to a scope in the normal dashboard, and its QR code drawn locally (segno, SVG)."""

from __future__ import annotations

from urllib.parse import urlencode

import segno

from tne_dash.figures.scope import Scope
from tne_dash.palette import BLEU_FRANCE


def dashboard_link(origin: str, scope: Scope) -> str:
    """The home page of the dashboard on ``scope``: what the room opens from the QR code."""
    return f"{origin.rstrip('/')}/?{urlencode({'scope': str(scope)}, safe=':')}"


def qr_data_uri(link: str) -> str:
    """A QR code of ``link`` as an SVG data URI for an ``<img>`` (medium error correction,
    bleu France on white; drawn here, no online service)."""
    return segno.make(link, error="m").svg_data_uri(scale=10, border=2, dark=BLEU_FRANCE,
                                                    light="#FFFFFF")
