"""Opening a page of the app in Streamlit's AppTest, the way a link does."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from tne_dash.access import Account
from tne_dash.html_tables import Code, Link, Share
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


class TableReader(HTMLParser):
    """The tables of ``html_tables.table_html`` read back: header, rows of cells (text,
    ``Code``, ``Link`` or ``Share``), caption."""

    def __init__(self):
        super().__init__()
        self.tables: list[tuple[str, list[str], list[list[object]]]] = []
        self._row: list[object] | None = None
        self._text: list[str] | None = None
        self._href: str | None = None
        self._code = False
        self._share: float | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(("", [], []))
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._text, self._href, self._code, self._share = [], None, False, None
        elif tag == "a":
            self._href = dict(attrs)["href"]
        elif tag == "code":
            self._code = True
        elif tag == "span" and "width:" in (dict(attrs).get("style") or ""):
            self._share = float(dict(attrs)["style"].split(":")[1].strip().rstrip("%"))

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        elif self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        caption, header, rows = self.tables[-1] if self.tables else ("", [], [])
        if tag == "caption":
            self.tables[-1] = ("".join(self._caption), header, rows)
            self._caption = None
        elif tag in ("td", "th") and self._text is not None:
            text = "".join(self._text)
            cell = Link(text, self._href) if self._href is not None else \
                Code(text) if self._code else \
                Share(self._share, text) if self._share is not None else text
            self._row.append(cell)
            self._text = None
        elif tag == "tr":
            if not header:
                header.extend(self._row)
            else:
                rows.append(self._row)
            self._row = None


def plain_tables(at: AppTest) -> dict[str, pd.DataFrame]:
    """The page's plain HTML tables (``blocks.plain_table``) by caption, as frames."""
    found = {}
    for element in at.html:
        reader = TableReader()
        reader.feed(element.value)
        for caption, header, rows in reader.tables:
            found[caption] = pd.DataFrame(rows, columns=header)
    return found
