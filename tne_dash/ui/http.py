"""What the server adds to every HTTP answer, before Streamlit sees the request: security
headers (CSP, framing, sniffing, referrer), Streamlit's metrics endpoint kept private, and
pages served in French (``lang="fr"``).

Plain ASGI middleware (no streamlit import): ``serve.py`` hands it to ``st.App``.
"""

from __future__ import annotations

import gzip

from tne_dash.embed import EMBED_PREFIX

# Everything the app needs comes from its own origin: Streamlit's bundle, the offline
# Leaflet assets, the map and component frames. Inline scripts and styles are Streamlit's
# and folium's own; 'unsafe-eval' is Vega's expression compiler (Altair charts). No other
# origin can be reached, framed, or frame the app (but the card under /embed, below).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self' blob: data:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
))
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
# The embeddable card (``/embed/…``, tne_dash/embed/) is the one path any site may frame: its
# page needs nothing but its inline style — no script, no request, no form — and says so.
EMBED_CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors *",
))
EMBED_SECURITY_HEADERS = (
    (b"content-security-policy", EMBED_CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
# Streamlit's process metrics (sessions, caches, memory) are for operators, not the public.
PRIVATE_PATHS = ("/_stcore/metrics",)


def is_framable(path: str) -> bool:
    """Whether other sites may show this path in a frame: the embeddable card only."""
    return path == EMBED_PREFIX or path.startswith(EMBED_PREFIX + "/")


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response (the card's own, framable
    by any site, under ``/embed``); 404 on private paths."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].rstrip("/").endswith(PRIVATE_PATHS):
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    *SECURITY_HEADERS]})
            await send({"type": "http.response.body", "body": b"Introuvable."})
            return

        added = EMBED_SECURITY_HEADERS if is_framable(scope["path"]) else SECURITY_HEADERS

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in added if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Streamlit 1.67 serves every page (``/``, ``/carte``, any deep link: its single-page
# fallback) as its own index.html, which says ``<html lang="en">``, and so does the map's
# frame (streamlit-folium's ``<html lang="en" style=…>``); the app speaks French (RGAA 8.3,
# WCAG 3.1.1). The rewrite keeps the length, so a ``Content-Length`` computed on the
# original (a HEAD answer, whose body never comes) stays right.
ENGLISH_DOCUMENT = b'<html lang="en"'
FRENCH_DOCUMENT = b'<html lang="fr"'


def french_document(body: bytes) -> bytes:
    """The page with ``lang="fr"`` on its root element (the first one only: the rest is the
    page's own text, left alone)."""
    return body.replace(ENGLISH_DOCUMENT, FRENCH_DOCUMENT, 1)


class FrenchDocument:
    """ASGI middleware: HTML answers say ``lang="fr"`` as served, before any script runs.

    Only answers whose ``Content-Type`` is ``text/html`` are held (the pages, a few kB) until
    their body is whole, then rewritten and sent with their ``Content-Length`` fixed; every
    other answer (scripts, JSON, files, outlines) passes chunk by chunk, untouched, and the
    websocket is not HTTP and never comes here. Streamlit's own gzip sits *inside* this
    middleware and compresses a deep link's page (``/carte``, not ``/``) when the browser
    accepts gzip: such a body is inflated before the rewrite and leaves without
    ``Content-Encoding``, and serve.py's GZipMiddleware, *outside*, compresses it again."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: dict | None = None
        chunks: list[bytes] = []

        async def send_french(message):
            nonlocal held
            if message["type"] == "http.response.start":
                if _is_html(message.get("headers", [])):
                    held = message  # sent with the whole body, its headers fixed
                else:
                    await send(message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            headers, body = _rewritten(held.get("headers", []), b"".join(chunks),
                                       head=scope["method"] == "HEAD")
            await send({**held, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_french)


def _is_html(headers) -> bool:
    return any(name.lower() == b"content-type" and value.lower().startswith(b"text/html")
               for name, value in headers)


def _rewritten(headers, body: bytes, head: bool) -> tuple[list, bytes]:
    """The French page and its headers: inflated if Streamlit gzipped it, its length fixed.
    A HEAD answer has no body: its headers stay as they are (the rewrite keeps the length)."""
    if head:
        return list(headers), body
    encoding = next((value.strip().lower() for name, value in headers
                     if name.lower() == b"content-encoding"), b"identity")
    if encoding not in (b"identity", b"gzip"):  # one this middleware cannot read: left alone
        return list(headers), body
    dropped = {(b"content-length", None), (b"content-encoding", None)}
    if encoding == b"gzip":
        body = gzip.decompress(body)
        # Streamlit's « Vary: Accept-Encoding » goes with its gzip; the outer gzip adds its own.
        dropped.add((b"vary", b"accept-encoding"))
    body = french_document(body)
    kept = [(name, value) for name, value in headers
            if (name.lower(), None) not in dropped and (name.lower(), value.lower()) not in dropped]
    return [*kept, (b"content-length", str(len(body)).encode())], body
