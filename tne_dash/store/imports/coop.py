"""The activity export of « La Coop de la médiation numérique » (current and older formats).

Only counts leave the file: names, beneficiaries' communes, notes and every other personal
column are never read. See ``../shared/formats/COOP_EXPORT.md`` for the layout.

- Current format: one row per participant; an activity is an ``ID CRA``; participants are its
  rows; parents vs children come from the age band.
- Older format (before 20 August 2025): one row per activity, ``Nombre de participants``, the
  place as « Nom, code postal Commune », per-participant values joined by line breaks.

Kept: collective workshops and individual support with a parentality or schooling theme; the
rest is set aside and counted by reason. The Coop does not say whether a parent came before,
so every participating parent counts as first-time (parents reached may count a parent twice).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence

from tne_dash.labels import format_number
from tne_dash.store.imports.fields import (
    MAX_PEOPLE_PER_WORKSHOP,
    FieldError,
    parse_count,
    parse_date,
    parse_duration,
    parse_insee,
)
from tne_dash.store.imports.problems import FileRefused, Problem
from tne_dash.store.imports.reading import RawRow, RawTable, header_key
from tne_dash.store.imports.records import WorkshopRecord
from tne_dash.store.imports.rows import Context, Parsed, RowCheck, check_departement_rights
from tne_dash.text import fold
from tne_dash.vocabulary import FacilitatorKind, Theme, VenueKind, WorkshopFormat

SHEET = "Activités"
KEY_PREFIX = "coop:"
OLD_KEY_PREFIX = "coop-ancien:"
CURRENT = ("Date", "Type", "Canaux d’accompagnement", "Nom du lieu", "Adresse", "Code Insee",
           "Durée (min)", "Thématique(s) d’accompagnement", "Tranche d’âge du bénéficiaire",
           "ID CRA")
OLDER = ("Date", "Type", "Nombre de participants", "Lieu", "Durée (min)",
         "Thématique(s) d’accompagnement", "Tranche d’âge du bénéficiaire")
FORMATS = {"atelier collectif": WorkshopFormat.ATELIER_COLLECTIF.value,
           "accompagnement individuel": WorkshopFormat.ACCOMPAGNEMENT_INDIVIDUEL.value}
# Coop themes → ours; an activity is kept when one of RELEVANT is among its themes.
THEMES = {"parentalite": Theme.PARENTALITE, "scolarite et numerique": Theme.SUIVI_SCOLARITE,
          "famille scolarite": Theme.SUIVI_SCOLARITE,
          "prendre en main du materiel": Theme.PRISE_EN_MAIN, "e mail": Theme.MESSAGERIE,
          "prevention en securite numerique": Theme.IDENTITE_NUMERIQUE}
RELEVANT = {"parentalite", "scolarite et numerique", "famille scolarite"}
CHILD_AGE_BANDS = {"moins de 12 ans", "12 17 ans"}
VENUE_KEYWORDS = (("france services", VenueKind.FRANCE_SERVICES),
                  ("mediatheque", VenueKind.MEDIATHEQUE), ("bibliotheque", VenueKind.MEDIATHEQUE),
                  ("centre social", VenueKind.CENTRE_SOCIAL), ("college", VenueKind.COLLEGE),
                  ("lycee", VenueKind.LYCEE), ("ecole", VenueKind.ECOLE),
                  ("tiers lieu", VenueKind.TIERS_LIEU), ("mairie", VenueKind.SALLE_MUNICIPALE))
NOT_KEPT_THEME = "sans thématique parentalité ou scolarité"
NOT_KEPT_TYPE = "type d'activité non retenu"
NOT_KEPT_PLACE = "sans lieu ni code INSEE (à domicile ou à distance)"

# Folded commune name → [(INSEE code, département)], for the older format's « Lieu ».
CommuneNames = dict[str, list[tuple[str, str]]]


def is_coop_header(values: Sequence[object]) -> bool:
    """The table header row: first cell « Date » and an ``ID CRA`` (or older: participants)."""
    keys = {header_key(v) for v in values}
    return bool(values) and header_key(values[0]) == "date" and bool(
        keys & {"id cra", "nombre de participants"})


def parse_coop_table(table: RawTable, ctx: Context, names: CommuneNames,
                     phase_of: Callable[[str, dt.date], str]) -> Parsed:
    """Workshops of a Coop export; the format is told by its headers."""
    if "id cra" in table.headers:
        _require(table, CURRENT)
        activities = _group_by_activity(table.rows)
        parse_one = _current_activity
    else:
        _require(table, OLDER)
        activities = _number_identical(table.rows)
        parse_one = _older_activity
    parsed = Parsed(rows_read=len(table.rows))
    for key, rows in activities:
        check = RowCheck(table.file_name, rows[0], parsed.problems)
        record, reason = parse_one(check, key, rows, ctx, names, phase_of)
        if reason:
            parsed.set_aside[reason] = parsed.set_aside.get(reason, 0) + len(rows)
        elif record is not None:
            parsed.records.append(record)
    return parsed


def _require(table: RawTable, columns: Sequence[str]) -> None:
    missing = [c for c in columns if header_key(c) not in table.headers]
    if missing:
        raise FileRefused([Problem(table.file_name, "export de la Coop incomplet : colonnes "
                                   f"manquantes : {', '.join(missing)}")])


def _group_by_activity(rows: list[RawRow]) -> list[tuple[str, list[RawRow]]]:
    groups: dict[str, list[RawRow]] = {}
    for row in rows:
        groups.setdefault(str(row.cells.get("id cra") or f"ligne {row.number}"), []).append(row)
    return list(groups.items())


def _number_identical(rows: list[RawRow]) -> list[tuple[str, list[RawRow]]]:
    """Older format: a key from the row's content, numbered when identical rows repeat."""
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        content = "|".join(str(row.cells.get(header_key(c)) or "") for c in
                           (*OLDER, "Nom de l’atelier"))
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:32]
        seen[digest] = seen.get(digest, 0) + 1
        out.append((f"{digest}-{seen[digest]}", [row]))
    return out


