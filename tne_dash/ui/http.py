"""What the server adds to every HTTP answer, before Streamlit sees the request: security
headers (CSP, framing, sniffing, referrer) and Streamlit's metrics endpoint kept private.

Plain ASGI middleware (no streamlit import): ``serve.py`` hands it to ``st.App``.
"""

from __future__ import annotations

# Everything the app needs comes from its own origin: Streamlit's bundle, the offline
# Leaflet assets, the map and component frames. Inline scripts and styles are Streamlit's
# and folium's own; 'unsafe-eval' is Vega's expression compiler (Altair charts). No other
# origin can be reached, framed, or frame the app.
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
# Streamlit's process metrics (sessions, caches, memory) are for operators, not the public.
PRIVATE_PATHS = ("/_stcore/metrics",)


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response; 404 on private paths."""

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

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in SECURITY_HEADERS if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
