"""The API's routes, which ``serve.py`` hands to ``st.App`` (same process, same port):

- ``GET /api/v1/indicateurs?<the Indicateurs page's parameters>[&sortie=csv]``
- ``GET /api/v1/territoires[?dep=…][&sortie=csv]``
- ``GET /api/v1/vigilance?scope=…&to=…[&sortie=csv]``
- ``GET /api/v1/openapi.json``: the description of all of the above (``openapi``).

Every answer is JSON (or CSV when asked); every refusal is JSON with a French message and a
4xx code (``{"erreur": …, "statut": …, "parametre": …}``), and an unexpected failure is a
French 500 whose detail goes to the server log, never to the client. Requests are counted
per client (``rate_limit``: 429 and ``Retry-After`` beyond the setting). The database work
runs in worker threads, at most ``MAX_WORKERS`` at a time, so that the event loop carrying
the pages' websockets never waits for it. No ``Access-Control-Allow-Origin``: other sites'
scripts cannot read the API from a visitor's browser (call it from a server or a tool).
Public answers may be kept ``cache_ttl_seconds`` by caches; answers to a token never.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import weakref

import anyio.to_thread
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tne_dash import access
from tne_dash.api import answers, database
from tne_dash.api.openapi import OPENAPI
from tne_dash.api.parameters import (
    INDICATEURS_PATH,
    OPENAPI_PATH,
    TERRITOIRES_PATH,
    VIGILANCE_PATH,
    ApiError,
    query_params,
)
from tne_dash.api.rate_limit import limiter_for, retry_after_seconds
from tne_dash.api.tokens import TokenRefused, account_for_token
from tne_dash.config import Settings
from tne_dash.store.db import DatabaseUnavailable

log = logging.getLogger("tne_dash.api")

# At most this many answers computed at once (2 cores: the pages keep their share).
MAX_WORKERS = 4
# One limiter per event loop (the server has one; each test client its own).
_workers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
PRIVATE = "private, no-store"
OPENAPI_CACHE = "public, max-age=3600"
BEARER = 'Bearer realm="tne-dash"'
SERVER_ERROR = ("Erreur interne de l'API : la requête n'a pas abouti. Réessayez ; si "
                "l'erreur persiste, signalez-la à l'équipe du tableau de bord (l'heure de la "
                "requête aide à la retrouver dans le journal du serveur).")
DATABASE_ERROR = ("Base de données indisponible pour le moment : réessayez dans quelques "
                  "minutes.")
BAD_AUTHORIZATION = ("En-tête « Authorization » illisible : attendu « Authorization: Bearer "
                     "<jeton> » (jeton donné par tne-dash api-token create).")
NOT_FOUND = (f"Adresse inconnue de l'API. Adresses : {INDICATEURS_PATH}, {TERRITOIRES_PATH}, "
             f"{VIGILANCE_PATH} ; leur description : {OPENAPI_PATH}.")


def _limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    if loop not in _workers:
        _workers[loop] = anyio.CapacityLimiter(MAX_WORKERS)
    return _workers[loop]


@functools.cache
def openapi_bytes() -> bytes:
    """The description, serialised once per process."""
    return answers.json_bytes(OPENAPI)


def json_response(status: int, body: dict, headers: dict[str, str]) -> Response:
    return Response(answers.json_bytes(body), status_code=status,
                    media_type=answers.JSON_TYPE, headers=headers)


def refusal(error: ApiError) -> Response:
    return json_response(error.status, error.body(),
                         {"cache-control": "no-store", **error.headers})


def bearer_token(request: Request) -> str | None:
    """The token of ``Authorization: Bearer …``; None without the header."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, BAD_AUTHORIZATION, headers={"www-authenticate": BEARER})
    return token.strip()


