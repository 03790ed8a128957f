"""The read API's routes on the built test database, through Starlette's test client (the
real routes, the real figures): French refusals naming their parameter, the public rule,
tokens, the rate limit, the OpenAPI description against what the code accepts. (That the
API never imports streamlit is a lint-imports contract, pyproject.toml.)

The same answers through the real server, next to the page and the CLI:
tests/test_api_server.py."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import warnings

import pandas as pd
import pytest
from required import missing
from sqlalchemy import select, update
from starlette.applications import Starlette

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; httpx is what we have
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tne_dash.access import Account, Role, save_accounts
from tne_dash.api import answers, database, routes, tokens
from tne_dash.api.answers import exact_for, public_figures
from tne_dash.api.openapi import OPENAPI
from tne_dash.api.parameters import ACCEPTED
from tne_dash.api.payloads import indicators_csv
from tne_dash.api.rate_limit import RateLimiter
from tne_dash.catalogue import CATALOGUE
from tne_dash.cli import main
from tne_dash.figures.privacy import mask_small_counts
from tne_dash.screens.indicateurs.view import CHOICE_PARAMS, LEVELS
from tne_dash.store.db import make_engine, upgrade_schema
from tne_dash.store.models import ApiToken, Commune

PERIOD = "from=2022-09-01&to=2023-04-17"
EDITOR_95 = Account("claire", Role.EDITEUR, frozenset({"95"}))
ADMIN = Account("alice", Role.ADMIN)


@pytest.fixture(scope="module")
def api(built_db_url, tmp_path_factory):
    """The API's routes on the built database (no rate limit here: one test sets its own)."""
    accounts = tmp_path_factory.mktemp("api") / "accounts.toml"
    save_accounts(accounts, [EDITOR_95, ADMIN])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TNE_DASH_DATABASE_URL", built_db_url)
        mp.setenv("TNE_DASH_ACCOUNTS_FILE", str(accounts))
        mp.setenv("TNE_DASH_API_REQUESTS_PER_MINUTE", "0")
        database.clear_caches()
        yield TestClient(Starlette(routes=routes.ROUTES), client=("203.0.113.5", 50000))
        database.clear_caches()


# -- Refusals -------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "parameter"), [
    ("dep=ZZ", "dep"), ("communes=99999", "communes"), ("from=hier", "from"),
    ("to=2023-13-01", "to"), ("from=2023-05-01&to=2023-04-01", "from"),
    ("theme=jardinage", "theme"), ("phase=4", "phase"), ("lieu=plage", "lieu"),
    ("format=visio", "format"), ("animateur=robot", "animateur"), ("niveau=fac", "niveau"),
    ("niveau=maternelle", "niveau"), ("rep=peut-etre", "rep"), ("demo=2", "demo"),
    ("par=region", "par"), ("sortie=xlsx", "sortie"), ("format=csv&sortie=json", "format"),
    ("departement=95", "departement"), ("dep=95&dep=86", "dep"),
    ("communes=" + ",".join(["95063"] * 90), "communes"),
    ("dep=" + ",".join(f"{n:02}" for n in range(1, 30) if n != 20) + "&par=commune", "par"),
])
def test_a_bad_parameter_is_refused_with_a_french_400_naming_it(api, query, parameter):
    answer = api.get(f"/api/v1/indicateurs?{query}")
    assert answer.status_code == 400
    body = answer.json()
    assert body["parametre"] == parameter and body["statut"] == 400
    assert f"« {parameter} »" in body["erreur"]
    # Refused, not silently replaced as a page does with its address.
    assert not re.search(r"ignoré|par défaut|Affichage|Regroupement par", body["erreur"])
    assert answer.headers["cache-control"] == "no-store"


def test_vigilance_and_territoires_refuse_their_bad_parameters_the_same_way(api):
    for path, parameter in (("/api/v1/vigilance?scope=region:11", "scope"),
                            ("/api/v1/vigilance?scope=commune:99999", "scope"),
                            ("/api/v1/vigilance?to=demain", "to"),
                            ("/api/v1/territoires?dep=999", "dep"),
                            ("/api/v1/territoires?commune=95063", "commune"),
                            ("/api/v1/territoires?format=xml", "format"),
                            ("/api/v1/vigilance?format=atelier_collectif", "format"),
                            ("/api/v1/openapi.json?x=1", "x")):
        body = api.get(path).json()
        assert body["statut"] == 400 and body["parametre"] == parameter, path


