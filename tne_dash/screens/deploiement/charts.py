"""Charts of the Déploiement page: the phase timeline, the roll-out funnel and the monthly
progression towards objectives. Frames in, French Altair charts out."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from tne_dash.charts import finish, when
from tne_dash.labels import format_date
from tne_dash.palette import BLEU_FRANCE, GREY, PHASE_COLOURS, ROUGE_ERREUR, TEXT_GREY
from tne_dash.periods import Period
from tne_dash.vocabulary import PHASE_LABELS, PHASE_ORDER

ROW_HEIGHT = 22
FUNNEL_STAGES = {
    PHASE_ORDER[0]: "Communes du territoire",
    PHASE_ORDER[1]: "Engagées (année 1 commencée)",
    PHASE_ORDER[2]: "En année 2 ou au-delà",
    PHASE_ORDER[3]: "En autonomie (année 3 ou au-delà)",
}
_PHASES = PHASE_ORDER[1:]


def _phase_scale() -> alt.Scale:
    return alt.Scale(domain=[PHASE_LABELS[p] for p in _PHASES],
                     range=[PHASE_COLOURS[p] for p in _PHASES])


def timeline_chart(bars: pd.DataFrame, order: list[str], as_of: dt.date,
                   width: int | str = "container") -> alt.TopLevelMixin:
    """One row per commune (in ``order``), its three years as bars coloured by phase; the
    date as a red rule; late communes' current year outlined in red, their name in red.
    ``width`` in pixels for a PNG export (the page fills its container)."""
    # Bars end the day after their last day; the days themselves stay (the CSV's columns).
    data = bars.assign(start_date=pd.to_datetime(bars["start_date"]),
                       end_date=pd.to_datetime(bars["end_date"]))
    data = data.assign(start=data["start_date"], end=data["end_date"] + pd.Timedelta(days=1),
                       row=data["label"].map({label: i for i, label in enumerate(order)}))
    data = data.sort_values(["row", "start"]).drop(columns="row")  # the rows as drawn
    late = sorted(set(data.loc[data["late_now"], "label"]))
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(
        labelLimit=220, labelOverlap=False,
        labelFontWeight=alt.ExprRef(_in(late, "bold", "normal")),
        labelColor=alt.ExprRef(_in(late, ROUGE_ERREUR, TEXT_GREY))))
    base = alt.Chart(data).encode(y=y)
    years = base.mark_bar(height=ROW_HEIGHT - 6).encode(
        x=alt.X("start:T", title=None, axis=alt.Axis(format="%b %Y", orient="top",
                                                     tickCount={"interval": "month",
                                                                "step": 6})),
        x2="end:T",
        color=alt.Color("phase_label:N", title="Phase", scale=_phase_scale(),
                        legend=alt.Legend(labelLimit=300, offset=28)),
        stroke=when("datum.late_now", ROUGE_ERREUR, None, alt.StrokeValue),
        strokeWidth=when("datum.late_now", 2.5, 0, alt.StrokeWidthValue),
        tooltip=[alt.Tooltip("label:N", title="Commune"),
                 alt.Tooltip("phase_label:N", title="Phase"),
                 alt.Tooltip("school_year:N", title="Année scolaire"),
                 alt.Tooltip("status_label:N", title="Statut de l'année en cours"),
                 alt.Tooltip("late_objectives:N", title="Objectifs en retard")],
    )
    today = pd.DataFrame({"day": [pd.Timestamp(as_of)], "text": [format_date(as_of)]})
    rule = alt.Chart(today).mark_rule(color=ROUGE_ERREUR, strokeWidth=2,
                                      strokeDash=[6, 3]).encode(x="day:T")
    height = max(120, ROW_HEIGHT * len(order))
    # The date is written under the rows (the months are on top).
    stamp = alt.Chart(today).mark_text(align="center", dy=6, baseline="top",
                                       color=ROUGE_ERREUR, fontWeight="bold").encode(
        x="day:T", y=alt.value(height), text="text:N")
    return finish(alt.layer(years, rule, stamp).properties(width=width, height=height))


def _in(values: list[str], yes: str, no: str) -> str:
    quoted = ", ".join(_js_string(v) for v in values)
    return f"indexof([{quoted}], datum.value) >= 0 ? '{yes}' : '{no}'"


def _js_string(text: str) -> str:
    # Names come from files: escape them inside the Vega expression.
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def funnel_chart(funnel: pd.DataFrame) -> alt.TopLevelMixin:
    """Horizontal funnel: communes that have reached each stage of the roll-out."""
    data = funnel.assign(stage=funnel["phase"].map(FUNNEL_STAGES),
                         colour=funnel["phase"].map(PHASE_COLOURS))
    order = list(data["stage"])
    base = alt.Chart(data).encode(
        y=alt.Y("stage:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("reached:Q", title="Communes", axis=alt.Axis(format=",d", tickMinStep=1)),
        tooltip=[alt.Tooltip("stage:N", title="Étape"),
                 alt.Tooltip("reached:Q", title="Communes", format=",d"),
                 alt.Tooltip("communes:Q", title="Dont dans cette phase à la date", format=",d")],
    )
    bars = base.mark_bar(stroke=GREY, strokeWidth=0.5).encode(
        color=alt.Color("colour:N", scale=None))
    text = base.mark_text(align="left", dx=4, color=TEXT_GREY).encode(
        text=alt.Text("reached:Q", format=",d"))
    return finish(alt.layer(bars, text).properties(width="container", height=170))


def progress_chart(points: pd.DataFrame, period: Period, title: str) -> alt.TopLevelMixin:
    """The cumulative value month by month (blue), the objective (red rule) and the pace
    that keeps « en bonne voie » (dashed grey, from 0 at the start to the objective at the
    end of the year)."""
    data = points.assign(day=pd.to_datetime(points["date"])).drop(columns=["date"])
    x = alt.X("day:T", title=None, scale=alt.Scale(domain=[
        pd.Timestamp(period.start).isoformat(), pd.Timestamp(period.end).isoformat()]),
        axis=alt.Axis(format="%b", tickCount={"interval": "month", "step": 2}))
    dots = alt.OverlayMarkDef(color=BLEU_FRANCE, size=40)
    line = alt.Chart(data).mark_line(point=dots, color=BLEU_FRANCE, strokeWidth=3).encode(
        x=x, y=alt.Y("value:Q", title=None, axis=alt.Axis(format=",d", tickMinStep=1)),
        tooltip=[alt.Tooltip("day:T", title="Au", format="%d/%m/%Y"),
                 alt.Tooltip("value:Q", title="Cumul", format=",.0f")])
    layers = [line]
    target = points["target"].dropna()
    if not target.empty:
        goal = float(target.iloc[0])
        pace = pd.DataFrame({"day": [pd.Timestamp(period.start), pd.Timestamp(period.end)],
                             "value": [0.0, goal]})
        layers.insert(0, alt.Chart(pace).mark_line(color=GREY, strokeDash=[5, 4]).encode(
            x=x, y="value:Q"))
        layers.insert(0, alt.Chart(pd.DataFrame({"goal": [goal]})).mark_rule(
            color=ROUGE_ERREUR, strokeWidth=2).encode(y="goal:Q"))
    return finish(alt.layer(*layers).properties(title=title, width="container", height=220))
