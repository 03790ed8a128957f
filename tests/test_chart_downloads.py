"""Every chart can leave the app: « Image (PNG) » and « Données (CSV) » under each chart of
every page, named after their chart for screen readers; the CSV is the rows the chart draws
after its title and filters, what the public does not see stays out of it, and the PNG is
the chart itself at a print width."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import struct
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
import vl_convert
from apptest import open_page, other_breakdown_tabs

from tne_dash import charts
from tne_dash.charts import PRINT_WIDTH, for_drawing, for_print, plotted_rows
from tne_dash.figures.timeline import timeline_bars
from tne_dash.periods import parse_period
from tne_dash.screens.deploiement.charts import progress_chart, timeline_chart
from tne_dash.screens.deploiement.ui import PROGRESS_COLUMNS, TIMELINE_COLUMNS
from tne_dash.ui.chart_downloads import (
    chart_csv,
    chart_png,
    part_description,
)
from tne_dash.ui.figure_downloads import (
    CSV_LABEL,
    GROUP_KEY,
    PNG_LABEL,
    chart_file_stem,
    chart_heading,
)
from tne_dash.ui.kept import frame_fingerprint, kept_by_content

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2023, 4, 17)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COMPARER = {"communes": "95063,95018,95127", "to": "2023-04-17"}
# The charts of each page, by their titles (the words of their buttons' help and names).
PAGES = {
    "comparer.py": (COMPARER, ["Chiffres pour 1 000 habitants", "Mois par mois",
                               "Classement — Val-d'Oise"]),
    "indicateurs.py": ({"dep": "95", "from": "2022-09-01", "to": "2023-04-17"},
                       ["Ateliers par thème", "Ateliers par format", "Ateliers par type de lieu",
                        "Ateliers par animateur", "Ateliers par mois"]),
    "deploiement.py": ({"scope": "departement:95", "to": "2023-04-17"},
                       ["Frise des communes engagées", "Entonnoir du déploiement",
                        "Progression 2022-2023 — Ateliers",
                        "Progression 2022-2023 — Parents touchés",
                        "Progression 2022-2023 — Parents Ressources recrutés"]),
}


def timeline() -> tuple[pd.DataFrame, list[str]]:
    """Two communes' plans, the second late, listed in the order the chart draws them."""
    rows = [{"code_insee": code, "phase": phase, "school_year": f"{first + n}-{first + n + 1}",
             "start_date": dt.date(first + n, 9, 1), "end_date": dt.date(first + n + 1, 8, 31)}
            for code, first in (("95063", 2021), ("95018", 2020))
            for n, phase in enumerate(("acculturation", "parents_ressources", "autonomie"))]
    communes = pd.DataFrame({"code_insee": ["95063", "95018"], "label": ["Bezons", "Argenteuil"],
                             "status": ["en_bonne_voie", "en_retard"],
                             "late_objectives": ["", "Ateliers : 4 sur 10"]})
    return timeline_bars(pd.DataFrame(rows), communes, AS_OF), ["Argenteuil", "Bezons"]


def progress() -> pd.DataFrame:
    return pd.DataFrame({"indicator": ["workshops"] * 2, "date": [dt.date(2022, 9, 30),
                                                                 dt.date(2022, 10, 31)],
                         "value": [2.0, 5.0], "target": [30.0] * 2})


def split_csv(data: bytes) -> tuple[list[list[str]], pd.DataFrame]:
    """A chart's CSV as its heading lines and its table (the blank line between)."""
    heading, table = data.decode("utf-8-sig").split("\n\n", 1)
    lines = list(csv.reader(io.StringIO(heading), delimiter=";"))
    return lines, pd.read_csv(io.StringIO(table), sep=";", decimal=",", dtype=str)


