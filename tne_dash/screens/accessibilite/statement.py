"""The accessibility statement's text, after the RGAA's model (RGAA 4.1): pure functions, no
streamlit. What was checked is read, never copied: the views axe-core opens, its rule sets,
the manual checks and the screen sizes come from ``tne_dash.accessibility``, axe-core's
version from tests/a11y/package.json, the contact from the settings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from pathlib import Path

from tne_dash import PROJECT_ROOT
from tne_dash.accessibility import (
    AXE_RULE_TAGS,
    CONFORMITY,
    RGAA_AUDIT_RATE,
    CheckedView,
    ManualCheck,
    ScreenSize,
)
from tne_dash.labels import format_date, format_number

# The day this statement was written, and the day it was last brought up to date with the
# checks (the charts named in French: one non-conformity fewer).
STATEMENT_DATE = dt.date(2026, 12, 1)
STATEMENT_UPDATED = dt.date(2026, 12, 2)
SERVICE = "Tableau de bord du volet parentalité des Territoires Numériques Éducatifs (TNE)"
ENTITY = "L'équipe du programme Territoires Numériques Éducatifs"
AXE_PACKAGE = PROJECT_ROOT / "tests" / "a11y" / "package.json"

# The WCAG versions and levels behind axe-core's tags.
_TAG_NAMES = {"wcag2a": "WCAG 2.0 niveau A", "wcag2aa": "WCAG 2.0 niveau AA",
              "wcag21a": "WCAG 2.1 niveau A", "wcag21aa": "WCAG 2.1 niveau AA",
              "wcag22a": "WCAG 2.2 niveau A", "wcag22aa": "WCAG 2.2 niveau AA"}
_EMAIL = re.compile(r"[^@\s<>()\[\]]+@[^@\s<>()\[\]]+\.[A-Za-z]{2,}")
_WEB_ADDRESS = re.compile(r"https?://[^\s<>()\[\]]+")
_MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")

DEFENSEUR_FORM = "https://formulaire.defenseurdesdroits.fr/"
DEFENSEUR_SITE = "https://www.defenseurdesdroits.fr/"
DEFENSEUR_PHONE = "09 69 39 00 00"
DEFENSEUR_ADDRESS = ("Défenseur des droits", "Libre réponse 71120", "75342 Paris CEDEX 07")


def markdown_text(text: str) -> str:
    """``text`` shown as it is by Markdown: every sign Markdown reads escaped."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", text)


