"""Issue 21: a local sign-in that survives a reload (a signed cookie set by the server's own
route), the first administrator's one-time link, and the identity provider's claims.

The real browser is in tests/test_browser_sign_in.py; the identity provider in
tests/test_oidc.py."""

from __future__ import annotations

import io
import json
import stat
import threading
import time

import pytest
from apptest import open_page
from sign_in_client import SAME_SITE, browser

from tne_dash import signin
from tne_dash.access import (
    SIGN_IN_THROTTLE,
    Account,
    Role,
    account_for_claims,
    authenticate,
    client_key,
    hash_password,
    load_accounts,
    proxy_networks,
    save_accounts,
)
from tne_dash.cli import main, prepare_sign_in
from tne_dash.config import Settings

PASSWORD = "Bezons-95063-atelier"
SECRET = b"s" * 32
NOW = 1_800_000_000.0


@pytest.fixture(scope="module")
def claire() -> Account:
    return Account("claire", Role.EDITEUR, frozenset({"95"}),
                   password_hash=hash_password(PASSWORD))


@pytest.fixture
def env(monkeypatch, tmp_path, claire) -> Settings:
    """Accounts (claire, éditeur 95), the cookie secret and the setup token in tmp_path."""
    save_accounts(tmp_path / "accounts.toml", [claire])
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(tmp_path / "accounts.toml"))
    monkeypatch.setenv("TNE_DASH_SESSION_SECRET_FILE", str(tmp_path / "session_secret"))
    SIGN_IN_THROTTLE.clear()
    yield Settings.from_env()
    SIGN_IN_THROTTLE.clear()


def read_back(settings: Settings, value: str | None, now: float | None = None):
    secret = signin.server_secret(settings.session_secret, settings.session_secret_file)
    return signin.read_cookie(value, secret, load_accounts(settings.accounts_file),
                              time.time() if now is None else now)


# -- The cookie ----------------------------------------------------------------------------


def test_a_cookie_reads_back_as_its_account_until_it_expires(claire):
    cookie = signin.issue_cookie(claire, SECRET, NOW, hours=8)
    accounts = {"claire": claire}
    assert signin.read_cookie(cookie, SECRET, accounts, NOW + 8 * 3600 - 1) == claire
    assert signin.read_cookie(cookie, SECRET, accounts, NOW + 8 * 3600) is None
    assert signin.read_cookie(cookie, b"t" * 32, accounts, NOW) is None  # another secret


def tampered(cookie: str, name: str) -> str:
    payload, signature = cookie.split(".")
    data = json.loads(signin._unb64(payload))
    data["a"] = name
    return f"{signin._b64(json.dumps(data).encode())}.{signature}"


@pytest.mark.parametrize("change", [
    lambda c: tampered(c, "root"),                        # another account, old signature
    lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),  # signature changed
    lambda c: c.replace(".", ".."),
    lambda c: c + "." + c,
    lambda c: "x" * 5000,
    lambda c: "",
    lambda c: "pas-un-cookie",
    lambda c: "%%%.###",
    lambda c: signin._b64(b"\xff\xfe") + "." + c.split(".")[1],
])
def test_a_tampered_or_malformed_cookie_reads_as_nobody_without_an_error(claire, change):
    accounts = {"claire": claire, "root": Account("root", Role.ADMIN, password_hash="x")}
    assert signin.read_cookie(change(signin.issue_cookie(claire, SECRET, NOW, 8)), SECRET,
                              accounts, NOW) is None


def test_a_new_password_or_a_removed_account_ends_every_cookie(claire):
    cookie = signin.issue_cookie(claire, SECRET, NOW, 8)
    renewed = Account("claire", Role.EDITEUR, frozenset({"95"}),
                      password_hash=hash_password(PASSWORD))  # same password, new salt
    assert signin.read_cookie(cookie, SECRET, {"claire": renewed}, NOW) is None
    assert signin.read_cookie(cookie, SECRET, {}, NOW) is None
    oidc_only = Account("claire", Role.EDITEUR, frozenset({"95"}), email="c@exemple.fr")
    assert signin.read_cookie(cookie, SECRET, {"claire": oidc_only}, NOW) is None


