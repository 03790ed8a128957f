"""What the accessibility statement says and the accessibility tests check: one list.

The « Déclaration d'accessibilité » page reads this module; tests/test_accessibility.py runs
axe-core on every view of ``AXE_VIEWS`` and the browser tests named in ``MANUAL_CHECKS``
check the rest, so the statement cannot claim a check that no test makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class CheckedView:
    """A view of the app axe-core checks: its French name, its address, what to open."""

    name: str
    path: str  # the address after the server's root, query string included
    # Texts of tabs or expanders to open (click) before the check, in order.
    opens: tuple[str, ...] = ()


AXE_VIEWS: tuple[CheckedView, ...] = (
    CheckedView("Accueil, France entière", "/?scope=national"),
    CheckedView("Accueil, Bezons", "/?scope=commune:95063"),
    CheckedView("Carte, France", "/carte"),
    CheckedView("Carte, Val-d'Oise", "/carte?dep=95"),
    CheckedView("Indicateurs, Val-d'Oise", "/indicateurs?dep=95",
                opens=("Fraîcheur par département",)),
    CheckedView("Déploiement, Val-d'Oise", "/deploiement?scope=departement:95",
                opens=("La frise en tableau", "L'entonnoir en tableau")),
    # Dated views of the demo data: the points de vigilance in full (today's have only a few).
    CheckedView("Accueil, Val-d'Oise au 17 avril 2023",
                "/?scope=departement:95&to=2023-04-17"),
    CheckedView("Déploiement, points de vigilance en retard",
                "/deploiement?scope=departement:95&to=2023-04-17&vigilance=retard"),
    CheckedView("Carte, Val-d'Oise par points de vigilance",
                "/carte?dep=95&to=2023-04-17&couleur=vigilance"),
    CheckedView("Comparer, trois communes", "/comparer?communes=95063,95018,95127&to=2023-04-17",
                opens=("Le graphique en texte", "Les courbes en texte",
                       "Intégrer sur votre site")),
    CheckedView("Présentation, France", "/presentation?scope=national&lecture=pause"),
    CheckedView("Saisie (non connecté)", "/saisie"),
    CheckedView("Import (non connecté)", "/importer"),
    CheckedView("Données et méthodes", "/donnees"),
    CheckedView("Déclaration d'accessibilité", "/accessibilite"),
)

# The WCAG rule sets axe-core runs on every view (its tags): WCAG 2.0, 2.1 and 2.2, levels A
# and AA (2.2 added no level-A rule to axe-core).
AXE_RULE_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


class ScreenSize(NamedTuple):
    """A screen every page is opened on (tests/test_screen_sizes.py): name, CSS pixels."""

    name: str
    width: int
    height: int


SCREEN_SIZES: tuple[ScreenSize, ...] = (
    ScreenSize("téléphone", 390, 844),
    ScreenSize("projecteur", 1280, 720),
    ScreenSize("projecteur Full HD", 1920, 1080),
)


class ManualCheck(NamedTuple):
    """A check axe-core cannot make: the criterion (French), how it is checked (French), and
    the test function under tests/ that makes it (tests/test_accessibility_statement.py
    fails if no test has that name)."""

    criterion: str
    method: str
    test: str


MANUAL_CHECKS: tuple[ManualCheck, ...] = (
    ManualCheck("Langue de la page déclarée : français (lang=\"fr\")",
                "Chaque vue, à chaque taille d'écran, dans Chromium.",
                "test_every_page_is_served_in_french"),
    ManualCheck("Chaque cadre (iframe) a un titre en français",
                "Les titres de tous les cadres de chaque vue, dans Chromium.",
                "test_every_frame_has_a_french_title"),
    ManualCheck("Chaque graphique est une image nommée en français",
                "Dans chaque vue, à chaque taille d'écran, dans Chromium : le lecteur d'écran "
                "lit « graphique » et le titre du graphique, le dessin lui est caché (ses "
                "chiffres sont dans le texte ou le tableau qui l'accompagne).",
                "test_every_chart_is_read_as_one_image_named_in_french"),
    ManualCheck("Aucune information donnée par la couleur seule",
                "Statuts des objectifs, phases, chiffres mis à jour et légendes de la "
                "présentation : chaque couleur est aussi écrite en toutes lettres.",
                "test_every_colour_of_the_presentation_is_also_said_in_words"),
    ManualCheck("Une alternative en texte ou en tableau pour chaque graphique et chaque carte",
                "Chaque vue : à chaque graphique son tableau ou son texte, à chaque carte son "
                "tableau des communes ou sa légende chiffrée.",
                "test_every_chart_and_map_has_its_figures_in_text_or_a_table"),
    ManualCheck("Tout se fait au clavier, le focus reste visible",
                "La touche Tab parcourt la page d'accueil jusqu'au pied de page ; chaque "
                "élément atteint est visible et entouré.",
                "test_the_keyboard_reaches_every_control_with_a_visible_focus"),
    ManualCheck("Les raccourcis clavier de la présentation sont écrits à l'écran",
                "La barre de commandes de la présentation nomme ses touches (←, Espace, →).",
                "test_the_presentation_writes_its_keyboard_shortcuts_on_screen"),
    ManualCheck("Aucun texte en anglais",
                "Les textes visibles et les textes d'aide des champs de chaque vue, dans "
                "Chromium, contre une liste des textes anglais de Streamlit.",
                "test_no_page_shows_english_text"),
    ManualCheck("Téléphone (390 × 844) et projecteurs (1280 × 720, 1920 × 1080) sans "
                "défilement horizontal",
                "Chaque vue à chaque taille, dans Chromium : la page ne défile pas en largeur, "
                "les tableaux larges défilent dans leur cadre ; une capture par vue et taille.",
                "test_no_page_scrolls_sideways_on_a_phone_or_a_projector"),
    ManualCheck("Aucun texte coupé (« … ») sur un téléphone ni sur un projecteur",
                "Chaque vue à chaque taille, dans Chromium : aucun libellé (tuile, bouton, "
                "lien) n'est raccourci par des points de suspension ; il passe à la ligne.",
                "test_no_text_is_cut_off_on_a_phone_or_a_projector"),
    ManualCheck("Les textes de la présentation tiennent dans leurs cadres sur un projecteur",
                "Chiffres, libellés et lien court mesurés à 1280 × 720 et 1920 × 1080 ; le lien "
                "ne se coupe qu'avant « ?scope=… ».",
                "test_the_presentation_texts_fit_their_boxes_on_both_projectors"),
    ManualCheck("Langue servie par le serveur, avant tout script",
                "Chaque page lue en HTTP, compressée ou non : <html lang=\"fr\">.",
                "test_every_page_is_served_in_french_with_and_without_gzip"),
    ManualCheck("Textes propres à Streamlit traduits, pour un visiteur et un éditeur",
                "Chaque page, une liste et le calendrier ouverts, l'import et la saisie "
                "connectés : ni texte visible ni nom accessible en anglais.",
                "test_no_page_shows_streamlit_english_to_a_visitor_or_an_editor"),
    ManualCheck("La carte peut être passée au clavier",
                "« Passer la carte » apparaît à la touche Tab et mène après la carte.",
                "test_the_map_can_be_skipped_with_the_keyboard"),
    ManualCheck("Chaque page a son propre titre",
                "Le titre de l'onglet nomme la page ouverte, dans Chromium.",
                "test_every_page_has_its_own_title"),
    ManualCheck("Un lien vers cette déclaration en pied de chaque page",
                "Chaque page de la navigation, ouverte dans AppTest.",
                "test_every_page_links_to_the_accessibility_statement_in_its_footer"),
)

# The RGAA's mention depends on an audit's rate of criteria met: none has been made, and
# without an audit the RGAA says « non conforme ». Set the rate (0–100) when an audit is made.
RGAA_AUDIT_RATE: float | None = None


def conformity_state(audit_rate: float | None) -> str:
    """The RGAA mention: « totalement conforme » (every criterion met), « partiellement
    conforme » (at least half), « non conforme » (less, or no valid audit)."""
    if audit_rate is None or audit_rate < 50:
        return "non conforme"
    return "totalement conforme" if audit_rate >= 100 else "partiellement conforme"


CONFORMITY = conformity_state(RGAA_AUDIT_RATE)
