"""The rules behind the figures, in French, written from the constants that apply them — the
Données page shows them, so what it says is what the code does."""

from __future__ import annotations

from tne_dash.figures.indicators import ACTIVE_REPORT_MAX_AGE
from tne_dash.figures.privacy import MASK, ROUNDED_TO
from tne_dash.figures.vigilance_rules import SEVERITY_LABELS, VIEW_NAMES, VIGILANCE_RULES


def calculation_rules() -> list[tuple[str, str]]:
    """(rule, French statement) for every rule a reader of a figure should know."""
    return [
        ("Relevés Parents Ressources",
         "Les relevés d'une commune ne se chevauchent jamais : un import dont la période "
         "chevauche un relevé déjà enregistré (ou une autre ligne du fichier) pour la même "
         "commune est refusé, en nommant les deux périodes ; réimporter la même période "
         "remplace le relevé. Recrutés et réunions : somme des relevés dont la fin tombe dans "
         "la période choisie."),
        ("Parents Ressources actifs",
         "Pour chaque commune, un seul relevé : le dernier avant la date (fin la plus "
         "récente, puis le plus récemment enregistré), compté s'il a moins de "
         f"{ACTIVE_REPORT_MAX_AGE.days} jours ; sinon la commune n'a « pas de relevé "
         "récent » et ne compte pas."),
        ("Petits effectifs (vue publique)",
         f"Les effectifs de personnes d'une commune (une commune, une sélection de communes, "
         f"un mois d'une commune) sont arrondis à {ROUNDED_TO} près, et ceux de 1 à 4 "
         f"affichés « {MASK} » ; les taux et parts en découlent. Les totaux au-delà de la "
         "commune restent exacts ; les éditeurs connectés voient les valeurs exactes."),
        ("Filtres des ateliers",
         "Thème, format, type de lieu, animateur et phase ne filtrent que les ateliers ; le "
         "niveau scolaire filtre les ateliers et les établissements cibles. Les autres "
         "chiffres (Parents Ressources, CNFS, communes engagées…) restent ceux du territoire "
         "et sont marqués « non filtré par … » sur la page, dans les exports et la ligne de "
         "commande ; si aucun atelier ne correspond, la page le dit."),
        ("Niveau scolaire",
         "Un atelier dit qu'il a eu lieu dans une école, jamais si elle est maternelle ou "
         "élémentaire : ces deux niveaux n'en font qu'un, « École (maternelle et "
         "élémentaire) », pour les ateliers comme pour les établissements cibles."),
        ("Éducation prioritaire",
         "« REP/REP+ seulement » garde les communes ayant au moins une école ou un collège "
         "REP/REP+, et tous leurs chiffres (ateliers, Parents Ressources, établissements "
         "cibles REP ou non)."),
        ("% de l'objectif",
         "Un pourcentage divise le réalisé par l'objectif des mêmes communes : pour une "
         "sélection de communes, la somme de leurs objectifs ; si l'une n'en a pas, pas de "
         "pourcentage, et la colonne « Base du % objectif » dit pourquoi."),
        ("Données de démonstration",
         "Tout chiffre calculé à partir d'une ligne de démonstration (ateliers, Parents "
         "Ressources, déploiements, établissements cibles et volets PCN, stratégies) porte la "
         "mention « Données de démonstration », sur les pages, les exports, la fiche PDF et "
         "la ligne de commande."),
    ]


def vigilance_rules() -> list[tuple[str, str, str, str, str]]:
    """(rule, threshold, French statement, severity, page its link opens) for every rule of
    the points de vigilance (``figures/vigilance.py``), in the order they are listed."""
    return [(rule.title, rule.threshold, rule.help, SEVERITY_LABELS[rule.severity],
             VIEW_NAMES[rule.view]) for rule in VIGILANCE_RULES]
