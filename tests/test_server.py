"""The server as `tne-dash run` starts it (serve.py): security headers on every answer,
Streamlit's metrics private, uploads capped at the import limit (issue 18, findings 13 and
19). The pages behind it render under the Content-Security-Policy in tests/test_browser.py,
which counts every refused request as an error."""

from __future__ import annotations

import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser import streamlit_server

from tne_dash.access import Account, Role, account_for_identity
from tne_dash.cli import server_command
from tne_dash.config import Settings
from tne_dash.ui.http import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parent.parent


def headers_of(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}


@pytest.mark.browser
def test_every_answer_carries_the_security_headers_and_the_metrics_stay_private(
        built_db_url):
    with streamlit_server(built_db_url) as base:
        for path in ("/", "/carte", "/app/static/favicon.png", "/_stcore/health"):
            status, headers = headers_of(base + path)
            assert status == 200, path
            assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
            assert headers["x-frame-options"] == "SAMEORIGIN"
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "same-origin"
        assert headers_of(base + "/_stcore/metrics")[0] == 404


def test_the_policy_lets_no_other_origin_in_nor_frame_the_app():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["connect-src"] == "'self'" and directives["frame-ancestors"] == "'self'"
    assert "http" not in CONTENT_SECURITY_POLICY and "*" not in CONTENT_SECURITY_POLICY


def test_uploads_are_capped_at_the_import_limit_by_tne_dash_run_and_by_default(monkeypatch):
    monkeypatch.setenv("TNE_DASH_IMPORT_MAX_MB", "7")
    command = server_command(Settings.from_env(), 8501, "localhost")
    assert command[3:5] == ["run", str(ROOT / "serve.py")]
    assert "--server.maxUploadSize=7" in command
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == Settings().import_max_mb


def test_an_unverified_email_from_the_identity_provider_gives_no_rights():
    accounts = {"claire": Account("claire", Role.EDITEUR, frozenset({"95"}),
                                  email="claire@example.fr")}
    assert account_for_identity(accounts, "claire@example.fr", "C", True).can_edit
    assert account_for_identity(accounts, "claire@example.fr", "C", None).can_edit
    for unverified in (False, "false"):
        account = account_for_identity(accounts, "Claire@example.fr", "C", unverified)
        assert account.role == Role.LECTEUR and not account.can_edit
