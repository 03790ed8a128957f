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
