"""Altair in French, the State palette, and PNG export — shared by every chart of the app.

Charts are built from frames here and in the page-specific chart modules; none of them
imports streamlit.
"""

from __future__ import annotations

import functools

import altair as alt
import pandas as pd
import vl_convert
from altair.utils import schemapi

from tne_dash.labels import NNBSP
from tne_dash.palette import TEXT_GREY

# Altair checks every piece of a chart against the Vega-Lite schema as it is made (its
# « debug mode », for clearer tracebacks), then the whole chart again when it is turned into
# its JSON (what st.altair_chart and the PNG export do). The first is off: it was a quarter of
# the server's time on the pages with charts (Comparer 270 → 200 ms a run).
schemapi.disable_debug_mode()

# The second check: Streamlit turns a chart into its JSON at every run, and Altair then checks
# the whole of it against the Vega-Lite schema — 0.1 s of CPU for Comparer's ranking alone,
# 0.04 for Déploiement's two charts, at every view. Every chart a page draws is built by code
# the tests run, so the test suite keeps that check (``tests/conftest.py`` turns this on and
# every chart drawn in a test is checked), and the server draws them without it
# (``for_drawing``). The PNG export still checks the chart it renders.
CHECK_DRAWN_CHARTS = False

LOCALE = "fr-FR"
FONT = "Arial, Helvetica, sans-serif"  # never Marianne: its licence forbids shipping it


@functools.cache
def french_locale() -> alt.Locale:
    """Vega's fr-FR number and time locales, with the narrow no-break space of the labels."""
    number = vl_convert.get_format_locale(LOCALE) | {"thousands": NNBSP}
    return alt.Locale(number=number, time=vl_convert.get_time_format_locale(LOCALE))


def when(test: str, then: object, otherwise: object, channel: type = alt.ColorValue):
    """A value that depends on a Vega expression (``channel``: ``alt.ColorValue``,
    ``alt.StrokeValue``…), the same JSON as ``alt.condition(test, alt.value(then),
    alt.value(otherwise))`` — which Altair resolves by trying the schema's candidates one by
    one, each checked (0.1 s for the two of Comparer's ranking)."""
    return channel(value=otherwise, condition={"test": test, "value": then})


def for_drawing(chart: alt.TopLevelMixin, description: str) -> alt.TopLevelMixin:
    """``chart`` as ``st.altair_chart`` should draw it: a copy named ``description`` for
    screen readers (Vega writes it as the drawing's ``aria-label``), whose JSON is not
    checked against the schema again, unless ``CHECK_DRAWN_CHARTS`` (the tests)."""
    drawn = chart.copy(deep=False)
    drawn.description = description
    if CHECK_DRAWN_CHARTS:
        return drawn
    # Streamlit calls ``to_dict()`` itself; Altair's charts keep their attributes in the
    # chart's JSON (``__setattr__``), so the copy's method is set past it.
    object.__setattr__(drawn, "to_dict", functools.partial(drawn.to_dict, validate=False))
    return drawn


def finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The last step of every chart: French locale, fonts and quiet axes — in one
    ``configure`` (each ``configure_*`` copies the whole chart: 37 → 6 ms for Comparer's
    ranking).

    ``aria=False``: Vega writes no names of its own for the marks, axes and legends. Those
    are English (« X-axis for a discrete scale with 4 values », « bar », « line mark ») and
    one per mark — a screen reader would read hundreds. A chart is read as one image named by
    its title (``for_drawing``); its figures are in the text beside it (« Le graphique en
    texte », the tables) and in its CSV."""
    return chart.configure(
        aria=False, locale=french_locale(), font=FONT,
        axis=alt.AxisConfig(labelColor=TEXT_GREY, titleColor=TEXT_GREY, labelFontSize=12,
                            titleFontSize=12),
        legend=alt.LegendConfig(labelFontSize=12, titleFontSize=12, orient="bottom"),
        view=alt.ViewConfig(stroke=None))


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as a PNG, rendered locally by vl-convert with French number and date
    formats (no browser, no network)."""
    locale = french_locale()
    return vl_convert.vegalite_to_png(chart.to_dict(), scale=scale,
                                      format_locale=locale.number,
                                      time_format_locale=locale.time)


PRINT_WIDTH = 800  # pixels (before ``scale``): an A4 page's width at 96 dpi, less margins


def for_print(chart: alt.TopLevelMixin, width: int = PRINT_WIDTH) -> alt.TopLevelMixin:
    """The chart with a fixed width where it fills its container on the page (a PNG has no
    container); a chart of fixed size (small multiples) is left as it is."""
    if getattr(chart, "width", alt.Undefined) == "container":
        return chart.properties(width=width)
    return chart


def plotted_data(chart: alt.TopLevelMixin, fields) -> pd.DataFrame:
    """The rows Altair was given to draw: the first data set of ``chart`` (its own, then its
    layers' and facets' in order) that holds every one of ``fields``."""
    pending = [chart]
    while pending:
        part = pending.pop(0)
        data = getattr(part, "data", alt.Undefined)
        if isinstance(data, pd.DataFrame) and set(fields) <= set(data.columns):
            return data
        pending.extend(getattr(part, "layer", None) or [])
        if isinstance(spec := getattr(part, "spec", None), alt.TopLevelMixin | alt.SchemaBase):
            pending.append(spec)
    raise ValueError(f"aucune donnée du graphique n'a les colonnes {sorted(fields)}")


def plotted_rows(chart: alt.TopLevelMixin, columns: dict[str, str]) -> pd.DataFrame:
    """The rows ``chart`` draws as a French table: its fields ``columns`` (field → French
    header), in that order, values as plotted — dates as days, yes/no as « oui »/« non »,
    whole numbers without decimals (« 8 », not « 8,0 »)."""
    rows = plotted_data(chart, columns)[list(columns)].rename(columns=columns)
    for name in rows.columns:
        values = rows[name]
        if pd.api.types.is_datetime64_any_dtype(values):
            rows[name] = values.dt.date
        elif pd.api.types.is_bool_dtype(values):
            rows[name] = values.map({True: "oui", False: "non"})
        elif pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
            rows[name] = values.astype("Int64")
    return rows.reset_index(drop=True)
