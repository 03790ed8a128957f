"""Every chart can leave the app: drawn with « Image (PNG) » and « Données (CSV) » right
under it — the image rendered locally from the same chart at a print width, the CSV the rows
the chart draws (French headers, values as plotted: what the public does not see is not in
it), after the chart's title, its filters in words and its source. Both files are built
when their button is clicked.

A screen reader reads each button with the chart's name (« Image (PNG) — Frise des communes
engagées »): Streamlit 1.67 sets no ``aria-label`` on a button, so a small script does it
from the chart's title, written hidden next to the buttons (the same script for every chart,
installed once per browser tab). The same script makes each drawing one image named by its
title: Vega-Embed's box reads « graphique » (not « visualization ») and the drawing inside
it is hidden from screen readers — its marks and guides carry no names (``charts.finish``),
and its figures are in the text beside it."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Sequence
from urllib.parse import urlencode

import altair as alt
import streamlit as st

from tne_dash.charts import PRINT_WIDTH, for_drawing, for_print, plotted_rows, to_png
from tne_dash.exports import to_csv_bytes
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


PARTS_PER_ROW = 3


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


def chart_csv(chart: alt.TopLevelMixin, columns: dict[str, str],
              heading: Sequence[tuple[str, str]]) -> bytes:
    """The chart's rows as a CSV for French Excel, ``heading`` lines first."""
    return to_csv_bytes(plotted_rows(chart, columns), heading=heading)


def chart_png(chart: alt.TopLevelMixin, width: int = PRINT_WIDTH) -> bytes:
    """The chart as a PNG, ``width`` pixels wide where the page lets it fill its column."""
    return to_png(for_print(chart, width))


def chart_with_downloads(chart: alt.TopLevelMixin, *, title: str, columns: dict[str, str],
                         heading: Sequence[tuple[str, str]], place: str, day: dt.date,
                         key: str, width: str = "stretch",
                         print_width: int = PRINT_WIDTH,
                         parts: Sequence[alt.TopLevelMixin] = ()) -> None:
    """Draw ``chart`` and, under it, « Image (PNG) » and « Données (CSV) » of exactly what
    it shows. ``columns``: the plotted fields the CSV holds, with their French headers;
    ``heading``: the page's lines for the CSV (territory, period, filters, notices);
    ``place`` and ``day`` name the files; ``key`` is unique on the page. ``parts``: small
    charts drawn instead of ``chart`` (which stays the downloads' single image), up to
    ``PARTS_PER_ROW`` side by side in columns that stack on a phone."""
    if parts:
        for start in range(0, len(parts), PARTS_PER_ROW):
            row = parts[start:start + PARTS_PER_ROW]
            for column, part in zip(st.columns(PARTS_PER_ROW), row, strict=False):
                with column:
                    st.altair_chart(for_drawing(part, part_description(title, part)),
                                    width="stretch")
    else:
        st.altair_chart(for_drawing(chart, title), width=width)
    plotted_rows(chart, columns)  # a field missing from the chart fails here, not on click
    lines = chart_heading(title, heading, view_address())
    download_pair(title, lambda: chart_png(chart, print_width),
                  lambda: chart_csv(chart, columns, lines),
                  chart_file_stem(title, place, day), key)


def part_description(title: str, part: alt.TopLevelMixin) -> str:
    """A small chart's name for screen readers: the whole chart's title, then its own
    (« Mois par mois — Bezons (95) »)."""
    own = getattr(part, "title", alt.Undefined)
    own = getattr(own, "text", own)  # a title given as alt.Title
    if isinstance(own, list):
        own = " ".join(map(str, own))
    return f"{title} — {own}" if isinstance(own, str) and own else title


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
