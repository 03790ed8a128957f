"""Charts of the Indicateurs page: a breakdown as horizontal bars, months as columns.
Frames in (the French tables of ``tables``), French Altair charts out."""

from __future__ import annotations

import altair as alt
import pandas as pd

from tne_dash.charts import finish
from tne_dash.palette import BLEU_FRANCE

BAR_HEIGHT = 26


def breakdown_chart(frame: pd.DataFrame, measure: str,
                    width: int | str = "container") -> alt.TopLevelMixin:
    """One bar per value of the breakdown (first column), largest first, the figure written
    at the end of each bar."""
    label = frame.columns[0]
    data = frame[[label, measure]].rename(columns={label: "label", measure: "value"})
    data = data[pd.to_numeric(data["value"], errors="coerce").notna()].astype({"value": float})
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260,
                                                                labelOverlap=False)),
        x=alt.X("value:Q", title=measure),
    )
    bars = base.mark_bar(color=BLEU_FRANCE).encode(tooltip=[
        alt.Tooltip("label:N", title=label), alt.Tooltip("value:Q", title=measure,
                                                         format=",")])
    text = base.mark_text(align="left", dx=4, fontSize=12).encode(
        text=alt.Text("value:Q", format=","))
    # Fitted to the width only: the height is the bars' own (26 px each), not shared with
    # the axis and its title (the page squeezed the bars, their names overlapping).
    return finish((bars + text).properties(
        width=width, height=max(len(data), 1) * BAR_HEIGHT,
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding")))


def month_chart(frame: pd.DataFrame, months: list, measure: str,
                width: int | str = "container") -> alt.TopLevelMixin:
    """One column per month (``months``: their first days, in order)."""
    data = pd.DataFrame({"month": pd.to_datetime(pd.Series(months)),
                         "label": frame[frame.columns[0]],
                         "value": pd.to_numeric(frame[measure], errors="coerce")})
    chart = alt.Chart(data.dropna()).mark_bar(color=BLEU_FRANCE).encode(
        x=alt.X("yearmonth(month):T", title=None, axis=alt.Axis(format="%b %Y")),
        y=alt.Y("value:Q", title=measure),
        tooltip=[alt.Tooltip("label:N", title="Mois"),
                 alt.Tooltip("value:Q", title=measure, format=",")],
    )
    return finish(chart.properties(width=width, height=260))