def test_rights_changed_in_the_accounts_file_apply_to_a_cookie_at_once(claire):
    cookie = signin.issue_cookie(claire, SECRET, NOW, 8)
    promoted = Account("claire", Role.ADMIN, password_hash=claire.password_hash)
    assert signin.read_cookie(cookie, SECRET, {"claire": promoted}, NOW).is_admin


def test_the_cookie_carries_no_password_hash(claire):
    cookie = signin.issue_cookie(claire, SECRET, NOW, 8)
    payload = json.loads(signin._unb64(cookie.split(".")[0]))
    assert set(payload) == {"v", "a", "e", "p"}
    assert claire.password_hash not in cookie and "argon2" not in json.dumps(payload)


# -- The secret ----------------------------------------------------------------------------


def test_the_secret_file_is_created_once_mode_600_and_read_back(tmp_path):
    path = tmp_path / "config" / "session_secret"
    secrets_seen = []

    def start() -> None:
        secrets_seen.append(signin.server_secret("", path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(secrets_seen)) == 1 and len(secrets_seen[0]) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["session_secret"]


def test_a_configured_secret_wins_and_must_be_long(tmp_path):
    assert signin.server_secret("k" * 40, tmp_path / "absent") == b"k" * 40
    assert not (tmp_path / "absent").exists()
    with pytest.raises(signin.SecretError, match="au moins 32 caractères"):
        signin.server_secret("court", tmp_path / "absent")


def test_the_secret_is_never_shown_in_the_settings(monkeypatch):
    monkeypatch.setenv("TNE_DASH_SESSION_SECRET", "z" * 40)
    assert "z" * 40 not in repr(Settings.from_env())


# -- Where a form may go, and from where it may come ---------------------------------------


@pytest.mark.parametrize(("given", "kept"), [
    ("/importer?dep=95", "/importer?dep=95"), ("/", "/"),
    ("//evil.example/x", "/"), ("/\\evil.example", "/"), ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"), ("importer", "/"), ("/a\r\nSet-Cookie: x=1", "/"),
    ("", "/"), (None, "/"), ("/" + "a" * 3000, "/"),
])
def test_a_form_only_sends_the_browser_back_to_a_path_of_this_site(given, kept):
    assert signin.safe_return_path(given) == kept


@pytest.mark.parametrize(("origin", "referer", "hosts", "ok"), [
    ("http://127.0.0.1:8501", None, {"127.0.0.1:8501"}, True),
    (None, "http://127.0.0.1:8501/importer", {"127.0.0.1:8501"}, True),
    ("https://tne.example.fr", None, {"tne.example.fr"}, True),  # nginx $host: no port
    ("https://tne.example.fr:8443", None, {"tne.example.fr"}, True),
    ("http://evil.example", None, {"127.0.0.1:8501"}, False),
    ("http://127.0.0.1:9999", None, {"127.0.0.1:8501"}, False),
    ("null", None, {"127.0.0.1:8501"}, False),
    (None, None, {"127.0.0.1:8501"}, False),
    ("http://evil.example", "http://127.0.0.1:8501/", {"127.0.0.1:8501"}, False),
])
def test_a_post_must_come_from_a_page_of_this_site(origin, referer, hosts, ok):
    assert signin.same_origin(origin, referer, hosts) is ok


def test_a_local_viewer_without_forwarding_headers_is_nobody_in_particular():
    assert client_key("127.0.0.1") is None and client_key("::1") is None
    assert client_key(None) is None


def test_a_direct_client_is_its_own_address_whatever_it_says_it_forwards():
    assert client_key("203.0.113.5") == "203.0.113.5"
    assert client_key("203.0.113.5", "198.51.100.7", "198.51.100.8") == "203.0.113.5"
    assert client_key("10.0.0.2", "198.51.100.7, 10.0.0.1") == "10.0.0.2"


def test_behind_the_trusted_proxy_the_client_is_the_last_address_that_is_not_a_proxy():
    # nginx on loopback appends the address it saw: what the client wrote on the left is not
    # believed.
    assert client_key("127.0.0.1", "6.6.6.6, 198.51.100.7") == "198.51.100.7"
    assert client_key("127.0.0.1", None, "198.51.100.8") == "198.51.100.8"
    assert client_key(None, None, "198.51.100.8") == "198.51.100.8"
    assert client_key("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1",
                      trusted_proxies="10.0.0.0/8") == "198.51.100.7"
    assert client_key("10.0.0.2", "6.6.6.6", trusted_proxies="10.0.0.0/8, ::1") == "6.6.6.6"


def test_a_trusted_proxy_that_is_not_an_address_is_refused_in_french():
    with pytest.raises(ValueError, match="TNE_DASH_TRUSTED_PROXIES : « nginx » n'est ni"):
        proxy_networks("127.0.0.1, nginx")
    # and then no header is believed
    assert client_key("127.0.0.1", "198.51.100.7", trusted_proxies="nginx") == "127.0.0.1"


# -- The routes ----------------------------------------------------------------------------


def sign_in(client, name="claire", password=PASSWORD, back="/importer?dep=95", **headers):
    return client.post(signin.SIGN_IN_PATH, headers=SAME_SITE | headers, data={
        "identifiant": name, "mot_de_passe": password, "retour": back, "formulaire": "page"})


def test_signing_in_sets_a_signed_http_only_lax_cookie_and_goes_back(env, monkeypatch):
    monkeypatch.setenv("TNE_DASH_SESSION_HOURS", "2")
    answer = sign_in(browser())
    assert answer.status_code == 303
    assert answer.headers["location"] == "/importer?dep=95"
    cookie = answer.headers["set-cookie"]
    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
    assert attributes == {"httponly", "max-age", "path", "samesite"}  # no Secure over HTTP
    assert "Max-Age=7200" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    value = answer.cookies[signin.COOKIE_NAME]
    assert read_back(env, value).name == "claire"
    assert read_back(env, value, now=time.time() + 2 * 3600 + 5) is None
    assert answer.headers["content-security-policy"]  # behind the app's middleware


def test_behind_an_https_proxy_the_cookie_is_secure(env):
    answer = sign_in(browser(), **{"X-Forwarded-Proto": "https"})
    assert "; Secure" in answer.headers["set-cookie"]


def test_a_wrong_password_goes_back_with_a_french_code_and_no_cookie(env):
    answer = sign_in(browser(), password="faux", back="/saisie?connexion=echec&scope=tne")
    assert answer.headers["location"] == "/saisie?scope=tne&connexion=echec&formulaire=page"
    assert "set-cookie" not in answer.headers


@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"}, {"Origin": ""},
                                     {"Origin": "null"},
                                     {"Origin": "", "Referer": "http://evil.example/"}])
