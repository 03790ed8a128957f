"""The server Streamlit runs (`streamlit run serve.py`, as `tne-dash run` does): the app of
app.py behind the project's own HTTP middleware (tne_dash/ui/http.py)."""

import streamlit as st
from starlette.middleware import Middleware

from tne_dash.ui.http import SecurityHeaders

app = st.App("app.py", middleware=[Middleware(SecurityHeaders)])
