"""The card's routes, handed to ``st.App`` by ``serve.py``: ``GET /embed/commune/<INSEE>`` and
``GET /embed/departement/<code>``, optionally ``?to=AAAA-MM-JJ`` (default: today).

Answers carry an ETag (a digest of the page; a matching ``If-None-Match`` gets a 304) and
``Cache-Control: public, max-age=300``; the server keeps each card for the app's cache time
(``TNE_DASH_CACHE_TTL_SECONDS``), so a site with many visitors costs one computation a
minute. ``Access-Control-Allow-Origin: *`` is set here, on the card only; the framing policy
(``frame-ancestors *``, this path only) is ``ui/http.py``'s. A malformed address gets a
French error card with 400, an unknown territory 404, a database not ready 503 — never a
trace. The database is read in a worker thread (``run_in_threadpool``). No streamlit import.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
import time

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tne_dash.config import Settings
from tne_dash.embed import EMBED_PREFIX
from tne_dash.embed.card import card_figures
from tne_dash.embed.card_html import render_card, render_error
from tne_dash.figures.scope import COMMUNE, DEPARTEMENT, INSEE_CODE, InvalidScope, Scope
from tne_dash.store.build_lock import follow_the_sqlite_file, is_ready
from tne_dash.store.db import DatabaseUnavailable, shared_read_engine

log = logging.getLogger("tne_dash.embed")

CACHE_CONTROL = "public, max-age=300"
CARD_HEADERS = {"Access-Control-Allow-Origin": "*"}
ERROR_HEADERS = {**CARD_HEADERS, "Cache-Control": "no-store"}
# Cards kept by the process: a few hundred pages of 3 kB.
MAX_CARDS = 256
DEPARTEMENT_CODE = re.compile(r"(?:\d{2}|2[AB]|97\d)")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_ECHOED = 20
EXPECTED = {
    COMMUNE: "un code INSEE de 5 caractères (ex. 95063, 2A004)",
    DEPARTEMENT: "deux chiffres, 2A, 2B ou 97x (ex. 95, 2A, 971)",
}


class CardRequestError(ValueError):
    """A card address that cannot be answered: its HTTP status and French message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _echoed(raw: str) -> str:
    """A value from the address, shown back: printable characters only, and short."""
    text = "".join(c for c in raw if c.isprintable())
    return text[:MAX_ECHOED] + ("…" if len(text) > MAX_ECHOED else "")


def parse_card_request(kind: str, raw_code: str, raw_to: str | None,
                       today: dt.date) -> tuple[Scope, dt.date]:
    """The territory and date of a card's address; ``CardRequestError`` (400) when the code
    or the date is malformed."""
    code = raw_code.strip().upper()
    pattern = INSEE_CODE if kind == COMMUNE else DEPARTEMENT_CODE
    if not pattern.fullmatch(code):
        what = "commune" if kind == COMMUNE else "département"
        raise CardRequestError(400, f"Code de {what} invalide : « {_echoed(raw_code)} » — "
                                    f"attendu {EXPECTED[kind]}.")
    as_of = today
    if raw_to is not None:
        try:
            if not ISO_DATE.fullmatch(raw_to):
                raise ValueError
            as_of = dt.date.fromisoformat(raw_to)
        except ValueError:
            raise CardRequestError(400, f"Date invalide pour to : « {_echoed(raw_to)} » — "
                                        "attendu AAAA-MM-JJ (ex. 2023-04-17).") from None
    return Scope(kind, code), as_of


def etag_of(body: bytes) -> str:
    """A weak validator from the page's digest (weak: the server may gzip the answer)."""
    return f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'


def matches(if_none_match: str, etag: str) -> bool:
    """Whether ``If-None-Match`` names this page (weak comparison, as HTTP asks for GET)."""
    wanted = etag.removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == wanted
               for tag in if_none_match.split(","))


class DatabaseNotReady(RuntimeError):
    """The database is being built (first start) or is behind the code."""