def test_other_methods_unknown_addresses_bad_headers_and_failures_answer_french_json(
        api, monkeypatch, caplog):
    posted = api.post("/api/v1/indicateurs")
    assert posted.status_code == 405 and posted.headers["allow"] == "GET, HEAD"
    assert "GET" in posted.json()["erreur"]
    unknown = api.get("/api/v2/indicateurs")
    assert unknown.status_code == 404 and "/api/v1/openapi.json" in unknown.json()["erreur"]
    basic = api.get("/api/v1/territoires", headers={"Authorization": "Basic YTpi"})
    assert basic.status_code == 401 and basic.headers["www-authenticate"].startswith("Bearer")

    def broken(*_args):
        raise RuntimeError("secret detail that must stay in the log")

    monkeypatch.setattr(answers, "indicateurs_answer", broken)
    failed = api.get(f"/api/v1/indicateurs?dep=95&{PERIOD}")
    assert failed.status_code == 500
    assert "Erreur interne" in failed.json()["erreur"]
    assert "secret" not in failed.text and "Traceback" not in failed.text
    assert "secret detail" in caplog.text  # the operator finds it in the log


def test_a_client_over_the_limit_gets_a_french_429_with_retry_after(api, monkeypatch):
    monkeypatch.setenv("TNE_DASH_API_REQUESTS_PER_MINUTE", "3")
    client = TestClient(Starlette(routes=routes.ROUTES), client=("198.51.100.9", 50000))
    statuses = [client.get("/api/v1/openapi.json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/openapi.json")
    assert int(refused.headers["retry-after"]) >= 1
    assert "Trop de requêtes" in refused.json()["erreur"]
    other = TestClient(Starlette(routes=routes.ROUTES), client=("198.51.100.10", 50000))
    assert other.get("/api/v1/openapi.json").status_code == 200  # per client


def test_the_bucket_refills_a_request_at_a_time():
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(60)] == [0.0] * 60
    assert limiter.take("a") == pytest.approx(1.0)
    assert limiter.take(None) == 0.0  # another bucket
    now[0] += 1.0
    assert limiter.take("a") == 0.0
    assert limiter.take("a") > 0


# -- The public rule and tokens --------------------------------------------------------------

def test_one_row_in_public_form_is_the_pages_rule_on_a_table():
    row = {code: 0 for code in CATALOGUE} | {
        "participations": 3, "participations_per_1000_inhabitants": 1.5,
        "parents_reached": 12, "parents_reached_per_1000_inhabitants": 6.0,
        "children_reached": 0, "workshops": 2, "workshops_per_1000_inhabitants": 1.0}
    shown, changed = public_figures(row, commune_level=True, exact=False)
    table = mask_small_counts(pd.DataFrame([row]), commune_level=True, exact=False)
    assert shown == {code: table[code].iloc[0] for code in row}
    assert shown["participations"] == "< 5" and shown["parents_reached"] == 10
    assert shown["parents_reached_per_1000_inhabitants"] == pytest.approx(5.0)
    assert shown["workshops"] == 2 and "workshops" not in changed
    assert public_figures(row, commune_level=False, exact=False) == (row, [])


def test_a_token_is_exact_for_its_own_departements_and_an_admin_everywhere():
    assert exact_for(EDITOR_95, {"95"}) and not exact_for(EDITOR_95, {"95", "86"})
    assert not exact_for(EDITOR_95, None) and exact_for(ADMIN, None)
    assert not exact_for(Account("lea", Role.LECTEUR), {"95"}) and not exact_for(None, {"95"})


