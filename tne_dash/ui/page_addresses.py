"""Page addresses people type or keep: ``/accueil`` (the home page's own name), ``/Carte``
(capitals) and addresses that lead nowhere are answered before Streamlit sees them.

Streamlit serves the home page at ``/`` only; any other unknown address opens an English
« Page not found » dialog over the home page, which also blocks every click until it is
closed (a webinar viewer following ``/accueil?scope=national`` met it). So a browser's
navigation (GET, ``Accept: text/html``) to:

- the home page's file name → ``/`` with the same query string;
- a page's name in other capitals → that page, same query string;
- a name that is no page → ``/?page_introuvable=<name>``: the home page then says in French
  that the address leads nowhere (``shell.bound_address``).

Only single-segment addresses are looked at; Streamlit's own paths (``/_stcore/…``,
``/static/…``, ``/media/…``, ``/component/…``) and the app's routes (``/geo/…``,
``/auth/…``) are never touched, nor any request that is not a page navigation.
Plain ASGI middleware (no streamlit import): ``serve.py`` hands it to ``st.App``.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from tne_dash.ui.navigation import PAGES

# The query parameter by which the home page learns an address led nowhere.
NOT_FOUND_PARAM = "page_introuvable"
# One path segment, as a page name is: letters, digits, dash, underscore (no dot: files).
_PAGE_LIKE = re.compile(r"^/([A-Za-z0-9_-]{1,64})/?$")
# Single segments that are Streamlit's or the app's own, never pages: Streamlit's sign-in
# callback (``st.login`` comes back to /oauth2callback), its files and health check, the
# app's routes.
_NOT_PAGES = frozenset({"oauth2callback", "healthz", "static", "app", "media", "component",
                        "geo", "auth", "api", "embed", "vendor"})


def _pages() -> tuple[str, dict[str, str]]:
    home = next(spec.url_path for spec in PAGES if spec.default)
    return home, {spec.url_path.lower(): spec.url_path for spec in PAGES if not spec.default}


def page_redirect(path: str, query: str) -> str | None:
    """Where a browser navigation to ``path?query`` should go instead, or None to serve it."""
    match = _PAGE_LIKE.match(path)
    if not match:
        return None
    name = match.group(1)
    if name.startswith("_") or name.lower() in _NOT_PAGES:
        return None
    home, pages = _pages()
    suffix = f"?{query}" if query else ""
    if name.lower() == home:
        return f"/{suffix}"
    if name.lower() in pages:
        canonical = pages[name.lower()]
        return None if name == canonical else f"/{canonical}{suffix}"
    return "/?" + urlencode({NOT_FOUND_PARAM: name}, quote_via=quote)


def _is_page_navigation(scope) -> bool:
    headers = dict(scope.get("headers") or [])
    return (scope["method"] in ("GET", "HEAD") and b"upgrade" not in headers
            and b"text/html" in headers.get(b"accept", b""))


class PageAddresses:
    """ASGI middleware: redirect (307) the page addresses Streamlit would not find."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and _is_page_navigation(scope):
            target = page_redirect(scope["path"], scope.get("query_string", b"").decode("latin-1"))
            if target is not None:
                await send({"type": "http.response.start", "status": 307,
                            "headers": [(b"location", target.encode("latin-1")),
                                        (b"content-type", b"text/plain; charset=utf-8"),
                                        (b"cache-control", b"no-store")]})
                await send({"type": "http.response.body",
                            "body": f"Redirection vers {target}".encode()})
                return
        await self.app(scope, receive, send)
