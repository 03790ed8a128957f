"""The programme's own targets (DOMAIN.md, actions 1 and 3): real objectives, not demo data.

Written with the reference data at every build, for each school year of the programme, as
national objectives: 25 % of the strategies' target schools with a « numérique et
parentalité » part in their school project (PCN), and 10 departmental strategies validated.
"""

from __future__ import annotations

from tne_dash.periods import SCHOOL_YEAR, school_year_bounds, school_year_label
from tne_dash.vocabulary import ScopeKind, Source

PROGRAMME_TARGETS = {"target_schools_with_pcn_pct": 25.0, "strategies_validated": 10.0}
# From the extension cohort's first school year (2021-2022) to 2026-2027.
PROGRAMME_SCHOOL_YEARS = range(2021, 2027)


def programme_objective_rows() -> list[dict]:
    """Rows of the ``objective`` table for the programme's targets."""
    rows = []
    for first in PROGRAMME_SCHOOL_YEARS:
        start, end = school_year_bounds(first)
        for indicator, target in PROGRAMME_TARGETS.items():
            rows.append({"scope_kind": ScopeKind.NATIONAL.value, "scope_code": "",
                         "period_kind": SCHOOL_YEAR, "period_label": school_year_label(first),
                         "period_start": start, "period_end": end, "indicator": indicator,
                         "target": target, "source": Source.PROGRAMME.value})
    return rows