def test_a_sign_in_posted_from_another_site_is_refused(env, headers):
    answer = browser().post(signin.SIGN_IN_PATH, headers=headers, data={
        "identifiant": "claire", "mot_de_passe": PASSWORD})
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers
    assert "depuis une page du tableau de bord" in answer.text


@pytest.mark.parametrize("back", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_no_open_redirect(env, back):
    assert sign_in(browser(), back=back).headers["location"] == "/"


def test_a_huge_form_is_refused(env):
    answer = browser().post(signin.SIGN_IN_PATH, headers=SAME_SITE,
                            content=b"identifiant=" + b"a" * 20_000)
    assert answer.status_code == 403


def test_the_throttle_counts_every_post_and_locks_the_right_password_too(env):
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "127.0.0.1"):
        sign_in(browser(address), password="faux")
    locked = sign_in(browser("198.51.100.1"))
    assert locked.headers["location"] == \
        "/importer?dep=95&connexion=verrou&formulaire=page&attente=30"
    assert "set-cookie" not in locked.headers


def test_signing_out_clears_the_cookie_and_needs_a_page_of_this_site(env):
    client = browser()
    assert sign_in(client).status_code == 303
    refused = client.post(signin.SIGN_OUT_PATH, headers={"Origin": "http://evil.example"})
    assert refused.status_code == 403
    answer = client.post(signin.SIGN_OUT_PATH, headers=SAME_SITE, data={"retour": "/saisie"})
    assert answer.status_code == 303 and answer.headers["location"] == "/saisie"
    assert answer.headers["set-cookie"].startswith(f'{signin.COOKIE_NAME}=""; ')
    assert "Max-Age=0" in answer.headers["set-cookie"]
    assert "HttpOnly" in answer.headers["set-cookie"]