def png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def test_the_csv_rows_are_the_rows_the_chart_draws_in_its_order_with_french_headers():
    bars, order = timeline()
    rows = plotted_rows(timeline_chart(bars, order, AS_OF), TIMELINE_COLUMNS)
    assert list(rows.columns) == list(TIMELINE_COLUMNS.values())
    assert list(rows["Commune"]) == ["Argenteuil"] * 3 + ["Bezons"] * 3  # as drawn
    assert rows.iloc[2].to_dict() == {
        "Commune": "Argenteuil", "Phase": "Année 3 — autonomie", "Année scolaire": "2022-2023",
        "Du": dt.date(2022, 9, 1), "Au": dt.date(2023, 8, 31),  # its last day, not the bar's end
        "Statut de l'année en cours": "En retard", "Objectifs en retard": "Ateliers : 4 sur 10",
        "Année en cours en retard": "oui"}


def test_the_csv_of_a_layered_chart_is_its_plotted_series_not_a_guide_line():
    # The progression draws the objective and the pace (day, value) under the cumulative.
    chart = progress_chart(progress(), parse_period("2022-2023"), "Ateliers")
    lines, table = split_csv(chart_csv(chart, PROGRESS_COLUMNS, [("Périmètre", "Bezons (95)")]))
    assert lines == [["Périmètre", "Bezons (95)"]]
    assert table.values.tolist() == [["2022-09-30", "2", "30"], ["2022-10-31", "5", "30"]]


def test_the_csv_starts_with_the_chart_title_the_filters_and_the_source():
    heading = chart_heading("Frise des communes engagées",
                            [("Périmètre", "Val-d'Oise (95)"), ("Statut", "En retard")],
                            "https://tne.example.fr/deploiement?scope=departement:95")
    bars, order = timeline()
    lines, table = split_csv(chart_csv(timeline_chart(bars, order, AS_OF), TIMELINE_COLUMNS,
                                       heading))
    assert lines == [["Graphique", "Frise des communes engagées"],
                     ["Périmètre", "Val-d'Oise (95)"], ["Statut", "En retard"],
                     ["Source", "Tableau de bord TNE — volet parentalité"],
                     ["Adresse de la vue",
                      "https://tne.example.fr/deploiement?scope=departement:95"]]
    assert len(table) == 6


def test_the_png_is_the_chart_at_print_width_rendered_locally():
    chart = progress_chart(progress(), parse_period("2022-2023"), "Ateliers")
    data = chart_png(chart)
    assert data.startswith(PNG_SIGNATURE)
    svg = vl_convert.vegalite_to_svg(for_print(chart).to_dict())
    width, height = (float(svg.split(f'{side}="', 1)[1].split('"', 1)[0])
                     for side in ("width", "height"))
    assert png_size(data) == (round(2 * width), round(2 * height))  # scale 2
    assert PRINT_WIDTH < width < PRINT_WIDTH + 100  # the plot plus its axes


def test_the_server_draws_a_chart_without_checking_it_again_and_the_suite_checks_each_one(
        monkeypatch):
    """The server skips the schema check of the charts it draws (``for_drawing``), with the
    same JSON; the suite turns the check on, so a wrong chart fails the test that draws it."""
    chart = progress_chart(progress(), parse_period("2022-2023"), "Ateliers")
    wrong = alt.Chart(progress()).mark_bar(size="large").encode(x="date:T", y="value:Q")
    assert charts.CHECK_DRAWN_CHARTS  # tests/conftest.py
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        for_drawing(wrong, "Faux").to_dict()
    monkeypatch.setattr(charts, "CHECK_DRAWN_CHARTS", False)  # as the server runs
    assert for_drawing(chart, "Ateliers").to_dict() == chart.to_dict() | {
        "description": "Ateliers"}
    assert for_drawing(wrong, "Faux").to_dict()["mark"] == {"type": "bar", "size": "large"}
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        wrong.to_dict()  # the chart itself is untouched: the PNG export still checks it


