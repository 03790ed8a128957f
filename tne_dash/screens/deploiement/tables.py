"""The Déploiement page's tables and sentences (the charts' text alternatives) and its
points de vigilance, in French: what is shown is what is exported.

Small counts of people of a commune read « < 5 » for the public, as on every page.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pandas as pd

from tne_dash.access import Account
from tne_dash.figures.objectives import Status
from tne_dash.figures.privacy import MASK, mask_value
from tne_dash.figures.scope import COMMUNE
from tne_dash.figures.vigilance import FOLLOW_UP_NOTE, FOLLOWED, followed_words, vigilance_summary
from tne_dash.figures.vigilance_rules import RULES, SEVERITY_LABELS, VIEW_NAMES
from tne_dash.html_tables import Link, Share
from tne_dash.labels import (
    DEMO_BADGE,
    NO_DATA,
    format_date,
    format_figure,
    format_number,
    format_percent,
    format_value,
)
from tne_dash.periods import school_year_of
from tne_dash.screens.deploiement.charts import FUNNEL_STAGES
from tne_dash.screens.deploiement.view import FOLLOW_CHOICES, FOLLOWED_ONLY, NOT_FOLLOWED
from tne_dash.vocabulary import PHASE_LABELS


def funnel_frame(funnel: pd.DataFrame) -> pd.DataFrame:
    """The funnel as a table: each stage, communes that reached it, communes in it now."""
    return pd.DataFrame({
        "Étape": funnel["phase"].map(FUNNEL_STAGES),
        "Communes ayant atteint l'étape": funnel["reached"],
        "Phase actuelle": funnel["phase"].map(PHASE_LABELS),
        "Communes dans cette phase": funnel["communes"],
    })


def funnel_summary(funnel: pd.DataFrame, place: str) -> str:
    total, engaged, year2, autonomous = (int(v) for v in funnel["reached"])
    return (f"{place} : {format_number(engaged)} commune{'s' if engaged > 1 else ''} engagée"
            f"{'s' if engaged > 1 else ''} sur {format_number(total)}, dont "
            f"{format_number(year2)} en année 2 ou au-delà et {format_number(autonomous)} en "
            "autonomie.")


def progress_summary(points: pd.DataFrame, unit: str, decimals: int, exact: bool,
                     commune_level: bool) -> str:
    """« 28 au 17 avril 2023 pour un objectif de 30 (93,3 %) ; rythme attendu : 19. »"""
    if points.empty:
        return "L'année scolaire n'a pas encore commencé à cette date."
    last = points.iloc[-1]
    value = mask_value(last["indicator"], last["value"], commune_level=commune_level,
                       exact=exact)
    text = f"{format_value(value, unit, decimals)} au {format_date(last['date'])}"
    if pd.isna(last["target"]):
        return text + " (pas d'objectif pour cette année)."
    share = "" if value == MASK or last["target"] <= 0 else \
        f" ({format_percent(100.0 * value / last['target'])})"
    return (f"{text} pour un objectif de {format_value(last['target'], unit, decimals)}{share} "
            f"; rythme attendu à cette date : "
            f"{format_value(last['expected'], unit, decimals)}.")


def timeline_frame(communes: pd.DataFrame) -> pd.DataFrame:
    """The timeline's communes as a table (its text alternative)."""
    return pd.DataFrame({
        "Commune": communes["label"],
        "Code INSEE": communes["code_insee"],
        "Année 1": communes["first_school_year"],
        "Phase à la date": communes["phase"].map(PHASE_LABELS),
        "Statut de l'année": communes["status"].map(Status.labels()),
        "Objectifs en retard": communes["late_objectives"],
    })


def plan_frame(plan: pd.DataFrame) -> pd.DataFrame:
    """A commune's roll-out plan: « Année 1 — acculturation, 2021-2022, du … au … »."""
    return pd.DataFrame({
        "Phase": plan["phase"].map(PHASE_LABELS),
        "Année scolaire": plan["school_year"],
        "Du": plan["start_date"].map(format_date),
        "Au": plan["end_date"].map(format_date),
    })


# Counts of people hidden from the public: their cells are empty, this column names them.
MASKED_COLUMN = "Effectifs masqués"


def objectives_display(frame: pd.DataFrame) -> pd.DataFrame:
    """The objectives table as shown and exported: « Réalisé » and « % atteint » stay
    numbers (French figures, numeric sort) — a count hidden from the public (« < 5 ») is an
    empty cell, and « Effectifs masqués » says « Réalisé : < 5 » on its row."""
    out = frame.copy()
    hidden = out["Réalisé"].map(lambda v: isinstance(v, str) and v == MASK)
    for column in ("Réalisé", "% atteint"):
        out[column] = pd.to_numeric(out[column].map(lambda v: None if isinstance(v, str)
                                                    else v), errors="coerce").astype(float)
    if hidden.any():
        out[MASKED_COLUMN] = hidden.map({True: f"Réalisé : {MASK}", False: ""})
    return out


def objectives_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """``objectives_display`` as the page shows it (``html_tables``): figures the French way
    (« 1 234,5 »), « — » for a figure hidden or missing, « % atteint » with its bar."""
    out = frame.copy()
    for column in ("Objectif", "Réalisé", "Attendu à date (%)"):
        out[column] = [format_figure(v) for v in out[column]]
    out["% atteint"] = [NO_DATA if pd.isna(v) else Share(float(v), format_percent(float(v)))
                        for v in out["% atteint"]]
    return out


