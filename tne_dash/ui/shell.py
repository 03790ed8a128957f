"""What every page run needs before its own content: the app shell and a bounded address.

(The document's ``lang="fr"`` is served by the server, ``http.FrenchDocument``; Streamlit's
own English is rewritten by ``streamlit_french``.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from tne_dash import PROJECT_ROOT
from tne_dash.ui import blocks
from tne_dash.ui.page_addresses import NOT_FOUND_PARAM
from tne_dash.ui.urlstate import bounded_params

APP_SCRIPT = PROJECT_ROOT / "app.py"
# True while app.py runs the page (``app_shell``): the page then knows the shell is there.
_INSIDE_APP: ContextVar[bool] = ContextVar("tne_dash_inside_app", default=False)


@contextmanager
def app_shell() -> Iterator[None]:
    """``app.py`` runs the page inside this block, after the shell (navigation, database,
    account): ``ensure_app_shell`` then lets the page go on at no cost."""
    token = _INSIDE_APP.set(True)
    try:
        yield
    finally:
        _INSIDE_APP.reset(token)


class PageEnded(Exception):  # noqa: N818 — a signal, not an error
    """Raised by ``end_page``; app.py catches it and goes on with the footer."""


def end_page() -> None:
    """End the page here, as ``st.stop()`` would, but let app.py draw the footer after it:
    after ``st.stop()`` Streamlit refuses every element, the footer's link to the
    accessibility statement too. Outside app.py, plain ``st.stop()``."""
    if not _INSIDE_APP.get():
        st.stop()
    raise PageEnded


def ensure_app_shell() -> None:
    """Rerun through ``app.py`` when Streamlit ran this page file on its own.

    Still needed on Streamlit 1.67 (checked in Chromium, 2026-11-30): on a cold server whose
    first request is a deep link (``/carte?dep=95``), Streamlit sees the ``pages/`` folder
    and falls back to its legacy discovery (``PagesManager.uses_pages_directory``): the page
    runs without ``app.py`` — file names in the menu, no account control, no
    database check. The flag is process-wide and only ``st.navigation`` resets it, so reset
    it and rerun: the rerun keeps the URL, and the page's ``url_path`` equals its file name,
    so the same page opens inside the shell.

    A page knows it runs inside ``app.py`` by ``app_shell`` (a context variable), not by the
    flag: several sessions opening deep links at once on a cold server (projectors
    reconnecting after a restart) all start in the legacy mode before the first of them
    resets the flag, and each must rerun. Once any run has gone through ``app.py`` the flag
    stays off, so a warm page view costs one context-variable read and never reruns.
    AppTest resets the flag before every run, so there every run goes through this rerun
    (tests/conftest.py decides the flag as a warm server has it). A page run with no
    ``app.py`` to rerun into (``streamlit run pages/x.py``) goes on as it is.
    ``tests/test_browser.py`` opens deep links first on a cold server to catch a regression.
    """
    if _INSIDE_APP.get():
        return
    ctx = get_script_run_ctx()
    if ctx is None or Path(ctx.main_script_path).resolve() != APP_SCRIPT:
        return
    PagesManager.uses_pages_directory = False
    st.rerun()


def bound_address() -> None:
    """Cut an oversized address before any page reads it, and say so; say so too when the
    address named no page (``page_addresses`` sent the browser home with its name)."""
    params = st.query_params.to_dict()
    kept, problems = bounded_params(params)
    missing = kept.pop(NOT_FOUND_PARAM, None)
    if missing is not None:
        problems = [f"La page « /{missing[:64]} » n'existe pas : voici l'accueil. Les pages "
                    "sont dans le menu.", *problems]
    if problems:
        st.query_params.from_dict(kept)
        blocks.problems(problems)