def test_a_chart_whose_csv_would_miss_a_field_fails_when_drawn_not_when_clicked():
    """The page checks the CSV's fields while it draws the chart (its rows are put in their
    French form only on click): a wrong name fails the page's test, not a user's click."""
    from streamlit.testing.v1 import AppTest

    def page(missing: bool):
        import datetime as dt

        import pandas as pd

        from tne_dash.periods import parse_period
        from tne_dash.screens.deploiement.charts import progress_chart
        from tne_dash.ui.chart_downloads import chart_with_downloads

        rows = pd.DataFrame({"indicator": ["workshops"] * 2,
                             "date": [dt.date(2022, 9, 30), dt.date(2022, 10, 31)],
                             "value": [2.0, 5.0], "target": [30.0] * 2})
        columns = {"day": "Au", "value": "Cumul"}
        if missing:
            columns["nowhere"] = "Absent"
        chart_with_downloads(progress_chart(rows, parse_period("2022-2023"), "Ateliers"),
                             title="Ateliers", columns=columns, heading=[],
                             place="Bezons (95)", day=dt.date(2023, 4, 17), key="k")

    drawn = AppTest.from_function(page, kwargs={"missing": False}).run()
    assert not drawn.exception and len(drawn.get("vega_lite_chart")) == 1
    assert len(drawn.get("download_button")) == 2
    failed = AppTest.from_function(page, kwargs={"missing": True}).run()
    assert len(failed.exception) == 1 and not failed.get("download_button")


def test_a_kept_chart_is_built_once_per_content_and_again_when_a_row_moves_or_changes():
    """A screen's charts are kept by their arguments, frames compared row by row in their
    order, every row (Streamlit's own hash of a frame of 50 000 rows reads a sample)."""
    built: list[int] = []

    def bars(frame: pd.DataFrame, title: str) -> alt.Chart:
        built.append(len(frame))
        return alt.Chart(frame, title=title).mark_bar().encode(x="mois:N", y="ateliers:Q")

    kept = kept_by_content(bars)
    frame = pd.DataFrame({"mois": ["janv.", "févr.", "mars"], "ateliers": [3, 5, 8]})
    first = kept(frame, "Ateliers")
    assert kept(frame.copy(), "Ateliers") is first  # the same content: the same chart
    assert len(built) == 1
    assert kept(frame.iloc[::-1], "Ateliers") is not first  # the same rows in another order
    assert kept(frame.assign(ateliers=[3, 5, 9]), "Ateliers") is not first
    assert kept(frame.astype({"ateliers": float}), "Ateliers") is not first  # another type
    assert kept(frame, "Parents") is not first
    assert len(built) == 5
    large = pd.DataFrame({"mois": range(60_000), "ateliers": 0})
    assert kept(large, "Ateliers") is kept(large.copy(), "Ateliers")
    for row in (0, 31_337, 59_999):  # one row changed, wherever it is
        assert kept(large.assign(ateliers=(large.index == row).astype(int)), "Ateliers") \
            is not kept(large, "Ateliers")
    lists = pd.DataFrame({"mois": ["janv."], "ateliers": [[1, 2]]})  # cells pandas cannot hash
    assert frame_fingerprint(lists) == frame_fingerprint(lists.copy())
    assert frame_fingerprint(lists) != frame_fingerprint(lists.assign(ateliers=[[1, 3]]))
    assert kept(lists, "Ateliers") is kept(lists.copy(), "Ateliers")


def test_a_chart_is_read_as_one_image_named_by_its_title_with_no_english_of_vega():
    """Vega names nothing itself (``aria: false``: no « X-axis for a linear scale », no name
    per bar); the drawing is named by the chart's title, a small chart by both titles."""
    chart = progress_chart(progress(), parse_period("2022-2023"), "Ateliers")
    drawn = for_drawing(chart, "Ateliers — Bezons (95)").to_dict()
    assert drawn["config"]["aria"] is False
    assert drawn["description"] == "Ateliers — Bezons (95)"
    assert chart.to_dict().get("description") is None  # the chart itself is untouched
    assert part_description("Mois par mois", chart.properties(title="Bezons (95)")) == \
        "Mois par mois — Bezons (95)"
    assert part_description("Mois par mois", chart.properties(
        title=alt.Title("Cergy (95)", subtitle="1 atelier"))) == "Mois par mois — Cergy (95)"
    untitled = alt.Chart(progress()).mark_line().encode(x="date:T", y="value:Q")
    assert part_description("Mois par mois", untitled) == "Mois par mois"


