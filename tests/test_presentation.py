"""Présentation's core: the URL (slides, interval, start, scope), the timing of slides, the
live figures and their fingerprint, change detection and the slides' HTML — both databases."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from factories import (
    make_commune,
    make_objective,
    make_rollout,
    make_venue,
    make_workshop,
)
from sqlalchemy import delete, func, select

from tne_dash.embed.snippet import dashboard_origin
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_indicators
from tne_dash.figures.live_figures import changed_figures, data_version, live_figures
from tne_dash.figures.metrics import Kpi
from tne_dash.figures.privacy import MASK
from tne_dash.figures.scope import Scope
from tne_dash.labels import format_number
from tne_dash.screens.presentation import slides as slides_html
from tne_dash.screens.presentation.share import dashboard_link, qr_data_uri
from tne_dash.screens.presentation.view import (
    DEFAULT_INTERVAL,
    SLIDES,
    PresentationView,
    parse_presentation_view,
    presentation_params,
    refresh_seconds,
    slide_due,
    step,
)
from tne_dash.store.models import Workshop

AS_OF = dt.date(2023, 2, 20)
VAL_D_OISE = Scope("departement", "95")
BEZONS = Scope("commune", "95063")


# --- The URL ------------------------------------------------------------------------------

def test_an_empty_address_gives_every_slide_every_20_seconds_on_the_tne_departements():
    view = parse_presentation_view({})
    assert view == PresentationView()
    assert view.slides == ("chiffres", "carte", "objectifs", "mois", "honneur")
    assert (view.interval, view.start, view.playing, view.problems) == (20, 0, True, ())
    assert str(view.scope) == "tne"


def test_every_parameter_of_the_address_is_read():
    view = parse_presentation_view({
        "scope": "departement:86", "diapos": "mois,chiffres", "diapo": "chiffres",
        "intervalle": "45s", "lecture": "pause", "honneur": "86194"})
    assert view.scope == Scope("departement", "86")
    assert view.slides == ("mois", "chiffres")
    assert (view.start, view.interval, view.playing, view.honour) == (1, 45, False, "86194")
    assert view.problems == ()


@pytest.mark.parametrize(
    ("params", "field", "fallback", "notice"),
    [
        ({"intervalle": "abc"}, "interval", DEFAULT_INTERVAL, "Intervalle invalide : « abc »"),
        ({"intervalle": "2"}, "interval", DEFAULT_INTERVAL, "entre 5 et 600"),
        ({"intervalle": "9999"}, "interval", DEFAULT_INTERVAL, "Intervalle invalide"),
        ({"intervalle": "-10"}, "interval", DEFAULT_INTERVAL, "Intervalle invalide"),
        ({"diapos": "carte,foo"}, "slides", ("carte",), "Diapositive(s) inconnue(s) : foo"),
        ({"diapos": "foo,bar"}, "slides", tuple(SLIDES), "Aucune diapositive valide"),
        ({"diapo": "9"}, "start", 0, "Diapositive de départ invalide : « 9 »"),
        ({"diapo": "0"}, "start", 0, "attendu un numéro de 1 à 5"),
        ({"lecture": "stop"}, "playing", True, "Lecture invalide : « stop »"),
        ({"honneur": "123"}, "honour", None, "Commune à l'honneur invalide"),
        ({"scope": "region:11"}, "scope", Scope("tne"), "Périmètre inconnu"),
    ],
)
def test_a_bad_value_falls_back_to_its_default_with_a_french_notice(params, field, fallback,
                                                                     notice):
    view = parse_presentation_view(params)
    assert getattr(view, field) == fallback
    assert any(notice in problem for problem in view.problems), view.problems


def test_a_view_survives_a_round_trip_through_the_address():
    view = parse_presentation_view({"scope": "commune:95063", "diapos": "honneur,carte",
                                    "diapo": "2", "intervalle": "30", "lecture": "pause",
                                    "honneur": "95018"})
    assert parse_presentation_view(presentation_params(view)) == view
    assert presentation_params(PresentationView()) == {"scope": "tne"}


def test_slides_go_round_both_ways():
    assert [step(i, 5, 1) for i in range(5)] == [1, 2, 3, 4, 0]
    assert step(0, 5, -1) == 4
    assert step(2, 1, 1) == 0


@pytest.mark.parametrize(("interval", "tick"), [(20, 10.0), (5, 5.0), (10, 10.0), (25, 25 / 3),
                                                (60, 10.0)])
def test_figures_are_read_again_at_least_every_10_seconds_in_equal_ticks(interval, tick):
    assert refresh_seconds(interval) == pytest.approx(tick)


def test_a_slide_gives_way_on_the_tick_that_ends_its_interval_not_one_later():
    # 20 s slides, ticks every 10 s with a little jitter either way.
    assert not slide_due(10.2, 20)
    assert slide_due(19.6, 20)
    assert slide_due(20.4, 20)
    # 25 s slides tick every 8.3 s: the third tick (24.9 s) moves on.
    assert not slide_due(2 * 25 / 3, 25)
    assert slide_due(3 * 25 / 3 - 0.1, 25)


# --- Changes and the link -----------------------------------------------------------------

def test_a_change_is_noticed_only_against_a_previous_reading():
    assert changed_figures(None, {"workshops": "12"}) == frozenset()
    assert changed_figures({"workshops": "12", "parents_reached": "40"},
                           {"workshops": "13", "parents_reached": "40"}) == {"workshops"}


def test_a_masked_count_that_moves_under_five_is_not_shown_as_changed():
    assert changed_figures({"parents_reached": MASK}, {"parents_reached": MASK}) == frozenset()


def test_the_qr_code_opens_the_same_territory_on_the_dashboard_home():
    origin = dashboard_origin("", "https://tne.example.fr/presentation?scope=departement:86&diapo=2")
    assert origin == "https://tne.example.fr"
    link = dashboard_link(origin, Scope("departement", "86"))
    assert link == "https://tne.example.fr/?scope=departement:86"
    assert dashboard_origin("", None) == "http://localhost:8501"
    uri = qr_data_uri(link)
    assert uri.startswith("data:image/svg+xml")
    assert uri != qr_data_uri("https://tne.example.fr/?scope=departement:95")


# --- Live figures on both databases -------------------------------------------------------

@pytest.fixture
def val_d_oise(session):
    """Bezons (36 434 inhabitants) and Argenteuil (110 000) engaged in 2021, Cergy not.
    Workshops: Bezons 3 in February 2023 (2 in the last 30 days), Argenteuil 2 in the last
    30 days and 4 earlier in the school year. Bezons has 3 first-time parents in all of
    February (a small count) and a workshops objective of 10."""
    make_commune(session, "95063", name="Bezons", population=36_434)
    make_commune(session, "95018", name="Argenteuil", population=110_000)
    make_commune(session, "95127", name="Cergy", population=66_000)
    for code in ("95063", "95018"):
        make_rollout(session, code, first_year=2021)
    bezons, argenteuil = make_venue(session, "95063"), make_venue(session, "95018")
    for day in (dt.date(2023, 1, 10), dt.date(2023, 2, 1), dt.date(2023, 2, 14)):
        make_workshop(session, bezons, date=day, first_time_parents_count=1,
                      themes=("ent", "pix"))
    for day in (dt.date(2023, 2, 2), dt.date(2023, 2, 15)):
        make_workshop(session, argenteuil, date=day, first_time_parents_count=6)
    for month in (10, 11, 12):
        make_workshop(session, argenteuil, date=dt.date(2022, month, 5))
    make_workshop(session, argenteuil, date=dt.date(2023, 1, 5))
    make_objective(session, indicator="workshops", target=10)
    make_objective(session, scope_kind="commune", scope_code="95063",
                   indicator="parents_reached", target=20)
    session.commit()


def test_the_headline_figures_are_the_indicators_of_the_scope(engine, val_d_oise):
    with engine.connect() as conn:
        figures = live_figures(conn, VAL_D_OISE, AS_OF)
        values = compute_indicators(conn, VAL_D_OISE, Filters(date_to=AS_OF))
    shown = figures.shown_values()
    assert shown["workshops"] == format_number(values["workshops"]) == "9"
    assert shown["communes_engaged"] == "2"
    assert "tne_departements" not in shown  # « 1 » says nothing on a département slide
    assert figures.label.startswith("Département 95")
    assert figures.departement == "95"
    phases = figures.phases.set_index("phase")["communes"]
    assert (phases["parents_ressources"], phases["not_engaged"]) == (2, 1)


def test_the_commune_with_most_workshops_in_the_last_30_days_is_honoured(engine, val_d_oise):
    with engine.connect() as conn:
        honour = live_figures(conn, VAL_D_OISE, AS_OF).honour
    # Bezons and Argenteuil both have 2 in the last 30 days: the larger population wins.
    assert (honour.name, honour.departement) == ("Argenteuil", "Département 95 (95)")
    assert "ces 30 derniers jours : 2" in honour.reason
    kpis = {k.code: k.value for k in honour.kpis}
    assert kpis["workshops"] == "6"  # since the rentrée, 1 September 2022
    assert honour.phase == "Année 2 — Parents Ressources"


def test_the_honoured_commune_can_be_chosen_and_its_small_counts_are_masked(engine,
                                                                           val_d_oise):
    with engine.connect() as conn:
        honour = live_figures(conn, VAL_D_OISE, AS_OF, honour="95063").honour
    assert honour.name == "Bezons"
    assert honour.reason == "Choisie pour cette présentation."
    kpis = {k.code: k.value for k in honour.kpis}
    assert kpis["parents_reached"] == MASK  # 3 first-time parents
    assert kpis["workshops"] == "3"


def test_a_commune_scope_honours_itself_and_masks_its_objectives_percentage(engine,
                                                                          val_d_oise):
    with engine.connect() as conn:
        figures = live_figures(conn, BEZONS, AS_OF)
    assert figures.honour.reason == "La commune présentée."
    assert figures.departement == "95"
    # Its map is its département's: the legend counts the communes drawn.
    assert figures.map_label == "Département 95 (95)"
    assert figures.phases["communes"].sum() == 3
    parents = figures.objectives.set_index("label").loc["Parents touchés"]
    assert parents["achieved"] == MASK
    assert pd.isna(parents["pct"])  # 3 of 20 = 15 % would give the count away
    assert figures.shown_values()["parents_reached"] == MASK


def test_the_month_in_progress_falls_back_to_the_latest_month_with_a_workshop(engine,
                                                                            val_d_oise):
    with engine.connect() as conn:
        current = live_figures(conn, VAL_D_OISE, AS_OF).month
        later = live_figures(conn, VAL_D_OISE, dt.date(2023, 4, 3)).month
    assert (current.start, current.end, current.current) == (dt.date(2023, 2, 1), AS_OF, True)
    assert {k.code: k.value for k in current.kpis}["workshops"] == "4"
    # Two themes on each Bezons workshop: each counts under both.
    themes = current.themes.set_index("label")["workshops"]
    assert (themes["ENT"], themes["Pix"]) == (4, 2)
    assert (later.start, later.end, later.current) == (dt.date(2023, 2, 1),
                                                       dt.date(2023, 2, 28), False)


def test_the_fingerprint_changes_when_a_workshop_is_added_or_deleted(engine, val_d_oise,
                                                                    session):
    def version():
        with engine.connect() as conn:
            return data_version(conn)

    before = version()
    make_workshop(session, make_venue(session, "95127"), date=AS_OF)
    session.commit()
    after_insert = version()
    oldest = session.scalar(select(func.min(Workshop.id)))
    session.execute(delete(Workshop).where(Workshop.id == oldest))
    session.commit()
    after_delete = version()
    assert len({before, after_insert, after_delete}) == 3


# --- Slides' HTML --------------------------------------------------------------------------

def test_names_from_the_database_are_escaped_in_the_slides():
    kpi = Kpi("workshops", "<b>Ateliers</b>", "12", 'help "quoted"')
    grid = slides_html.figure_grid([kpi], changed={"workshops"})
    assert "&lt;b&gt;Ateliers&lt;/b&gt;" in grid and "<b>" not in grid
    assert 'class="tne-fig tne-changed"' in grid
    head = slides_html.slide_head("Chiffres clés", "<script>x</script>", demo=True)
    assert "<script>" not in head and "Données de démonstration" in head
    assert "Données de démonstration" not in slides_html.slide_head("T", "L", demo=False)


def test_the_phase_legend_speaks_french_plurals():
    phases = pd.DataFrame({"phase": ["not_engaged", "acculturation"],
                           "label": ["Non engagée", "Année 1 — acculturation"],
                           "communes": [0, 2]})
    legend = slides_html.phase_legend(phases)
    assert "<b>2</b> communes engagées" in legend
    assert "0 commune pas encore engagée<" in legend
    assert slides_html.communes(1, "engagée") == "commune engagée"


def test_objective_bars_are_capped_and_mark_the_share_of_the_year_gone_by():
    objectives = pd.DataFrame({
        "label": ["Ateliers", "Parents touchés"], "achieved": ["15", MASK],
        "target": ["10", "20"], "pct": [150.0, None], "status": ["atteint", "en_retard"],
        "status_label": ["Atteint", "En retard"]})
    bars = slides_html.objective_bars(objectives, elapsed=0.25)
    assert "width:100.0%" in bars and "width:0.0%" in bars
    assert bars.count('class="tne-bar-mark" style="left:25.0%"') == 2
    assert "15 sur 10 · 150" in bars and f"{MASK.replace('<', '&lt;')} sur 20</div>" in bars
