"""A real OpenID Connect provider for the tests: tests/oidc/provider.mjs (npm's
oidc-provider, run by Node.js) on a free loopback port. `make test` installs it with
`npm ci --prefix tests/oidc`; in CI a missing Node.js or package fails the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

from postgres import free_port
from required import missing

from tne_dash.browser_bench import wait_until_answering

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
PROVIDER = OIDC_DIR / "provider.mjs"
PACKAGE = OIDC_DIR / "node_modules" / "oidc-provider" / "package.json"
CLIENT_ID = "tne-dash"
CLIENT_SECRET = "secret-du-client-de-test-tne-dash-0123456789"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def require_oidc_provider() -> str:
    """The ``node`` executable, after checking the package is installed (fails in CI)."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        missing("Node.js", "commande node absente (make test installe le paquet Debian nodejs)")
    if not PACKAGE.exists():
        missing("oidc-provider", "paquet npm absent : npm ci --prefix tests/oidc "
                                 "(make test le lance)")
    return node


@contextmanager
def oidc_provider(redirect_uri: str, users: dict[str, dict]):
    """Start the provider with one client (redirecting to ``redirect_uri``) and ``users``
    ({login: {"password": …, "claims": {"sub": …, …}}}); yields its issuer URL."""
    node = require_oidc_provider()
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = dict(os.environ, OIDC_PORT=str(port), OIDC_CLIENT_ID=CLIENT_ID,
               OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_REDIRECT_URI=redirect_uri,
               OIDC_USERS=json.dumps(users))
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / f"oidc-provider-{port}.log", "w")
    process = subprocess.Popen([node, str(PROVIDER)], cwd=OIDC_DIR, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        wait_until_answering(process, f"{issuer}/.well-known/openid-configuration",
                             lambda body: json.loads(body)["issuer"] == issuer, 30,
                             f"le fournisseur OIDC n'a pas démarré ; voir {log.name}")
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def auth_secrets(path: Path, app_base: str, issuer: str) -> Path:
    """A ``secrets.toml`` with the ``[auth]`` section st.login reads, for this provider."""
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{app_base}/oauth2callback"\n'
        'cookie_secret = "secret-des-cookies-streamlit-de-test-0123456789"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        encoding="utf-8")
    return path
