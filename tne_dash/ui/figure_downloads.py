"""« Image (PNG) » and « Données (CSV) » right under a figure — a chart or the map: the
pair of buttons, each file made when it is clicked, the files' names (the figure, the
territory, the date), the lines a CSV starts with (the figure's title, the page's filters in
words, the source, the view's address).

A screen reader reads each button with the figure's name (« Image (PNG) — Frise des
communes engagées »): Streamlit 1.67 sets no ``aria-label`` on a button, so a small script
does it from the figure's title, written hidden next to the buttons (the same script for
every figure, installed once per browser tab). The same script makes each chart's drawing
one image named by its title: Vega-Embed's box reads « graphique » (not « visualization »)
and the drawing inside it is hidden from screen readers — its marks and guides carry no
names (``charts.finish``), and its figures are in the text beside it.

No Altair here: the Carte puts its pair under the map without loading it (``chart_downloads``
draws the charts)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Sequence
from urllib.parse import urlencode

import streamlit as st

from tne_dash.labels import APP_TITLE, markdown_text
from tne_dash.text import slug

PNG_LABEL = "Image (PNG)"
CSV_LABEL = "Données (CSV)"
GROUP_KEY = "chart_downloads_"  # Streamlit gives the container the class st-key-<key>
TITLE_CLASS = "tne-chart-title"

_NAMING_SCRIPT = """<script>(function () {
  if (window.tneChartNames) { window.tneChartNames(); return; }
  function name() {
    // Each drawing: one image named by its title (Vega's own names are English).
    document.querySelectorAll('.vega-embed[aria-roledescription]').forEach(function (chart) {
      if (chart.getAttribute('aria-roledescription') !== 'graphique') {
        chart.setAttribute('aria-roledescription', 'graphique');
      }
      chart.querySelectorAll(':scope > svg:not([aria-hidden])').forEach(function (drawing) {
        drawing.setAttribute('aria-hidden', 'true');
      });
    });
    document.querySelectorAll('[class*="st-key-%(group)s"]').forEach(function (group) {
      var title = group.querySelector('.%(title)s');
      if (!title) { return; }
      group.querySelectorAll('button').forEach(function (button) {
        var text = button.querySelector('[data-testid="stMarkdownContainer"]') || button;
        var label = text.textContent.trim();  // not the icon's ligature (« image »)
        var full = label + ' — ' + title.textContent;
        if (label && button.getAttribute('aria-label') !== full) {
          button.setAttribute('aria-label', full);
        }
      });
    });
  }
  var pending = false;
  window.tneChartNames = name;
  name();
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    requestAnimationFrame(function () { pending = false; name(); });
  }).observe(document.body, {subtree: true, childList: true});
})();</script>"""
# The hidden title's own element takes no room between the buttons.
_HIDDEN = ('<style>[data-testid="stElementContainer"]:has(.%(title)s) { display: none; }'
           '</style>')


def chart_file_stem(title: str, place: str, day: dt.date) -> str:
    """« frise-des-communes-engagees-val-d-oise-95-2023-04-17 »: the chart, the territory
    (unless the title ends with it), the date."""
    stem, territory = slug(title), slug(place)
    if not stem.endswith(territory):
        stem = f"{stem}-{territory}"
    return f"{stem}-{day.isoformat()}"


def chart_heading(title: str, heading: Sequence[tuple[str, str]],
                  address: str | None = None) -> list[tuple[str, str]]:
    """The first lines of a chart's CSV: its title, the page's lines (territory, period,
    filters, « Vue publique », demo notice), then the source and the view's address."""
    lines = [("Graphique", title), *heading, ("Source", APP_TITLE)]
    if address:
        lines.append(("Adresse de la vue", address))
    return lines


def download_pair(title: str, png: Callable[[], bytes], csv: Callable[[], bytes], stem: str,
                  key: str) -> None:
    """« Image (PNG) » and « Données (CSV) » side by side, each made when clicked, named
    for screen readers after ``title``; files ``stem``.png and ``stem``.csv."""
    with st.container(horizontal=True, gap="small", key=f"{GROUP_KEY}{key}"):
        named = markdown_text(title)
        st.download_button(PNG_LABEL, png, f"{stem}.png", "image/png", key=f"png_{key}",
                           on_click="ignore", icon=":material/image:",
                           help=f"{named} : l'image du graphique")
        st.download_button(CSV_LABEL, csv, f"{stem}.csv", "text/csv", key=f"csv_{key}",
                           on_click="ignore", icon=":material/download:",
                           help=f"{named} : les données du graphique, les filtres en tête")
        st.html(f'<span class="{TITLE_CLASS}" hidden>{html.escape(title)}</span>'
                + _HIDDEN % {"title": TITLE_CLASS}
                + _NAMING_SCRIPT % {"group": GROUP_KEY, "title": TITLE_CLASS},
                unsafe_allow_javascript=True)


def view_address() -> str | None:
    """The page's address with its filters, as the viewer opened it (none under AppTest)."""
    url = st.context.url
    if not url:
        return None
    query = urlencode(st.query_params.to_dict(), safe=":,")
    return f"{url}?{query}" if query else url
