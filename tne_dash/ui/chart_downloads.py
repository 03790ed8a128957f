"""Every chart can leave the app: drawn with « Image (PNG) » and « Données (CSV) » right
under it (``figure_downloads``) — the image rendered locally from the same chart at a print
width, the CSV the rows the chart draws (French headers, values as plotted: what the public
does not see is not in it), after the chart's title, its filters in words and its source.
Both files are built when their button is clicked. Each chart is named for screen readers
by its title (``part_description`` for a small chart)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import altair as alt
import streamlit as st

from tne_dash.charts import (
    PRINT_WIDTH,
    for_drawing,
    for_print,
    plotted_data,
    plotted_rows,
    to_png,
)
from tne_dash.exports import to_csv_bytes
from tne_dash.ui.figure_downloads import (
    chart_file_stem,
    chart_heading,
    download_pair,
    view_address,
)

PARTS_PER_ROW = 3


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
    # A field missing from the chart fails here, not on click (the rows' French form, 10–15 ms
    # a chart, is made on click only).
    plotted_data(chart, columns)
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
