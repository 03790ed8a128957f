"""Who is looking: the identity provider (``st.login``) when configured, else local accounts.

The rights themselves are decided in ``tne_dash.access``; this module only knows where the
identity comes from and how to ask for it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from tne_dash import access
from tne_dash.access import ANONYMOUS, Account
from tne_dash.ui import data

SESSION_KEY = "tne_account"


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
    return load_accounts(str(path), path.stat().st_mtime if path.exists() else 0.0)


def current_account() -> Account:
    """The viewer's account (ANONYMOUS when nobody is signed in)."""
    if identity_provider_configured() and st.user.is_logged_in:
        return access.account_for_identity(accounts(), str(st.user.get("email") or ""),
                                           str(st.user.get("name") or ""),
                                           st.user.get("email_verified"))
    return st.session_state.get(SESSION_KEY, ANONYMOUS)


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    if identity_provider_configured() and st.user.is_logged_in:
        st.logout()


def sign_in_form(key: str = "sidebar") -> None:
    """The sign-in control: the identity provider's button, or a local account form."""
    if identity_provider_configured():
        st.button("Se connecter", key=f"login-{key}", on_click=st.login, type="primary",
                  icon=":material/login:")
        return
    if not accounts():
        st.caption("Aucun compte n'est configuré : un administrateur en crée avec "
                   "`tne-dash accounts add NOM --role editeur --departements 95`.")
        return
    with st.form(f"sign-in-{key}", border=False):
        name = st.text_input("Identifiant", key=f"name-{key}")
        password = st.text_input("Mot de passe", type="password", key=f"password-{key}")
        submitted = st.form_submit_button("Se connecter", type="primary",
                                          icon=":material/login:")
    if submitted:
        _local_sign_in(name, password)


def client_address() -> str | None:
    """Who is asking, as far as the server can tell: the connection's address, with the
    address a reverse proxy forwarded (``X-Forwarded-For``, ``X-Real-IP``) when there is
    one, so that viewers behind the same proxy are told apart. None when unknown (local
    viewer, no forwarding header): the throttle then counts the account name alone."""
    try:
        address = st.context.ip_address
        headers = st.context.headers
        forwarded = (headers.get("X-Forwarded-For") or "").split(",")[0].strip() or \
            (headers.get("X-Real-Ip") or "").strip()
    except Exception:  # noqa: BLE001 — outside a browser session there is no client at all
        return None
    if forwarded:
        return f"{address or 'local'} pour {forwarded}"
    return address or None


def _local_sign_in(name: str, password: str) -> None:
    """Check the password under the server-wide throttle (by account name and by client:
    reloading the page or opening another tab does not reset it)."""
    try:
        account = access.sign_in(accounts(), name, password, client_address())
    except access.SignInLocked as locked:
        st.error(str(locked))
        return
    if account is None:
        st.error("Identifiant ou mot de passe incorrect.")
        return
    st.session_state[SESSION_KEY] = account
    st.rerun()


def sidebar_account() -> None:
    """Who is signed in, and the sign-in / sign-out control, at the foot of the sidebar."""
    account = current_account()
    with st.sidebar:
        if account.signed_in:
            st.caption(f"Connecté : **{account.name}** — {account.describe_rights()}")
            st.button("Se déconnecter", on_click=sign_out, icon=":material/logout:",
                      key="sign-out")
        else:
            with st.expander("Espace éditeurs", icon=":material/lock:"):
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
        st.stop()
    return account
