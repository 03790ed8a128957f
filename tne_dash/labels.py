"""French UI strings and number/date formatting (« 33 717 », « 12,5 % », « janv. 2024 »)."""

from __future__ import annotations

import datetime as dt
import math
import re

# Narrow no-break space: the French thousands separator (and before « % »).
NNBSP = "\u202f"

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
MONTHS_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
                "sept.", "oct.", "nov.", "déc.")

APP_TITLE = "Tableau de bord TNE — volet parentalité"
DEMO_NOTICE = (
    "Données d'activité de démonstration : les ateliers, Parents Ressources, déploiements et "
    "objectifs affichés sont générés pour illustrer le tableau de bord, pas mesurés."
)
DEMO_BADGE = "Données de démonstration"
NO_DATA = "—"
PAGE_FAILED = ("Cette page n'a pas pu être affichée : une erreur est survenue en lisant les "
               "données. Elle a été consignée pour l'équipe technique ; réessayez dans un "
               "instant.")
# A value from the address or a file is echoed at most this long in a message.
MAX_ECHOED = 60
_QUOTED = re.compile(r"« (.*?) »", re.DOTALL)
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Line breaks and runs of ASCII blanks (never the narrow no-break space of « 12 % »).
_LINE_BREAKS = re.compile(r"[ \t\r\n\f\v]+")


def plain_text(message: str) -> str:
    """A message shown as is by Streamlit's Markdown: every quoted value — the visitor's
    text — as inline code cut to ``MAX_ECHOED`` characters (Markdown reads nothing inside
    code, not even a bare URL), every other ASCII punctuation escaped. An address value can
    neither make a link, load an image, colour text nor break the layout."""
    out = []
    for index, part in enumerate(_QUOTED.split(message)):
        if index % 2:  # a quoted value
            value = " ".join(part.split()).replace("`", "'")
            cut = value[:MAX_ECHOED] + ("…" if len(value) > MAX_ECHOED else "")
            out.append(f"« `{cut}` »")
        else:
            out.append(_PUNCTUATION.sub(r"\\\1", part))
    return "".join(out)


def markdown_text(text: str) -> str:
    """Text of ours or of the data (a commune's name, a sentence that quotes it) shown as it
    is by Streamlit's Markdown, quotes « » kept as they are: every ASCII punctuation escaped,
    so that no name can make a link, an emphasis, an icon (``:material/…:``) or a formula."""
    return _PUNCTUATION.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))


def format_number(value: float | int | str | None, decimals: int = 0) -> str:
    """« 33 717 », « 1 234,5 »; « — » for a missing value; text (« < 5 ») as it is."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NNBSP).replace(".", ",")


def format_figure(value: float | int | str | None) -> str:
    """A figure as a table or a sentence quotes it: « 30 », « 12,5 » (one decimal unless it
    is whole); text (« < 5 ») as it is, « — » when missing."""
    if isinstance(value, str) or value is None:
        return format_number(value)
    return format_number(value, 0 if float(value).is_integer() else 1)


def format_percent(value: float | None, decimals: int = 1) -> str:
    """« 12,5 % » (narrow no-break space before the sign)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA
    return f"{format_number(value, decimals)}{NNBSP}%"


def format_month(day: dt.date, long: bool = False) -> str:
    """« janv. 2024 » (charts, tables); ``long``: « janvier 2024 » (sentences)."""
    return f"{(MONTHS if long else MONTHS_SHORT)[day.month - 1]} {day.year}"


def format_date(day: dt.date | None) -> str:
    """« 17 avril 2023 », « 1er septembre 2021 »."""
    if day is None:
        return NO_DATA
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def format_value(value: float | int | None, unit: str, decimals: int = 0) -> str:
    """A catalogue value with its unit's formatting: percentages get « % »."""
    if unit == "%":
        return format_percent(value, decimals)
    return format_number(value, decimals)


def population_note(population: int) -> str:
    """« 36 434 habitants (population municipale INSEE, millésime 2023) »."""
    return f"{format_number(population)} habitants (population municipale INSEE, millésime 2023)"
