"""The Déploiement charts: French locale, the date marked, late communes in red, names kept
as data inside Vega expressions, and a PNG rendered locally."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tne_dash.charts import to_png
from tne_dash.figures.rollout import phase_funnel
from tne_dash.figures.timeline import timeline_bars
from tne_dash.palette import ROUGE_ERREUR
from tne_dash.periods import parse_period
from tne_dash.screens.deploiement.charts import funnel_chart, progress_chart, timeline_chart

AS_OF = dt.date(2023, 4, 17)


def plan_and_communes() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    for code, name, first in (("95063", "Bezons", 2021), ("95001", "L'Isle-d'Adam", 2022)):
        for n, phase in enumerate(("acculturation", "parents_ressources", "autonomie"), 1):
            rows.append({"code_insee": code, "name": name, "year_number": n, "phase": phase,
                         "school_year": f"{first + n - 1}-{first + n}",
                         "start_date": dt.date(first + n - 1, 9, 1),
                         "end_date": dt.date(first + n, 8, 31), "source": "form"})
    communes = pd.DataFrame({"code_insee": ["95063", "95001"],
                             "label": ["Bezons", "L'Isle-d'Adam"],
                             "status": ["en_bonne_voie", "en_retard"],
                             "late_objectives": ["", "Ateliers : 1 sur 10"]})
    return pd.DataFrame(rows), communes


def test_the_timeline_is_french_marks_the_date_and_shows_late_communes_in_red():
    plan, communes = plan_and_communes()
    spec = timeline_chart(timeline_bars(plan, communes, AS_OF), ["Bezons", "L'Isle-d'Adam"],
                          AS_OF).to_dict()
    assert spec["config"]["locale"]["time"]["shortMonths"][0] == "janv."
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    years, rule, stamp = spec["layer"]
    label_colour = years["encoding"]["y"]["axis"]["labelColor"]["expr"]
    # The apostrophe of the name is escaped inside the Vega expression.
    assert label_colour == (f"indexof(['L\\'Isle-d\\'Adam'], datum.value) >= 0 ? "
                            f"'{ROUGE_ERREUR}' : '#3A3A3A'")
    assert rule["mark"]["color"] == ROUGE_ERREUR
    assert stamp["encoding"]["text"]["field"] == "text"
    assert spec["datasets"][stamp["data"]["name"]][0]["text"] == "17 avril 2023"


def test_the_timeline_exports_as_a_png_rendered_locally():
    plan, communes = plan_and_communes()
    chart = timeline_chart(timeline_bars(plan, communes, AS_OF), list(communes["label"]),
                           AS_OF, width=600)
    assert to_png(chart).startswith(b"\x89PNG\r\n\x1a\n")


def test_the_funnel_and_progress_charts_carry_their_figures():
    funnel = phase_funnel(pd.Series(["not_engaged", "acculturation", "autonomie"]))
    spec = funnel_chart(funnel).to_dict()
    values = next(iter(spec["datasets"].values()))
    assert [v["reached"] for v in values] == [3, 2, 1, 1]
    points = pd.DataFrame({"indicator": ["workshops"] * 2, "label": ["Ateliers"] * 2,
                           "date": [dt.date(2022, 9, 30), dt.date(2022, 10, 31)],
                           "value": [2.0, 5.0], "target": [30.0] * 2,
                           "expected": [2.5, 5.0], "demo": [False] * 2})
    spec = progress_chart(points, parse_period("2022-2023"), "Ateliers").to_dict()
    assert spec["title"] == "Ateliers"
    assert len(spec["layer"]) == 3  # objective, pace, cumulative
