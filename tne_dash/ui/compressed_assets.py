"""Streamlit's script bundles, gzipped once per process and then served from memory.

Streamlit serves ``/static/…`` uncompressed on purpose: Starlette's gzip compresses a body
anew on every request and keeps nothing. serve.py puts a ``GZipMiddleware`` around the
whole app (the pages, the API, the outlines want it), and it used to compress those bundles
too — at level 9, on every view: 1.5 to 4.5 MB of JavaScript per page, a first-time viewer's
page paying 0.1–0.4 s of server CPU, and a webinar's audience arriving at the same minute
paying it each.

``CompressedOnce`` sits inside that gzip: a plain ``GET /static/…`` answered 200 with a
compressible type is compressed once, kept, and every later request for the same path gets
the kept answer without reaching Streamlit's handler. The bundles' names carry their
content's hash (Streamlit serves them ``immutable``), so a kept answer never goes stale; the
files are what ``pip`` installed, read-only. The map's frontend is kept the same way
(``/component/…``: streamlit-folium's build, 0.4 MB; ``/app/static/vendor/…``: Leaflet and
its plugins, copied from their packages when the process starts, 0.35 MB — 20 ms of CPU
less per view of the Carte). The gzip outside sees ``Content-Encoding`` and leaves the
answer alone. Anything else — another path, another method, a range, a
conditional request, a browser without gzip, a non-200 — passes through untouched.

Plain ASGI middleware (no streamlit import): ``serve.py`` hands it to ``st.App``.
"""

from __future__ import annotations

import asyncio
import gzip
from dataclasses import dataclass

# Streamlit's bundles; the map component's frontend (streamlit-folium's build, served by
# Streamlit); the map's vendored scripts and styles (``offline.install_assets`` copies them
# from the installed packages when the process starts). Files of installed packages all:
# the same bytes for the whole life of the process.
KEPT_PREFIXES = ("/static/", "/component/", "/app/static/vendor/")
COMPRESSIBLE_TYPES = (b"text/", b"application/javascript", b"application/json",
                      b"image/svg+xml")
# Streamlit's whole frontend is 23 MB of JavaScript, about 7 MB gzipped: kept whole.
MAX_KEPT_BYTES = 64 * 1024 * 1024
LEVEL = 9
# Request headers under which the answer is not a plain 200 of the whole file.
_PASS_THROUGH_HEADERS = (b"range", b"if-none-match", b"if-modified-since")


@dataclass(frozen=True)
class KeptAnswer:
    """One static file's answer, compressed: its status line's headers and its body."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


def is_compressible(headers) -> bool:
    content_type = _header(headers, b"content-type") or b""
    return content_type.lower().startswith(COMPRESSIBLE_TYPES)


def compressed_headers(headers, length: int) -> tuple[tuple[bytes, bytes], ...]:
    """The inner answer's headers for its gzipped body: its length, its encoding, ``Vary``."""
    dropped = {b"content-length", b"content-encoding", b"vary"}
    kept = [(name, value) for name, value in headers if name.lower() not in dropped]
    return (*kept, (b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding"),
            (b"content-length", str(length).encode()))


def _header(headers, wanted: bytes) -> bytes | None:
    return next((value for name, value in headers if name.lower() == wanted), None)


def _wants_kept_answer(scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    if not scope["path"].startswith(KEPT_PREFIXES):
        return False
    headers = scope.get("headers", [])
    if any(name.lower() in _PASS_THROUGH_HEADERS for name, _ in headers):
        return False
    return b"gzip" in (_header(headers, b"accept-encoding") or b"").lower()


class CompressedOnce:
    """ASGI middleware: Streamlit's static files gzipped once, then answered from memory."""

    def __init__(self, app, max_kept_bytes: int = MAX_KEPT_BYTES):
        self.app = app
        self.max_kept_bytes = max_kept_bytes
        self.kept: dict[tuple[str, bytes], KeptAnswer] = {}
        self.kept_bytes = 0
        # One compression per file, however many viewers ask for it at the same moment (a
        # webinar's audience): the others wait for it and get the kept answer.
        self.making: dict[tuple[str, bytes], asyncio.Lock] = {}

    async def __call__(self, scope, receive, send):
        if not _wants_kept_answer(scope):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""))
        answer = self.kept.get(key)
        if answer is None:
            making = self.making.setdefault(key, asyncio.Lock())
            async with making:
                answer = self.kept.get(key) or await self._compress(key, scope, receive, send)
            if not making.locked():  # nobody waits for it any more (a missing file too)
                self.making.pop(key, None)
            if answer is None:  # the inner answer went out as it was
                return
        await send({"type": "http.response.start", "status": 200,
                    "headers": list(answer.headers)})
        await send({"type": "http.response.body", "body": answer.body})

    async def _compress(self, key, scope, receive, send) -> KeptAnswer | None:
        """Run Streamlit's handler; keep its answer compressed when it is a whole 200 of a
        compressible type (and return it), else send it on unchanged (and return None)."""
        start: dict | None = None
        chunks: list[bytes] = []
        passing = False

        async def hold(message):
            nonlocal start, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if (message["status"] != 200 or _header(headers, b"content-encoding")
                        or not is_compressible(headers)):
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        # The body is wanted as bytes: no zero-copy file sending (uvicorn offers none anyway).
        extensions = {name: value for name, value in scope.get("extensions", {}).items()
                      if name != "http.response.pathsend"}
        await self.app({**scope, "extensions": extensions}, receive, hold)
        if passing or start is None:
            return None
        # Off the event loop: a large bundle takes a tenth of a second to compress.
        body = await asyncio.to_thread(gzip.compress, b"".join(chunks), compresslevel=LEVEL,
                                       mtime=0)
        answer = KeptAnswer(compressed_headers(start.get("headers", []), len(body)), body)
        if self.kept_bytes + len(body) <= self.max_kept_bytes:
            self.kept[key] = answer
            self.kept_bytes += len(body)
        return answer
