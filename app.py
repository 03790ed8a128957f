"""tne-dash: router only — page config, shared shell, navigation, user-facing errors."""

import logging

import streamlit as st

# The map's component is declared when streamlit_folium is first imported inside a script run
# (the component registry lives in the runtime): done on every process's first run, whatever
# its page, so that a viewer a failover moves here while on Carte gets the map's frame.
import streamlit_folium  # noqa: F401

from tne_dash import PROJECT_ROOT
from tne_dash.access import AccountsFileError
from tne_dash.figures.scope import InvalidScope
from tne_dash.labels import APP_TITLE, PAGE_FAILED, plain_text
from tne_dash.store.db import DatabaseUnavailable
from tne_dash.store.reference import ReferenceDataError
from tne_dash.ui import auth, blocks, data, shell
from tne_dash.ui.look import declare_look
from tne_dash.ui.navigation import build_navigation
from tne_dash.ui.streamlit_french import declare_french

FAVICON = PROJECT_ROOT / "static" / "favicon.png"  # local file: no icon fetched from a CDN

st.set_page_config(page_title=APP_TITLE, page_icon=str(FAVICON), layout="wide")
declare_french()
declare_look()
shell.bound_address()
page = build_navigation()
# Each page its own title in the browser's tab and history (RGAA 8.6).
st.set_page_config(page_title=f"{page.title} — {APP_TITLE}")
try:
    data.ensure_database(data.settings())
    auth.sidebar_account()
    with shell.app_shell():  # the page's shell.ensure_app_shell() lets it go on
        page.run()
except shell.PageEnded:  # the page ended early (shell.end_page): the footer follows
    pass
except (DatabaseUnavailable, ReferenceDataError, InvalidScope, AccountsFileError) as exc:
    # A message the user can act on, never a traceback; what only operators should read (the
    # database's address, passwords hidden) goes to the server log.
    logging.getLogger("tne_dash").error("%s", getattr(exc, "detail", exc))
    st.error(plain_text(str(exc)), icon=":material/error:")
except Exception:  # noqa: BLE001 — the last line of defence: a French message, the detail logged
    logging.getLogger("tne_dash").exception("Erreur sur la page %s", page.title)
    st.error(PAGE_FAILED, icon=":material/error:")
finally:  # after the page, its message or its early end: the statement's link, always
    # (not after st.stop(), which refuses every element: pages call shell.end_page())
    blocks.footer()
