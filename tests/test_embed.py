"""The embeddable card without a browser: its figures are Accueil's (one indicator path,
public masking), its HTML escapes every name, carries the demo notice when demo rows count,
answers 304 to its ETag, and a bad address gets a French error card; only /embed may be
framed by other sites. The pages offer its <iframe> code (AppTest). The card in a real
browser, inside another site's frame: tests/test_embed_browser.py."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest
from apptest import open_page
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tne_dash.embed import EMBED_PREFIX
from tne_dash.embed.card import card_figures
from tne_dash.embed.card_html import render_card, render_error
from tne_dash.embed.routes import ROUTES, CardRequestError, parse_card_request
from tne_dash.embed.snippet import EXPANDER_LABEL, dashboard_origin, iframe_snippet
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_indicators
from tne_dash.figures.metrics import headline_kpis
from tne_dash.figures.scope import InvalidScope, Scope
from tne_dash.store.db import make_engine
from tne_dash.ui.blocks import EMBED_OFFER_KEY
from tne_dash.ui.http import CONTENT_SECURITY_POLICY, SecurityHeaders

DAY = dt.date(2023, 4, 17)
BEZONS = Scope("commune", "95063")
HOSTILE = "<script>alert(1)</script> L'Haÿ-les-Roses \"&\" <img src=x onerror=alert(2)>"


@pytest.fixture(scope="module")
def conn(built_db_url):
    engine = make_engine(built_db_url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.fixture
def client(monkeypatch, built_db_url):
    """The card's routes behind the server's security headers, beside another path."""
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", built_db_url)
    monkeypatch.delenv("TNE_DASH_PUBLIC_URL", raising=False)
    app = Starlette(routes=[*ROUTES, Route("/carte", lambda _r: PlainTextResponse("page"))],
                    middleware=[Middleware(SecurityHeaders)])
    return TestClient(app)


def dd_values(page: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page))


def test_the_commune_card_shows_accueil_s_headline_figures_in_their_public_form(conn):
    figures = card_figures(conn, BEZONS, DAY)
    expected = headline_kpis(compute_indicators(conn, BEZONS, Filters(date_to=DAY)),
                             exact=False)
    assert [(k.label, k.value) for k in figures.kpis] == [(k.label, k.value) for k in expected]
    page = render_card(figures)
    # README: Bezons on 17 April 2023, 50 workshops, 110 parents reached (109 exactly).
    assert dd_values(page).items() >= {"Ateliers": "50", "Parents touchés": "110",
                                       "Parents Ressources recrutés": "20",
                                       "Réunions Parents Ressources": "14"}.items()
    assert "<h2>Bezons</h2>" in page and "Val-d&#x27;Oise (95)" in page
    assert "Phase du déploiement au 17 avril 2023 : <strong>Année" in page
    assert '<html lang="fr">' in page and "<title>Bezons (95) — chiffres clés" in page
    assert ('href="/?scope=commune:95063&amp;to=2023-04-17" target="_blank" rel="noopener"'
            in page)
    assert "fichier ANCT du 5 avril 2023" in page and "dernier atelier : " in page


def test_a_commune_s_small_count_reads_below_five_and_the_departement_stays_exact(conn):
    # Demo data: commune 02095's first workshop, on 10 September 2021, reached 4 parents.
    day = dt.date(2021, 9, 10)
    commune = render_card(card_figures(conn, Scope("commune", "02095"), day))
    assert dd_values(commune)["Parents touchés"] == "&lt; 5"
    assert "arrondis à 5 près" in commune
    departement = render_card(card_figures(conn, Scope("departement", "02"), day))
    assert "&lt; 5" not in departement and "arrondis" not in departement
    assert "Communes engagées au 10 septembre 2021 : " in departement


def test_every_name_is_escaped_in_the_card_the_error_card_and_the_snippet(conn):
    figures = replace(card_figures(conn, BEZONS, DAY), name=HOSTILE, label=HOSTILE,
                      context=HOSTILE, phase=HOSTILE)
    for page in (render_card(figures), render_error(HOSTILE)):
        assert "<script" not in page and "<img" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; L&#x27;Haÿ-les-Roses &quot;&amp;&quot;" \
            in page
    snippet = iframe_snippet("https://tne.example.fr", BEZONS, HOSTILE)
    assert snippet.count("<") == 2 and "<script" not in snippet  # <iframe …></iframe> only
    assert "L'Haÿ-les-Roses &quot;&amp;&quot; &lt;img" in snippet


def test_the_demo_notice_is_on_the_card_when_demo_rows_count_and_only_then(conn):
    figures = card_figures(conn, BEZONS, DAY)
    assert figures.demo
    assert "<strong>Données de démonstration</strong> : activité générée" in render_card(figures)
    assert "Données de démonstration" not in render_card(replace(figures, demo=False))


def test_the_link_back_is_absolute_under_the_public_address_when_one_is_set(conn):
    page = render_card(card_figures(conn, Scope("departement", "95"), DAY),
                       "https://tne.example.fr/")
    assert ('<a href="https://tne.example.fr/?scope=departement:95&amp;to=2023-04-17" '
            'target="_blank" rel="noopener">' in page)


def test_an_unknown_commune_is_named_in_french(conn):
    with pytest.raises(InvalidScope, match="Commune inconnue : code INSEE « 99999 »"):
        card_figures(conn, Scope("commune", "99999"), DAY)


@pytest.mark.parametrize(("kind", "code", "to", "message"), [
    ("commune", "9506", None, "Code de commune invalide : « 9506 »"),
    ("commune", "<b>95063</b>", None, "Code de commune invalide : « <b>95063</b> »"),
    ("departement", "2C", None, "Code de département invalide : « 2C »"),
    ("commune", "95063", "17/04/2023", "Date invalide pour to : « 17/04/2023 »"),
    ("commune", "95063", "20230417", "Date invalide pour to : « 20230417 »"),
    ("commune", "95063", "2023-02-30", "Date invalide pour to : « 2023-02-30 »"),
])
def test_a_malformed_card_address_is_refused_with_a_french_message(kind, code, to, message):
    with pytest.raises(CardRequestError, match=re.escape(message)) as refused:
        parse_card_request(kind, code, to, DAY)
    assert refused.value.status == 400


def test_a_card_address_reads_its_territory_and_date_or_today():
    assert parse_card_request("commune", "2a004", None, DAY) == (Scope("commune", "2A004"), DAY)
    assert parse_card_request("departement", "971", "2022-09-01", DAY) == (
        Scope("departement", "971"), dt.date(2022, 9, 1))


def test_the_card_answers_with_its_etag_cache_cors_and_framing_policy_then_304(client):
    answer = client.get(f"{EMBED_PREFIX}/commune/95063?to=2023-04-17")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["cache-control"] == "public, max-age=300"
    assert answer.headers["access-control-allow-origin"] == "*"
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors *" in policy and "default-src 'none'" in policy
    assert "script-src" not in policy and "x-frame-options" not in answer.headers
    etag = answer.headers["etag"]
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', etag)
    again = client.get(f"{EMBED_PREFIX}/commune/95063?to=2023-04-17",
                       headers={"If-None-Match": f'"autre", {etag}'})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other_day = client.get(f"{EMBED_PREFIX}/commune/95063?to=2023-04-16",
                           headers={"If-None-Match": etag})
    assert other_day.status_code == 200 and other_day.headers["etag"] != etag


def test_only_the_card_may_be_framed_by_other_sites(client):
    page = client.get("/carte")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert "access-control-allow-origin" not in page.headers


@pytest.mark.parametrize(("path", "status", "message"), [
    ("/commune/99999", 404, "Commune inconnue : code INSEE « 99999 »."),
    ("/departement/00", 404, "Département inconnu : « 00 »."),
    ("/commune/%3Cscript%3E", 400, "Code de commune invalide : « &lt;script&gt; »"),
    ("/departement/95?to=hier", 400, "Date invalide pour to : « hier »"),
    ("/region/11", 404, "Adresse de carte inconnue."),
    ("", 404, "Adresse de carte inconnue."),
])
def test_a_bad_card_address_gets_a_small_french_error_card(client, path, status, message):
    answer = client.get(EMBED_PREFIX + path)
    assert answer.status_code == status
    assert answer.headers["cache-control"] == "no-store"
    assert "frame-ancestors *" in answer.headers["content-security-policy"]
    page = answer.text
    assert '<html lang="fr">' in page and "<h2>Carte indisponible</h2>" in page
    assert message in page.replace("&#x27;", "'") and "Traceback" not in page


def test_a_database_being_built_gets_a_french_503_card(monkeypatch, tmp_path):
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", f"sqlite:///{tmp_path / 'absente.sqlite'}")
    answer = TestClient(Starlette(routes=ROUTES)).get(f"{EMBED_PREFIX}/departement/95")
    assert answer.status_code == 503 and "en cours de préparation" in answer.text
    assert not (tmp_path / "absente.sqlite").exists()  # never created outside the build


def test_the_snippet_points_at_the_public_address_or_the_page_s_own():
    assert dashboard_origin("https://tne.example.fr/", "http://10.0.0.5:8501/comparer") == \
        "https://tne.example.fr"
    assert dashboard_origin("", "https://tne.example.fr/tableau/comparer?communes=95063") == \
        "https://tne.example.fr/tableau"
    assert dashboard_origin("", None) == "http://localhost:8501"
    snippet = iframe_snippet("https://tne.example.fr", Scope("departement", "2A"),
                             "Corse-du-Sud (2A)")
    assert snippet.startswith('<iframe src="https://tne.example.fr/embed/departement/2A" '
                              'title="Chiffres clés du volet parentalité TNE — Corse-du-Sud '
                              '(2A)" width="360" height="')
    assert 'loading="lazy"' in snippet and snippet.endswith("></iframe>")


def test_comparer_offers_each_commune_s_card_to_embed(app_env, monkeypatch):
    monkeypatch.setenv("TNE_DASH_PUBLIC_URL", "https://tne.example.fr")
    at = open_page("comparer.py", communes="95063,95018", to="2023-04-17")
    assert not at.exception
    expander = next(e for e in at.expander if e.label == EXPANDER_LABEL)
    assert not expander.code  # made once opened
    at.session_state[EMBED_OFFER_KEY] = True  # the visitor opens it: the page reruns
    at.run()
    expander = next(e for e in at.expander if e.label == EXPANDER_LABEL)
    codes = [c.value for c in expander.code]
    assert [re.search(r'src="([^"]+)"', c).group(1) for c in codes] == [
        "https://tne.example.fr/embed/commune/95063", "https://tne.example.fr/embed/commune/95018"]
    assert 'title="Chiffres clés du volet parentalité TNE — Bezons (95)"' in codes[0]


def test_the_map_s_panel_offers_the_selected_commune_s_card_to_embed(app_env):
    at = open_page("carte.py", dep="95", commune="95063", to="2023-04-17", couches="aucune")
    assert not at.exception
    at.session_state[EMBED_OFFER_KEY] = True
    at.run()
    expander = next(e for e in at.expander if e.label == EXPANDER_LABEL)
    assert expander.code[0].value.startswith(
        '<iframe src="http://localhost:8501/embed/commune/95063"')