# -- The first administrator ---------------------------------------------------------------


@pytest.fixture
def fresh(monkeypatch, tmp_path) -> Settings:
    """No account at all."""
    monkeypatch.setenv("TNE_DASH_ACCOUNTS_FILE", str(tmp_path / "accounts.toml"))
    monkeypatch.setenv("TNE_DASH_SESSION_SECRET_FILE", str(tmp_path / "session_secret"))
    SIGN_IN_THROTTLE.clear()
    yield Settings.from_env()
    SIGN_IN_THROTTLE.clear()


def admin_form(token: str, **values: str) -> dict[str, str]:
    return {"jeton": token, "identifiant": "root", "mot_de_passe": PASSWORD,
            "confirmation": PASSWORD, "departements": "95, 86", "email": ""} | values


def test_tne_dash_run_prints_the_setup_link_once_and_stores_only_its_hash(fresh, capsys):
    stream = io.StringIO()
    link = prepare_sign_in(fresh, "0.0.0.0", 8502, stream=stream)
    assert link.startswith("http://localhost:8502/auth/premier-admin?jeton=")
    assert stream.getvalue().count(link) == 1
    token = link.split("jeton=")[1]
    stored = signin.setup_token_path(fresh.accounts_file)
    assert token not in stored.read_text() and len(token) >= 40
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh.session_secret_file.stat().st_mode) == 0o600
    assert fresh.session_secret_file.read_text().strip() not in stream.getvalue()


def test_the_run_command_prints_the_link_before_starting_the_server(fresh, built_db_url,
                                                                    monkeypatch, capsys):
    monkeypatch.setattr("tne_dash.cli.subprocess.call", lambda *args, **kwargs: 0)
    assert main(["run", "--database-url", built_db_url, "--port", "8503"]) == 0
    err = capsys.readouterr().err
    assert err.count("http://localhost:8503/auth/premier-admin?jeton=") == 1
    save_accounts(fresh.accounts_file, [Account("root", Role.ADMIN, password_hash="x")])
    assert main(["run", "--database-url", built_db_url, "--port", "8503"]) == 0
    assert "premier-admin" not in capsys.readouterr().err  # an account exists: no link
    assert not signin.setup_token_path(fresh.accounts_file).exists()


