"""The server as `tne-dash run` starts it (serve.py): security headers on every answer,
Streamlit's metrics private, uploads capped at the import limit (issue 18, findings 13 and
19). The pages behind it render under the Content-Security-Policy in tests/test_browser.py,
which counts every refused request as an error."""

from __future__ import annotations

import re
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


def _nodelay_of_accepted_connection() -> int:
    """TCP_NODELAY of a connection accepted by asyncio on a listening socket made as
    Streamlit 1.67 makes its own (``socket.socket(family=…)``: protocol number 0)."""
    import asyncio
    import socket

    listening = socket.socket(family=socket.AF_INET)
    listening.bind(("127.0.0.1", 0))
    listening.listen(8)
    listening.setblocking(False)
    assert listening.proto == 0  # what asyncio's own rule skips
    seen: list[int] = []

    async def handle(reader, writer):
        seen.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP,
                                                               socket.TCP_NODELAY))
        writer.close()

    async def main():
        server = await asyncio.start_server(handle, sock=listening)
        port = listening.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        while not seen:
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    return seen[0]


def test_the_connections_the_server_accepts_send_small_answers_at_once(monkeypatch):
    import asyncio.base_events

    from tne_dash.ui import server

    # Without the setting, an answer's body waited 40 ms for the browser's delayed ACK.
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", asyncio.base_events._set_nodelay)
    assert _nodelay_of_accepted_connection() == 0
    server.send_small_answers_at_once()
    assert _nodelay_of_accepted_connection() != 0


def test_the_app_and_the_bench_s_empty_page_are_served_the_same_way():
    from tne_dash.browser_bench import EMPTY_SERVER
    from tne_dash.ui.server import middleware

    served = (ROOT / "serve.py").read_text(encoding="utf-8")
    for script in (served, EMPTY_SERVER):
        # streamlit run finds the app by reading this line (app_discovery): it stays literal.
        assert re.search(r"\nsend_small_answers_at_once\(\)[^\n]*\napp = st\.App\(", script)
        assert "middleware=middleware())" in script
    assert [m.cls.__name__ for m in middleware()] == [
        "GZipMiddleware", "SecurityHeaders", "CompressedOnce", "PageAddresses",
        "FrenchDocument"]
