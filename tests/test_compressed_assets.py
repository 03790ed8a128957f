"""Streamlit's script bundles are gzipped once per process and served from memory after that
(tne_dash/ui/compressed_assets.py): the real server (``streamlit run serve.py``) asked over
HTTP, and the middleware's own cases on Starlette's parts in the process."""

from __future__ import annotations

import gzip
import re
import urllib.request
import warnings
from pathlib import Path

import pytest
import streamlit
from browser import streamlit_server
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tne_dash.ui.compressed_assets import CompressedOnce

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; httpx is what we have
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

STREAMLIT_STATIC = Path(streamlit.__file__).parent / "static"
SCRIPT = "console.log('tableau de bord');\n" * 200


def fetch(url: str, gzipped: bool):
    headers = {"Accept-Encoding": "gzip"} if gzipped else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=20) as answer:
        return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()


def bundle_path() -> str:
    """The main script bundle Streamlit's page loads (its name carries its hash)."""
    page = (STREAMLIT_STATIC / "index.html").read_text()
    return re.search(r'src="\./(static/js/index\.[^"]+\.js)"', page).group(1)


@pytest.mark.browser
def test_the_served_bundle_is_gzipped_the_same_every_time_and_plain_for_who_asks_plain(
        built_db_url):
    path = bundle_path()
    on_disk = (STREAMLIT_STATIC / path).read_bytes()
    with streamlit_server(built_db_url) as base:
        answers = [fetch(f"{base}/{path}", gzipped=True) for _ in range(3)]
        status, headers, plain = fetch(f"{base}/{path}", gzipped=False)
    for status_, headers_, packed in answers:
        assert status_ == 200 and headers_["content-encoding"] == "gzip"
        assert int(headers_["content-length"]) == len(packed) < len(on_disk) / 2
        assert gzip.decompress(packed) == on_disk
        assert "immutable" in headers_["cache-control"]  # Streamlit's own headers are kept
        assert headers_["content-type"].startswith(("application/javascript", "text/javascript"))
        assert "content-security-policy" in headers_  # http.SecurityHeaders, outside
    assert len({packed for _, _, packed in answers}) == 1
    assert status == 200 and "content-encoding" not in headers and plain == on_disk


def counting_app():
    """A small app with a static script, a picture, a missing file; counts its answers."""
    asked: list[str] = []

    async def script(request):
        asked.append(request.url.path)
        return Response(SCRIPT, media_type="application/javascript",
                        headers={"Cache-Control": "public, immutable, max-age=31536000"})

    async def picture(request):
        asked.append(request.url.path)
        return Response(b"\x89PNG" + bytes(4000), media_type="image/png")

    async def page(request):
        asked.append(request.url.path)
        return PlainTextResponse("page " * 400)

    routes = [Route("/static/js/app.abc123.js", script, methods=["GET", "HEAD", "POST"]),
              Route("/static/media/logo.png", picture), Route("/carte", page),
              *(Route(path, script) for path in MAP_FRONTEND), Route(OTHER_APP_FILE, script)]
    return Starlette(routes=routes), asked


# The map's frontend, kept like Streamlit's bundles; another file of the app's static
# folder is not (it is the project's, not an installed package's).
MAP_FRONTEND = ("/component/streamlit_folium.st_folium/static/js/main.521860b0.js",
                "/app/static/vendor/leaflet/leaflet.js")
OTHER_APP_FILE = "/app/static/notes.js"


def test_the_maps_frontend_is_kept_like_the_bundles_and_the_apps_other_files_are_not():
    inner, asked = counting_app()
    gzip_please = {"Accept-Encoding": "gzip"}
    with TestClient(CompressedOnce(inner)) as client:
        for path in (*MAP_FRONTEND, OTHER_APP_FILE):
            answers = [client.get(path, headers=gzip_please) for _ in range(3)]
            assert all(a.status_code == 200 and a.text == SCRIPT for a in answers), path
    assert asked == [*MAP_FRONTEND, *[OTHER_APP_FILE] * 3]


