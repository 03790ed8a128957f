"""The server Streamlit runs (`streamlit run serve.py`, as `tne-dash run` does): the app of
app.py behind the project's own HTTP middleware (tne_dash/ui/http.py), plus the outline files
the map fetches and the browser caches (tne_dash/ui/outlines.py, /geo/…), and the local
sign-in's routes (tne_dash/ui/sign_in_routes.py, /auth/connexion, /auth/deconnexion,
/auth/premier-admin), and the card other sites may embed (tne_dash/embed/routes.py,
/embed/…), and the read API (tne_dash/api/routes.py, /api/v1/…). Answers are
gzip-compressed; Streamlit's JavaScript bundles once per process, then served from memory
(tne_dash/ui/compressed_assets.py); small answers leave at once (TCP_NODELAY,
tne_dash/ui/server.py)."""

import gc
import importlib
import logging

import streamlit as st

from tne_dash import access
from tne_dash.api.routes import ROUTES as API_ROUTES
from tne_dash.config import Settings
from tne_dash.embed.routes import ROUTES as EMBED_ROUTES
from tne_dash.store.reference import ReferenceDataError
from tne_dash.ui import data, outlines
from tne_dash.ui.navigation import PAGES
from tne_dash.ui.outlines import ROUTES as OUTLINE_ROUTES
from tne_dash.ui.server import middleware, send_small_answers_at_once
from tne_dash.ui.sign_in_routes import ROUTES as SIGN_IN_ROUTES

# Every page's modules (Altair, folium, the screens) are imported when the server starts, not
# by the first viewer of each page (half a second for Altair alone); then the objects of the
# start are frozen out of the garbage collector's way (.streamlit/config.toml turns off
# Streamlit's full collection after every run).
# (Streamlit checks each cache's settings as it is declared and, before its runtime exists,
# warns once per cached function that it would keep it in memory: noise in the terminal of
# `make run`. The caches themselves are made at the first call, in the runtime.)
_caching_log = logging.getLogger("streamlit.runtime.caching.cache_data_api")
_level = _caching_log.level
_caching_log.setLevel(logging.ERROR)
for spec in PAGES:
    importlib.import_module(f"tne_dash.screens.{spec.url_path}.ui")
# The outlines are static reference data: read, and their served files made, once per
# process now rather than by the first viewer of a map (a missing or broken file is left for
# the pages to report in French).
try:
    settings = Settings.from_env()
    data.prepare_reference_outlines(settings)
    outlines.prepare(settings.reference_dir)
except (ReferenceDataError, outlines.OutlinesUnavailable):
    pass
_caching_log.setLevel(_level)
try:  # a proxy that is not an address would leave the throttles counting the wrong client
    access.proxy_networks(Settings.from_env().trusted_proxies)
except ValueError as error:
    raise SystemExit(f"Configuration refusée — {error}") from None
gc.freeze()

send_small_answers_at_once()  # no 40 ms wait before each small answer (ui/server.py)
app = st.App("app.py", routes=[*OUTLINE_ROUTES, *SIGN_IN_ROUTES, *EMBED_ROUTES, *API_ROUTES],
             middleware=middleware())
