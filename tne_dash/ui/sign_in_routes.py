"""The server side of the local sign-in: three routes ``serve.py`` hands to ``st.App``.

- ``POST /auth/connexion``: the sign-in form of the pages (plain HTML, no JavaScript) posts
  here. The password is checked under the server-wide throttle (``access.sign_in``); on
  success the signed ``tne_session`` cookie is set (``signin.issue_cookie``) and the browser
  goes back (303) to the page it came from; on failure it goes back with
  ``?connexion=echec`` (or ``verrou`` and the seconds to wait), which the page shows.
- ``POST /auth/deconnexion``: clears the cookie and goes back.
- ``GET|POST /auth/premier-admin?jeton=…``: while there is no account at all, the one-time
  link ``tne-dash run`` prints opens a form that creates the first administrator (the
  password strength rule of ``tne-dash accounts add``), then signs them in.

Every post must come from a page of this site (``Origin``, else ``Referer``), and may only
send the browser back to a path of this site (no open redirect). No streamlit import: plain
Starlette, like ``http.py``.
"""

from __future__ import annotations

import html
import logging
import math
import threading
import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from tne_dash import access, signin
from tne_dash.config import Settings
from tne_dash.labels import APP_TITLE

log = logging.getLogger("tne_dash.signin")

MAX_FORM_BYTES = 16 * 1024
RESULT_PARAM, WAIT_PARAM, FORM_PARAM = signin.RESULT_PARAM, signin.WAIT_PARAM, signin.FORM_PARAM
FAILED, LOCKED = signin.FAILED, signin.LOCKED
# What the throttle counts a wrong setup token under (the name nobody can have: a space).
SETUP_THROTTLE_NAME = " lien d'installation"
_setup_lock = threading.Lock()  # one first administrator, even when two posts race
NO_STORE = {"cache-control": "no-store"}


def _first(value: str | None) -> str:
    return (value or "").split(",")[0].strip()


def is_https(request: Request) -> bool:
    """Served over HTTPS: directly, or behind a proxy that says so (X-Forwarded-Proto)."""
    forwarded = _first(request.headers.get("x-forwarded-proto")).lower()
    return request.url.scheme == "https" or forwarded == "https"


def from_this_site(request: Request, settings: Settings) -> bool:
    """The post comes from a page of this site (login CSRF: another site cannot sign a
    visitor in, or out, by posting here)."""
    hosts = {request.headers.get("host") or "", _first(request.headers.get("x-forwarded-host"))}
    if settings.public_url:
        hosts.add(urlsplit(settings.public_url).netloc)
    return signin.same_origin(request.headers.get("origin"), request.headers.get("referer"),
                              hosts)


async def read_form(request: Request) -> dict[str, str] | None:
    """An ``application/x-www-form-urlencoded`` body as {name: first value}; None when it
    is larger than any of our forms."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return None
    return {name: values[0] for name, values in parsed.items()}


def with_params(path: str, **params: str) -> str:
    """``path`` with our result parameters replaced by ``params`` (none: removed)."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qs(parts.query, keep_blank_values=True).items()
             if k not in (RESULT_PARAM, WAIT_PARAM, FORM_PARAM)]
    pairs = [(k, value) for k, values in query for value in values] + list(params.items())
    return urlunsplit(("", "", parts.path, urlencode(pairs), ""))


def go_to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303, headers=NO_STORE)


def refused_post() -> Response:
    return HTMLResponse(page("Requête refusée", "<p>Ce formulaire doit être envoyé depuis une "
                             "page du tableau de bord. <a href=\"/\">Retour à l'accueil</a></p>"),
                        status_code=403, headers=NO_STORE)


def set_session_cookie(response: Response, request: Request, settings: Settings,
                       account: access.Account) -> None:
    secret = signin.server_secret(settings.session_secret, settings.session_secret_file)
    response.set_cookie(signin.COOKIE_NAME,
                        signin.issue_cookie(account, secret, time.time(), settings.session_hours),
                        **signin.cookie_attributes(settings.session_hours, is_https(request)))