def test_the_files_are_named_after_the_chart_the_territory_and_the_date():
    assert chart_file_stem("Frise des communes engagées", "Val-d'Oise (95)", AS_OF) == \
        "frise-des-communes-engagees-val-d-oise-95-2023-04-17"
    assert chart_file_stem("Classement — Val-d'Oise", "Val-d'Oise", AS_OF) == \
        "classement-val-d-oise-2023-04-17"


def test_no_page_draws_a_chart_without_its_downloads():
    drawn = [path.relative_to(ROOT).as_posix() for folder in ("tne_dash", "pages")
             for path in (ROOT / folder).rglob("*.py")
             if "altair_chart(" in path.read_text(encoding="utf-8")]
    # (element_costs writes a synthetic bench page with no data, served apart from the app.)
    assert sorted(drawn) == ["tne_dash/element_costs.py", "tne_dash/ui/chart_downloads.py"]


def opened_views(page: str, params: dict):
    """The page as opened, then (Indicateurs) with each other breakdown tab chosen: only the
    open tab is drawn."""
    at = open_page(page, **params)
    yield at
    if page == "indicateurs.py":
        for _ in other_breakdown_tabs(at):
            yield at


def test_every_chart_of_every_page_has_its_image_and_data_buttons_named_after_it(app_env):
    for page, (params, titles) in PAGES.items():
        drawn, named = 0, []
        for at in opened_views(page, params):
            assert not at.exception, page
            drawn += len(at.get("vega_lite_chart"))
            buttons = [b.proto for b in at.get("download_button")
                       if b.proto.label in (PNG_LABEL, CSV_LABEL)]
            named += [(b.label, b.help.split(" : ")[0].replace("\\", "")) for b in buttons]
        # « Mois par mois » is one small chart per commune (3 here) with one set of downloads.
        assert drawn == len(titles) + (len(COMPARER["communes"].split(",")) - 1
                                       if page == "comparer.py" else 0), page
        assert named == [(label, title) for title in titles
                         for label in (PNG_LABEL, CSV_LABEL)], page


