"""The State palette (bleu France and its tints, rouge Marianne, greys) used by maps and charts.

Colours only: the Marianne font and the State logo are never shipped (their licence forbids it).
"""

from __future__ import annotations

from tne_dash.vocabulary import NOT_ENGAGED

BLEU_FRANCE = "#000091"
ROUGE_MARIANNE = "#E1000F"
# Error red of the State design system: readable as text on white (AA contrast).
ROUGE_ERREUR = "#CE0500"
GREY = "#929292"
LIGHT_GREY = "#EEEEEE"
TEXT_GREY = "#3A3A3A"
GREEN_PCN = "#18753C"

PHASE_COLOURS = {NOT_ENGAGED: LIGHT_GREY, "acculturation": "#CACAFB",
                 "parents_ressources": "#6A6AF4", "autonomie": BLEU_FRANCE}

# Points de vigilance on the map, the State design system's error, warning, info and success
# colours: each, at the map's fill opacity, at least 3:1 against the map's background (#DDDDDD)
# and the communes' white borders; a commune not engaged stays light grey, as on the phases.
ORANGE_WARNING = "#B34000"
BLEU_INFO = "#0063CB"
VIGILANCE_COLOURS = {"prioritaire": ROUGE_ERREUR, "a_surveiller": ORANGE_WARNING,
                     "a_completer": BLEU_INFO, "aucun_point": GREEN_PCN,
                     "non_engagee": LIGHT_GREY}
