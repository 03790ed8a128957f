"""Tables of text as plain HTML, for the pages (``ui.blocks.plain_table``, ``st.html``) rather
than ``st.table``.

``st.table`` writes every cell as Markdown, one React component per cell: the 50 points de
vigilance of Déploiement were 1 300 elements the browser built one at a time, 0.2 s of the
page's view, and the four tables of « Données et méthodes » as much of theirs (measured side
by side). An HTML table is parsed by the browser itself, read by screen readers as a table
(column headers, row headers, a caption), and looks like Streamlit's (``ui/look.py``,
``PLAIN_TABLES``). No Streamlit here: the screens' table modules build their cells with it.

A cell is text (escaped: a name can never become markup), a ``Code`` (an identifier to
type, in ``<code>``), a ``Link`` (its text and the address it opens, in a new tab as the
page's other links), a ``Share`` (a percentage and its bar), a ``Best`` (a value standing out
in its row, in bold on a blue ground), or empty (None, NaN).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

TABLE_CLASS = "tne-table"
BOX_CLASS = "tne-table-box"
BAR_CLASS = "tne-bar"
BEST_CLASS = "tne-best"
# The addresses a table links to: the app's own pages (« /… », not « //host »), or a full
# http(s) address.
_LINKABLE = ("/", "http://", "https://")


def _linkable(address: str) -> bool:
    return address.startswith(_LINKABLE) and not address.startswith("//")


@dataclass(frozen=True)
class Code:
    """An identifier to type (a code, a file name), shown as code."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Link:
    """A link: what it says, and the address it opens."""

    text: str
    address: str

    def __str__(self) -> str:  # a table written elsewhere as text (CSV) shows its words
        return self.text


@dataclass(frozen=True)
class Share:
    """A percentage with its bar: ``text`` says it (« 45,3 % »), the bar (for the eye only)
    fills ``percent`` of its width, a share above 100 % filling it."""

    percent: float
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Best:
    """A value that stands out in its row (Comparer: the best of the communes), in
    ``<strong>`` — bold for screen readers too — on a blue ground."""

    text: str

    def __str__(self) -> str:
        return self.text


def _cell(value: object) -> str:
    if not isinstance(value, Code | Link | Share | Best) and pd.isna(value):
        return ""
    if isinstance(value, Best):
        return f'<strong class="{BEST_CLASS}">{html.escape(value.text)}</strong>'
    if isinstance(value, Share):
        width = max(0.0, min(100.0, float(value.percent)))
        return (f'<span class="{BAR_CLASS}" aria-hidden="true"><span style="width: '
                f'{width:.1f}%"></span></span>{html.escape(value.text)}')
    if isinstance(value, Link):
        text = html.escape(value.text)
        if not _linkable(value.address):  # never « javascript: », nor another host's « //… »
            return text
        return (f'<a href="{html.escape(value.address, quote=True)}" target="_blank" '
                f'rel="noopener noreferrer">{text}</a>')
    if isinstance(value, Code):
        return f"<code>{html.escape(value.text)}</code>"
    return html.escape(str(value))


def table_html(frame: pd.DataFrame, *, caption: str, row_headers: bool = False,
               max_height: int | None = None) -> str:
    """``frame`` (its columns, not its index) as an HTML table in a box that scrolls — across
    on a phone, and down beyond ``max_height`` pixels with its headers kept in sight. The
    ``caption`` names the table for screen readers (the page's heading shows it to the eye);
    ``row_headers``: the first column heads its row."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = [f"<td>{_cell(v)}</td>" for v in values]
        if row_headers and cells:
            cells[0] = f'<th scope="row">{_cell(values[0])}</th>'
        rows.append(f"<tr>{''.join(cells)}</tr>")
    style = f' style="max-height: {int(max_height)}px"' if max_height else ""
    label = html.escape(caption, quote=True)
    # A box that scrolls is reached by the keyboard (tabindex) and named (a region).
    return (f'<div class="{BOX_CLASS}" role="region" aria-label="{label}" tabindex="0"{style}>'
            f'<table class="{TABLE_CLASS}"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")