def test_the_setup_link_creates_the_first_admin_signs_them_in_then_refuses_reuse(fresh):
    token = prepare_sign_in(fresh, "localhost", 8501, stream=io.StringIO()).split("=")[-1]
    client = browser()
    page = client.get(f"{signin.FIRST_ADMIN_PATH}?jeton={token}")
    assert page.status_code == 200 and "Créer le premier administrateur" in page.text
    assert page.headers["cache-control"] == "no-store"
    weak = client.post(signin.FIRST_ADMIN_PATH, headers=SAME_SITE,
                       data=admin_form(token, mot_de_passe="a", confirmation="a"))
    assert weak.status_code == 400
    assert "trop court : au moins 12 caractères" in weak.text
    assert not fresh.accounts_file.exists()
    different = client.post(signin.FIRST_ADMIN_PATH, headers=SAME_SITE,
                            data=admin_form(token, confirmation=PASSWORD + "!"))
    assert "les deux saisies diffèrent" in different.text
    bad_dep = client.post(signin.FIRST_ADMIN_PATH, headers=SAME_SITE,
                          data=admin_form(token, departements="95, ZZ"))
    assert "code de département invalide" in bad_dep.text
    created = client.post(signin.FIRST_ADMIN_PATH, headers=SAME_SITE, data=admin_form(token))
    assert created.status_code == 303 and created.headers["location"] == "/"
    root = load_accounts(fresh.accounts_file)["root"]
    assert root.is_admin and root.departements == {"95", "86"}
    assert authenticate({"root": root}, "root", PASSWORD) == root
    assert read_back(fresh, created.cookies[signin.COOKIE_NAME]).name == "root"
    again = browser().post(signin.FIRST_ADMIN_PATH, headers=SAME_SITE,
                           data=admin_form(token, identifiant="intrus"))
    assert again.status_code == 410
    assert list(load_accounts(fresh.accounts_file)) == ["root"]
    assert browser().get(f"{signin.FIRST_ADMIN_PATH}?jeton={token}").status_code == 410
    # tne-dash accounts add keeps working beside it
    assert main(["accounts", "list"]) == 0


@pytest.mark.parametrize("token", [None, "", "faux", "x" * 500])
def test_the_setup_page_refuses_anyone_without_the_token(fresh, token):
    prepare_sign_in(fresh, "localhost", 8501, stream=io.StringIO())
    query = "" if token is None else f"?jeton={token}"
    answer = browser().get(f"{signin.FIRST_ADMIN_PATH}{query}")
    assert answer.status_code == 403 and "Lien invalide" in answer.text
    posted = browser().post(signin.FIRST_ADMIN_PATH, headers=SAME_SITE,
                            data=admin_form(token or ""))
    assert posted.status_code == 403
    assert not fresh.accounts_file.exists()