def test_a_bundle_is_compressed_at_the_first_request_and_answered_from_memory_after():
    inner, asked = counting_app()
    with TestClient(CompressedOnce(inner)) as client:
        first = client.get("/static/js/app.abc123.js", headers={"Accept-Encoding": "gzip"})
        second = client.get("/static/js/app.abc123.js", headers={"Accept-Encoding": "gzip"})
    assert asked == ["/static/js/app.abc123.js"]
    for answer in (first, second):
        assert answer.status_code == 200 and answer.text == SCRIPT  # the client inflated it
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.headers["vary"] == "Accept-Encoding"
        assert answer.headers["cache-control"] == "public, immutable, max-age=31536000"
    assert first.headers["content-length"] == second.headers["content-length"]


def test_what_is_not_a_plain_gzipped_get_of_a_static_script_reaches_the_app_every_time():
    inner, asked = counting_app()
    gzip_please = {"Accept-Encoding": "gzip"}
    with TestClient(CompressedOnce(inner)) as client:
        for _ in range(2):
            plain = client.get("/static/js/app.abc123.js", headers={"Accept-Encoding": "identity"})
            assert plain.headers.get("content-encoding") is None and plain.text == SCRIPT
            ranged = client.get("/static/js/app.abc123.js",
                                headers={**gzip_please, "Range": "bytes=0-9"})
            assert ranged.headers.get("content-encoding") is None
            conditional = client.get("/static/js/app.abc123.js",
                                     headers={**gzip_please, "If-None-Match": '"x"'})
            assert conditional.headers.get("content-encoding") is None
            assert client.post("/static/js/app.abc123.js", headers=gzip_please).status_code == 200
            picture = client.get("/static/media/logo.png", headers=gzip_please)
            assert picture.headers.get("content-encoding") is None
            assert picture.content.startswith(b"\x89PNG")
            assert client.get("/static/js/missing.js", headers=gzip_please).status_code == 404
            assert client.get("/carte", headers=gzip_please).text.startswith("page")
    assert asked.count("/static/js/app.abc123.js") == 8
    assert asked.count("/static/media/logo.png") == 2 and asked.count("/carte") == 2


def test_the_outer_gzip_leaves_a_kept_answer_as_it_is():
    """As in serve.py: the project's GZipMiddleware outside, CompressedOnce inside it."""
    inner, asked = counting_app()
    with TestClient(GZipMiddleware(CompressedOnce(inner), minimum_size=100)) as client:
        answers = [client.get("/static/js/app.abc123.js", headers={"Accept-Encoding": "gzip"})
                   for _ in range(2)]
    assert asked == ["/static/js/app.abc123.js"]
    assert all(a.text == SCRIPT and a.headers["content-encoding"] == "gzip" for a in answers)


def test_past_its_memory_bound_a_bundle_is_compressed_each_time_and_not_kept():
    inner, asked = counting_app()
    with TestClient(CompressedOnce(inner, max_kept_bytes=10)) as client:
        answers = [client.get("/static/js/app.abc123.js", headers={"Accept-Encoding": "gzip"})
                   for _ in range(2)]
    assert asked == ["/static/js/app.abc123.js"] * 2
    assert all(a.text == SCRIPT and a.headers["content-encoding"] == "gzip" for a in answers)


def test_viewers_asking_at_the_same_moment_share_one_compression():
    """A webinar's audience opens the link together: the first request for a bundle runs
    Streamlit's handler and compresses; the others wait for it and get the kept answer."""
    import asyncio

    calls: list[str] = []

    async def slow_static(scope, receive, send):
        calls.append(scope["path"])
        await asyncio.sleep(0.05)  # the file read, while other requests arrive
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/javascript")]})
        await send({"type": "http.response.body", "body": SCRIPT.encode()})

    middleware = CompressedOnce(slow_static)

    async def one_viewer() -> tuple[int, bytes]:
        sent: list[dict] = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/static/js/app.abc123.js",
                 "query_string": b"", "headers": [(b"accept-encoding", b"gzip")]}
        await middleware(scope, None, send)
        return sent[0]["status"], gzip.decompress(sent[1]["body"])

    async def audience():
        return await asyncio.gather(*(one_viewer() for _ in range(20)))

    answers = asyncio.run(audience())
    assert calls == ["/static/js/app.abc123.js"]
    assert answers == [(200, SCRIPT.encode())] * 20
    assert middleware.making == {}
