"""The server's sign-in routes (tne_dash/ui/sign_in_routes.py) behind the app's security
middleware, driven by Starlette's test client: each client is a fresh browser (its own
cookies), from the address it is given."""

from __future__ import annotations

import warnings

from starlette.applications import Starlette
from starlette.middleware import Middleware

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; httpx is what we have
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tne_dash.ui.http import SecurityHeaders
from tne_dash.ui.sign_in_routes import ROUTES

BASE = "http://127.0.0.1:8501"
SAME_SITE = {"Origin": BASE}


def browser(address: str = "203.0.113.10") -> TestClient:
    """A new browser reaching the routes from ``address``."""
    app = Starlette(routes=ROUTES, middleware=[Middleware(SecurityHeaders)])
    return TestClient(app, base_url=BASE, client=(address, 50000), follow_redirects=False)
