"""The programme's closed vocabularies: stored codes and their French labels.

Codes are what the database stores and operators script against; keep them stable.
"""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a French label."""

    @property
    def label(self) -> str:
        return LABELS[type(self)][self]

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Code → French label, in declaration order."""
        return {m.value: m.label for m in cls}


class Cohort(LabelledEnum):
    PILOT_2020 = "pilot_2020"
    EXTENSION_2021 = "extension_2021"


class Phase(LabelledEnum):
    ACCULTURATION = "acculturation"
    PARENTS_RESSOURCES = "parents_ressources"
    AUTONOMIE = "autonomie"


class WorkshopFormat(LabelledEnum):
    ATELIER_COLLECTIF = "atelier_collectif"
    ATELIER_PARENT_ENFANT = "atelier_parent_enfant"
    CAFE_DES_PARENTS = "cafe_des_parents"
    STAND_EVENEMENT = "stand_evenement"
    PERMANENCE = "permanence"
    ACCOMPAGNEMENT_INDIVIDUEL = "accompagnement_individuel"


class VenueKind(LabelledEnum):
    ECOLE = "ecole"
    COLLEGE = "college"
    LYCEE = "lycee"
    CENTRE_SOCIAL = "centre_social"
    MEDIATHEQUE = "mediatheque"
    FRANCE_SERVICES = "france_services"
    SALLE_MUNICIPALE = "salle_municipale"
    MDS = "mds"
    TIERS_LIEU = "tiers_lieu"
    EVENEMENT = "evenement"
    AUTRE = "autre"


class FacilitatorKind(LabelledEnum):
    CNFS = "cnfs"
    PARENT_RESSOURCE = "parent_ressource"
    SCHOOL_STAFF = "school_staff"
    PARTNER = "partner"


class Theme(LabelledEnum):
    ENT = "ent"
    FRANCECONNECT = "franceconnect"
    MESSAGERIE = "messagerie"
    PRISE_EN_MAIN = "prise_en_main"
    ECRANS = "ecrans_controle_parental"
    IDENTITE_NUMERIQUE = "identite_numerique"
    RESSOURCES_EDUCATIVES = "ressources_educatives"
    SUIVI_SCOLARITE = "suivi_scolarite"
    ORIENTATION_BOURSES = "orientation_bourses"
    PIX = "pix"
    CODAGE = "codage"
    PARENTALITE = "parentalite"


class SchoolLevel(LabelledEnum):
    MATERNELLE = "maternelle"
    ELEMENTAIRE = "elementaire"
    COLLEGE = "college"
    LYCEE = "lycee"


class EducationPrioritaire(LabelledEnum):
    REP = "REP"
    REP_PLUS = "REP+"


class EmployerKind(LabelledEnum):
    COMMUNE = "commune"
    COMMUNAUTE_COMMUNES = "communaute_communes"
    AGGLOMERATION = "agglomeration"
    DEPARTEMENT = "departement"
    REGION = "region"
    CENTRE_SOCIAL = "centre_social"
    MISSION_LOCALE = "mission_locale"
    ASSOCIATION = "association"
    OTHER_PUBLIC = "other_public"
    OTHER = "other"


class Source(LabelledEnum):
    DEMO = "demo"
    FORM = "form"
    IMPORT = "import"
    COOP = "coop"
    PROGRAMME = "programme"  # the programme's published targets (programme.py)


class ScopeKind(LabelledEnum):
    NATIONAL = "national"
    DEPARTEMENT = "departement"
    COMMUNE = "commune"


LABELS: dict[type, dict[StrEnum, str]] = {}


def register_labels(enum: type, labels: dict) -> None:
    """Give an enum defined elsewhere (e.g. ``access.Role``) its French labels."""
    LABELS[enum] = labels


