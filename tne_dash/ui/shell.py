"""What every page run needs before its own content: the app shell and the French document."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from tne_dash.ui import blocks
from tne_dash.ui.urlstate import bounded_params

_LANG_FR = "<script>document.documentElement.lang = 'fr'</script>"


def ensure_app_shell() -> None:
    """Rerun through ``app.py`` when Streamlit ran this page file on its own.

    On a cold server whose first request is a deep link (``/accueil?scope=…``), Streamlit
    sees the ``pages/`` folder and falls back to its legacy discovery: the page runs without
    ``app.py`` (no navigation, no shell). The flag is process-wide and only ``st.navigation``
    resets it, so reset it and rerun: the rerun keeps the URL, and the page's ``url_path``
    equals its file name, so the same page opens inside the shell. Checked on Streamlit 1.67;
    ``tests/test_browser.py`` opens a deep link on a cold server to catch a regression.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def declare_french() -> None:
    """Make the document say ``lang="fr"`` (Streamlit serves ``en``; screen readers care)."""
    st.html(_LANG_FR, unsafe_allow_javascript=True)


def bound_address() -> None:
    """Cut an oversized address before any page reads it, and say so."""
    params = st.query_params.to_dict()
    kept, problems = bounded_params(params)
    if problems:
        st.query_params.from_dict(kept)
        blocks.problems(problems)
