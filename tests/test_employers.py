"""Employer kind derived from the name and type of the real CNFS host structures."""

from __future__ import annotations

import pytest

from tne_dash import REFERENCE_DIR
from tne_dash.store.employers import derive_employer_kind
from tne_dash.store.reference import load_cnfs_structures


@pytest.mark.parametrize(
    ("name", "public_private", "kind"),
    [
        ("COMMUNE DE POITIERS", "publique", "commune"),
        ("COMMUNE D'ORLEANS", "publique", "commune"),
        ("CENTRE COMMUNAL D'ACTION SOCIALE DE BEZONS", "publique", "commune"),
        ("COMMUNAUTE DE COMMUNES DU HAUT-POITOU", "publique", "communaute_communes"),
        ("CC DES VALLEES DU CLAIN", "publique", "communaute_communes"),
        ("CA GRAND CHATELLERAULT", "publique", "agglomeration"),
        ("COMMUNAUTE URBAINE DE DUNKERQUE", "publique", "agglomeration"),
        ("METROPOLE EUROPEENNE DE LILLE", "publique", "agglomeration"),
        ("DEPARTEMENT DE LA VIENNE", "publique", "departement"),
        ("REGION GUADELOUPE", "publique", "region"),
        ("CENTRE SOCIAL DU PLATEAU", "privée", "centre_social"),
        ("MISSION LOCALE DU NORD VIENNE", "privée", "mission_locale"),
        ("CROIX ROUGE FRANCAISE", "privée", "association"),
        ("ASS COMMUNIQUER LIRE ECRIRE", "privée", "association"),
        ("RESEAU CANOPE", "publique", "other_public"),
        ("CHAMBRE DEPARTEMENTALE D'AGRICULTURE", "publique", "other_public"),
        ("LA POSTE", "privée", "other"),
        ("ASSOCIATION DU DEPARTEMENT", "privée", "association"),
    ],
)
def test_employer_kind_is_read_from_the_name(name, public_private, kind):
    assert derive_employer_kind(name, public_private) == kind


def test_the_vienne_structures_split_as_the_programme_describes():
    cnfs = load_cnfs_structures(REFERENCE_DIR)
    vienne = cnfs[cnfs["commune_code"].str.startswith("86")]
    assert (len(vienne), vienne["posts"].sum()) == (23, 37)
    by_kind = vienne.groupby("employer_kind")["posts"].agg(["count", "sum"])
    assert tuple(by_kind.loc["commune"]) == (8, 10)  # 10 posts in 8 communes
    assert tuple(by_kind.loc["communaute_communes"]) == (4, 9)  # 9 posts in 4 CC
    assert tuple(by_kind.loc["agglomeration"]) == (1, 3)  # 3 in the agglomération
    assert tuple(by_kind.loc["departement"]) == (1, 5)  # 5 for the Département
    assert tuple(by_kind.loc["mission_locale"]) == (3, 3)  # one in each mission locale
    croix_rouge = vienne[vienne["name"].str.contains("CROIX ROUGE")]
    assert list(croix_rouge["employer_kind"]) == ["association"]
