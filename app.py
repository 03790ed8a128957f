"""tne-dash: router only — page config, shared shell, navigation, user-facing errors."""

import logging

import streamlit as st

from tne_dash import PROJECT_ROOT
from tne_dash.access import AccountsFileError
from tne_dash.figures.scope import InvalidScope
from tne_dash.labels import APP_TITLE, PAGE_FAILED, plain_text
from tne_dash.store.db import DatabaseUnavailable
from tne_dash.store.reference import ReferenceDataError
from tne_dash.ui import auth, data, shell
from tne_dash.ui.navigation import build_navigation

FAVICON = PROJECT_ROOT / "static" / "favicon.png"  # local file: no icon fetched from a CDN

st.set_page_config(page_title=APP_TITLE, page_icon=str(FAVICON), layout="wide")
shell.declare_french()
shell.bound_address()
page = build_navigation()
try:
    data.ensure_database(data.settings())
    auth.sidebar_account()
    with shell.app_shell():  # the page's shell.ensure_app_shell() lets it go on
        page.run()
except (DatabaseUnavailable, ReferenceDataError, InvalidScope, AccountsFileError) as exc:
    # A message the user can act on, never a traceback; what only operators should read (the
    # database's address, passwords hidden) goes to the server log.
    logging.getLogger("tne_dash").error("%s", getattr(exc, "detail", exc))
    st.error(plain_text(str(exc)), icon=":material/error:")
except Exception:  # noqa: BLE001 — the last line of defence: a French message, the detail logged
    logging.getLogger("tne_dash").exception("Erreur sur la page %s", page.title)
    st.error(PAGE_FAILED, icon=":material/error:")