def test_a_setup_token_expires_after_24_hours_and_serves_once(tmp_path):
    path = tmp_path / signin.SETUP_TOKEN_FILE
    token = signin.create_setup_token(path, now=NOW)
    assert signin.setup_token_valid(path, token, now=NOW + 24 * 3600 - 1)
    assert not signin.setup_token_valid(path, token, now=NOW + 24 * 3600)
    assert not signin.consume_setup_token(path, token, now=NOW + 24 * 3600)
    winners = []
    threads = [threading.Thread(target=lambda: winners.append(
        signin.consume_setup_token(path, token, now=NOW))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert winners.count(True) == 1
    assert list(tmp_path.iterdir()) == []


def test_guessing_setup_tokens_is_throttled(fresh):
    prepare_sign_in(fresh, "localhost", 8501, stream=io.StringIO())
    guesser = browser("203.0.113.66")
    for _ in range(5):
        assert guesser.get(f"{signin.FIRST_ADMIN_PATH}?jeton=devine").status_code == 403
    locked = guesser.get(f"{signin.FIRST_ADMIN_PATH}?jeton=devine")
    assert locked.status_code == 429 and "Trop d'essais de connexion" in locked.text
    assert browser("203.0.113.67").get(f"{signin.FIRST_ADMIN_PATH}?jeton=x").status_code == 403


def test_the_setup_form_posted_from_another_site_is_refused(fresh):
    token = prepare_sign_in(fresh, "localhost", 8501, stream=io.StringIO()).split("=")[-1]
    answer = browser().post(signin.FIRST_ADMIN_PATH, headers={"Origin": "http://evil.example"},
                            data=admin_form(token))
    assert answer.status_code == 403 and not fresh.accounts_file.exists()
    assert signin.setup_token_valid(signin.setup_token_path(fresh.accounts_file), token)


# -- The pages -----------------------------------------------------------------------------


@pytest.fixture
def page_env(env, app_env) -> Settings:
    return env


def with_cookie(monkeypatch, value: str | None) -> None:
    monkeypatch.setattr("tne_dash.ui.auth.session_cookie", lambda: value)


def test_a_page_opened_with_the_cookie_is_signed_in(page_env, monkeypatch):
    client = browser()
    with_cookie(monkeypatch, sign_in(client).cookies[signin.COOKIE_NAME])
    at = open_page("saisie.py")
    assert not at.exception
    assert at.title[0].value == "Saisir un atelier"
    assert [c.value for c in at.sidebar.caption] == ["Connecté : **claire** — éditeur (95)"]
    sign_out = [h.proto.body for h in at.get("html") if signin.SIGN_OUT_PATH in h.proto.body]
    assert len(sign_out) == 1 and "Se déconnecter" in sign_out[0]


@pytest.mark.parametrize("value", ["n'importe.quoi", "a" * 3000, "é.è"])
def test_a_page_opened_with_a_tampered_cookie_is_anonymous_without_an_error(
        page_env, monkeypatch, claire, value):
    with_cookie(monkeypatch, value)
    at = open_page("saisie.py")
    assert not at.exception and not at.error
    assert "Vous n'êtes pas connecté" in at.warning[0].value


def test_a_cookie_of_an_account_whose_password_changed_opens_nothing(page_env, monkeypatch):
    cookie = sign_in(browser()).cookies[signin.COOKIE_NAME]
    save_accounts(page_env.accounts_file, [Account(
        "claire", Role.EDITEUR, frozenset({"95"}), password_hash=hash_password(PASSWORD + "2"))])
    with_cookie(monkeypatch, cookie)
    at = open_page("importer.py")
    assert not at.exception
    assert "Vous n'êtes pas connecté" in at.warning[0].value


def test_the_sidebar_form_shows_its_own_result_opened(page_env):
    at = open_page("accueil.py", connexion="echec", formulaire="sidebar")
    assert not at.exception
    assert [e.value for e in at.sidebar.error] == ["Identifiant ou mot de passe incorrect."]
    forms = [h.proto.body for h in at.get("html") if signin.SIGN_IN_PATH in h.proto.body]
    assert len(forms) == 1 and 'name="retour" value="/"' in forms[0]


def test_without_any_account_the_pages_point_to_the_setup_link(fresh, app_env):
    at = open_page("saisie.py")
    assert any("affiche dans le terminal un lien qui crée le premier administrateur" in c.value
               for c in at.caption)


# -- The identity provider's claims --------------------------------------------------------


ACCOUNTS = {"claire": Account("claire", Role.EDITEUR, frozenset({"95"}),
                              email="claire@exemple.fr")}


@pytest.mark.parametrize(("claims", "role", "departements"), [
    ({"tne_role": "editeur", "tne_deps": ["95", "86"]}, Role.EDITEUR, {"95", "86"}),
    ({"tne_role": "Éditeur", "tne_deps": "95, 2a,ZZ, ../.."}, Role.EDITEUR, {"95", "2A"}),
    ({"tne_role": ["offline_access", "editeur", "admin"]}, Role.ADMIN, set()),
    ({"tne_role": "lecteur", "tne_deps": ["95"]}, Role.LECTEUR, set()),
    ({"realm_access": {"roles": ["default-roles", "admin"]}}, Role.ADMIN, set()),
])
def test_the_role_and_departements_come_from_the_declared_claims(claims, role, departements):
    role_claim = "realm_access.roles" if "realm_access" in claims else "tne_role"
    account = account_for_claims(ACCOUNTS, {"email": "x@exemple.fr", "name": "X", **claims},
                                 role_claim=role_claim, departements_claim="tne_deps")
    assert (account.role, set(account.departements), account.name) == (role, departements, "X")


def test_without_a_role_claim_the_accounts_file_decides_by_verified_email():
    claims = {"email": "Claire@Exemple.fr", "name": "Claire", "tne_role": "admin"}
    assert account_for_claims(ACCOUNTS, claims).departements == {"95"}  # no claim declared
    assert account_for_claims(ACCOUNTS, {**claims, "tne_role": "inconnu"},
                              role_claim="tne_role").role == Role.EDITEUR
    unverified = {**claims, "email_verified": False}
    assert account_for_claims(ACCOUNTS, unverified).role == Role.LECTEUR
