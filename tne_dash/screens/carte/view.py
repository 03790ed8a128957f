"""The Carte page's URL: ``?dep=…&couleur=…`` (a phase, an indicator, or ``vigilance``)
parsed into a MapView with French messages, and written back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from tne_dash.catalogue import CATALOGUE
from tne_dash.figures.map_view import (
    COLOUR_BY_PHASE,
    COLOUR_BY_VIGILANCE,
    DEFAULT_LAYERS,
    LAYERS,
    NO_LAYER,
    MapView,
)
from tne_dash.vocabulary import PHASE_ORDER, VenueKind


def _list(raw: str | None) -> list[str]:
    return [v for v in (raw or "").split(",") if v]


def _date(raw: str | None, name: str, problems: list[str]) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(f"Date invalide dans l'adresse ({name}) : « {raw} » — attendu "
                        "AAAA-MM-JJ. Période par défaut.")
        return None


def _known(values: list[str], allowed: Collection[str], what: str,
           problems: list[str]) -> tuple[str, ...]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        problems.append(f"{what} inconnu(s) dans l'adresse : {', '.join(unknown)} — ignoré(s).")
    return tuple(v for v in values if v in allowed)


def parse_map_view(params: Mapping[str, str], today: dt.date,
                   departements: Collection[str]) -> MapView:
    """``?dep=86&from=…&to=…&phase=…&lieux=…&couleur=…&couches=…&commune=…`` → MapView."""
    problems: list[str] = []
    dep = params.get("dep") or None
    if dep is not None and dep not in departements:
        problems.append(f"Département inconnu : « {dep} ». Retour à la vue France.")
        dep = None
    date_from = _date(params.get("from"), "from", problems)
    date_to = _date(params.get("to"), "to", problems) or today
    if date_from and date_from > date_to:
        problems.append("Période invalide : le début est après la fin. Période par défaut.")
        date_from = None
    colour_by = params.get("couleur") or COLOUR_BY_PHASE
    if colour_by not in (COLOUR_BY_PHASE, COLOUR_BY_VIGILANCE) and colour_by not in CATALOGUE:
        problems.append(f"Indicateur inconnu : « {colour_by} ». Coloration par phase.")
        colour_by = COLOUR_BY_PHASE
    raw_layers = params.get("couches")
    layers = (DEFAULT_LAYERS if raw_layers is None else () if raw_layers == NO_LAYER
              else _known(_list(raw_layers), LAYERS, "Couche", problems))
    commune = params.get("commune") or None
    if commune is not None and dep is None:
        commune = None
    return MapView(
        departement=dep, date_from=date_from, date_to=date_to,
        phases=_known(_list(params.get("phase")), PHASE_ORDER, "Phase", problems),
        venue_kinds=_known(_list(params.get("lieux")), [k.value for k in VenueKind],
                           "Type de lieu", problems),
        colour_by=colour_by, layers=layers, commune=commune, problems=tuple(problems),
    )


def map_view_params(view: MapView) -> dict[str, str]:
    """The query parameters that reopen ``view`` (defaults left out)."""
    params = {
        "dep": view.departement or "",
        "from": view.date_from.isoformat() if view.date_from else "",
        "to": view.date_to.isoformat() if view.date_to else "",
        "phase": ",".join(view.phases),
        "lieux": ",".join(view.venue_kinds),
        "couleur": "" if view.colour_by == COLOUR_BY_PHASE else view.colour_by,
        "couches": "" if view.layers == DEFAULT_LAYERS else ",".join(view.layers) or NO_LAYER,
        "commune": view.commune or "",
    }
    return {k: v for k, v in params.items() if v}