LABELS |= {
    Cohort: {
        Cohort.PILOT_2020: "Pilote (rentrée 2020)",
        Cohort.EXTENSION_2021: "Extension (rentrée 2021)",
    },
    Phase: {
        Phase.ACCULTURATION: "Année 1 — acculturation",
        Phase.PARENTS_RESSOURCES: "Année 2 — Parents Ressources",
        Phase.AUTONOMIE: "Année 3 — autonomie",
    },
    WorkshopFormat: {
        WorkshopFormat.ATELIER_COLLECTIF: "Atelier collectif",
        WorkshopFormat.ATELIER_PARENT_ENFANT: "Atelier parent-enfant",
        WorkshopFormat.CAFE_DES_PARENTS: "Café des parents",
        WorkshopFormat.STAND_EVENEMENT: "Stand lors d'un événement",
        WorkshopFormat.PERMANENCE: "Permanence",
        WorkshopFormat.ACCOMPAGNEMENT_INDIVIDUEL: "Accompagnement individuel",
    },
    VenueKind: {
        VenueKind.ECOLE: "École",
        VenueKind.COLLEGE: "Collège",
        VenueKind.LYCEE: "Lycée",
        VenueKind.CENTRE_SOCIAL: "Centre social",
        VenueKind.MEDIATHEQUE: "Médiathèque",
        VenueKind.FRANCE_SERVICES: "France Services",
        VenueKind.SALLE_MUNICIPALE: "Salle municipale",
        VenueKind.MDS: "Maison départementale des solidarités",
        VenueKind.TIERS_LIEU: "Tiers-lieu",
        VenueKind.EVENEMENT: "Événement",
        VenueKind.AUTRE: "Autre lieu",
    },
    FacilitatorKind: {
        FacilitatorKind.CNFS: "Conseiller numérique (CNFS)",
        FacilitatorKind.PARENT_RESSOURCE: "Parent Ressource",
        FacilitatorKind.SCHOOL_STAFF: "Personnel éducatif",
        FacilitatorKind.PARTNER: "Partenaire",
    },
    Theme: {
        Theme.ENT: "ENT",
        Theme.FRANCECONNECT: "FranceConnect",
        Theme.MESSAGERIE: "Messagerie",
        Theme.PRISE_EN_MAIN: "Prise en main du matériel",
        Theme.ECRANS: "Écrans et contrôle parental",
        Theme.IDENTITE_NUMERIQUE: "Identité numérique et données personnelles",
        Theme.RESSOURCES_EDUCATIVES: "Ressources éducatives",
        Theme.SUIVI_SCOLARITE: "Suivi de la scolarité",
        Theme.ORIENTATION_BOURSES: "Orientation et bourses",
        Theme.PIX: "Pix",
        Theme.CODAGE: "Codage",
        Theme.PARENTALITE: "Place du parent et routines",
    },
    SchoolLevel: {
        SchoolLevel.MATERNELLE: "École maternelle",
        SchoolLevel.ELEMENTAIRE: "École élémentaire",
        SchoolLevel.COLLEGE: "Collège",
        SchoolLevel.LYCEE: "Lycée",
    },
    EducationPrioritaire: {
        EducationPrioritaire.REP: "REP",
        EducationPrioritaire.REP_PLUS: "REP+",
    },
    EmployerKind: {
        EmployerKind.COMMUNE: "Commune",
        EmployerKind.COMMUNAUTE_COMMUNES: "Communauté de communes",
        EmployerKind.AGGLOMERATION: "Communauté d'agglomération, urbaine ou métropole",
        EmployerKind.DEPARTEMENT: "Département",
        EmployerKind.REGION: "Région",
        EmployerKind.CENTRE_SOCIAL: "Centre social",
        EmployerKind.MISSION_LOCALE: "Mission locale",
        EmployerKind.ASSOCIATION: "Association (dont Croix-Rouge)",
        EmployerKind.OTHER_PUBLIC: "Autre organisme public",
        EmployerKind.OTHER: "Autre employeur privé",
    },
    Source: {
        Source.DEMO: "Démonstration",
        Source.FORM: "Saisie",
        Source.IMPORT: "Import",
        Source.COOP: "Coop de la médiation numérique",
        Source.PROGRAMME: "Objectif du programme",
    },
    ScopeKind: {
        ScopeKind.NATIONAL: "France entière",
        ScopeKind.DEPARTEMENT: "Département",
        ScopeKind.COMMUNE: "Commune",
    },
}


# A commune's place in its yearly roll-out: not engaged yet, then one Phase a year.
NOT_ENGAGED = "not_engaged"
PHASE_ORDER = (NOT_ENGAGED, Phase.ACCULTURATION.value, Phase.PARENTS_RESSOURCES.value,
               Phase.AUTONOMIE.value)
PHASE_LABELS = {NOT_ENGAGED: "Non engagée", **Phase.labels()}
# « 10 communes en acculturation »: a commune's state in a sentence.
PHASE_STATES = {NOT_ENGAGED: "pas encore engagée(s)", Phase.ACCULTURATION.value:
                "en acculturation", Phase.PARENTS_RESSOURCES.value: "en phase Parents Ressources",
                Phase.AUTONOMIE.value: "en autonomie"}
