"""The presentation mode as a value: slides, timing and scope read from the URL, never a crash.

``?scope=departement:86&diapos=chiffres,carte&diapo=2&intervalle=30&lecture=pause&honneur=…``.
A bad value falls back to its default and says so in French. Nothing here reads the clock:
the page passes the seconds a slide has been shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tne_dash.figures.scope import INSEE_CODE, TNE, InvalidScope, Scope

# Slide names (as written in the URL) and their titles, in the default order.
SLIDES = {
    "chiffres": "Chiffres clés",
    "carte": "Carte du déploiement",
    "objectifs": "Objectifs et réalisé",
    "mois": "Les ateliers du mois",
    "honneur": "Commune à l'honneur",
}
DEFAULT_INTERVAL = 20
MIN_INTERVAL = 5
MAX_INTERVAL = 600
# The figures are read again at least this often, whatever the slide interval.
MAX_REFRESH = 10
PLAY, PAUSE = "auto", "pause"
_SECONDS = re.compile(r"^\s*(\d+)\s*s?\s*$")


@dataclass(frozen=True)
class PresentationView:
    """What to project: a scope, the slides in order, their interval, where to start."""

    scope: Scope = Scope(TNE)
    slides: tuple[str, ...] = tuple(SLIDES)
    interval: int = DEFAULT_INTERVAL
    start: int = 0
    playing: bool = True
    honour: str | None = None
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def refresh_seconds(self) -> float:
        """How often the figures are read again: the interval split into equal ticks of at
        most ``MAX_REFRESH`` seconds, so a slide still lasts exactly ``interval``."""
        return refresh_seconds(self.interval)


def refresh_seconds(interval: int) -> float:
    return interval / math.ceil(interval / MAX_REFRESH)


def parse_presentation_view(params: Mapping[str, str]) -> PresentationView:
    """The URL's query parameters → PresentationView, with a French notice per bad value."""
    problems: list[str] = []
    scope = _scope(params.get("scope"), problems)
    slides = _slides(params.get("diapos"), problems)
    return PresentationView(
        scope=scope,
        slides=slides,
        interval=_interval(params.get("intervalle"), problems),
        start=_start(params.get("diapo"), slides, problems),
        playing=_playing(params.get("lecture"), problems),
        honour=_honour(params.get("honneur"), problems),
        problems=tuple(problems),
    )


def presentation_params(view: PresentationView) -> dict[str, str]:
    """The query parameters that reopen ``view`` (defaults left out)."""
    params = {
        "scope": str(view.scope),
        "diapos": "" if view.slides == tuple(SLIDES) else ",".join(view.slides),
        "diapo": str(view.start + 1) if view.start else "",
        "intervalle": "" if view.interval == DEFAULT_INTERVAL else str(view.interval),
        "lecture": "" if view.playing else PAUSE,
        "honneur": view.honour or "",
    }
    return {k: v for k, v in params.items() if v}


def step(index: int, count: int, by: int) -> int:
    """The slide ``by`` places after ``index`` (negative: before), going round."""
    return (index + by) % count


def slide_due(shown_for: float, interval: int) -> bool:
    """Whether a slide shown for ``shown_for`` seconds gives way at this refresh tick.

    Ticks come every ``refresh_seconds(interval)``; half a tick of tolerance absorbs the
    timer's jitter, so a slide lasts ``interval`` and not one tick more."""
    return shown_for >= interval - refresh_seconds(interval) / 2


def _scope(raw: str | None, problems: list[str]) -> Scope:
    if not raw:
        return Scope(TNE)
    try:
        return Scope.parse(raw)
    except InvalidScope as exc:
        problems.append(f"{exc} Présentation des départements TNE.")
        return Scope(TNE)


def _slides(raw: str | None, problems: list[str]) -> tuple[str, ...]:
    if raw is None:
        return tuple(SLIDES)
    names = [n.strip().lower() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if n not in SLIDES]
    known = tuple(dict.fromkeys(n for n in names if n in SLIDES))
    if unknown:
        problems.append(f"Diapositive(s) inconnue(s) : {', '.join(unknown)} — attendu "
                        f"{', '.join(SLIDES)}.")
    if not known:
        problems.append("Aucune diapositive valide : toutes sont présentées.")
        return tuple(SLIDES)
    return known


def _interval(raw: str | None, problems: list[str]) -> int:
    if raw is None or raw == "":
        return DEFAULT_INTERVAL
    match = _SECONDS.match(raw)
    seconds = int(match.group(1)) if match else None
    if seconds is None or not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        problems.append(f"Intervalle invalide : « {raw} » — attendu un nombre de secondes "
                        f"entre {MIN_INTERVAL} et {MAX_INTERVAL}. Intervalle de "
                        f"{DEFAULT_INTERVAL} s.")
        return DEFAULT_INTERVAL
    return seconds


def _start(raw: str | None, slides: tuple[str, ...], problems: list[str]) -> int:
    if not raw:
        return 0
    text = raw.strip().lower()
    if text in slides:
        return slides.index(text)
    if text.isdigit() and 1 <= int(text) <= len(slides):
        return int(text) - 1
    problems.append(f"Diapositive de départ invalide : « {raw} » — attendu un numéro de 1 à "
                    f"{len(slides)} ou un nom ({', '.join(slides)}). Départ à la première.")
    return 0


def _playing(raw: str | None, problems: list[str]) -> bool:
    if not raw or raw.strip().lower() == PLAY:
        return True
    if raw.strip().lower() == PAUSE:
        return False
    problems.append(f"Lecture invalide : « {raw} » — attendu {PLAY} ou {PAUSE}. Défilement "
                    "automatique.")
    return True


def _honour(raw: str | None, problems: list[str]) -> str | None:
    if not raw:
        return None
    code = raw.strip().upper()
    if INSEE_CODE.match(code):
        return code
    problems.append(f"Commune à l'honneur invalide : « {raw} » — attendu un code INSEE à 5 "
                    "caractères. Choix automatique.")
    return None
