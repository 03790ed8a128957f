"""OIDC against a real identity provider (issue 21, point 4): npm's oidc-provider on
loopback, the app's « Se connecter avec ProConnect » in Chromium, the provider's login page,
back signed in with the role and départements its ID token carries (the claim mapping of
TNE_DASH_OIDC_ROLE_CLAIM and TNE_DASH_OIDC_DEPARTEMENTS_CLAIM), then signed out."""

from __future__ import annotations

import pytest
from browser import chromium_page, screenshot, streamlit_server, wait_until_rendered
from oidc_provider import auth_secrets, oidc_provider
from postgres import free_port

pytestmark = pytest.mark.browser

USERS = {
    "claire.oidc": {"password": "Mot-de-passe-du-fournisseur-1", "claims": {
        "sub": "claire-0001", "email": "claire.oidc@exemple.fr", "email_verified": True,
        "name": "Claire Oidc", "tne_role": "editeur", "tne_departements": ["95", "86"]}},
}


def test_signing_in_with_the_identity_provider_gives_the_rights_of_its_claims(
        built_db_url, tmp_path):
    port = free_port()
    app_base = f"http://127.0.0.1:{port}"
    with oidc_provider(f"{app_base}/oauth2callback", USERS) as issuer, \
            streamlit_server(built_db_url, port=port,
                             secrets_file=auth_secrets(tmp_path / "secrets.toml", app_base,
                                                       issuer),
                             TNE_DASH_ACCOUNTS_FILE=str(tmp_path / "accounts.toml"),
                             TNE_DASH_OIDC_ROLE_CLAIM="tne_role",
                             TNE_DASH_OIDC_DEPARTEMENTS_CLAIM="tne_departements") as base, \
            chromium_page() as (page, outside, errors):
        page.goto(f"{base}/saisie")
        wait_until_rendered(page)
        main = page.locator('[data-testid="stMain"]')
        assert main.get_by_text("Vous n'êtes pas connecté").count() == 1
        main.get_by_role("button", name="Se connecter avec ProConnect").click()

        page.wait_for_url(f"{issuer}/interaction/**", timeout=30_000)  # the provider's page
        page.get_by_label("Identifiant").fill("claire.oidc")
        page.get_by_label("Mot de passe").fill("mauvais")
        page.get_by_role("button", name="Valider").click()
        page.get_by_text("Identifiant ou mot de passe incorrect.").wait_for(timeout=10_000)
        page.get_by_label("Identifiant").fill("claire.oidc")
        page.get_by_label("Mot de passe").fill(USERS["claire.oidc"]["password"])
        page.get_by_role("button", name="Valider").click()

        page.wait_for_url(f"{base}/**", timeout=30_000)  # back in the app, signed in
        page.get_by_text("Connecté : Claire Oidc").wait_for(timeout=30_000)
        wait_until_rendered(page)
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "Connecté : Claire Oidc — éditeur (86, 95)" in sidebar

        page.goto(f"{base}/saisie")  # a deep link, a new session: still signed in
        wait_until_rendered(page)
        page.get_by_text("Saisir un atelier").wait_for(timeout=30_000)
        screenshot(page, "oidc-saisie")
        page.reload()
        wait_until_rendered(page)
        assert page.get_by_text("Connecté : Claire Oidc").count() == 1

        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(f"{issuer}/**", timeout=30_000)  # the provider ends its session too
        page.get_by_role("button", name="Oui, me déconnecter").click()
        page.wait_for_url(f"{base}/**", timeout=30_000)
        wait_until_rendered(page)
        page.get_by_text("Espace éditeurs").wait_for(timeout=30_000)
        page.goto(f"{base}/saisie")
        wait_until_rendered(page)
        assert page.get_by_text("Vous n'êtes pas connecté").count() == 1
        assert page.locator('[data-testid="stException"]').count() == 0
        assert errors == [] and outside == []