@functools.lru_cache(maxsize=MAX_CARDS)
def _card_bytes(read_url: str, primary_url: str, origin: str, scope: Scope, as_of: dt.date,
                _period: int) -> bytes:
    """The card's page, kept for one cache period (``_period``, the clock's number of
    periods: a new one starts a new entry, the old ones fall out of the bounded cache)."""
    # The public's reads: the read replica when one is set, as the pages and the API.
    engine = shared_read_engine(read_url, primary_url)
    if not is_ready(engine):  # never creates a missing SQLite file
        raise DatabaseNotReady
    follow_the_sqlite_file(engine)
    with engine.connect() as conn:
        figures = card_figures(conn, scope, as_of)
    return render_card(figures, origin).encode("utf-8")


def card_bytes(settings: Settings, scope: Scope, as_of: dt.date, now: float) -> bytes:
    """The card of ``scope`` on ``as_of`` as this server answers it (cached)."""
    period = int(now // max(settings.cache_ttl_seconds, 1))
    return _card_bytes(settings.reading_url, settings.database_url, settings.public_url,
                       scope, as_of, period)


def error_response(status: int, message: str, origin: str = "") -> HTMLResponse:
    return HTMLResponse(render_error(message, origin), status_code=status,
                        headers=ERROR_HEADERS)


def answer_card(request: Request, body: bytes) -> Response:
    """The page with its validators: 304 when the browser (or a proxy) already has it."""
    etag = etag_of(body)
    headers = {**CARD_HEADERS, "Cache-Control": CACHE_CONTROL, "ETag": etag}
    if matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    return HTMLResponse(body, headers=headers)


async def _card_route(request: Request, kind: str) -> Response:
    settings = Settings.from_env()
    try:
        scope, as_of = parse_card_request(kind, request.path_params["code"],
                                          request.query_params.get("to"), dt.date.today())
        body = await run_in_threadpool(card_bytes, settings, scope, as_of, time.time())
    except CardRequestError as exc:
        return error_response(exc.status, str(exc), settings.public_url)
    except InvalidScope as exc:
        return error_response(404, str(exc), settings.public_url)
    except DatabaseNotReady:
        return error_response(503, "Les données sont en cours de préparation : réessayez "
                                   "dans une minute.", settings.public_url)
    except (DatabaseUnavailable, SQLAlchemyError):
        log.exception("Carte intégrable : base de données injoignable")
        return error_response(503, "Les données sont momentanément indisponibles : "
                                   "réessayez dans un instant.", settings.public_url)
    except Exception:  # a French card, never a trace; the detail goes to the server's log
        log.exception("Carte intégrable : erreur imprévue")
        return error_response(500, "La carte n'a pas pu être préparée : l'erreur a été "
                                   "consignée pour l'équipe technique.", settings.public_url)
    return answer_card(request, body)


async def commune_card(request: Request) -> Response:
    return await _card_route(request, COMMUNE)


async def departement_card(request: Request) -> Response:
    return await _card_route(request, DEPARTEMENT)


async def unknown_card(request: Request) -> Response:
    return error_response(404, "Adresse de carte inconnue. Cartes servies : "
                               f"{EMBED_PREFIX}/commune/<code INSEE> et "
                               f"{EMBED_PREFIX}/departement/<code>.",
                          Settings.from_env().public_url)


# Handed to st.App by serve.py; the last two answer every other /embed address in French
# (otherwise Streamlit would answer it with the app's page).
ROUTES = [
    Route(f"{EMBED_PREFIX}/commune/{{code}}", commune_card, methods=["GET", "HEAD"]),
    Route(f"{EMBED_PREFIX}/departement/{{code}}", departement_card, methods=["GET", "HEAD"]),
    Route(EMBED_PREFIX, unknown_card, methods=["GET", "HEAD"]),
    Route(f"{EMBED_PREFIX}/{{rest:path}}", unknown_card, methods=["GET", "HEAD"]),
]
