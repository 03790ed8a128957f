"""The pages of the app, in menu order: one list for app.py, the home page's directory, the
server's preloading and the bench. A page out of the menu (the accessibility statement,
reached from every page's footer) is still routable at its address."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from tne_dash import PROJECT_ROOT


@dataclass(frozen=True)
class PageSpec:
    """A page: its file under pages/, French title, icon and what it is for; ``in_menu``
    False keeps it out of the sidebar and the home page's directory (``st.Page``'s
    ``visibility="hidden"``), routable all the same."""

    file: str
    title: str
    icon: str
    purpose: str
    default: bool = False
    in_menu: bool = True

    @property
    def url_path(self) -> str:
        # Must equal the file name: the cold deep-link fix in shell.py relies on it.
        return self.file.removesuffix(".py")

    @property
    def path(self) -> str:
        return f"pages/{self.file}"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("accueil.py", "Accueil", ":material/home:",
             "Les chiffres clés du programme, pour un territoire et une date.", default=True),
    PageSpec("carte.py", "Carte", ":material/map:",
             "Les départements TNE, les communes par phase ou par indicateur, les conseillers "
             "numériques, les lieux d'atelier et les établissements."),
    PageSpec("indicateurs.py", "Indicateurs", ":material/query_stats:",
             "Tous les filtres, les chiffres et leur évolution, un tableau par territoire, "
             "les ventilations et les exports."),
    PageSpec("deploiement.py", "Déploiement", ":material/timeline:",
             "Chaque commune engagée, ses trois années de déploiement et ses objectifs : qui "
             "est en bonne voie, qui est en retard."),
    PageSpec("comparer.py", "Comparer", ":material/compare_arrows:",
             "Deux à six communes côte à côte, pour 1 000 habitants, avec les communes "
             "comparables, leur rang dans le département et une fiche PDF."),
    PageSpec("presentation.py", "Présentation", ":material/co_present:",
             "Pour un webinaire ou une salle : les chiffres en très grand sur un projecteur, "
             "qui défilent et se mettent à jour seuls. Ajoutez ?scope=departement:86 au lien."),
    PageSpec("saisie.py", "Saisie", ":material/edit_note:",
             "Éditeurs : enregistrer un atelier (date, lieu, effectifs — jamais de noms)."),
    PageSpec("importer.py", "Import", ":material/upload_file:",
             "Éditeurs : importer ateliers, export de la Coop, Parents Ressources et objectifs ; "
             "journal des imports."),
    PageSpec("donnees.py", "Données et méthodes", ":material/menu_book:",
             "Chaque indicateur, son mode de calcul, et les sources des données avec leurs "
             "licences et millésimes."),
    PageSpec("accessibilite.py", "Déclaration d'accessibilité", ":material/accessibility_new:",
             "Ce qui est conforme au RGAA, ce qui ne l'est pas encore, comment c'est vérifié "
             "et comment nous signaler un problème.", in_menu=False),
)


def build_navigation() -> st.navigation:
    """The ``st.navigation`` of every page, French titles, URL = file name; the pages out of
    the menu hidden from the sidebar."""
    return st.navigation([
        st.Page(str(PROJECT_ROOT / spec.path), title=spec.title, icon=spec.icon,
                url_path=None if spec.default else spec.url_path, default=spec.default,
                visibility="visible" if spec.in_menu else "hidden")
        for spec in PAGES
    ])
