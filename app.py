"""tne-dash: router only — page config, shared shell, navigation, user-facing errors."""

import streamlit as st

from tne_dash import PROJECT_ROOT
from tne_dash.access import AccountsFileError
from tne_dash.figures.scope import InvalidScope
from tne_dash.labels import APP_TITLE
from tne_dash.store.db import DatabaseUnavailable
from tne_dash.store.reference import ReferenceDataError
from tne_dash.ui import auth, data, shell
from tne_dash.ui.navigation import build_navigation

FAVICON = PROJECT_ROOT / "static" / "favicon.png"  # local file: no icon fetched from a CDN

st.set_page_config(page_title=APP_TITLE, page_icon=str(FAVICON), layout="wide")
shell.declare_french()
page = build_navigation()
try:
    data.ensure_database(data.settings())
    auth.sidebar_account()
    page.run()
except (DatabaseUnavailable, ReferenceDataError, InvalidScope, AccountsFileError) as exc:
    # A message the user can act on, never a traceback.
    st.error(str(exc), icon=":material/error:")
