"""Altair in French, the State palette, and PNG export — shared by every chart of the app.

Charts are built from frames here and in the page-specific chart modules; none of them
imports streamlit.
"""

from __future__ import annotations

import functools

import altair as alt
import vl_convert

from tne_dash.labels import NNBSP
from tne_dash.palette import TEXT_GREY

LOCALE = "fr-FR"
FONT = "Arial, Helvetica, sans-serif"  # never Marianne: its licence forbids shipping it


@functools.cache
def french_locale() -> alt.Locale:
    """Vega's fr-FR number and time locales, with the narrow no-break space of the labels."""
    number = vl_convert.get_format_locale(LOCALE) | {"thousands": NNBSP}
    return alt.Locale(number=number, time=vl_convert.get_time_format_locale(LOCALE))


def finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The last step of every chart: French locale, fonts and quiet axes."""
    return chart.configure(locale=french_locale(), font=FONT).configure_axis(
        labelColor=TEXT_GREY, titleColor=TEXT_GREY, labelFontSize=12, titleFontSize=12,
    ).configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom").configure_view(
        stroke=None)


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as a PNG, rendered locally by vl-convert with French number and date
    formats (no browser, no network)."""
    locale = french_locale()
    return vl_convert.vegalite_to_png(chart.to_dict(), scale=scale,
                                      format_locale=locale.number,
                                      time_format_locale=locale.time)
