"""The read API on the real server (``streamlit run serve.py``), asked as curl asks: the
done-when address gives the figures of ``tne-dash indicators --query`` and of the
Indicateurs page in Chromium; a token's exact counts against the public's rounded ones; a
revoked token; the rate limit; CSV; no door left open to other sites."""

from __future__ import annotations

import datetime as dt
import gzip
import http.client
import json
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import chromium_page, screenshot, streamlit_server, wait_until_rendered

from tne_dash.access import Account, Role, save_accounts
from tne_dash.api import tokens
from tne_dash.catalogue import CATALOGUE
from tne_dash.cli import main
from tne_dash.figures.metrics import EXPLORER
from tne_dash.figures.privacy import public_count
from tne_dash.labels import format_value
from tne_dash.store.db import make_engine

pytestmark = pytest.mark.browser

DONE_WHEN = "dep=95&from=2022-09-01&to=2023-04-17"
TWO_COMMUNES = "communes=95063,86194&from=2022-09-01&to=2023-04-17&par=commune"


@pytest.fixture(scope="module")
def server(built_db_url, tmp_path_factory):
    """The app on a copy of the built database (tokens are written), with an editor of the
    Val-d'Oise and an administrator, each with a token, and one more token to revoke."""
    folder = tmp_path_factory.mktemp("api-server")
    database = folder / "tne.sqlite"
    shutil.copy(Path(built_db_url.removeprefix("sqlite:///")), database)
    url = f"sqlite:///{database}"
    accounts = folder / "accounts.toml"
    save_accounts(accounts, [Account("claire", Role.EDITEUR, frozenset({"95"})),
                             Account("alice", Role.ADMIN)])
    engine = make_engine(url)
    now = dt.datetime.now()
    made = {name: tokens.create_token(engine, name, "", now) for name in
            ("claire", "alice")}
    revoked_info, revoked = tokens.create_token(engine, "claire", "à révoquer", now)
    engine.dispose()
    with streamlit_server(url, TNE_DASH_ACCOUNTS_FILE=str(accounts)) as base, \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("TNE_DASH_ACCOUNTS_FILE", str(accounts))  # the CLI's, in this process
        yield {"base": base, "url": url, "claire": made["claire"][1],
               "alice": made["alice"][1], "revoked": (revoked_info.id, revoked)}


def fetch(url: str, token: str | None = None, **headers: str):
    """(status, headers, body) as curl gets them; errors are answers too."""
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def api(server, query: str, token: str | None = None, path: str = "indicateurs") -> dict:
    status, _, body = fetch(f"{server['base']}/api/v1/{path}?{query}", token)
    assert status == 200, body
    return json.loads(body)


def cli(server, query: str, capsys, fmt: str = "json"):
    assert main(["indicators", "--database-url", server["url"], "--query",
                 f"{server['base']}/indicateurs?{query}", "--format", fmt]) == 0
    out = capsys.readouterr().out
    return json.loads(out) if fmt == "json" else out


def test_curl_on_the_done_when_address_gives_the_cli_figures_and_the_pages_tiles(
        server, capsys):
    answer = api(server, DONE_WHEN)
    expected = cli(server, DONE_WHEN, capsys)
    assert {key: answer[key] for key in expected} == expected
    assert answer["filtres"]["lien"] == "/indicateurs?from=2022-09-01&to=2023-04-17&dep=95"
    assert answer["masquage"]["effectifs_exacts"] is True  # a département: above communes
    assert {s["fichier"] for s in answer["sources"]} >= {"communes.csv"}
    with chromium_page() as (page, outside, errors):
        page.goto(f"{server['base']}/indicateurs?{DONE_WHEN}")
        wait_until_rendered(page)
        tiles = page.locator('[data-testid="stMetric"]')
        for label in EXPLORER.values():  # every tile drawn (not only the script finished)
            tiles.locator('[data-testid="stMetricLabel"]', has_text=re.compile(
                f"^{re.escape(label)}$")).first.wait_for(timeout=30_000)
        shown = {tiles.nth(i).locator('[data-testid="stMetricLabel"]').inner_text().strip():
                 tiles.nth(i).locator('[data-testid="stMetricValue"]').inner_text().strip()
                 for i in range(tiles.count())}
        screenshot(page, "api-done-when-page")
        assert page.url.endswith(answer["filtres"]["lien"])  # the page reads it the same way
    for code, label in EXPLORER.items():
        ind = CATALOGUE[code]
        assert shown[label] == format_value(answer["indicators"][code], ind.unit,
                                            ind.decimals), label
    assert outside == [] and errors == []


