"""What each filter changes: the indicators a filter does not apply to, in French words.

Read from the queries of ``figures.indicators`` (``workshop_clauses``, ``school_clauses``,
``date_clauses`` of ``figures.filters``):

- the workshop filters (phase, type de lieu, format, thème, animateur) apply to the workshop
  indicators only; the school level to the workshop indicators and the target schools;
- the period applies to every indicator but the CNFS (ANCT file, whatever the period), the
  TNE départements and the count of target schools — stocks such as communes engaged or
  active Parents Ressources are read at its end;
- the territory (départements, communes, REP/REP+ communes) applies to every indicator,
  and so does the demo choice: they never need a note.

The French names of the filters live here, so that figures and every screen name a filter
the same way (the Indicateurs sidebar reads them too).
"""

from __future__ import annotations

from tne_dash.catalogue import PER_1000
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import MONTHLY_CODES

# The period's name, on the sidebar and in the first rows of exports.
PERIOD_TITLE = "Période"
# The multi-valued workshop filters: ``Filters`` field → name, in the sidebar's order.
FILTER_TITLES = {"phases": "Phase", "venue_kinds": "Type de lieu",
                 "formats": "Format d'atelier", "themes": "Thème",
                 "facilitator_kinds": "Animateur", "school_levels": "Niveau scolaire"}

_WORKSHOP_CODES = frozenset(MONTHLY_CODES)
_SCHOOL_CODES = frozenset({"target_schools", "target_schools_with_pcn",
                           "target_schools_with_pcn_pct"})
# The base indicators each workshop filter applies to (every other one ignores it).
_APPLIES_TO = {"phases": _WORKSHOP_CODES, "venue_kinds": _WORKSHOP_CODES,
               "formats": _WORKSHOP_CODES, "themes": _WORKSHOP_CODES,
               "facilitator_kinds": _WORKSHOP_CODES,
               "school_levels": _WORKSHOP_CODES | _SCHOOL_CODES}
# The base indicators no date of the period changes.
_UNDATED = frozenset({"cnfs_posts", "cnfs_structures", "tne_departements", "target_schools"})


def unfiltered(codes, filters: Filters) -> dict[str, str]:
    """For each of ``codes`` that an active filter of ``filters`` does not apply to, the
    French note naming those filters: ``{"cnfs_posts": "non filtré par période, thème"}``.
    A ``…_per_1000_inhabitants`` rate reads as its count. No active filter: ``{}``."""
    notes = {}
    for code in codes:
        base = code.removesuffix(PER_1000)
        titles = []
        if (filters.date_from or filters.date_to) and base in _UNDATED:
            titles.append(PERIOD_TITLE)
        titles += [title for name, title in FILTER_TITLES.items()
                   if getattr(filters, name) and base not in _APPLIES_TO[name]]
        if titles:
            notes[code] = "non filtré par " + ", ".join(t.lower() for t in titles)
    return notes
