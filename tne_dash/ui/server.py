"""The HTTP server around a Streamlit script, the same for the app (``serve.py``) and for the
bench's empty page (``browser_bench``): the project's middleware, and small answers sent at
once (``send_small_answers_at_once``, called before ``st.App`` starts its server).

**TCP_NODELAY.** Streamlit 1.67's server (uvicorn) listens on a socket it makes itself as
``socket.socket(family=…)``: its protocol number is 0, not ``IPPROTO_TCP``, and asyncio only
turns Nagle's algorithm off (``base_events._set_nodelay``) on sockets that say
``IPPROTO_TCP``. An answer written in two parts — its headers, then its body — then waited
for the browser to acknowledge the first part, which Linux delays by 40 ms: every script,
style and health check of a page after the first one on a connection took 44 ms, whatever
its size (measured: the headers at 1 ms, a two-byte body at 44 ms; now both at 0.4 ms). A
page asks for 60 to 150 of them over six connections. Streamlit's former server (Tornado)
set the option itself.
"""

from __future__ import annotations

import asyncio.base_events
import socket

from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware

from tne_dash.ui.compressed_assets import CompressedOnce
from tne_dash.ui.http import FrenchDocument, SecurityHeaders
from tne_dash.ui.page_addresses import PageAddresses

_TCP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


def _set_nodelay(sock: socket.socket) -> None:
    """asyncio's own rule, for TCP sockets whatever protocol number they were made with."""
    if sock.family in _TCP_FAMILIES and sock.type == socket.SOCK_STREAM and \
            sock.proto in (0, socket.IPPROTO_TCP):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def send_small_answers_at_once() -> None:
    """Every TCP connection asyncio opens or accepts from now on sends without delay."""
    asyncio.base_events._set_nodelay = _set_nodelay  # noqa: SLF001 — see the module's note


def middleware() -> list[Middleware]:
    """The project's middleware, outermost first: answers gzip-compressed, the security
    headers, Streamlit's bundles compressed once per process, the pages' addresses, the
    French document. The script Streamlit runs writes ``app = st.App(script, routes=…,
    middleware=middleware())`` itself: ``streamlit run`` finds an app by reading that line
    (it does not run the file to look)."""
    return [Middleware(GZipMiddleware, minimum_size=1024), Middleware(SecurityHeaders),
            Middleware(CompressedOnce), Middleware(PageAddresses), Middleware(FrenchDocument)]