# ── Points de vigilance ──────────────────────────────────────────────────────────────────

# In reading order; the code last (a phone shows the first columns, the sentence and its link).
# « Suivie » and « Note de suivi » when the points carry them (``with_follow_ups``).
VIGILANCE_HEADERS = {"severity_label": "Gravité", "name": "Territoire", FOLLOWED: "Suivie",
                     "departement_name": "Département", "rule_title": "Motif",
                     "sentence": "Constat", FOLLOW_UP_NOTE: "Note de suivi", "link": "Lien",
                     "code": "Code"}
FOLLOW_UP_COLUMNS = (FOLLOWED, FOLLOW_UP_NOTE)
# The link column as shown: Streamlit opens a table's links in a new tab, the header says so.
LINK_SHOWN = "Lien (nouvel onglet)"


def select_points(points: pd.DataFrame, reasons: tuple[str, ...],
                  severities: tuple[int, ...], follow: str = "") -> pd.DataFrame:
    """The points of the chosen reasons (rule codes) and severities; all when none is
    chosen. ``follow``: the points of the communes followed (``FOLLOWED_ONLY``) or of the
    territories that are not (``NOT_FOLLOWED``, départements included: they cannot be) —
    the points must carry ``followed``. Their order — most urgent first — is kept."""
    chosen = points
    if reasons:
        chosen = chosen[chosen["rule"].isin(reasons)]
    if severities:
        chosen = chosen[chosen["severity"].isin(severities)]
    if follow in (FOLLOWED_ONLY, NOT_FOLLOWED):
        followed = chosen[FOLLOWED].map(lambda v: v is True).astype(bool)
        chosen = chosen[followed if follow == FOLLOWED_ONLY else ~followed]
    return chosen.reset_index(drop=True)


def follow_up_choices(points: pd.DataFrame, account: Account) -> dict[str, str]:
    """The communes of ``points`` that ``account`` may mark « suivie » (its départements;
    all for an admin), most urgent first: INSEE code → « Bezons (95063) »."""
    communes = points[points["level"] == COMMUNE].drop_duplicates("code")
    return {code: f"{name} ({code})" for code, name, dep in
            zip(communes["code"], communes["name"], communes["departement_code"], strict=True)
            if account.may_write(dep)}


def address_origin(url: str | None) -> str:
    """``https://tne.example.fr`` (with the app's path prefix, if any) of the address a page
    was opened at; empty when there is none, and the links stay relative to the app."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}".rstrip("/")


def vigilance_table(points: pd.DataFrame, with_departement: bool, origin: str = "",
                    with_territory: bool = True) -> pd.DataFrame:
    """The points as the section shows and exports them, French headers: severity,
    territory (not for one commune's own points), département (seen from several
    départements), reason, sentence, the link — the address of the view that shows the
    point, under ``origin`` (an export read outside the app needs a full address; relative
    to the app when empty) — and the code; « Suivie » (Oui, Non; empty for a département)
    and « Note de suivi » when the points carry them."""
    left_out = {"departement_name"} if not with_departement else set()
    left_out |= {"name"} if not with_territory else set()
    left_out |= {c for c in FOLLOW_UP_COLUMNS if c not in points.columns}
    columns = [c for c in VIGILANCE_HEADERS if c not in left_out]
    out = points[columns].rename(columns=VIGILANCE_HEADERS).reset_index(drop=True)
    if FOLLOWED in points.columns:
        out[VIGILANCE_HEADERS[FOLLOWED]] = points[FOLLOWED].map(followed_words).to_numpy()
    out["Lien"] = [origin.rstrip("/") + link for link in points["link"]]
    return out


def vigilance_display(table: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """``vigilance_table`` as the page shows it (``html_tables``): every text as it is, the
    link a real link — « Le Thillay — page Déploiement »."""
    out = table.copy()
    views = [VIEW_NAMES.get(urlsplit(link).path, "") for link in points["link"]]
    out["Lien"] = [Link(f"{name} — page {view}", address) for name, view, address
                   in zip(points["name"], views, table["Lien"], strict=True)]
    return out.rename(columns={"Lien": LINK_SHOWN})


def vigilance_heading(place: str, as_of: dt.date, reasons: tuple[str, ...],
                      severities: tuple[int, ...], exact: bool,
                      demo: bool, follow: str = "") -> list[tuple[str, str]]:
    """The section's filters in words, written in the first lines of its exports."""
    lines = [("Points de vigilance", place),
             ("Situation au", format_date(as_of)),
             ("Année scolaire", school_year_of(as_of).label),
             ("Motifs", ", ".join(RULES[r].title for r in reasons) or "tous"),
             ("Gravité", ", ".join(SEVERITY_LABELS[s] for s in severities) or "toutes"),
             ("Suivi", FOLLOW_CHOICES[follow].lower())]
    if not exact:
        lines.append(("Vue publique", "effectifs de 1 à 4 personnes d'une commune « < 5 », "
                                      "les autres arrondis à 5 près"))
    if demo:
        lines.append(("Avertissement", DEMO_BADGE))
    return lines


def vigilance_section_summary(shown: pd.DataFrame, every: pd.DataFrame, place: str,
                              as_of: dt.date) -> str:
    """The section in one sentence: the points shown by severity, and how many the filters
    leave out."""
    text = vigilance_summary(shown, place, as_of)
    if len(shown) < len(every):
        text += (f" Les filtres en retiennent {format_number(len(shown))} sur "
                 f"{format_number(len(every))}.")
    return text
