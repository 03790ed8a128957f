"""Where a commune stands in its roll-out at a date, on both databases."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from factories import make_commune, make_rollout

from tne_dash.figures.filters import Filters
from tne_dash.figures.rollout import (
    commune_phases,
    phases_at,
    plan_starts,
    rollout_plan,
    territory_codes,
)
from tne_dash.figures.scope import Scope
from tne_dash.store.db import make_engine


@pytest.mark.parametrize(
    ("day", "phase"),
    [
        (dt.date(2021, 8, 31), "not_engaged"),
        (dt.date(2021, 9, 1), "acculturation"),
        (dt.date(2022, 8, 31), "acculturation"),
        (dt.date(2022, 9, 1), "parents_ressources"),
        (dt.date(2023, 12, 1), "autonomie"),
        (dt.date(2026, 1, 1), "autonomie"),  # stays autonomous after year 3
    ],
)
def test_a_commune_moves_through_its_three_phases(engine, session, day, phase):
    make_commune(session, "95063")
    make_commune(session, "95018")
    make_rollout(session, "95063", first_year=2021)
    session.commit()
    with engine.connect() as conn:
        phases = commune_phases(conn, Scope("departement", "95"), Filters(), day)
    assert phases["95063"] == phase
    assert phases["95018"] == "not_engaged"


def test_demo_plans_can_be_left_out(engine, session):
    make_commune(session, "95063")
    make_rollout(session, "95063", first_year=2021, source="demo")
    session.commit()
    with engine.connect() as conn:
        phases = commune_phases(conn, Scope("commune", "95063"),
                                Filters(include_demo=False), dt.date(2022, 1, 1))
    assert phases["95063"] == "not_engaged"


@pytest.mark.parametrize("scope", ["national", "tne", "departement:95", "commune:95063"])
def test_the_plans_starts_give_every_date_the_phases_the_whole_plan_gives(built_db_url, scope):
    """``plan_starts`` reads only what ``phases_at`` needs (no names, no ends): the phases at
    any date are those of the whole ``rollout_plan``, demo rows kept or left out."""
    territory = Scope.parse(scope)
    engine = make_engine(built_db_url)
    try:
        with engine.connect() as conn:
            for filters in (Filters(), Filters(include_demo=False)):
                codes = territory_codes(conn, territory, filters)
                starts = plan_starts(conn, territory, filters)
                whole = rollout_plan(conn, territory, filters)
                assert len(starts) == len(whole)
                for day in (dt.date(2020, 1, 1), dt.date(2022, 9, 1), dt.date(2023, 4, 17),
                            dt.date(2026, 12, 1)):
                    pd.testing.assert_series_equal(phases_at(codes, starts, day),
                                                   phases_at(codes, whole, day))
    finally:
        engine.dispose()