@pytest.mark.browser
def test_in_chromium_a_public_chart_downloads_its_masked_rows_and_its_image(app_env):
    from browser import ARTIFACTS, chromium_page, streamlit_server, wait_until_rendered

    public = open_page("comparer.py", **COMPARER)
    assert any("courbe des parents touchés est masquée" in c.value for c in public.caption)
    # « Mois par mois »: one small chart per commune (charts 1 to 3), the CSV holds them all.
    monthly = range(1, 1 + len(COMPARER["communes"].split(",")))
    drawn = pd.concat([_chart_data(public, i) for i in monthly], ignore_index=True)
    assert set(drawn["label"]) == {"Ateliers"}  # the parents' curve is not drawn...
    editor = open_page("comparer.py", _admin(), **COMPARER)
    assert "Parents touchés" in set(_chart_data(editor, 1)["label"])  # ...but exists

    with streamlit_server(app_env) as base, chromium_page(1280, 720) as (page, outside, errors):
        page.goto(f"{base}/comparer?communes={COMPARER['communes']}&to={COMPARER['to']}")
        wait_until_rendered(page)
        # Under load the buttons (and the script naming them) may come after the render.
        expected = 2 * len(PAGES["comparer.py"][1])
        page.wait_for_function(
            """([selector, expected]) => {
                const buttons = document.querySelectorAll(selector);
                return buttons.length >= expected && [...buttons].every(
                    b => (b.getAttribute('aria-label') || '').includes(' — '));
            }""", arg=[f'[class*="st-key-{GROUP_KEY}"] button', expected], timeout=60_000)
        names = page.locator(f'[class*="st-key-{GROUP_KEY}"] button').evaluate_all(
            "buttons => buttons.map(b => b.getAttribute('aria-label'))")
        assert sorted(set(names)) == sorted(f"{label} — {title}"
                                            for title in PAGES["comparer.py"][1]
                                            for label in (PNG_LABEL, CSV_LABEL))
        # Each drawing is one image named in French by its chart's title (a small chart:
        # both titles); what Vega draws inside is hidden from screen readers. Vega draws
        # after its script has loaded, which may come after the buttons.
        page.wait_for_function(
            """count => document.querySelectorAll(
                '[data-testid="stVegaLiteChart"] > svg').length >= count""",
            arg=len(public.get("vega_lite_chart")), timeout=60_000)
        drawings = page.locator('[data-testid="stVegaLiteChart"]').evaluate_all(
            """charts => charts.map(c => ({
                role: c.getAttribute('aria-roledescription'),
                name: c.getAttribute('aria-label'),
                hidden: [...c.querySelectorAll(':scope > svg')].map(
                    svg => svg.getAttribute('aria-hidden')),
            }))""")
        titles = PAGES["comparer.py"][1]
        assert drawings and all(d["role"] == "graphique" and d["hidden"] == ["true"]
                                for d in drawings), drawings
        assert all(any(d["name"] == t or d["name"].startswith(f"{t} — ") for t in titles)
                   for d in drawings), drawings
        assert "Mois par mois — Bezons (95)" in {d["name"] for d in drawings}
        csv_button = page.get_by_role("button", name=f"{CSV_LABEL} — Mois par mois",
                                      exact=True)
        csv_button.scroll_into_view_if_needed()
        page.mouse.wheel(0, 200)
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "chart-downloads-1280x720.png"))
        with page.expect_download() as download:
            csv_button.click()
        assert download.value.suggested_filename == \
            "mois-par-mois-bezons-95-argenteuil-95-cergy-95-2023-04-17.csv"
        lines, table = split_csv(Path(download.value.path()).read_bytes())
        png_button = page.get_by_role("button", name=f"{PNG_LABEL} — Mois par mois",
                                      exact=True)
        with page.expect_download() as download:
            png_button.click()
        image = Path(download.value.path()).read_bytes()
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(800)
        csv_button.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "chart-downloads-390x844.png"))
        assert not outside and not errors

    assert lines == [
        ["Graphique", "Mois par mois"],
        ["Communes comparées", "Bezons (95), Argenteuil (95), Cergy (95)"],
        ["Période", "depuis le début du programme, jusqu'au 17 avril 2023"],
        ["Situation au", "17 avril 2023"],
        ["Vue publique", "effectifs de 1 à 4 personnes affichés « < 5 »"],
        ["Avertissement", "Données de démonstration"],
        ["Source", "Tableau de bord TNE — volet parentalité"],
        ["Adresse de la vue", f"{base}/comparer?communes=95063,95018,95127&to=2023-04-17"]]
    assert list(table.columns) == ["Commune", "Mois", "Indicateur", "Nombre"]
    assert sorted(table.values.tolist()) == sorted(
        [row.commune, row.month.date().isoformat(), row.label, str(row.value)]
        for row in drawn.itertuples())
    assert set(drawn["commune"]) == {"Bezons (95)", "Argenteuil (95)", "Cergy (95)"}
    assert image.startswith(PNG_SIGNATURE) and min(png_size(image)) > 400


def _chart_data(at, index: int) -> pd.DataFrame:
    """The rows the page gave its ``index``-th chart (Streamlit sends them beside the spec)."""
    import pyarrow as pa

    chart = at.get("vega_lite_chart")[index].proto
    assert json.loads(chart.spec)["data"]["name"] == chart.datasets[0].name
    return pa.ipc.open_stream(chart.datasets[0].data.data).read_all().to_pandas()


def _admin():
    from tne_dash.access import Account, Role

    return Account("root", Role.ADMIN)
