"""Page addresses people type or keep (tne_dash/ui/page_addresses.py): /accueil and
capitals reach their page, an address that leads nowhere reaches the home page with a French
message — never Streamlit's English « Page not found » dialog, which blocked a load-test
viewer's clicks for three minutes."""

from __future__ import annotations

import urllib.request

import pytest
from browser import chromium_page, streamlit_server, wait_until_rendered

from tne_dash.ui.page_addresses import page_redirect


def test_the_home_page_s_own_name_leads_home_with_its_query_string():
    assert page_redirect("/accueil", "scope=national&to=2023-04-17") == \
        "/?scope=national&to=2023-04-17"
    assert page_redirect("/Accueil/", "") == "/"


def test_a_page_name_in_capitals_leads_to_the_page_and_the_right_name_is_served():
    assert page_redirect("/Carte", "dep=95") == "/carte?dep=95"
    assert page_redirect("/DONNEES", "") == "/donnees"
    assert page_redirect("/carte", "dep=95") is None
    assert page_redirect("/carte/", "") is None
    assert page_redirect("/", "scope=tne") is None


def test_an_address_that_names_no_page_leads_home_with_its_name():
    assert page_redirect("/nimportequoi", "x=1") == "/?page_introuvable=nimportequoi"


def test_streamlit_s_paths_the_app_s_routes_and_files_are_never_redirected():
    for path in ("/oauth2callback", "/_stcore/health", "/_stcore", "/static/js/main.js",
                 "/app/static/x.png",
                 "/geo/departements.geojson", "/auth/connexion", "/healthz", "/favicon.png",
                 "/media/abc.png", "/component/streamlit_folium.st_folium/index.html",
                 "/carte/extra", "/" + "a" * 65):
        assert page_redirect(path, "") is None, path


def _navigate(url: str, accept: str = "text/html,application/xhtml+xml") -> tuple[int, str]:
    """One GET that does not follow redirects: (status, Location)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers.get("location", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("location", "")


@pytest.mark.browser
def test_the_server_redirects_page_navigations_only_and_the_home_page_says_why(built_db_url):
    with streamlit_server(built_db_url) as base:
        assert _navigate(f"{base}/accueil?scope=national") == (307, "/?scope=national")
        assert _navigate(f"{base}/Carte?dep=95") == (307, "/carte?dep=95")
        assert _navigate(f"{base}/carte?dep=95") == (200, "")
        # Not a page navigation (a script's fetch): served as Streamlit would.
        assert _navigate(f"{base}/accueil", accept="*/*")[0] == 200
        with chromium_page() as (page, outside, errors):
            page.goto(f"{base}/nimportequoi?scope=national")
            wait_until_rendered(page)
            assert page.locator('[role="dialog"]').count() == 0
            assert page.get_by_text("La page « /nimportequoi » n'existe pas").count() == 1
            assert "page_introuvable" not in page.url
            assert page.locator("h1").first.inner_text().startswith("Territoires Numériques")
            page.goto(f"{base}/accueil?scope=departement:95")
            wait_until_rendered(page)
            assert page.locator('[role="dialog"]').count() == 0
            assert "scope=departement%3A95" in page.url or "scope=departement:95" in page.url
            assert outside == [] and errors == []
