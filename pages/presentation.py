"""Présentation: live figures for a projector — one idea per slide, updating on their own."""

import streamlit as st

from tne_dash.screens.presentation import ui as presentation
from tne_dash.screens.presentation.slides import STYLE
from tne_dash.screens.presentation.view import parse_presentation_view
from tne_dash.ui import blocks, data, shell

shell.ensure_app_shell()
url = data.read_url()

st.html(STYLE)  # full screen: no sidebar, no toolbar, very large type
view = presentation.checked_view(url, parse_presentation_view(st.query_params.to_dict()))
blocks.problems(view.problems)
presentation.slideshow(url, view)