def test_a_token_gives_exact_counts_for_its_departement_and_the_public_gets_them_rounded(
        server, capsys):
    exact = {g["code"]: g["indicators"] for g in cli(server, TWO_COMMUNES, capsys)["groupes"]}
    answers = {who: api(server, TWO_COMMUNES, server.get(who))
               for who in ("public", "claire", "alice")}
    groups = {who: {g["code"]: g["indicators"] for g in a["groupes"]}
              for who, a in answers.items()}
    bezons, poitiers = "95063", "86194"
    assert groups["alice"] == exact  # an administrator: exact everywhere
    assert groups["claire"][bezons] == exact[bezons]  # her Val-d'Oise
    assert groups["claire"][poitiers] == groups["public"][poitiers]  # not her Vienne
    for code in ("parents_reached", "children_reached", "participations"):
        assert groups["public"][bezons][code] == public_count(exact[bezons][code])
    assert answers["public"]["acces"] == {"jeton": False}
    assert answers["claire"]["acces"]["compte"] == "claire"
    assert answers["public"]["masquage"]["effectifs_exacts"] is False
    assert answers["alice"]["masquage"]["effectifs_exacts"] is True
    _, public_headers, _ = fetch(f"{server['base']}/api/v1/indicateurs?{TWO_COMMUNES}")
    _, token_headers, _ = fetch(f"{server['base']}/api/v1/indicateurs?{TWO_COMMUNES}",
                                server["claire"])
    assert public_headers["Cache-Control"].startswith("public, max-age=")
    assert token_headers["Cache-Control"] == "private, no-store"
    assert "Authorization" in public_headers["Vary"]


def test_a_revoked_token_gets_a_french_401(server, capsys):
    number, token = server["revoked"]
    assert fetch(f"{server['base']}/api/v1/territoires?dep=95", token)[0] == 200
    assert main(["api-token", "revoke", str(number), "--database-url", server["url"]]) == 0
    assert "révoqué" in capsys.readouterr().out
    status, headers, body = fetch(f"{server['base']}/api/v1/territoires?dep=95", token)
    assert status == 401 and 'error="invalid_token"' in headers["WWW-Authenticate"]
    assert "révoqué" in json.loads(body)["erreur"]


def test_a_client_over_sixty_requests_a_minute_gets_a_french_429(server):
    client = {"X-Forwarded-For": "192.0.2.77"}  # its own bucket, apart from the other tests
    statuses = [fetch(f"{server['base']}/api/v1/openapi.json", **client)[0]
                for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429
    status, headers, body = fetch(f"{server['base']}/api/v1/openapi.json", **client)
    assert status == 429 and int(headers["Retry-After"]) >= 1
    assert json.loads(body)["erreur"].startswith("Trop de requêtes")


def fetch_from(source: str, url: str, **headers: str):
    """(status, headers, body) of a GET sent from the local address ``source``."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60,
                                            source_address=(source, 0))
    try:
        connection.request("GET", f"{parts.path}?{parts.query}", headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        connection.close()


def test_a_client_cannot_leave_its_bucket_by_writing_another_address_in_its_headers(server):
    # 127.0.0.2 is a client, not the trusted proxy (loopback's 127.0.0.1): each request claims
    # to come from someone else, and all of them are counted against 127.0.0.2.
    statuses = [fetch_from("127.0.0.2", f"{server['base']}/api/v1/openapi.json",
                           **{"X-Forwarded-For": f"198.51.100.{n}", "X-Real-IP": f"192.0.2.{n}"}
                           )[0] for n in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


def test_csv_is_the_clis_csv_gzipped_on_request_and_closed_to_other_sites(server, capsys):
    status, headers, body = fetch(
        f"{server['base']}/api/v1/indicateurs?{DONE_WHEN}&format=csv",
        **{"Accept-Encoding": "gzip", "Origin": "https://ailleurs.example"})
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body).decode() == cli(server, DONE_WHEN, capsys, "csv")
    assert "Access-Control-Allow-Origin" not in headers  # CORS closed
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, body = fetch(f"{server['base']}/api/v1/indicateurs?dep=95&x=1")
    assert status == 400 and json.loads(body)["parametre"] == "x"
    assert "Traceback" not in body.decode()
