"""Charts of the Comparer page: per-capita figures side by side, a département's distribution
with the selected communes highlighted, and monthly activity as small multiples.
Frames in, French Altair charts out."""

from __future__ import annotations

import altair as alt
import pandas as pd

from tne_dash.charts import finish, when
from tne_dash.labels import format_month, format_number
from tne_dash.palette import BLEU_FRANCE, GREY, LIGHT_GREY, ROUGE_MARIANNE

# Up to six communes, told apart by colour: bleu France, rouge Marianne and State
# illustrative colours of strong contrast.
COMMUNE_COLOURS = (BLEU_FRANCE, ROUGE_MARIANNE, "#009081", "#C3992A", "#6E445A", "#3A3A3A")
MONTHLY_LABELS = {"workshops": "Ateliers", "parents_reached": "Parents touchés"}


def per_capita_chart(frame: pd.DataFrame, width: int | str = "container") -> alt.TopLevelMixin:
    """Grouped bars: one group per indicator, one bar per commune (values per 1 000
    inhabitants, written above each bar)."""
    communes = list(dict.fromkeys(frame["commune"]))
    # Two names a line in the legend, one word a line under each group: both fit a phone.
    colour = alt.Color("commune:N", title="Commune", sort=communes, scale=alt.Scale(
        domain=communes, range=list(COMMUNE_COLOURS[:len(communes)])),
        legend=alt.Legend(columns=2, labelLimit=180))
    base = alt.Chart(frame).encode(
        x=alt.X("label:N", title=None, sort=list(dict.fromkeys(frame["label"])),
                axis=alt.Axis(labelAngle=0, labelLimit=200, labelOverlap=False,
                              labelExpr="split(datum.label, ' ')")),
        xOffset=alt.XOffset("commune:N", sort=communes),
        y=alt.Y("value:Q", title="Pour 1 000 habitants"),
    )
    bars = base.mark_bar().encode(color=colour, tooltip=[
        alt.Tooltip("commune:N", title="Commune"), alt.Tooltip("label:N", title="Indicateur"),
        alt.Tooltip("value:Q", title="Pour 1 000 habitants", format=",.1f")])
    labels = base.mark_text(dy=-6, fontSize=11).encode(text=alt.Text("value:Q", format=",.1f"))
    return finish((bars + labels).properties(width=width, height=320))


def rank_chart(ranking: pd.DataFrame, selected: list[str], title: str,
               width: int | str = "container") -> alt.TopLevelMixin:
    """Every engaged commune of a département, best first; the selected communes in bleu
    France with their name, the others in grey."""
    # Drawn as read (one decimal, as the tooltip and the sentences say it).
    data = ranking.assign(selected=ranking["code_insee"].isin(selected),
                          shown=[format_number(v, 1) for v in ranking["value"]],
                          value=pd.to_numeric(ranking["value"], errors="coerce").round(1))
    order = list(data["name"] + " " + data["code_insee"])
    data["bar"] = order
    base = alt.Chart(data).encode(
        x=alt.X("bar:N", sort=order, title=None, axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("value:Q", title=title),
    )
    bars = base.mark_bar().encode(
        color=when("datum.selected", BLEU_FRANCE, LIGHT_GREY),
        stroke=when("datum.selected", BLEU_FRANCE, GREY, alt.StrokeValue),
        strokeWidth=alt.value(0.5),
        tooltip=[alt.Tooltip("name:N", title="Commune"), alt.Tooltip("rank:Q", title="Rang"),
                 alt.Tooltip("shown:N", title=title)])
    names = base.transform_filter("datum.selected").mark_text(
        angle=270, align="left", dx=6, fontSize=12, fontWeight="bold", color=BLEU_FRANCE,
    ).encode(text="name:N")
    return finish((bars + names).properties(width=width, height=260))


def _shown_monthly(with_parents: bool) -> dict[str, str]:
    return {k: v for k, v in MONTHLY_LABELS.items() if with_parents or k == "workshops"}


def _monthly_top(series: pd.DataFrame, with_parents: bool) -> float:
    """The largest monthly value drawn, all communes together: their common scale."""
    values = series[list(_shown_monthly(with_parents))].apply(pd.to_numeric, errors="coerce")
    top = values.max().max()
    return float(top) if pd.notna(top) and top > 0 else 1.0


def _monthly_lines(series: pd.DataFrame, with_parents: bool, top: float) -> alt.Chart:
    """Workshops and parents reached month by month, one line each (``with_parents=False``:
    workshops only), from 0 to ``top``."""
    shown = _shown_monthly(with_parents)
    data = series.melt(id_vars=["commune", "month"], value_vars=list(shown),
                       var_name="indicator", value_name="value")
    data["label"] = data["indicator"].map(MONTHLY_LABELS)
    data["month"] = pd.to_datetime(data["month"])
    data["month_label"] = data["month"].dt.date.map(format_month)
    return alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=18)).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %y", tickCount=6)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[0, top], nice=True)),
        color=alt.Color("label:N", title=None, scale=alt.Scale(
            domain=list(shown.values()), range=[BLEU_FRANCE, ROUGE_MARIANNE][:len(shown)])),
        tooltip=[alt.Tooltip("commune:N", title="Commune"),
                 alt.Tooltip("month_label:N", title="Mois"),
                 alt.Tooltip("label:N", title="Indicateur"),
                 alt.Tooltip("value:Q", title="Nombre", format=",d")],
    )


def monthly_chart(series: pd.DataFrame, with_parents: bool = True,
                  columns: int = 3) -> alt.TopLevelMixin:
    """One small chart per commune in one image (the PNG and CSV downloads): workshops and
    parents reached, month by month (``with_parents=False``: workshops only)."""
    top = _monthly_top(series, with_parents)
    chart = _monthly_lines(series, with_parents, top).properties(width=220, height=140).facet(
        facet=alt.Facet("commune:N", title=None, sort=list(dict.fromkeys(series["commune"]))),
        columns=columns)
    return finish(chart)


def monthly_charts(series: pd.DataFrame, with_parents: bool = True) -> list[alt.TopLevelMixin]:
    """The same small charts, one per commune, each as wide as its column (the page lays
    them out in columns that stack on a phone), all on the same scale."""
    top = _monthly_top(series, with_parents)
    return [finish(_monthly_lines(series[series["commune"] == commune], with_parents, top)
                   .properties(width="container", height=150,
                               title=alt.TitleParams(commune, fontSize=13, anchor="start"),
                               # fitted to the width only: 150 px is the plot's own height,
                               # not shared with its title, axes and legend
                               autosize=alt.AutoSizeParams(type="fit-x", contains="padding")))
            for commune in dict.fromkeys(series["commune"])]
