"""Real-browser helpers: a headless streamlit server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from postgres import free_port
from required import missing

# Defined once, with tne-dash bench's browser measures: Debian's Chromium and its flags, what
# "ready" means, the requests that stay on this machine (anything else is blocked and
# reported), the map's frame and canvas.
from tne_dash.browser_bench import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_PREFIXES,
    MAP_CANVAS,
    MAP_FRAME,
    NO_SKELETON,
    READY,
    wait_until_answering,
)
from tne_dash.browser_bench import chromium_browser as bench_browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"


@contextmanager
def streamlit_server(database_url: str, *, secrets_file: Path | None = None,
                     port: int | None = None, **extra_env: str):
    """``streamlit run serve.py`` on a free loopback port; yields its base URL."""
    with streamlit_process(database_url, secrets_file=secrets_file, port=port,
                           **extra_env) as (base, _process):
        yield base


@contextmanager
def streamlit_process(database_url: str, *, secrets_file: Path | None = None,
                      port: int | None = None, **extra_env: str):
    """``streamlit run serve.py`` (the app behind its middleware) on a free loopback port
    (or ``port``); yields its base URL and process. ``secrets_file``: the server's
    ``secrets.toml`` (``--secrets.files``, e.g. an ``[auth]`` section for st.login). The
    cookie secret goes to a temporary file unless ``TNE_DASH_SESSION_SECRET_FILE`` is given."""
    port = port or free_port()
    scratch = tempfile.TemporaryDirectory(prefix="tne-dash-server-")
    extra_env.setdefault("TNE_DASH_SESSION_SECRET_FILE",
                         str(Path(scratch.name) / "session_secret"))
    env = dict(os.environ, TNE_DASH_DATABASE_URL=database_url, **extra_env)
    log = open(ARTIFACTS.mkdir(exist_ok=True) or ARTIFACTS / f"streamlit-{port}.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"),
         "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
         "--server.fileWatcherType=none", "--browser.gatherUsageStats=false",
         *([f"--secrets.files={secrets_file}"] if secrets_file else [])],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(process, f"{base}/_stcore/health", lambda body: body == b"ok", 60,
                             f"streamlit did not start; see {log.name}")
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
        scratch.cleanup()


def require_playwright_and_chromium() -> None:
    """Fail in CI, skip elsewhere, when Playwright or Debian's Chromium is missing."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing("Playwright", "paquet Python playwright absent (make test l'installe)")
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        missing("Chromium", f"{CHROMIUM} absent (make test installe le paquet Debian)")


@contextmanager
def chromium_browser():
    """Debian's headless Chromium with the bench's flags (``browser_bench.chromium_browser``),
    launched once for several pages (``page_in``): a module that opens many views pays the
    launch once, each view still in a fresh context."""
    require_playwright_and_chromium()  # missing: a skip, or a failure with CI=true
    with bench_browser() as browser:
        yield browser


@contextmanager
def page_in(browser, width: int = 1440, height: int = 1000):
    """A page in a fresh context of ``browser`` (no cookie, storage or cache of another
    page); requests outside 127.0.0.1 aborted. Yields (page, outside, errors): ``outside``
    lists every request that tried to leave, ``errors`` the page's script errors and what
    the Content-Security-Policy refused."""
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(LOCAL_PREFIXES):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A request the Content-Security-Policy refused is an error too (serve.py's headers).
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and "Content Security Policy" in msg.text else None)
    try:
        yield page, outside, errors
    finally:
        context.close()


@contextmanager
def chromium_page(width: int = 1440, height: int = 1000):
    """A Playwright page in its own headless Chromium (``chromium_browser``, ``page_in``).

    Yields (page, outside, errors) as ``page_in``.
    """
    with chromium_browser() as browser, page_in(browser, width, height) as opened:
        yield opened


def wait_until_rendered(page, timeout_ms: int = 60_000) -> None:
    """Streamlit has finished running the script and no skeleton is left."""
    page.wait_for_selector(READY, timeout=timeout_ms)
    page.wait_for_function(NO_SKELETON, timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_selector(READY, timeout=timeout_ms)


# The page's scrolling height and every frame's height, unchanged for ``quiet`` ms: component
# frames (the map, the embeds) have taken their height and nothing moves any more.
_SETTLED = """(quiet) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const sizes = [main ? main.scrollHeight : 0, innerWidth, innerHeight,
                   ...[...document.querySelectorAll('iframe')].map((f) => f.offsetHeight)]
        .join(' ');
    const seen = window.__tneSettled;
    if (!seen || seen.sizes !== sizes) {
        window.__tneSettled = {sizes: sizes, since: performance.now()};
        return false;
    }
    return performance.now() - seen.since >= quiet;
}"""


def wait_until_settled(page, quiet_ms: int = 300, timeout_ms: int = 30_000) -> None:
    """Wait until the page and its frames keep their heights for ``quiet_ms`` (instead of a
    fixed pause: as short as the page allows, as long as it needs)."""
    page.evaluate("() => { delete window.__tneSettled; }")
    page.wait_for_function(_SETTLED, arg=quiet_ms, polling=50, timeout=timeout_ms)


def sign_in_on_page(page, base: str, path: str, name: str, password: str) -> None:
    """Open ``path`` (an editors' page), sign in with the page's local form, wait until the
    sidebar says who is signed in and the page has rendered again."""
    page.goto(f"{base}{path}")
    wait_until_rendered(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_label("Identifiant").fill(name)
    main.get_by_label("Mot de passe", exact=True).fill(password)
    main.get_by_role("button", name="Se connecter").click()
    page.get_by_text(f"Connecté : {name}").wait_for(timeout=30_000)
    wait_until_rendered(page)


def map_frame(page):
    """The folium map's frame, once Leaflet has drawn its canvas."""
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(MAP_CANVAS).first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # let Leaflet finish drawing the canvas
    return frame


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
