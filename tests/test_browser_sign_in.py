"""Real browser (issue 21): a local sign-in survives a reload, a new tab and a link, and ends
on « Se déconnecter »; a tampered cookie reads as nobody, without an error; the first
administrator's one-time link creates the account once."""

from __future__ import annotations

import io
import time
from dataclasses import replace

import pytest
from browser import chromium_page, screenshot, streamlit_server, wait_until_rendered

from tne_dash import signin
from tne_dash.access import Account, Role, hash_password, load_accounts, save_accounts
from tne_dash.cli import prepare_sign_in
from tne_dash.config import Settings

pytestmark = pytest.mark.browser
PASSWORD = "Bezons-95063-atelier"


def signed_in_as(page) -> str:
    """The sidebar's « Connecté : … » line, or '' for an anonymous viewer."""
    caption = page.locator('[data-testid="stSidebar"]').get_by_text("Connecté :")
    return caption.inner_text().strip() if caption.count() else ""


def test_a_local_sign_in_survives_a_reload_and_ends_on_sign_out(writable_built_url, tmp_path):
    accounts = tmp_path / "accounts.toml"
    save_accounts(accounts, [Account("claire", Role.EDITEUR, frozenset({"95"}),
                                     password_hash=hash_password(PASSWORD))])
    with streamlit_server(writable_built_url, TNE_DASH_ACCOUNTS_FILE=str(accounts)) as base, \
            chromium_page() as (page, outside, errors):
        page.goto(f"{base}/saisie")
        wait_until_rendered(page)
        main = page.locator('[data-testid="stMain"]')
        main.get_by_label("Identifiant").fill("claire")
        main.get_by_label("Mot de passe", exact=True).fill("mauvais mot de passe")
        main.get_by_role("button", name="Se connecter").click()
        main.get_by_text("Identifiant ou mot de passe incorrect.").wait_for(timeout=30_000)
        wait_until_rendered(page)
        assert signed_in_as(page) == ""

        main.get_by_label("Identifiant").fill("claire")
        main.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        main.get_by_role("button", name="Se connecter").click()
        page.get_by_text("Saisir un atelier").wait_for(timeout=30_000)
        wait_until_rendered(page)
        assert page.url == f"{base}/saisie"  # back on the page, the error code gone
        assert signed_in_as(page) == "Connecté : claire — éditeur (95)"
        (cookie,) = [c for c in page.context.cookies() if c["name"] == signin.COOKIE_NAME]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]
        assert 8 * 3600 - 120 < cookie["expires"] - time.time() <= 8 * 3600
        assert page.evaluate("document.cookie").find(signin.COOKIE_NAME) == -1

        page.reload()
        wait_until_rendered(page)
        assert signed_in_as(page) == "Connecté : claire — éditeur (95)"
        assert page.get_by_text("Saisir un atelier").count() == 1

        tab = page.context.new_page()  # a new tab, opened by a link
        tab.goto(f"{base}/importer?scope=tne")
        wait_until_rendered(tab)
        assert tab.get_by_text("Importer des données").count() >= 1
        assert signed_in_as(tab) == "Connecté : claire — éditeur (95)"
        tab.close()
        screenshot(page, "connexion-locale")

        page.get_by_role("button", name="Se déconnecter").click()
        page.get_by_text("Vous n'êtes pas connecté").wait_for(timeout=30_000)
        wait_until_rendered(page)
        assert signed_in_as(page) == ""
        assert not [c for c in page.context.cookies() if c["name"] == signin.COOKIE_NAME]
        page.reload()
        wait_until_rendered(page)
        assert signed_in_as(page) == ""
        assert page.get_by_text("Vous n'êtes pas connecté").count() == 1

        # A cookie someone edited (another account's name, the old signature): nobody.
        payload, signature = cookie["value"].split(".")
        forged = signin._b64(signin._unb64(payload).replace(b'"claire"', b'"root"'))
        page.context.add_cookies([{**cookie, "value": f"{forged}.{signature}"}])
        page.goto(f"{base}/importer")
        wait_until_rendered(page)
        assert signed_in_as(page) == ""
        assert page.get_by_text("Vous n'êtes pas connecté").count() == 1
        assert page.locator('[data-testid="stException"]').count() == 0
        assert errors == [] and outside == []


def test_the_setup_link_creates_the_first_admin_then_refuses_reuse(built_db_url, tmp_path):
    accounts = tmp_path / "accounts.toml"
    secret = tmp_path / "session_secret"
    settings = replace(Settings(), accounts_file=accounts, session_secret_file=secret)
    with streamlit_server(built_db_url, TNE_DASH_ACCOUNTS_FILE=str(accounts),
                          TNE_DASH_SESSION_SECRET_FILE=str(secret)) as base, \
            chromium_page() as (page, outside, errors):
        page.goto(f"{base}/saisie")  # a fresh install: the pages say where to look
        wait_until_rendered(page)
        main = page.locator('[data-testid="stMain"]')
        assert main.get_by_text("affiche dans le terminal un lien").count() == 1

        link = prepare_sign_in(settings, "127.0.0.1", int(base.rsplit(":", 1)[1]),
                               stream=io.StringIO())
        page.goto(f"{base}/auth/premier-admin?jeton=mauvais")
        assert page.locator("h1").inner_text() == "Lien invalide"

        page.goto(link)
        assert page.locator("h1").inner_text() == "Créer le premier administrateur"
        page.get_by_label("Identifiant").fill("root")
        page.get_by_label("Mot de passe", exact=True).fill("court")
        page.get_by_label("Confirmez le mot de passe").fill("court")
        page.get_by_role("button", name="Créer le compte et se connecter").click()
        page.get_by_text("mot de passe trop court").wait_for(timeout=10_000)
        screenshot(page, "premier-admin-refus")
        assert not accounts.exists()

        page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
        page.get_by_label("Départements suivis (facultatif)").fill("95")
        page.get_by_role("button", name="Créer le compte et se connecter").click()
        page.wait_for_url(f"{base}/", timeout=30_000)
        wait_until_rendered(page)
        assert signed_in_as(page) == "Connecté : root — administrateur"
        assert load_accounts(accounts)["root"].is_admin

        page.goto(link)  # the link served once
        assert page.locator("h1").inner_text() == "Installation déjà faite"
        page.goto(f"{base}/importer")
        wait_until_rendered(page)
        assert signed_in_as(page) == "Connecté : root — administrateur"
        assert page.locator('[data-testid="stException"]').count() == 0
        assert errors == [] and outside == []