def axe_core_version(package: Path = AXE_PACKAGE) -> str | None:
    """The axe-core version the tests pin (tests/a11y/package.json), None without the file."""
    try:
        pinned = json.loads(package.read_text(encoding="utf-8"))["dependencies"]["axe-core"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(pinned).lstrip("^~=v ") or None


def introduction() -> str:
    return (f"{ENTITY} s'engage à rendre ce service numérique accessible, conformément à "
            "l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration "
            f"d'accessibilité s'applique au **{SERVICE}**, ce site.")


def conformity() -> str:
    """The RGAA mention and why: no audit yet, checks that are not one."""
    audit = ("Aucun audit de conformité au RGAA n'a encore été réalisé : en l'absence d'audit, "
             "le RGAA impose la mention « non conforme ». "
             if RGAA_AUDIT_RATE is None else
             f"Un audit a mesuré {format_number(RGAA_AUDIT_RATE, 1)} % de critères respectés. ")
    return (f"Le {SERVICE} est **{CONFORMITY}** avec le référentiel général d'amélioration de "
            "l'accessibilité (RGAA), version 4.1, en raison des non-conformités et des "
            f"dérogations énumérées ci-dessous. {audit}Le service est vérifié automatiquement "
            "(axe-core) et par des contrôles manuels rejoués par des tests, décrits ci-dessous ; "
            "ces vérifications ne remplacent pas un audit des 106 critères du RGAA.")


def rule_sets(tags: Iterable[str] = AXE_RULE_TAGS) -> str:
    """« WCAG 2.0 niveau A, … » from axe-core's tags."""
    return ", ".join(_TAG_NAMES.get(tag, tag) for tag in tags)


def automated_checks(views: Iterable[CheckedView], version: str | None) -> str:
    count = len(tuple(views))
    tool = f"axe-core {version}" if version else "axe-core"
    return (f"À chaque version, {tool} est lancé dans Chromium sur les {count} vues "
            f"ci-dessous, dans la page et dans chacun de ses cadres (la carte comprise), avec "
            f"les règles des {rule_sets()}. Une seule règle enfreinte fait échouer les tests.")


def views_table(views: Iterable[CheckedView]) -> list[dict[str, str]]:
    """The views axe-core checks: their name, their address, what is opened first."""
    return [{"Vue": view.name, "Adresse": view.path,
             "Ouvert avant la vérification": " ; ".join(view.opens) or "—"}
            for view in views]


def manual_checks_list(checks: Iterable[ManualCheck]) -> str:
    """One Markdown item per check: the criterion, how it is checked, the test's name."""
    return "\n".join(f"- **{markdown_text(check.criterion)}.** {markdown_text(check.method)} "
                     f"Test : `{check.test}`." for check in checks)


def screen_sizes(sizes: Iterable[ScreenSize]) -> str:
    """« téléphone (390 × 844), projecteur (1280 × 720)… »."""
    return ", ".join(f"{size.name} ({size.width} × {size.height})" for size in sizes)


NON_ACCESSIBLE = (
    ("Non-conformités", (
        "Les tableaux interactifs de Streamlit sont dessinés sur un canevas : les lecteurs "
        "d'écran les parcourent par la grille accessible de Streamlit, moins commodément "
        "qu'un tableau HTML ; chacun se télécharge en CSV.",
        "Les repères de page (en-tête, navigation, contenu, pied de page) sont ceux de "
        "Streamlit : le pied de page n'est pas balisé comme tel.",
    )),
    ("Dérogations pour charge disproportionnée", (
        "Aucune.",
    )),
    ("Contenus non soumis à l'obligation d'accessibilité", (
        "La carte interactive (pages Carte et Présentation) ne peut pas être entièrement "
        "utilisée sans la vue : survoler ou cliquer une commune ou un département demande de "
        "voir la carte. Les cartes en ligne sont exemptées quand leurs informations essentielles "
        "sont données sous une forme accessible : ici le tableau des communes et le texte de "
        "la page Carte (mêmes chiffres, même période), la légende chiffrée des phases sur la "
        "présentation, et le choix du territoire dans les listes de la barre latérale.",
        "Les fonds de carte de tiers (Plan IGN, OpenStreetMap), quand l'exploitant les active ; "
        "par défaut la carte n'en charge aucun.",
    )),
)


def establishment(version: str | None, sizes: Iterable[ScreenSize]) -> tuple[str, ...]:
    """When, with what, in which environment the checks are made."""
    return (
        f"Cette déclaration a été établie le {format_date(STATEMENT_DATE)}. Elle a été mise "
        f"à jour le {format_date(STATEMENT_UPDATED)}.",
        "Technologies utilisées pour la réalisation du site : Python, Streamlit, HTML5, CSS, "
        "JavaScript, SVG, Leaflet (carte), Vega-Lite (graphiques).",
        "Environnement de test : Chromium sans affichage (headless, version de Debian) piloté "
        f"par Playwright, aux tailles d'écran {screen_sizes(sizes)}.",
        "Outils : " + (f"axe-core {version}" if version else "axe-core") + " (règles des "
        f"{rule_sets()}), tests automatisés du projet (pytest, AppTest de Streamlit).",
    )


def contact_markdown(contact: str) -> str:
    """The contact setting as Markdown: an e-mail address or a web address becomes a link,
    any other text is shown as it is."""
    contact = contact.strip()
    if _EMAIL.fullmatch(contact):
        return f"[{markdown_text(contact)}](mailto:{contact})"
    if _WEB_ADDRESS.fullmatch(contact):
        return f"[{markdown_text(contact)}]({contact})"
    return markdown_text(contact)


def feedback(contact: str) -> str:
    return ("Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez "
            "contacter le responsable du tableau de bord pour être orienté vers une alternative "
            "accessible ou obtenir le contenu sous une autre forme : "
            f"{contact_markdown(contact)}.")


def remedies() -> tuple[str, ...]:
    """Défenseur des droits: the RGAA model's ways of appeal."""
    return (
        "Cette procédure est à utiliser dans le cas suivant : vous avez signalé au responsable "
        "du site un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un "
        "service, et vous n'avez pas obtenu de réponse satisfaisante.",
        f"- Écrire un message au Défenseur des droits : [formulaire en ligne]({DEFENSEUR_FORM})",
        "- Contacter le délégué du Défenseur des droits dans votre région (leur liste est "
        f"sur [le site du Défenseur des droits]({DEFENSEUR_SITE}))",
        f"- Appeler le {DEFENSEUR_PHONE}",
        "- Envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) :  \n  "
        + "  \n  ".join(DEFENSEUR_ADDRESS),
    )
