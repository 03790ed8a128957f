"""The app's own stylesheet, sent once per run by app.py (``declare_look``): what Streamlit's
theme (.streamlit/config.toml) cannot say — accessible sizes and contrasts (RGAA / WCAG 2.2
AA), pages that fit a phone and a projector, French texts on Streamlit's own widgets.

One constant per concern, each with the reason for its rules; ``STYLESHEET`` joins them.
"""

from __future__ import annotations

import streamlit as st

# WCAG 2.2 AA (axe-core's target-size and color-contrast rules): pointer targets of 24 × 24
# CSS pixels at least, text at 4.5:1 against its background. Colours are the theme's
# (.streamlit/config.toml: its codeTextColor replaces the pale green of inline code, 3:1);
# what the theme cannot size is here. st.date_input draws each part of a date (day, month,
# year) as its own focusable spin button: the day and month were 18 × 20 px, and the
# calendar button 24 × 16 px. The field keeps its 40 px height: the group's vertical
# padding gives way to the taller parts.
ACCESSIBLE_SIZES_AND_CONTRASTS = """
[data-testid="stDateInputField"] [role="group"] {
    padding-top: 0; padding-bottom: 0; align-items: center;
}
[data-testid="stDateInputField"] [role="spinbutton"] {
    display: inline-flex; align-items: center; justify-content: center;
    box-sizing: border-box; min-width: 24px; min-height: 24px;
}
[data-testid="stDateInputCalendarButton"] { min-width: 24px; min-height: 24px; }
"""

# Phones (390 × 844) and projectors (1280 × 720, 1920 × 1080): no horizontal scroll of the
# page; wide tables scroll inside themselves (Streamlit's tables already do), and so do
# charts wider than a phone (Comparer's month-by-month small multiples, 764 px): the page
# stays 390 px wide and the chart scrolls in its own box. Texts Streamlit cuts with « … »
# when their box is narrow wrap instead: a tile's label (« Parents Ressources r… » at
# 1280 × 720), a button's, a page link's (the home page's directory): a cut label hides what
# the figure or the link is. tests/test_screen_sizes.py.
FITS_EVERY_SCREEN = """
[data-testid="stVegaLiteChart"] { max-width: 100%; overflow-x: auto; }
.stMarkdownEllipsis, [data-testid="stPageLink-NavLink"] span {
    white-space: normal; overflow: visible; text-overflow: clip;
}
"""

# Streamlit's own widget texts that no parameter sets (« Select all », « No results », the
# file uploader's « Upload », « Skip to main content », « Help for … »): the script of
# ui/streamlit_french.py writes them in French where they are, for the eyes and for screen
# readers alike (CSS ``content`` would leave the English as the accessible name of a link or
# a button). Its element takes no room above the page's title.
FRENCH_WIDGET_TEXTS = """
[data-testid="stElementContainer"]:has(#tne-french) { display: none; }
"""

# WCAG 2.4.7 / RGAA 10.7: what the keyboard reaches is outlined. Streamlit rings its buttons
# and fields, but its menu's links and st.page_link only turn light grey (no outline) when
# focused: a bleu France outline on every link and button reached by keyboard, inside the
# element so that no container clips it; and on the page's main area, which Streamlit makes
# focusable for scrolling by keyboard (« !important »: Streamlit's own rules say « none »).
VISIBLE_FOCUS = """
a:focus-visible, button:focus-visible, [role="button"]:focus-visible, summary:focus-visible,
[data-testid="stMain"]:focus-visible {
    outline: 3px solid #000091 !important; outline-offset: -3px !important;
}
"""

# The plain tables (html_tables.py, blocks.plain_table) look like Streamlit's st.table (its
# lines, sizes and grey headers), their text darker than its headers' 70 % grey (4.5:1 at
# least); the caption is for screen readers (the heading above says it to the eye); a box
# that scrolls down keeps its column headers in sight; identifiers as inline code; a share's
# bar in bleu France; a row's best value (Comparer) on the pale blue of bleu France (its text
# at 13:1).
PLAIN_TABLES = """
.tne-table-box { overflow: auto; max-width: 100%; margin-bottom: 1rem;
  border: 1px solid rgba(221, 221, 221, 0.9); border-radius: 0.5rem; }
.tne-table { border-collapse: collapse; width: 100%; font-size: 14px; line-height: 1.5; }
.tne-table th, .tne-table td { padding: 4px 6px; text-align: left; vertical-align: middle;
  border-bottom: 1px solid rgba(221, 221, 221, 0.45);
  border-right: 1px solid rgba(221, 221, 221, 0.45); }
.tne-table th { font-weight: 400; color: #4A4A4A; }
.tne-table tr > :last-child { border-right: none; }
.tne-table tbody tr:last-child > * { border-bottom: none; }
.tne-table thead th { position: sticky; top: 0; z-index: 1; background: #FFFFFF;
  box-shadow: inset 0 -1px 0 rgba(221, 221, 221, 0.9); }
.tne-table caption { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
.tne-table code { font-size: 0.875em; padding: 0.1em 0.25em; border-radius: 0.25rem;
  background: rgba(172, 177, 195, 0.25); overflow-wrap: anywhere; }
.tne-table-box:focus-visible { outline: 2px solid #000091; outline-offset: 2px; }
.tne-bar { display: inline-block; width: 4rem; height: 0.5rem; margin-right: 0.5rem;
  vertical-align: middle; overflow: hidden; border-radius: 0.25rem; background: #DDDDDD; }
.tne-bar > span { display: block; height: 100%; background: #000091; }
.tne-table td:has(> .tne-bar) { white-space: nowrap; }
.tne-table td:has(> .tne-best) { background: #E3E3FD; }
"""

STYLESHEET = "\n".join(
    rule for rule in (ACCESSIBLE_SIZES_AND_CONTRASTS, FITS_EVERY_SCREEN, FRENCH_WIDGET_TEXTS,
                      VISIBLE_FOCUS, PLAIN_TABLES)
    if rule
)


def declare_look() -> None:
    """Send the stylesheet (a style-only ``st.html`` takes no room on the page)."""
    if STYLESHEET:
        st.html(f"<style>{STYLESHEET}</style>")
