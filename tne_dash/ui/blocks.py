"""Reusable render helpers shared by the pages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from tne_dash.accessibility import CONFORMITY
from tne_dash.config import Settings
from tne_dash.embed.snippet import EMBED_HELP, EXPANDER_LABEL, dashboard_origin, iframe_snippet
from tne_dash.figures.metrics import Kpi
from tne_dash.figures.privacy import MASK, ROUNDED_TO
from tne_dash.figures.scope import Scope
from tne_dash.html_tables import table_html
from tne_dash.labels import DEMO_BADGE, DEMO_NOTICE, markdown_text, plain_text

PER_ROW = 4


def demo_notice(shown: bool) -> None:
    """The « Données de démonstration » banner, whenever demo rows are in the figures."""
    if shown:
        st.warning(f"**{DEMO_BADGE}.** {DEMO_NOTICE}", icon=":material/science:")


def masking_note(shown: bool) -> None:
    """Say why counts of a commune are rounded or read « < 5 » (public view)."""
    if shown:
        st.caption(f"Vue publique : les effectifs de personnes d'une commune sont arrondis à "
                   f"{ROUNDED_TO} près, et ceux de 1 à 4 affichés « {MASK} », pour qu'aucune "
                   "famille ne soit reconnaissable, même en comparant plusieurs vues. Les "
                   "éditeurs connectés voient les valeurs exactes.")


def problems(messages: Sequence[str]) -> None:
    """Show what was wrong with the URL, in French, above the content — as plain text: the
    address is the visitor's to write, never Markdown of ours."""
    for message in messages:
        st.warning(plain_text(message), icon=":material/link_off:")


def kpi_row(kpis: Sequence[Kpi]) -> None:
    """Tiles of headline figures, four per row, each with its computation as help."""
    for start in range(0, len(kpis), PER_ROW):
        columns = st.columns(PER_ROW)
        for column, kpi in zip(columns, kpis[start:start + PER_ROW], strict=False):
            tile = column.container(border=True)
            stable = kpi.delta is not None and kpi.delta.startswith("=")
            tile.metric(kpi.label, kpi.value, help=kpi.help, delta=kpi.delta,
                        delta_arrow="off" if stable else "auto",
                        delta_color="off" if stable else "normal")
            if kpi.note:
                tile.caption(kpi.note)


@contextmanager
def on_demand(label: str, key: str, icon: str | None = None) -> Iterator[bool]:
    """An expander whose content is made only once it is opened (Streamlit's lazy expander:
    opening it reruns the page, from the caches): a secondary section — a chart's table, the
    code to embed a card — costs neither the server nor the browser of every view. Yields
    whether it is open; the caller writes its content only then::

        with blocks.on_demand("L'entonnoir en tableau", key="funnel-table") as opened:
            if opened:
                st.dataframe(...)
    """
    expander = st.expander(label, key=key, icon=icon, on_change="rerun")
    with expander:
        yield bool(expander.open)


def plain_table(frame: pd.DataFrame, *, caption: str, row_headers: bool = False,
                max_height: int | None = None) -> None:
    """``frame`` as a plain HTML table (``html_tables.table_html``: text escaped, codes,
    links), drawn by the browser itself rather than one Markdown component per cell as
    ``st.table`` does."""
    st.html(table_html(frame, caption=caption, row_headers=row_headers,
                       max_height=max_height))


EMBED_OFFER_KEY = "embed-offer"


def embed_offer(cards: Sequence[tuple[Scope, str]]) -> None:
    """« Intégrer sur votre site » (Comparer, Carte): for each territory (scope, « Bezons
    (95) »), the ``<iframe>`` code of its card, to copy with the code block's button. The
    address is TNE_DASH_PUBLIC_URL's, else the one this page was opened at. Made on demand:
    the code block's highlighter is 0.5 MB of script the browser would load on every view."""
    with on_demand(EXPANDER_LABEL, key=EMBED_OFFER_KEY, icon=":material/code:") as opened:
        if not opened:
            return
        origin = dashboard_origin(Settings.from_env().public_url, st.context.url)
        st.markdown(markdown_text(EMBED_HELP))
        for scope, label in cards:
            if len(cards) > 1:
                st.markdown(f"**{markdown_text(label)}**")
            # Plain text: the highlighter's blue on grey tags fail the contrast rule (3.8:1).
            st.code(iframe_snippet(origin, scope, label), language=None, wrap_lines=True)


FOOTER_KEY = "tne-footer"  # its container's class: st-key-tne-footer


def footer() -> None:
    """The foot of every page: the accessibility statement with the RGAA's mention, and the
    data and methods (app.py draws it after the page, an error or a stop included)."""
    with st.container(key=FOOTER_KEY, horizontal=True, gap="medium"):
        st.page_link("pages/accessibilite.py", label=f"Accessibilité : {CONFORMITY}",
                     icon=":material/accessibility_new:")
        st.page_link("pages/donnees.py", label="Données et méthodes",
                     icon=":material/menu_book:")