async def sign_in(request: Request) -> Response:
    settings = Settings.from_env()
    form = await read_form(request)
    if form is None or not from_this_site(request, settings):
        return refused_post()
    back = signin.safe_return_path(form.get("retour"))
    which = "page" if form.get(FORM_PARAM) == "page" else "sidebar"
    try:
        accounts = access.load_accounts(settings.accounts_file)
    except access.AccountsFileError as exc:
        log.error("%s", exc)
        return setup_refused("Connexion impossible", "Le fichier des comptes est illisible : "
                             "prévenez l'administrateur du serveur.", 500)
    try:  # Argon2 takes a tenth of a second: off the event loop
        account = await run_in_threadpool(access.sign_in, accounts, form.get("identifiant", ""),
                                          form.get("mot_de_passe", ""),
                                          access.request_client(request, settings.trusted_proxies))
    except access.SignInLocked as locked:
        return go_to(with_params(back, **{RESULT_PARAM: LOCKED, FORM_PARAM: which,
                                          WAIT_PARAM: str(math.ceil(locked.retry_after))}))
    if account is None:
        return go_to(with_params(back, **{RESULT_PARAM: FAILED, FORM_PARAM: which}))
    response = go_to(with_params(back))
    set_session_cookie(response, request, settings, account)
    return response


async def sign_out(request: Request) -> Response:
    settings = Settings.from_env()
    form = await read_form(request)
    if form is None or not from_this_site(request, settings):
        return refused_post()
    response = go_to(with_params(signin.safe_return_path(form.get("retour"))))
    response.delete_cookie(signin.COOKIE_NAME, path="/", httponly=True, samesite="lax",
                           secure=is_https(request))
    return response


# -- The first administrator ---------------------------------------------------------------


STYLE = """
body{font-family:system-ui,sans-serif;color:#161616;max-width:34rem;margin:3rem auto;
padding:0 1rem;line-height:1.5}
h1{font-size:1.6rem;color:#000091}
label{display:block;font-weight:600;margin-top:1rem}
.aide{font-size:.9rem;color:#3a3a3a;margin:.2rem 0}
input{box-sizing:border-box;width:100%;padding:.5rem;font-size:1rem;border:1px solid #929292;
border-radius:.25rem}
button{margin-top:1.5rem;background:#000091;color:#fff;border:0;border-radius:.25rem;
padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}
.erreurs{border-left:4px solid #e1000f;background:#ffe9e9;padding:.5rem 1rem}
"""


def page(title: str, body: str) -> str:
    """A small French HTML page of its own (no Streamlit, no script)."""
    return (f'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)} — {html.escape(APP_TITLE)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}"
            "</body></html>")


def first_admin_form(token: str, values: dict[str, str], errors: list[str]) -> str:
    def field(name: str, label: str, kind: str = "text", help_text: str = "",
              extra: str = "") -> str:
        value = "" if kind == "password" else html.escape(values.get(name, ""), quote=True)
        aide = f'<p class="aide" id="aide-{name}">{html.escape(help_text)}</p>' \
            if help_text else ""
        described = f' aria-describedby="aide-{name}"' if help_text else ""
        return (f'<label for="{name}">{html.escape(label)}</label>{aide}'
                f'<input id="{name}" name="{name}" type="{kind}" value="{value}"'
                f"{described} {extra}>")

    shown = ("<div class=\"erreurs\" role=\"alert\"><p>Le compte n'a pas été créé :</p><ul>"
             + "".join(f"<li>{html.escape(e)}</li>" for e in errors) + "</ul></div>"
             if errors else "")
    return page("Créer le premier administrateur", (
        "<p>Aucun compte n'existe encore. Ce lien, affiché au démarrage par "
        "<code>tne-dash run</code>, sert une seule fois : il crée le compte administrateur "
        "qui pourra ensuite tout faire (saisie, imports, objectifs, annulations).</p>"
        f"{shown}"
        f'<form method="post" action="{signin.FIRST_ADMIN_PATH}">'
        f'<input type="hidden" name="jeton" value="{html.escape(token, quote=True)}">'
        + field("identifiant", "Identifiant",
                help_text="Lettres, chiffres, « . _ - @ » et espaces ; 64 caractères au plus.",
                extra='autocomplete="username" required maxlength="64"')
        + field("mot_de_passe", "Mot de passe", "password",
                help_text=f"Au moins {access.MIN_PASSWORD_LENGTH} caractères, de deux sortes "
                          "au moins (minuscules, majuscules, chiffres, autres signes), et pas "
                          "l'identifiant.",
                extra='autocomplete="new-password" required')
        + field("confirmation", "Confirmez le mot de passe", "password",
                extra='autocomplete="new-password" required')
        + field("departements", "Départements suivis (facultatif)",
                help_text="Codes séparés par des virgules (ex. 95, 86) ; un administrateur "
                          "a de toute façon les droits partout.")
        + field("email", "E-mail (facultatif)",
                help_text="Celui du fournisseur d'identité (ProConnect…), s'il y en a un.",
                extra='autocomplete="email"')
        + '<button type="submit">Créer le compte et se connecter</button></form>'))


