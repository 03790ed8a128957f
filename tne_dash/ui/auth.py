"""Who is looking: the identity provider (``st.login``) when configured, else local accounts.

A local sign-in is a plain HTML form (no JavaScript) that posts to the server's own route
(``ui/sign_in_routes.py``): the server checks the password and sets a signed, ``HttpOnly``
cookie, which this module reads back on every run (``signin.read_cookie``) — so a reload, a
new tab or a link keeps the editor signed in, until « Se déconnecter » or the cookie's end.
The rights themselves are decided in ``tne_dash.access``.
"""

from __future__ import annotations

import html
import logging
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import streamlit as st

from tne_dash import access, signin
from tne_dash.access import ANONYMOUS, Account
from tne_dash.ui import data, shell

# An account put in the session by the server itself (AppTest, the benchmark): never by a
# browser, which only has the cookie.
SESSION_KEY = "tne_account"
_ROUTE_PARAMS = (signin.RESULT_PARAM, signin.WAIT_PARAM, signin.FORM_PARAM)
_MAX_WAIT = 24 * 3600
log = logging.getLogger("tne_dash.auth")

# The forms look like Streamlit's own fields and primary button (State palette).
_FORM_STYLE = """<style>
.tne-signin{max-width:28rem}
.tne-signin label{display:block;font-size:.875rem;margin:.5rem 0 .25rem}
.tne-signin input[type=text],.tne-signin input[type=password]{box-sizing:border-box;
width:100%;height:2.5rem;padding:0 .75rem;font:inherit;color:inherit;background:#F6F6F6;
border:1px solid #DDDDDD;border-radius:.5rem}
.tne-signin input:focus{outline:2px solid #000091;outline-offset:1px}
.tne-signin button{margin-top:.75rem;min-height:2.5rem;padding:.25rem .9rem;font:inherit;
color:#fff;background:#000091;border:1px solid #000091;border-radius:.5rem;cursor:pointer}
.tne-signin button.tne-secondary{color:#161616;background:#fff;border-color:#DDDDDD}
.tne-signin button:focus-visible{outline:2px solid #000091;outline-offset:2px}
</style>"""


def identity_provider_configured() -> bool:
    """True when ``secrets.toml`` has an ``[auth]`` section (OIDC: ProConnect, Keycloak …)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 — no secrets file at all is the common case
        return False


@st.cache_data(ttl=30, max_entries=4, show_spinner=False)
def load_accounts(path: str, mtime: float) -> dict[str, Account]:
    """The accounts file, read again whenever it changes (``mtime`` is part of the cache key)."""
    return access.load_accounts(Path(path))


def accounts() -> dict[str, Account]:
    path = data.settings().accounts_file
    return load_accounts(str(path), path.stat().st_mtime_ns if path.exists() else 0.0)


def session_cookie() -> str | None:
    """The sign-in cookie the browser sent when it opened this session (None: none)."""
    try:
        return st.context.cookies.get(signin.COOKIE_NAME)
    except Exception:  # noqa: BLE001 — outside a browser session there are no cookies
        return None


def cookie_account() -> Account | None:
    """The local account the cookie stands for; None when there is no cookie, or it is
    tampered with, expired, or its account removed or given a new password."""
    value = session_cookie()
    if not value:
        return None
    settings = data.settings()
    try:
        secret = signin.server_secret(settings.session_secret, settings.session_secret_file)
    except (signin.SecretError, OSError) as exc:
        log.error("Secret des sessions illisible : %s", type(exc).__name__)
        return None
    return signin.read_cookie(value, secret, accounts(), time.time())


def current_account() -> Account:
    """The viewer's account (ANONYMOUS when nobody is signed in)."""
    if identity_provider_configured() and st.user.is_logged_in:
        settings = data.settings()
        return access.account_for_claims(accounts(), st.user,
                                         role_claim=settings.oidc_role_claim,
                                         departements_claim=settings.oidc_departements_claim)
    account = cookie_account()
    if account is not None:
        return account
    return st.session_state.get(SESSION_KEY, ANONYMOUS)