def test_tokens_are_kept_as_their_sha256_shown_once_listed_without_value_and_revocable(
        tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'tokens.sqlite'}"
    engine = make_engine(url)
    upgrade_schema(engine)
    accounts = tmp_path / "accounts.toml"
    save_accounts(accounts, [EDITOR_95, Account("lea", Role.LECTEUR)])
    env = {"TNE_DASH_ACCOUNTS_FILE": str(accounts)}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        # ensure_database would build the demo: the schema alone is enough here.
        mp.setattr("tne_dash.cli.ensure_database", lambda _settings: None)
        assert main(["api-token", "create", "--compte", "claire", "--libelle", "tableur",
                     "--database-url", url]) == 0
        out, err = capsys.readouterr()
        token = out.strip()
        assert re.fullmatch(r"tne_[A-Za-z0-9_-]{43}", token) and "il ne sera plus affiché" in err
        assert main(["api-token", "create", "--compte", "lea", "--database-url", url]) == 2
        assert "lecteur" in capsys.readouterr().err
        assert main(["api-token", "list", "--database-url", url]) == 0
        listed = capsys.readouterr().out
        assert token not in listed and token[:12] in listed and "actif" in listed
        with engine.connect() as conn:
            stored = conn.execute(select(ApiToken.token_hash, ApiToken.account_name)).one()
        assert stored == (hashlib.sha256(token.encode()).hexdigest(), "claire")
        known = {"claire": EDITOR_95}
        assert tokens.account_for_token(engine, known, token, pd.Timestamp.now()) == EDITOR_95
        with pytest.raises(tokens.TokenRefused, match="plus"):
            tokens.account_for_token(engine, {}, token, pd.Timestamp.now())
        assert main(["api-token", "revoke", "1", "--database-url", url]) == 0
        assert "révoqué" in capsys.readouterr().out
        with pytest.raises(tokens.TokenRefused, match="révoqué"):
            tokens.account_for_token(engine, known, token, pd.Timestamp.now())
        assert main(["api-token", "revoke", "7", "--database-url", url]) == 2
    engine.dispose()


# -- Answers --------------------------------------------------------------------------------

def test_vigilance_answers_what_tne_dash_vigilance_public_prints(api, built_db_url, capsys):
    answer = api.get("/api/v1/vigilance?scope=departement:95&to=2023-04-17")
    assert answer.status_code == 200
    assert main(["vigilance", "--scope", "departement:95", "--to", "2023-04-17", "--public",
                 "--format", "json", "--database-url", built_db_url]) == 0
    cli = json.loads(capsys.readouterr().out)
    body = answer.json()
    assert {key: body[key] for key in cli} == cli and cli["points"]
    assert body["acces"] == {"jeton": False} and body["exact"] is False


def test_the_public_api_reads_the_replica_when_one_is_set(built_db_url, tmp_path, monkeypatch):
    # A "replica" that differs from the primary by one name says where an answer was read.
    replica = tmp_path / "replica.sqlite"
    shutil.copy(built_db_url.removeprefix("sqlite:///"), replica)
    engine = make_engine(f"sqlite:///{replica}")
    with engine.begin() as conn:
        conn.execute(update(Commune).where(Commune.code_insee == "95063")
                     .values(name="Bezons (réplique)"))
    engine.dispose()
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", built_db_url)
    monkeypatch.setenv("TNE_DASH_READ_DATABASE_URL", f"sqlite:///{replica}")
    monkeypatch.setenv("TNE_DASH_API_REQUESTS_PER_MINUTE", "0")
    database.clear_caches()
    try:
        client = TestClient(Starlette(routes=routes.ROUTES), client=("203.0.113.9", 50000))
        names = {c["code"]: c["nom"] for c in
                 client.get("/api/v1/territoires?dep=95").json()["communes"]}
    finally:
        database.clear_caches()
    assert names["95063"] == "Bezons (réplique)"


