"""Every page is served in French: ``<html lang="fr">`` in the HTML as the server sends it,
before any script runs (RGAA 8.3, WCAG 3.1.1), gzipped or not, for every address Streamlit
answers with its page — and nothing else the server sends is changed or held back.

The server is the real one (``streamlit run serve.py``, tests/browser.py), asked over HTTP;
the middleware's own cases (a body Streamlit gzipped, a streamed answer, a websocket) run on
Starlette's own parts in the process."""

from __future__ import annotations

import asyncio
import gzip
import urllib.request
import warnings
from pathlib import Path

import pytest
import streamlit
from browser import streamlit_server
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, StreamingResponse
from starlette.routing import Route

from tne_dash.ui.http import FrenchDocument, french_document

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; httpx is what we have
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
STREAMLIT_PAGE = (Path(streamlit.__file__).parent / "static" / "index.html").read_bytes()
# Every kind of address Streamlit answers with its page: the home page, a page, a page with
# its filters, a page that does not exist, a deep path (its single-page fallback).
PAGE_ADDRESSES = ("/", "/carte", "/carte?dep=95", "/indicateurs?dep=95&to=2023-04-17",
                  "/presentation?scope=national&lecture=pause", "/une/adresse/profonde")


def fetch(url: str, method: str = "GET", gzipped: bool = False):
    headers = {"Accept-Encoding": "gzip"} if gzipped else {}
    request = urllib.request.Request(url, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=20) as answer:
        return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()


def test_streamlit_still_ships_its_page_in_english_the_rewrite_has_something_to_do():
    assert STREAMLIT_PAGE.count(b'<html lang="en">') == 1
    french = french_document(STREAMLIT_PAGE)
    assert b'<html lang="fr">' in french and b'lang="en"' not in french
    assert len(french) == len(STREAMLIT_PAGE)  # same length: a HEAD's Content-Length holds


@pytest.mark.browser
def test_every_page_is_served_in_french_with_and_without_gzip(built_db_url):
    with streamlit_server(built_db_url) as base:
        for path in PAGE_ADDRESSES:
            status, headers, body = fetch(base + path)
            assert status == 200, path
            assert headers["content-type"].startswith("text/html"), path
            assert b'<html lang="fr">' in body and b'lang="en"' not in body, path
            assert "content-encoding" not in headers, path
            assert int(headers["content-length"]) == len(body), path

            status, headers, packed = fetch(base + path, gzipped=True)
            assert status == 200 and headers["content-encoding"] == "gzip", path
            assert int(headers["content-length"]) == len(packed), path
            assert gzip.decompress(packed) == body, path

            status, headers, nothing = fetch(base + path, method="HEAD")
            assert status == 200 and nothing == b"", path
            assert int(headers["content-length"]) == len(body), path
            # The security headers are still there (http.SecurityHeaders, outside).
            assert "content-security-policy" in headers, path


@pytest.mark.browser
def test_what_is_not_a_page_is_served_untouched(built_db_url):
    favicon = (ROOT / "static" / "favicon.png").read_bytes()
    with streamlit_server(built_db_url) as base:
        status, headers, body = fetch(base + "/app/static/favicon.png")
        assert status == 200 and body == favicon
        assert int(headers["content-length"]) == len(favicon)
        status, headers, body = fetch(base + "/_stcore/health")
        assert (status, body) == (200, b"ok")
        status, headers, packed = fetch(base + "/geo/departements.geojson", gzipped=True)
        assert status == 200 and headers["content-encoding"] == "gzip" and "etag" in headers
        assert gzip.decompress(packed).startswith(b"{")


def test_a_page_gzipped_inside_is_inflated_made_french_and_its_length_fixed():
    """As in serve.py: Streamlit's gzip inside, FrenchDocument, the project's gzip outside."""
    async def page(request):
        return HTMLResponse(STREAMLIT_PAGE.decode("utf-8"))

    inner = Starlette(routes=[Route("/carte", page)],
                      middleware=[Middleware(GZipMiddleware, minimum_size=100)])
    with TestClient(FrenchDocument(inner)) as client:
        answer = client.get("/carte", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert "content-encoding" not in answer.headers  # inflated; serve.py's outer gzip packs it
    assert "vary" not in answer.headers
    assert answer.content == french_document(STREAMLIT_PAGE)
    assert int(answer.headers["content-length"]) == len(answer.content)

    outer = GZipMiddleware(FrenchDocument(inner), minimum_size=100)
    with TestClient(outer) as client:
        answer = client.get("/carte", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.content == french_document(STREAMLIT_PAGE)  # the client inflated it


def test_a_streamed_answer_goes_out_chunk_by_chunk_as_it_is_made():
    events: list[str] = []

    async def chunks():
        for n in range(3):
            events.append(f"fait {n}")
            yield f"ligne {n}\n".encode()
            await asyncio.sleep(0)

    async def stream(scope, receive, send):
        await StreamingResponse(chunks(), media_type="text/plain")(scope, receive, send)

    async def send(message):
        if message["type"] == "http.response.body" and message.get("body"):
            events.append("envoyé " + message["body"].decode().strip())

    requested = []

    async def receive():  # the request, then a client that stays connected
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()

    scope = {"type": "http", "method": "GET", "path": "/flux", "headers": [],
             "query_string": b""}
    asyncio.run(FrenchDocument(stream)(scope, receive, send))
    assert events == ["fait 0", "envoyé ligne 0", "fait 1", "envoyé ligne 1",
                      "fait 2", "envoyé ligne 2"]


def test_a_websocket_reaches_streamlit_with_its_own_send():
    seen = []

    async def app(scope, receive, send):
        seen.append(send)

    async def send(message):
        pass

    asyncio.run(FrenchDocument(app)({"type": "websocket", "path": "/_stcore/stream"},
                                    None, send))
    assert seen == [send]
