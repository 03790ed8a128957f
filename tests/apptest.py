"""Opening a page of the app in Streamlit's AppTest, the way a link does."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tne_dash.access import Account
from tne_dash.screens.indicateurs.tables import BREAKDOWN_TITLES
from tne_dash.screens.indicateurs.ui import BREAKDOWN_TAB_KEY

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_page(page: str, account: Account | None = None, timeout: int = 90,
              **params: str) -> AppTest:
    """Run ``pages/<page>`` through the app's navigation with ``params`` as the query string
    (and ``account`` signed in)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    if account is not None:
        at.session_state["tne_account"] = account
    at.switch_page(f"pages/{page}")
    return at.run()


def shown(elements) -> list[str]:
    """The texts of messages as a visitor reads them: a message that echoes the address has
    its values as inline code and every other ASCII punctuation escaped
    (``labels.plain_text``); Markdown shows the text bare."""
    return [re.sub(r"« `(.*?)` »", r"« \1 »", re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", e.value))
            for e in elements]


def other_breakdown_tabs(at: AppTest):
    """Indicateurs with each breakdown tab but the first chosen in turn (only the open tab is
    drawn): yields the tab's title once the page has run with it."""
    for label in list(BREAKDOWN_TITLES.values())[1:]:
        at.session_state[BREAKDOWN_TAB_KEY] = label
        at.run()
        yield label