def compute(settings: Settings, path: str, params: dict[str, str], token: str | None,
            answer) -> answers.Answer:
    """In a worker thread: the token's account, then the answer — from the public answers'
    cache when there is no token."""
    now = dt.datetime.now()
    today = now.date()
    account = None
    if token is not None:
        try:
            account = account_for_token(database.primary_engine(settings),
                                        access.load_accounts(settings.accounts_file), token, now)
        except TokenRefused as exc:
            raise ApiError(401, str(exc),
                           headers={"www-authenticate": f'{BEARER}, error="invalid_token"'}
                           ) from None
    engine = database.primary_engine(settings) if account else database.read_engine(settings)
    reference = database.reference(engine)
    if account is not None:
        return answer(engine, reference, params, account, today)
    key = (path, settings.reading_url, today, tuple(sorted(params.items())))
    return database.answers(settings.cache_ttl_seconds).get(
        key, lambda: answer(engine, reference, params, None, today))


async def serve(request: Request, path: str, answer) -> Response:
    """One API request, from its method to its headers; never a trace to the client."""
    if request.method not in ("GET", "HEAD"):
        return refusal(ApiError(405, f"Méthode {request.method[:10]} refusée : l'API se lit "
                                     "seulement (GET).", headers={"allow": "GET, HEAD"}))
    settings = Settings.from_env()
    wait = limiter_for(settings.api_requests_per_minute).take(
        access.request_client(request, settings.trusted_proxies))
    if wait > 0:
        seconds = retry_after_seconds(wait)
        return refusal(ApiError(
            429, f"Trop de requêtes : au plus {settings.api_requests_per_minute} par minute "
                 f"et par client. Réessayez dans {seconds} s.",
            headers={"retry-after": str(seconds)}))
    try:
        if answer is None:  # the description: no database, no parameter
            query_params(request.url.query, path)
            return Response(openapi_bytes(), media_type=answers.JSON_TYPE,
                            headers={"cache-control": OPENAPI_CACHE})
        params = query_params(request.url.query, path)
        token = bearer_token(request)
        result = await anyio.to_thread.run_sync(
            functools.partial(compute, settings, path, params, token, answer),
            limiter=_limiter())
    except ApiError as exc:
        return refusal(exc)
    except DatabaseUnavailable as exc:
        log.error("API %s : base indisponible : %s", path, getattr(exc, "detail", exc))
        return refusal(ApiError(503, str(exc) or DATABASE_ERROR))
    except SQLAlchemyError:
        log.exception("API %s : erreur de la base de données", path)
        return refusal(ApiError(503, DATABASE_ERROR))
    except Exception:
        log.exception("API %s : erreur interne (requête %s)", path, request.url.query[:400])
        return refusal(ApiError(500, SERVER_ERROR))
    cache = (PRIVATE if result.private else
             f"public, max-age={max(0, settings.cache_ttl_seconds)}")
    return Response(result.body, media_type=result.media_type,
                    headers={"cache-control": cache, "vary": "Authorization"})


async def indicateurs(request: Request) -> Response:
    return await serve(request, INDICATEURS_PATH, answers.indicateurs_answer)


async def territoires(request: Request) -> Response:
    return await serve(request, TERRITOIRES_PATH,
                       lambda _engine, reference, params, _account, today:
                       answers.territoires_answer(reference, params, today))


async def vigilance(request: Request) -> Response:
    return await serve(request, VIGILANCE_PATH, answers.vigilance_answer)


async def openapi(request: Request) -> Response:
    return await serve(request, OPENAPI_PATH, None)


async def unknown(request: Request) -> Response:
    return refusal(ApiError(404, NOT_FOUND))


ROUTES = [
    Route(INDICATEURS_PATH, indicateurs, methods=EVERY_METHOD),
    Route(TERRITOIRES_PATH, territoires, methods=EVERY_METHOD),
    Route(VIGILANCE_PATH, vigilance, methods=EVERY_METHOD),
    Route(OPENAPI_PATH, openapi, methods=EVERY_METHOD),
    Route("/api", unknown, methods=EVERY_METHOD),
    Route("/api/{rest:path}", unknown, methods=EVERY_METHOD),
]
