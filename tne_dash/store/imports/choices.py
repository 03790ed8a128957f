"""The labels the import templates publish for each closed list, and what they accept.

A cell is matched without accents, case or extra spaces; the app's own French labels and the
stored codes are accepted too, so a file exported from the dashboard imports back.
"""

from __future__ import annotations

from dataclasses import dataclass

from tne_dash.store.imports.fields import label_key
from tne_dash.vocabulary import (
    FacilitatorKind,
    LabelledEnum,
    Phase,
    Theme,
    VenueKind,
    WorkshopFormat,
)


@dataclass(frozen=True)
class Choices:
    """One closed list: the labels a template shows, and every spelling it accepts."""

    published: dict[str, str]  # template label → code, in template order
    aliases: dict[str, str]  # label key → code

    @property
    def labels(self) -> list[str]:
        return list(self.published)


def _choices(enum: type[LabelledEnum], published: dict[str, LabelledEnum],
             extra: dict[str, LabelledEnum] | None = None) -> Choices:
    aliases: dict[str, str] = {}
    for member in enum:
        aliases[label_key(member.value)] = member.value
        aliases[label_key(member.label)] = member.value
    for label, member in (published | (extra or {})).items():
        aliases[label_key(label)] = member.value
    return Choices({label: m.value for label, m in published.items()}, aliases)


PHASES = _choices(Phase, {
    "acculturation": Phase.ACCULTURATION,
    "parents ressources": Phase.PARENTS_RESSOURCES,
    "autonomie": Phase.AUTONOMIE,
}, {"année 1": Phase.ACCULTURATION, "année 2": Phase.PARENTS_RESSOURCES,
    "année 3": Phase.AUTONOMIE})

FORMATS = _choices(WorkshopFormat, {
    "atelier collectif": WorkshopFormat.ATELIER_COLLECTIF,
    "atelier parent-enfant": WorkshopFormat.ATELIER_PARENT_ENFANT,
    "café des parents": WorkshopFormat.CAFE_DES_PARENTS,
    "stand lors d'un événement": WorkshopFormat.STAND_EVENEMENT,
    "permanence": WorkshopFormat.PERMANENCE,
    "accompagnement individuel": WorkshopFormat.ACCOMPAGNEMENT_INDIVIDUEL,
})

VENUE_KINDS = _choices(VenueKind, {
    "école": VenueKind.ECOLE,
    "collège": VenueKind.COLLEGE,
    "lycée": VenueKind.LYCEE,
    "centre social": VenueKind.CENTRE_SOCIAL,
    "médiathèque": VenueKind.MEDIATHEQUE,
    "France Services": VenueKind.FRANCE_SERVICES,
    "salle municipale": VenueKind.SALLE_MUNICIPALE,
    "MDS": VenueKind.MDS,
    "tiers-lieu": VenueKind.TIERS_LIEU,
    "événement": VenueKind.EVENEMENT,
    "autre": VenueKind.AUTRE,
}, {"bibliothèque": VenueKind.MEDIATHEQUE, "mairie": VenueKind.SALLE_MUNICIPALE})

FACILITATORS = _choices(FacilitatorKind, {
    "CNFS": FacilitatorKind.CNFS,
    "Parent Ressource": FacilitatorKind.PARENT_RESSOURCE,
    "personnel éducatif": FacilitatorKind.SCHOOL_STAFF,
    "partenaire": FacilitatorKind.PARTNER,
}, {"conseiller numérique": FacilitatorKind.CNFS,
    "parents ressources": FacilitatorKind.PARENT_RESSOURCE})

THEMES = _choices(Theme, {
    "ENT": Theme.ENT,
    "FranceConnect": Theme.FRANCECONNECT,
    "messagerie": Theme.MESSAGERIE,
    "prise en main du matériel": Theme.PRISE_EN_MAIN,
    "écrans et contrôle parental": Theme.ECRANS,
    "identité numérique et données personnelles": Theme.IDENTITE_NUMERIQUE,
    "ressources éducatives": Theme.RESSOURCES_EDUCATIVES,
    "suivi de la scolarité": Theme.SUIVI_SCOLARITE,
    "orientation et bourses": Theme.ORIENTATION_BOURSES,
    "Pix": Theme.PIX,
    "codage": Theme.CODAGE,
    "place du parent et routines": Theme.PARENTALITE,
}, {"parentalité": Theme.PARENTALITE, "Pronote": Theme.ENT, "e-mail": Theme.MESSAGERIE})