def new_admin(values: dict[str, str]) -> tuple[access.Account | None, list[str]]:
    """The first administrator from the form's values, or the French reasons it is refused
    — the rules of ``tne-dash accounts add``."""
    errors = []
    name = access.normalize_name(values.get("identifiant", ""))
    if problem := access.check_account_name(name):
        errors.append(f"Identifiant : {problem}")
    password = values.get("mot_de_passe", "")
    if problem := access.check_password_strength(password, name):
        errors.append(f"Mot de passe : {problem}")
    elif password != values.get("confirmation", ""):
        errors.append("Mot de passe : les deux saisies diffèrent.")
    departements = frozenset(d.strip().upper() for d in values.get("departements", "")
                             .replace(";", ",").split(",") if d.strip())
    for code in sorted(departements):
        if problem := access.check_departement_code(code):
            errors.append(f"Départements : {problem}")
    email = values.get("email", "").strip().lower()
    if email and (problem := access.check_email(email)):
        errors.append(f"E-mail : {problem}")
    if errors:
        return None, errors
    return access.Account(name, access.Role.ADMIN, departements, email=email,
                          password_hash=access.hash_password(password)), []


def setup_refused(title: str, text: str, status: int) -> Response:
    return HTMLResponse(page(title, f"<p>{text}</p>"), status_code=status, headers=NO_STORE)


ALREADY_DONE = ("Un compte existe déjà : ce lien ne sert plus. <a href=\"/\">Connectez-vous "
                "depuis le tableau de bord</a> (« Espace éditeurs »).")
BAD_LINK = ("Ce lien d'installation est invalide, déjà utilisé ou expiré (il vaut 24 heures). "
            "Relancez <code>tne-dash run</code> sur le serveur : tant qu'aucun compte "
            "n'existe, il affiche un nouveau lien.")


def _check_token(request: Request, settings: Settings, token: str | None) -> Response | None:
    """None when ``token`` is the valid setup token; else the refusal (a wrong token counts
    as a failed sign-in for this client, so guessing is as slow as guessing passwords)."""
    client = access.request_client(request, settings.trusted_proxies)
    name = SETUP_THROTTLE_NAME + (client or "")  # per client: nobody locks it for everyone
    wait = access.SIGN_IN_THROTTLE.retry_after(name, client)
    if wait > 0:
        message = html.escape(str(access.SignInLocked(wait)), quote=False)
        return setup_refused("Trop d'essais", message, 429)
    if not signin.setup_token_valid(signin.setup_token_path(settings.accounts_file), token):
        access.SIGN_IN_THROTTLE.record_failure(name, client)
        return setup_refused("Lien invalide", BAD_LINK, 403)
    return None


def _accounts_exist(settings: Settings) -> bool:
    """True when any account exists — or the file is unreadable: never a second « first »
    administrator over a file we cannot read."""
    try:
        return bool(access.load_accounts(settings.accounts_file))
    except access.AccountsFileError:
        return True


async def first_admin(request: Request) -> Response:
    settings = Settings.from_env()
    token_path = signin.setup_token_path(settings.accounts_file)
    if request.method == "GET":
        if _accounts_exist(settings):
            signin.discard_setup_token(token_path)
            return setup_refused("Installation déjà faite", ALREADY_DONE, 410)
        token = request.query_params.get("jeton")
        return _check_token(request, settings, token) or HTMLResponse(
            first_admin_form(token or "", {}, []), headers=NO_STORE)
    form = await read_form(request)
    if form is None or not from_this_site(request, settings):
        return refused_post()
    if _accounts_exist(settings):
        signin.discard_setup_token(token_path)
        return setup_refused("Installation déjà faite", ALREADY_DONE, 410)
    token = form.get("jeton")
    if refusal := _check_token(request, settings, token):
        return refusal
    account, errors = await run_in_threadpool(new_admin, form)
    if account is None:
        return HTMLResponse(first_admin_form(token or "", form, errors), status_code=400,
                            headers=NO_STORE)
    with _setup_lock:
        if not signin.consume_setup_token(token_path, token):
            return setup_refused("Lien invalide", BAD_LINK, 403)
        if _accounts_exist(settings):
            return setup_refused("Installation déjà faite", ALREADY_DONE, 410)
        access.save_accounts(settings.accounts_file, [account])
    log.warning("Premier administrateur créé par le lien d'installation : %s", account.name)
    response = go_to("/")
    set_session_cookie(response, request, settings, account)
    return response


ROUTES = [
    Route(signin.SIGN_IN_PATH, sign_in, methods=["POST"]),
    Route(signin.SIGN_OUT_PATH, sign_out, methods=["POST"]),
    Route(signin.FIRST_ADMIN_PATH, first_admin, methods=["GET", "POST"]),
]