def return_path() -> str:
    """Where a form sends the browser back: this page, with its address parameters (never
    the sign-in route's own)."""
    try:
        url = st.context.url
    except Exception:  # noqa: BLE001 — no browser (AppTest): the home page
        url = None
    path = urlsplit(url).path if url else "/"
    pairs = [(key, value) for key in st.query_params if key not in _ROUTE_PARAMS
             for value in st.query_params.get_all(key)]
    return signin.safe_return_path(path + (f"?{urlencode(pairs)}" if pairs else ""))


def _sign_in_result(key: str) -> str | None:
    """The French message for the sign-in this form (``key``) just posted, if any."""
    if st.query_params.get(signin.FORM_PARAM) != key:
        return None
    result = st.query_params.get(signin.RESULT_PARAM)
    if result == signin.FAILED:
        return "Identifiant ou mot de passe incorrect."
    if result == signin.LOCKED:
        try:
            wait = min(max(int(st.query_params.get(signin.WAIT_PARAM) or 30), 1), _MAX_WAIT)
        except ValueError:
            wait = 30
        return str(access.SignInLocked(wait))
    return None


def sign_in_form_html(key: str, back: str) -> str:
    """The local sign-in form: plain HTML posting to the server's sign-in route."""
    quoted = html.escape(back, quote=True)
    return (f'{_FORM_STYLE}<form class="tne-signin" method="post" '
            f'action="{signin.SIGN_IN_PATH}">'
            f'<label for="tne-name-{key}">Identifiant</label>'
            f'<input type="text" id="tne-name-{key}" name="identifiant" '
            'autocomplete="username" maxlength="64" required>'
            f'<label for="tne-password-{key}">Mot de passe</label>'
            f'<input type="password" id="tne-password-{key}" name="mot_de_passe" '
            'autocomplete="current-password" required>'
            f'<input type="hidden" name="retour" value="{quoted}">'
            f'<input type="hidden" name="{signin.FORM_PARAM}" value="{key}">'
            '<button type="submit">Se connecter</button></form>')


def sign_out_form_html(back: str) -> str:
    """« Se déconnecter »: a form posting to the server's sign-out route (the cookie is
    ``HttpOnly``: only the server can clear it)."""
    return (f'{_FORM_STYLE}<form class="tne-signin" method="post" '
            f'action="{signin.SIGN_OUT_PATH}">'
            f'<input type="hidden" name="retour" value="{html.escape(back, quote=True)}">'
            '<button type="submit" class="tne-secondary">Se déconnecter</button></form>')


def sign_in_form(key: str = "sidebar") -> None:
    """The sign-in control: the identity provider's button, or a local account form."""
    if identity_provider_configured():
        name = data.settings().oidc_provider_name
        st.button(f"Se connecter avec {name}" if name else "Se connecter",
                  key=f"login-{key}", on_click=st.login, type="primary",
                  icon=":material/login:")
        return
    if not accounts():
        st.caption("Aucun compte n'est configuré : au démarrage, `tne-dash run` affiche dans "
                   "le terminal un lien qui crée le premier administrateur ; un "
                   "administrateur en ajoute avec `tne-dash accounts add NOM --role editeur "
                   "--departements 95`.")
        return
    if message := _sign_in_result(key):
        st.error(message)
    st.html(sign_in_form_html(key, return_path()))


def sidebar_account() -> None:
    """Who is signed in, and the sign-in / sign-out control, at the foot of the sidebar."""
    account = current_account()
    with st.sidebar:
        if account.signed_in:
            st.caption(f"Connecté : **{account.name}** — {account.describe_rights()}")
            if identity_provider_configured() and st.user.is_logged_in:
                st.button("Se déconnecter", on_click=st.logout, icon=":material/logout:",
                          key="sign-out")
            else:
                st.html(sign_out_form_html(return_path()))
        else:
            opened = st.query_params.get(signin.FORM_PARAM) == "sidebar"
            with st.expander("Espace éditeurs", icon=":material/lock:", expanded=opened):
                sign_in_form()


def require_editor(purpose: str) -> Account:
    """The signed-in editor, or a clear refusal with a sign-in control (the page stops)."""
    account = current_account()
    if not account.can_edit:
        who = "Vous êtes connecté sans droits d'édition." if account.signed_in else \
            "Vous n'êtes pas connecté."
        st.warning(f"Cette page sert à {purpose} : elle est réservée aux éditeurs et aux "
                   f"administrateurs. {who}", icon=":material/lock:")
        if not account.signed_in:
            sign_in_form(key="page")
        shell.end_page()
    return account