def test_territoires_give_codes_and_names_of_one_departement_or_all(api):
    body = api.get("/api/v1/territoires?dep=95").json()
    assert [d["code"] for d in body["departements"]] == ["95"]
    bezons = next(c for c in body["communes"] if c["code"] == "95063")
    assert bezons["nom"] == "Bezons" and bezons["departement"] == "95"
    assert {c["departement"] for c in body["communes"]} == {"95"}
    csv = api.get("/api/v1/territoires?dep=95&sortie=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "code,nom,departement,population,epci,nom_epci"
    assert "95063,Bezons,95," in csv.text


def test_format_csv_asks_for_csv_as_sortie_does_and_other_formats_still_filter(api):
    query = "/api/v1/indicateurs?dep=95&from=2022-09-01&to=2023-04-17"
    by_format = api.get(f"{query}&format=csv")
    assert by_format.headers["content-type"].startswith("text/csv")
    assert by_format.text == api.get(f"{query}&sortie=csv").text
    assert api.get(f"{query}&format=json").json() == api.get(query).json()
    # A workshop format stays the page's filter, alone or beside the output format.
    everything = api.get(query).json()["indicators"]["workshops"]
    filtered = api.get(f"{query}&format=permanence").json()
    assert filtered["filtres"]["lien"].endswith("format=permanence")
    assert 0 < filtered["indicators"]["workshops"] < everything
    both = api.get(f"{query}&format=permanence&sortie=csv").text
    assert f"workshops,Ateliers,{filtered['indicators']['workshops']}," in both
    for path in ("/api/v1/territoires?dep=95", "/api/v1/vigilance?scope=departement:95"):
        assert api.get(f"{path}&format=csv").headers["content-type"].startswith("text/csv")


def test_csv_cells_that_start_like_a_formula_are_neutralised():
    payload = {"indicators": {"workshops": 3}, "groupes": [
        {"code": "95063", "nom": "=HYPERLINK(\"http://x\")", "indicators": {"workshops": 3}},
        {"code": "95018", "nom": "+33 Argenteuil", "indicators": {"workshops": -1}}]}
    rows = indicators_csv(payload).splitlines()
    assert rows[0] == "groupe,nom,code,libelle,valeur,unite"
    assert rows[2].startswith("95063,\"'=HYPERLINK(\"\"http://x\"\")\",workshops")
    assert rows[3].startswith("95018,'+33 Argenteuil,") and rows[3].endswith(",-1,ateliers")


# -- The description ------------------------------------------------------------------------

def _parameters(operation: dict) -> dict[str, dict]:
    found = {}
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            parameter = OPENAPI["components"]["parameters"][parameter["$ref"].split("/")[-1]]
        found[parameter["name"]] = parameter
    return found


def test_the_description_names_exactly_the_routes_and_parameters_the_code_accepts():
    served = {route.path for route in routes.ROUTES if route.path.startswith("/api/v1/")}
    assert set(OPENAPI["paths"]) == served == set(ACCEPTED)
    for path, accepted in ACCEPTED.items():
        assert set(_parameters(OPENAPI["paths"][path]["get"])) == set(accepted), path


def test_the_description_lists_the_values_and_limits_the_code_accepts():
    described = _parameters(OPENAPI["paths"]["/api/v1/indicateurs"]["get"])
    for key, (_, enum) in CHOICE_PARAMS.items():
        outputs = ["csv", "json"] if key == "format" else []  # format=csv: the answer's
        assert described[key]["schema"]["items"]["enum"] == [e.value for e in enum] + outputs
    assert described["par"]["schema"]["enum"] == list(LEVELS)
    limit = f"{answers.MAX_COMMUNE_GROUPS:,}".replace(",", " ")
    assert f"au plus {limit} communes" in described["par"]["description"]


def test_the_description_is_valid_openapi_3_1_whose_references_all_resolve():
    try:
        from openapi_spec_validator import validate
    except ImportError:
        missing("openapi-spec-validator", "paquet Python absent (make install-test l'installe)")
    assert OPENAPI["openapi"] == "3.1.0"
    validate(OPENAPI)  # raises on any departure from the OpenAPI 3.1 schema
    text = json.dumps(OPENAPI)
    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
        node = OPENAPI
        for part in ref.split("/"):
            node = node[part]
    for path in OPENAPI["paths"].values():
        for status in path["get"]["responses"]:
            assert re.fullmatch(r"[2-5]\d\d", status)
