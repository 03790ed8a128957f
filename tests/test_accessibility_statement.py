"""The « Déclaration d'accessibilité » page (RGAA 4.1 model): it claims only the checks the
tests make, lists what axe-core checks from the same list, shows the contact setting, and is
out of the menu but answers at /accessibilite and at the foot of every page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from apptest import open_page, plain_tables
from browser import chromium_page, streamlit_server, wait_until_rendered

from tne_dash.accessibility import (
    AXE_RULE_TAGS,
    AXE_VIEWS,
    CONFORMITY,
    MANUAL_CHECKS,
    RGAA_AUDIT_RATE,
    SCREEN_SIZES,
    conformity_state,
)
from tne_dash.config import DEFAULT_ACCESSIBILITY_CONTACT, Settings
from tne_dash.screens.accessibilite import statement
from tne_dash.ui.navigation import PAGES

TESTS = Path(__file__).resolve().parent


def test_every_manual_check_names_a_test_that_exists():
    """The statement cannot claim a check that no test makes."""
    defined = {name for path in TESTS.glob("test_*.py")
               for name in re.findall(r"^def (test_\w+)\(", path.read_text(encoding="utf-8"),
                                      re.MULTILINE)}
    assert [check.test for check in MANUAL_CHECKS if check.test not in defined] == []
    assert len({check.test for check in MANUAL_CHECKS}) == len(MANUAL_CHECKS)
    assert all(check.criterion and check.method for check in MANUAL_CHECKS)


def test_the_statement_names_the_rule_sets_axe_core_runs():
    from test_accessibility import WCAG_TAGS

    assert tuple(WCAG_TAGS) == AXE_RULE_TAGS
    assert statement.rule_sets() == ("WCAG 2.0 niveau A, WCAG 2.0 niveau AA, WCAG 2.1 niveau A, "
                                     "WCAG 2.1 niveau AA, WCAG 2.2 niveau AA")


@pytest.mark.parametrize(("rate", "mention"), [
    (None, "non conforme"), (0, "non conforme"), (49.9, "non conforme"),
    (50, "partiellement conforme"), (99.1, "partiellement conforme"),
    (100, "totalement conforme"),
])
def test_the_rgaa_mention_follows_the_audit_rate_and_none_without_an_audit(rate, mention):
    assert conformity_state(rate) == mention


def test_no_audit_was_made_so_the_app_says_non_conforme():
    assert RGAA_AUDIT_RATE is None and CONFORMITY == "non conforme"
    assert "Aucun audit de conformité" in statement.conformity()


def test_axe_core_s_version_is_read_from_the_tests_package(tmp_path):
    package = TESTS / "a11y" / "package.json"
    if package.exists():
        pinned = json.loads(package.read_text(encoding="utf-8"))["dependencies"]["axe-core"]
        assert statement.axe_core_version() == pinned.lstrip("^~")
    other = tmp_path / "package.json"
    other.write_text('{"dependencies": {"axe-core": "^4.9.0"}}', encoding="utf-8")
    assert statement.axe_core_version(other) == "4.9.0"
    assert statement.axe_core_version(tmp_path / "absent.json") is None


@pytest.mark.parametrize(("contact", "shown"), [
    ("accessibilite@tne.example.fr",
     r"[accessibilite@tne\.example\.fr](mailto:accessibilite@tne.example.fr)"),
    ("https://tne.example.fr/contact",
     r"[https\://tne\.example\.fr/contact](https://tne.example.fr/contact)"),
    ("Écrivez à [la DRANE](javascript:alert(1)) <b>vite</b>",
     r"Écrivez à \[la DRANE\]\(javascript\:alert\(1\)\) \<b\>vite\</b\>"),
])
def test_the_contact_is_a_link_when_it_is_an_address_and_plain_text_otherwise(contact, shown):
    assert statement.contact_markdown(contact) == shown


def test_the_contact_setting_defaults_to_the_programme_s_team():
    assert Settings.from_env({}).accessibility_contact == DEFAULT_ACCESSIBILITY_CONTACT
    assert Settings.from_env({"TNE_DASH_ACCESSIBILITY_CONTACT": "a11y@tne.example.fr"}) \
        .accessibility_contact == "a11y@tne.example.fr"


def test_the_page_lists_the_views_the_checks_and_the_ways_of_appeal(app_env):
    at = open_page("accessibilite.py")
    assert not at.exception
    assert at.title[0].value == "Déclaration d'accessibilité"
    assert [h.value for h in at.header] == [
        "État de conformité", "Résultats des tests", "Contenus non accessibles",
        "Établissement de cette déclaration", "Retour d'information et contact",
        "Voies de recours"]
    views = plain_tables(at)["Vues vérifiées automatiquement"]
    assert list(views.iloc[:, 0]) == [view.name for view in AXE_VIEWS]
    assert list(views["Adresse"]) == [view.path for view in AXE_VIEWS]
    text = "\n".join(m.value for m in at.markdown)
    assert f"**{CONFORMITY}**" in text and "RGAA), version 4.1" in text
    assert f"les {len(AXE_VIEWS)} vues" in text
    for check in MANUAL_CHECKS:
        assert f"`{check.test}`" in text
    for size in SCREEN_SIZES:
        assert f"{size.name} ({size.width} × {size.height})" in text
    version = statement.axe_core_version()
    if version:
        assert f"axe-core {version}" in text
    assert "Chromium sans affichage" in text and "1er décembre 2026" in text
    assert "09 69 39 00 00" in text and "Libre réponse 71120" in text
    assert "75342 Paris CEDEX 07" in text and "https://formulaire.defenseurdesdroits.fr/" in text
    assert statement.markdown_text(DEFAULT_ACCESSIBILITY_CONTACT) in text


def test_the_contact_setting_shows_on_the_page(app_env, monkeypatch):
    monkeypatch.setenv("TNE_DASH_ACCESSIBILITY_CONTACT", "accessibilite@tne.example.fr")
    at = open_page("accessibilite.py")
    contact = [m.value for m in at.markdown if "orienté vers une alternative" in m.value]
    assert contact and "(mailto:accessibilite@tne.example.fr)" in contact[0]


def test_the_statement_is_out_of_the_menu_and_of_the_home_page_directory(app_env):
    (spec,) = [spec for spec in PAGES if spec.file == "accessibilite.py"]
    assert spec.url_path == "accessibilite" and not spec.in_menu
    at = open_page("accueil.py")
    directory = [link.proto.page for link in at.get("page_link")][:-2]  # the footer's last
    assert "accessibilite" not in directory and "carte" in directory


@pytest.mark.browser
def test_the_statement_answers_at_its_address_and_from_the_footer_but_not_in_the_menu(
        built_db_url):
    """A cold server whose first request is /accessibilite opens it inside the app; the
    menu does not list it; the footer of another page opens it."""
    with streamlit_server(built_db_url) as base, \
            chromium_page(1280, 720) as (page, outside, errors):
        page.goto(f"{base}/accessibilite")
        wait_until_rendered(page)
        assert page.get_by_role("heading", name="Déclaration d'accessibilité").count() == 1
        assert page.evaluate("document.documentElement.lang") == "fr"
        menu = page.locator('[data-testid="stSidebarNav"] a')
        titles = [text.strip() for text in menu.all_inner_texts()]
        assert any(t.endswith("Carte") for t in titles), titles
        assert not [t for t in titles if "accessibilit" in t.lower()]
        assert page.locator('[data-testid="stSidebarNav"] a[href$="/accessibilite"]').count() == 0
        page.goto(f"{base}/carte")
        wait_until_rendered(page)
        footer = page.locator(".st-key-tne-footer")
        footer.get_by_role("link", name=f"Accessibilité : {CONFORMITY}").click()
        page.wait_for_url(re.compile(r"/accessibilite$"))
        wait_until_rendered(page)
        assert page.get_by_role("heading", name="Déclaration d'accessibilité").count() == 1
        assert outside == [] and errors == []
