"""Cell parsers: each returns a clean value or raises FieldError saying what was expected."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping

from tne_dash.labels import format_number
from tne_dash.text import fold

EARLIEST_DATE = dt.date(2020, 1, 1)  # the programme starts with the 2020 pilot
MAX_DURATION_MINUTES = 12 * 60
# Declared maxima of what one row may count: above, the value is a typing error and is
# refused (files, Saisie and the objective form alike). They keep every sum far inside the
# databases' 64-bit integers, and PostgreSQL's 32-bit INTEGER columns.
MAX_PEOPLE_PER_WORKSHOP = 1_000  # parents, or children, at one workshop or stand
MAX_PARENTS_RESSOURCES_PER_REPORT = 1_000  # recruited or active, one commune, one report
MAX_MEETINGS_PER_REPORT = 1_000
MAX_OBJECTIVE_TARGET = 10_000_000  # a national count over a school year stays below
_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_HOURS = re.compile(r"^(\d{1,2})\s*(?:h|:)\s*(\d{1,2})?\s*(?:min)?$", re.IGNORECASE)
_MINUTES = re.compile(r"^(\d{1,4})\s*(?:min|mn|minutes)?$", re.IGNORECASE)


class FieldError(ValueError):
    """A cell that does not hold what its column expects; ``expected`` is French."""

    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected



def french_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def parse_date(value: object, *, latest: dt.date, earliest: dt.date = EARLIEST_DATE) -> dt.date:
    """JJ/MM/AAAA, AAAA-MM-JJ or a real spreadsheet date, between ``earliest`` and ``latest``."""
    day = _as_date(value)
    if day is None:
        raise FieldError("attendu une date JJ/MM/AAAA (ou AAAA-MM-JJ)")
    if day < earliest:
        raise FieldError(f"attendu une date à partir du {french_date(earliest)}")
    if day > latest:
        raise FieldError(f"attendu une date passée (au plus tard le {french_date(latest)})")
    return day


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    try:
        if match := _FRENCH_DATE.match(text):
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        if match := _ISO_DATE.match(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def parse_count(value: object, maximum: int) -> int:
    """A whole number from 0 to ``maximum`` (12, « 12 », or 12.0 from a spreadsheet)."""
    expected = f"attendu un entier entre 0 et {format_number(maximum)}"
    if isinstance(value, bool):
        raise FieldError(expected)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = str(value or "").strip().replace("\u202f", "").replace("\xa0", "")
        if not re.fullmatch(r"-?\d{1,18}", text):
            raise FieldError(expected)
        number = int(text)
    if not 0 <= number <= maximum:
        raise FieldError(expected)
    return number


def parse_number(value: object, maximum: float) -> float:
    """A decimal number from 0 to ``maximum``, decimal comma or point (« 12,5 »)."""
    expected = f"attendu un nombre entre 0 et {format_number(maximum)} (ex. 12 ou 12,5)"
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value or "").strip().replace("\u202f", "").replace("\xa0", "")
        text = text.replace(" ", "").replace(",", ".")
        if len(text) > 30:  # float() of a huge digit string is slow; no target is that long
            raise FieldError(expected)
        try:
            number = float(text)
        except ValueError:
            raise FieldError(expected) from None
    if not math.isfinite(number) or not 0 <= number <= maximum:
        raise FieldError(expected)
    return number


def parse_duration(value: object) -> int:
    """Minutes from « 90 », « 1h30 », « 1 h », « 1:30 » or a spreadsheet time."""
    expected = "attendu une durée : minutes (90), 1h30 ou 1:30"
    if isinstance(value, dt.time):
        minutes = value.hour * 60 + value.minute
    elif isinstance(value, dt.timedelta):
        minutes = int(value.total_seconds() // 60)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer():
            raise FieldError(expected)
        minutes = int(value)
    else:
        text = str(value or "").strip()
        if match := _MINUTES.match(text):
            minutes = int(match[1])
        elif match := _HOURS.match(text):
            minutes = int(match[1]) * 60 + int(match[2] or 0)
        else:
            raise FieldError(expected)
    if not 1 <= minutes <= MAX_DURATION_MINUTES:
        raise FieldError(f"{expected}, entre 1 minute et {MAX_DURATION_MINUTES // 60} heures")
    return minutes


def label_key(text: object) -> str:
    """How an enumeration label is matched: accents, case, apostrophes, spacing ignored."""
    return fold(str(text or "").replace("’", "'"))


def parse_choice(value: object, choices: Mapping[str, str], published: list[str]) -> str:
    """The code of a label of ``choices`` (label key → code)."""
    code = choices.get(label_key(value))
    if code is None:
        raise FieldError("attendu l'une des valeurs : " + ", ".join(published))
    return code


def parse_choices(value: object, choices: Mapping[str, str], published: list[str],
                  separator: str = "|") -> tuple[str, ...]:
    """Several labels separated by ``separator``; at least one."""
    parts = [p for p in str(value or "").split(separator) if p.strip()]
    if not parts:
        raise FieldError("attendu au moins une valeur parmi : " + ", ".join(published)
                         + f" (séparées par {separator})")
    codes = []
    for part in parts:
        code = choices.get(label_key(part))
        if code is None:
            raise FieldError(f"« {part.strip()} » inconnue — attendu des valeurs parmi : "
                             + ", ".join(published) + f" (séparées par {separator})")
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def parse_insee(value: object, known: Mapping[str, object]) -> tuple[str, bool]:
    """(5-character INSEE code, padded?) — a 4-digit code lost its leading zero in a
    spreadsheet and is padded (the caller warns)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value or "").strip().upper()
    padded = False
    if re.fullmatch(r"\d{4}", text):
        text, padded = "0" + text, True
    if not re.fullmatch(r"\d{5}|2[AB]\d{3}", text):
        raise FieldError("attendu un code INSEE de commune à 5 caractères (ex. 95063)")
    if text not in known:
        raise FieldError("code INSEE inconnu — attendu une commune du référentiel (COG 2026)")
    return text, padded


def parse_text(value: object, max_length: int, what: str) -> str:
    """A name or a reference: spaces collapsed, no invisible or control character (a NUL, a
    right-to-left override or a zero-width space would make names that look alike differ)."""
    text = " ".join(str(value or "").split())
    if not text:
        raise FieldError(f"attendu {what}")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs") for char in text):
        raise FieldError(f"attendu {what} sans caractère invisible ou de contrôle")
    if len(text) > max_length:
        raise FieldError(f"attendu {what} de {max_length} caractères au plus")
    return text