def _common(check: RowCheck, ctx: Context) -> tuple | str:
    """Date, format, themes and duration of an activity — or the reason it is set aside."""
    fmt = FORMATS.get(fold(str(check.raw("Type") or "")))
    if fmt is None:
        return NOT_KEPT_TYPE
    coop_themes = {fold(t) for t in str(check.raw("Thématique(s) d’accompagnement") or "")
                   .splitlines() if t.strip()}
    if not coop_themes & RELEVANT:
        return NOT_KEPT_THEME
    themes = tuple(dict.fromkeys(THEMES[t].value for t in sorted(coop_themes) if t in THEMES))
    day = check.value("Date", parse_date, latest=ctx.today)
    duration = check.value("Durée (min)", parse_duration)
    return day, fmt, themes, duration


def _current_activity(check, key, rows, ctx, _names, phase_of):
    common = _common(check, ctx)
    if isinstance(common, str):
        return None, common
    if check.raw("Code Insee") is None:
        return None, NOT_KEPT_PLACE
    insee = check.value("Code Insee", parse_insee, ctx.communes)
    code = insee[0] if insee else None
    check_departement_rights(check, ctx, code, "Code Insee")
    ages = [fold(str(r.cells.get(header_key("Tranche d’âge du bénéficiaire")) or ""))
            for r in rows]
    children = sum(age in CHILD_AGE_BANDS for age in ages)
    if len(rows) > MAX_PEOPLE_PER_WORKSHOP:
        check.fail("ID CRA", f"attendu au plus {format_number(MAX_PEOPLE_PER_WORKSHOP)} "
                             f"participants par activité ({format_number(len(rows))} lignes)",
                   key)
        return None, None
    name = str(check.raw("Nom du lieu") or check.raw("Canaux d’accompagnement") or "Lieu")
    return _record(check, KEY_PREFIX + key, common, code, name, check.raw("Adresse"),
                   len(rows) - children, children, phase_of), None


def _older_activity(check, key, rows, ctx, names, phase_of):
    common = _common(check, ctx)
    if isinstance(common, str):
        return None, common
    place = str(check.raw("Lieu") or "").strip()
    if not place:
        return None, NOT_KEPT_PLACE
    code = _resolve_place(check, place, names)
    check_departement_rights(check, ctx, code, "Lieu")
    participants = check.value("Nombre de participants", _participants)
    ages = str(check.raw("Tranche d’âge du bénéficiaire") or "").splitlines()
    children = sum(fold(age) in CHILD_AGE_BANDS for age in ages)
    if participants is not None:
        children = min(children, participants)
    name = place.rsplit(",", 1)[0].strip() or place
    return _record(check, OLD_KEY_PREFIX + key, common, code, name, None,
                   (participants or 0) - children, children, phase_of), None


def _participants(value: object) -> int:
    expected = (f"attendu un nombre de participants entier entre 1 et "
                f"{format_number(MAX_PEOPLE_PER_WORKSHOP)}")
    try:
        number = parse_count(value, MAX_PEOPLE_PER_WORKSHOP)
    except FieldError:
        raise FieldError(expected) from None
    if number < 1:
        raise FieldError(expected)
    return number


def _resolve_place(check: RowCheck, place: str, names: CommuneNames) -> str | None:
    """« Médiathèque, 95870 Bezons » → 95063 (commune name within the postcode's département)."""
    tail = place.rsplit(",", 1)[-1].strip()
    postcode, _, commune = tail.partition(" ")
    candidates = names.get(fold(commune), []) if postcode.isdigit() else []
    prefixes = (postcode[:3],) if postcode.startswith("97") else \
        ("2A", "2B") if postcode.startswith("20") else (postcode[:2],)
    matches = [code for code, dep in candidates if dep in prefixes]
    if len(matches) != 1:
        check.fail("Lieu", "commune introuvable — attendu « Nom du lieu, code postal Commune »",
                   place)
        return None
    return matches[0]


def _record(check, key, common, code, venue_name, address, parents, children, phase_of):
    day, fmt, themes, duration = common
    if not check.ok:
        return None
    return WorkshopRecord(
        row=check.row.number, key=key, date=day, commune_code=code,
        venue_name=" ".join(venue_name.split())[:200], venue_kind=guess_venue_kind(venue_name),
        phase=phase_of(code, day), format=fmt, themes=themes or (Theme.PARENTALITE.value,),
        duration_minutes=duration, facilitator_kind=FacilitatorKind.CNFS.value,
        parents_count=parents, first_time_parents_count=parents, children_count=children,
        venue_address=str(address)[:300] if address else None)


def guess_venue_kind(name: str) -> str:
    """The kind of a Coop place from its name (« Médiathèque … » → médiathèque), else autre."""
    folded = fold(name)
    return next((kind.value for word, kind in VENUE_KEYWORDS if word in folded),
                VenueKind.AUTRE.value)
