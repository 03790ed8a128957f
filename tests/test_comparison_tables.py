"""The Comparer table, its URL and its PDF sheet: best values as shown, small counts masked
with what would give them back, caveats, parameters with French messages, and a readable
one-page PDF — on factory data, both databases."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
from factories import (
    make_commune,
    make_objective,
    make_rollout,
    make_school,
    make_venue,
    make_workshop,
)
from pypdf import PdfReader

from tne_dash.cli import main
from tne_dash.exports import to_xlsx_bytes
from tne_dash.figures.comparison import compare_communes
from tne_dash.figures.privacy import mask_value, public_share
from tne_dash.labels import format_number
from tne_dash.periods import parse_period
from tne_dash.screens.comparer.fiche import fiche_pdf
from tne_dash.screens.comparer.tables import (
    BEST,
    Row,
    comparison_caveats,
    comparison_frame,
    display_frame,
    monthly_summary,
    per_capita_chart_frame,
    side_by_side,
)
from tne_dash.screens.comparer.view import (
    DEFAULT_RANK_INDICATOR,
    comparer_params,
    parse_comparer_view,
)

TODAY = dt.date(2023, 4, 17)
KNOWN = {"95063", "95018", "95127", "2A004"}


@pytest.fixture
def three(session):
    """Bezons (36 434 inhabitants, 2 schools), Argenteuil (110 000) and a village of 900."""
    for code, name, population in (("95063", "Bezons", 36_434), ("95018", "Argenteuil",
                                                                  110_000),
                                   ("95001", "Ableiges", 900)):
        make_commune(session, code, name=name, population=population)
        make_rollout(session, code, first_year=2021)
    make_school(session, "95063")
    make_school(session, "95063")
    workshops = {"95063": [(6, 4)] * 5, "95018": [(10, 5)] * 15, "95001": [(2, 2)]}
    for code, rows in workshops.items():
        venue = make_venue(session, code, name=f"Médiathèque =HYPERLIEN({code})")
        for parents, first in rows:
            make_workshop(session, venue, date=dt.date(2022, 11, 7), parents_count=parents,
                          first_time_parents_count=first)
    make_objective(session, scope_code="95063", indicator="workshops", target=10)
    session.commit()


def compared(engine, codes=("95063", "95018", "95001")):
    with engine.connect() as conn:
        return compare_communes(conn, codes, None, TODAY)


def test_best_values_are_compared_as_they_are_shown():
    assert Row("x", (1.44, 1.36, 0.9), decimals=1, higher_is_better=True).best == (0, 1)
    assert Row("x", (3, 3, 3), higher_is_better=True).best == ()
    assert Row("x", (3, "< 5", None, 7), higher_is_better=True).best == (3,)
    assert Row("x", (3, 2), higher_is_better=False).best == (1,)
    assert Row("Population", (3, 2)).best == ()


def test_the_table_gives_absolute_per_1000_and_per_school_values(engine, three):
    frame = comparison_frame(side_by_side(compared(engine), exact=True)).set_index("Code")
    assert frame.at["workshops", "Bezons (95)"] == 5
    assert frame.at["workshops_per_1000_inhabitants", "Bezons (95)"] == pytest.approx(
        5 * 1000 / 36_434)
    assert frame.at["workshops_per_school", "Bezons (95)"] == 2.5
    assert frame.at["workshops_per_school", "Argenteuil (95)"] is None  # no school
    assert frame.at["workshops", BEST] == "Argenteuil (95)"
    # Per inhabitant, the village leads: 1 workshop for 900 inhabitants.
    assert frame.at["workshops_per_1000_inhabitants", BEST] == "Ableiges (95)"
    assert frame.at["workshops_pct_objective", "Bezons (95)"] == pytest.approx(50.0)
    shown = display_frame(side_by_side(compared(engine), exact=True)).set_index("Indicateur")
    assert shown.at["Population (INSEE 2023)", "Argenteuil (95)"] == "110\u202f000"
    assert shown.at["Phase au 17 avril 2023", "Bezons (95)"] == "Année 2 — Parents Ressources"


def test_the_public_sees_small_counts_masked_with_their_rates(engine, three):
    frame = comparison_frame(side_by_side(compared(engine), exact=False)).set_index("Code")
    assert frame.at["parents_reached", "Ableiges (95)"] == "< 5"
    assert frame.at["parents_reached_per_1000_inhabitants", "Ableiges (95)"] == "< 5"
    assert frame.at["parents_reached", "Bezons (95)"] == 20
    assert frame.at["workshops", "Ableiges (95)"] == 1  # not a count of people
    exact = comparison_frame(side_by_side(compared(engine), exact=True)).set_index("Code")
    assert exact.at["parents_reached", "Ableiges (95)"] == 2
    chart = per_capita_chart_frame(side_by_side(compared(engine), exact=False))
    assert not ((chart["commune"] == "Ableiges (95)")
                & (chart["indicator"] == "parents_reached_per_1000_inhabitants")).any()


def test_caveats_name_small_communes_and_distant_populations(engine, three):
    caveats = comparison_caveats(compared(engine))
    assert any(c.startswith("Ableiges (95) : moins de 2\u202f000 habitants") for c in caveats)
    assert any("plus de 10 fois différentes" in c for c in caveats)
    assert comparison_caveats(compared(engine, ("95063", "95018"))) == []


def test_exported_names_cannot_become_formulas(engine, three):
    from openpyxl import load_workbook
    comp = compared(engine)
    frame = comparison_frame(side_by_side(comp, exact=True))
    frame.loc[0, "Indicateur"] = "=1+1"
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(frame, "Comparaison", []))).active
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=1+1" in texts and "=1+1" not in texts
    numbers = [c.value for row in sheet.iter_rows() for c in row
               if isinstance(c.value, int | float)]
    assert 110_000 in numbers  # numbers stay numbers


def test_the_fiche_is_one_readable_a4_page_with_the_figures(engine, three):
    pdf = fiche_pdf(compared(engine), exact=True, generated_on=dt.date(2026, 11, 22))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    text = reader.pages[0].extract_text()
    assert "Fiche commune — Bezons (95)" in text
    assert "36\u00a0434" in text or "36 434" in text
    assert "Ateliers\n5\n0,1" in text  # workshops and per 1 000 inhabitants
    assert "Argenteuil (95), Ableiges (95)" in text  # the compared communes of the chart
    assert "22 novembre 2026" in text
    assert "Données de démonstration" not in text  # factory rows are not demo rows


def test_the_fiche_command_writes_the_pdf_and_refuses_an_unknown_commune(built_db_url,
                                                                        tmp_path, capsys):
    out = tmp_path / "bezons.pdf"
    assert main(["fiche", "--database-url", built_db_url, "--commune", "95063", "--avec",
                 "95018", "--date", "2023-04-17", "--out", str(out)]) == 0
    assert "Fiche de Bezons (95) écrite" in capsys.readouterr().out
    text = PdfReader(out).pages[0].extract_text()
    assert "Bezons (95)" in text and "Argenteuil (95)" in text
    assert "Données de démonstration" in text
    # The sheet's figures are those of ``tne-dash indicators``.
    assert main(["indicators", "--database-url", built_db_url, "--scope", "commune:95063",
                 "--to", "2023-04-17", "--format", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)["indicators"]
    for label, code in (("Ateliers", "workshops"), ("Parents touchés", "parents_reached"),
                        ("Parents Ressources recrutés", "parents_ressources_recruited")):
        # The public sheet: counts of people rounded to 5, their rates from the rounded count.
        count = mask_value(code, cli[code], commune_level=True, exact=False)
        rate = public_share(cli[code + "_per_1000_inhabitants"], cli[code], count)
        assert (f"{label}\n{format_number(count)}\n{format_number(rate, 1)}").replace(
            "\u202f", "\u00a0") in text
    assert main(["fiche", "--database-url", built_db_url, "--commune", "99999",
                 "--out", str(tmp_path / "x.pdf")]) == 2
    assert "Commune inconnue : code INSEE « 99999 »" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_monthly_summary_names_the_busiest_month():
    series = pd.DataFrame({"code_insee": ["95063"] * 3,
                           "month": [dt.date(2022, 9, 1), dt.date(2022, 10, 1),
                                     dt.date(2022, 11, 1)],
                           "workshops": [0, 4, 2], "parents_reached": [0, 9, 3]})
    text = monthly_summary(series, {"95063": "Bezons (95)"}, show_parents=True)
    assert text == ("**Bezons (95)** : 6 ateliers et 12 parents touchés de oct. 2022 à "
                    "nov. 2022 ; mois le plus actif : oct. 2022 (4 ateliers).")
    assert "parents" not in monthly_summary(series, {}, show_parents=False)


@pytest.mark.parametrize(
    ("params", "codes", "problem"),
    [
        ({"communes": "95063,95018"}, ("95063", "95018"), None),
        ({"communes": "95063, 2a004,95063"}, ("95063", "2A004"), None),
        ({"communes": "95063,99999"}, ("95063",), "Commune inconnue : code INSEE « 99999 »"),
        ({"communes": "95063,<b>"}, ("95063",), "attendu un code INSEE à 5 caractères"),
        ({"communes": ",".join(["95063", "95018", "95127", "2A004"] * 2)},
         ("95063", "95018", "95127", "2A004"), None),
        ({"communes": "95063", "annee": "2022"}, ("95063",), "Année scolaire invalide"),
        ({"communes": "95063", "indicateur": "x"}, ("95063",), "Indicateur inconnu"),
        ({"communes": "95063", "to": "hier"}, ("95063",), "Date invalide"),
    ],
)
def test_the_url_is_read_with_a_french_message_for_each_bad_value(params, codes, problem):
    view = parse_comparer_view(params, TODAY, KNOWN)
    assert view.codes == codes
    assert (problem is None and not view.problems) or any(problem in p for p in view.problems)


def test_seven_communes_keep_the_first_six_with_a_message():
    known = {f"950{n:02d}" for n in range(10)}
    asked = ",".join(sorted(known)[:7])
    view = parse_comparer_view({"communes": asked}, TODAY, known)
    assert view.codes == tuple(sorted(known)[:6])
    assert view.problems == ("On compare au plus 6 communes à la fois : 7 demandées, les 6 "
                             "premières sont affichées.",)


def test_the_url_round_trips():
    view = parse_comparer_view({"communes": "95063,95018", "to": "2023-04-17",
                                "annee": "2022-2023", "indicateur": "parents_reached"},
                               TODAY, KNOWN)
    assert view.period == parse_period("2022-2023")
    assert parse_comparer_view(comparer_params(view), TODAY, KNOWN) == view
    seeded = parse_comparer_view({"commune": "95063"}, TODAY, KNOWN)
    assert (seeded.codes, seeded.explicit) == (("95063",), False)
    assert comparer_params(parse_comparer_view({"communes": "95063"}, TODAY, KNOWN)) == {
        "communes": "95063", "to": "2023-04-17"}
    assert DEFAULT_RANK_INDICATOR == "workshops_per_1000_inhabitants"
