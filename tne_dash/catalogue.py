"""The indicator catalogue: the one list of what the dashboard measures.

Operators script against the codes: keep them stable. ``indicators.compute_indicator_table``
is the one place that computes them.
"""

from __future__ import annotations

from dataclasses import dataclass

PER_1000 = "_per_1000_inhabitants"
ALL_SCOPES = ("national", "tne", "departement", "commune")
ABOVE_COMMUNE = ("national", "tne", "departement")


@dataclass(frozen=True)
class Indicator:
    """One indicator: its code, French label and unit, how it is computed, and where it applies."""

    code: str
    label: str
    unit: str
    computation: str
    higher_is_better: bool = True
    scopes: tuple[str, ...] = ALL_SCOPES
    # Has a ``<code>_per_1000_inhabitants`` variant.
    per_capita: bool = False
    # A count of people (the public small-count masking rule applies at commune level).
    counts_people: bool = False
    # Decimals shown in the UI.
    decimals: int = 0


BASE_INDICATORS: tuple[Indicator, ...] = (
    Indicator("workshops", "Ateliers", "ateliers",
              "Nombre d'ateliers et d'accompagnements enregistrés sur la période.",
              per_capita=True),
    Indicator("participations", "Participations de parents", "participations",
              "Somme des parents présents, atelier par atelier (un parent venu deux fois "
              "compte deux fois).", per_capita=True, counts_people=True),
    Indicator("parents_reached", "Parents touchés", "parents",
              "Parents distincts : somme des parents venus pour la première fois.",
              per_capita=True, counts_people=True),
    Indicator("children_reached", "Enfants présents", "enfants",
              "Somme des enfants présents aux ateliers.", per_capita=True, counts_people=True),
    Indicator("workshop_hours", "Heures d'atelier", "heures",
              "Somme des durées des ateliers, en heures.", per_capita=True, decimals=1),
    Indicator("venues", "Lieux d'atelier actifs", "lieux",
              "Lieux ayant accueilli au moins un atelier sur la période.", per_capita=True),
    Indicator("parents_ressources_recruited", "Parents Ressources recrutés", "parents",
              "Somme des Parents Ressources recrutés, par période déclarée (dont la fin tombe "
              "dans la période choisie). Les relevés d'une commune ne se chevauchent jamais : "
              "un import qui chevaucherait un relevé existant est refusé.", per_capita=True,
              counts_people=True),
    Indicator("parents_ressources_active", "Parents Ressources actifs", "parents",
              "Parents Ressources actifs au dernier relevé de chaque commune avant la fin de "
              "la période (un seul relevé par commune : la fin la plus récente, puis le plus "
              "récemment enregistré), s'il a moins de 365 jours ; sinon la commune n'a « pas "
              "de relevé récent » et ne compte pas.", per_capita=True, counts_people=True),
    Indicator("parents_ressources_meetings", "Réunions de Parents Ressources", "réunions",
              "Somme des réunions de Parents Ressources déclarées sur la période."),
    Indicator("cnfs_posts", "Postes de conseillers numériques", "postes",
              "Postes de CNFS validés en COSELEC (fichier ANCT du 5 avril 2023), quelle que "
              "soit la période.", per_capita=True),
    Indicator("cnfs_structures", "Structures d'accueil de CNFS", "structures",
              "Structures d'accueil de CNFS (fichier ANCT du 5 avril 2023)."),
    Indicator("communes_engaged", "Communes engagées", "communes",
              "Communes dont l'année 1 du déploiement a commencé avant la fin de la période.",
              scopes=ABOVE_COMMUNE),
    Indicator("target_schools", "Établissements cibles", "établissements",
              "Écoles, collèges et lycées cibles de la stratégie départementale."),
    Indicator("target_schools_with_pcn", "Établissements cibles avec un volet PCN",
              "établissements",
              "Établissements cibles dont le projet d'école ou d'établissement a un volet "
              "« numérique et parentalité » à la fin de la période."),
    Indicator("target_schools_with_pcn_pct", "Part des établissements cibles avec un volet PCN",
              "%", "Établissements cibles avec un volet PCN ÷ établissements cibles × 100 "
              "(objectif du programme : 25 %).", decimals=1),
    Indicator("strategies_validated", "Stratégies départementales validées", "stratégies",
              "Stratégies « Numérique et Parentalité » validées avant la fin de la période "
              "(objectif du programme : 10).", scopes=ABOVE_COMMUNE),
    Indicator("tne_departements", "Départements TNE", "départements",
              "Départements des Territoires Numériques Éducatifs dans le périmètre.",
              scopes=ABOVE_COMMUNE),
    Indicator("teachers_participating", "Enseignants participants", "enseignants",
              "Somme des enseignants participants déclarés sur la période.", counts_people=True),
    Indicator("mallette_consultations", "Consultations de la mallette de la coéducation",
              "consultations", "Somme des consultations déclarées sur la période."),
    Indicator("pix_courses", "Parcours Pix suivis par des parents", "parcours",
              "Somme des parcours Pix terminés par des parents, déclarés sur la période."),
)


def _per_capita_variant(base: Indicator) -> Indicator:
    return Indicator(
        code=base.code + PER_1000,
        label=f"{base.label} pour 1 000 habitants",
        unit=f"{base.unit} pour 1 000 hab.",
        computation=f"{base.label} × 1 000 ÷ population municipale (INSEE, millésime 2023).",
        higher_is_better=base.higher_is_better,
        scopes=base.scopes,
        decimals=1,
    )


CATALOGUE: dict[str, Indicator] = {
    ind.code: ind
    for base in BASE_INDICATORS
    for ind in ((base, _per_capita_variant(base)) if base.per_capita else (base,))
}


def get_indicator(code: str) -> Indicator:
    """The catalogue entry for ``code``; KeyError with a French message when unknown."""
    try:
        return CATALOGUE[code]
    except KeyError:
        raise KeyError(f"Indicateur inconnu : « {code} ».") from None
