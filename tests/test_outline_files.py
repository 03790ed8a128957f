"""The map's outlines are files the browser fetches once and caches (tne_dash/ui/outlines.py,
routes of serve.py): ETag, Cache-Control, 304, gzip, French errors for a bad département; the
Carte's component payload carries each feature's style and tooltip, never the geometry."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import shutil
import time
import urllib.error
import urllib.request

import jinja2
import pytest
from apptest import open_page
from starlette.applications import Starlette

from tne_dash import REFERENCE_DIR
from tne_dash.store.reference import COMMUNES_TNE_GEOJSON, DEPARTEMENTS_GEOJSON
from tne_dash.ui import outlines
from tne_dash.ui.http import CONTENT_SECURITY_POLICY


class Answer:
    """An HTTP answer of the routes, called in-process (ASGI)."""

    def __init__(self, status: int, headers: dict[str, str], content: bytes):
        self.status_code, self.headers, self.content = status, headers, content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")

    def json(self):
        body = self.content
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return json.loads(body)


class Client:
    """The outline routes in a bare Starlette app, asked the way a browser would."""

    def __init__(self):
        self.app = Starlette(routes=outlines.ROUTES)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        scope = {"type": "http", "http_version": "1.1", "method": "GET", "scheme": "http",
                 "path": path, "raw_path": path.encode(), "query_string": b"",
                 "root_path": "", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1),
                 "headers": [(k.lower().encode(), v.encode())
                             for k, v in (headers or {}).items()]}
        sent: list[dict] = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        asyncio.run(self.app(scope, receive, send))
        start = sent[0]
        return Answer(start["status"], {k.decode(): v.decode() for k, v in start["headers"]},
                      b"".join(m.get("body", b"") for m in sent[1:]))


@pytest.fixture(scope="module")
def client() -> Client:
    return Client()


def test_the_departement_outlines_are_served_with_cache_headers_and_gzipped(client):
    answer = client.get("/geo/departements.geojson", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/geo+json"
    assert answer.headers["cache-control"] == "public, max-age=86400"
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["vary"] == "Accept-Encoding"
    assert answer.headers["etag"].startswith('"') and answer.headers["etag"].endswith('-gz"')
    features = answer.json()["features"]
    assert len(features) == 101
    assert features[0]["properties"].keys() == {"code", "nom"}  # only what the map reads
    plain = client.get("/geo/departements.geojson", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert int(answer.headers["content-length"]) < len(plain.content) / 2


def test_a_browser_that_has_the_file_gets_a_304(client):
    etag = client.get("/geo/communes/95.geojson").headers["etag"]
    again = client.get("/geo/communes/95.geojson", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "public, max-age=86400"
    plain_tag = etag.removesuffix('-gz"') + '"'  # the same file, asked for uncompressed
    assert client.get("/geo/communes/95.geojson",
                      headers={"If-None-Match": f'W/{plain_tag}'}).status_code == 304
    other = client.get("/geo/communes/95.geojson", headers={"If-None-Match": '"autre"'})
    assert other.status_code == 200
    assert {f["properties"]["code"][:2] for f in other.json()["features"]} == {"95"}
    assert len(other.json()["features"]) == 183


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/geo/communes/9.geojson", 400, "Code de département invalide : « 9 »"),
        ("/geo/communes/<script>.geojson", 400, "Code de département invalide : « <script> »"),
        ("/geo/communes/" + "1" * 40 + ".geojson", 400, "« 111111111111… »"),
        ("/geo/communes/99.geojson", 404, "Département inconnu : « 99 »."),
        ("/geo/communes/75.geojson", 404,
         "Pas de contours de communes pour le département « 75 »"),
        ("/geo/regions.geojson", 404, "Fichier de contours inconnu."),
    ],
)
def test_a_bad_address_gets_a_french_message(client, path, status, message):
    answer = client.get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.headers["cache-control"] == "no-store"
    assert message in answer.text


def test_a_missing_reference_file_is_a_french_503(client, monkeypatch, tmp_path):
    monkeypatch.setenv("TNE_DASH_REFERENCE_DIR", str(tmp_path))
    answer = client.get("/geo/departements.geojson")
    assert answer.status_code == 503
    assert "Contours indisponibles" in answer.text and "departements.geojson" in answer.text


def test_the_url_the_map_asks_for_changes_with_the_reference_file(tmp_path):
    for name in (DEPARTEMENTS_GEOJSON, COMMUNES_TNE_GEOJSON):
        shutil.copy(REFERENCE_DIR / name, tmp_path / name)
    first = outlines.departements_url(tmp_path)
    assert first.startswith("/geo/departements.geojson?v=")
    assert outlines.departements_url(tmp_path) == first  # stable: the browser's cache holds
    assert outlines.communes_url(tmp_path, "95").startswith("/geo/communes/95.geojson?v=")
    later = time.time() + 10
    os.utime(tmp_path / DEPARTEMENTS_GEOJSON, (later, later))  # a new reference pack
    assert outlines.departements_url(tmp_path) != first
    served = outlines.departements_file(tmp_path)
    assert first.split("=")[1] != served.version == outlines.departements_url(tmp_path) \
        .split("=")[1]
    assert json.loads(gzip.decompress(served.gzipped)) == json.loads(served.body)


# --- The Carte's component payload ------------------------------------------------------------


def _component_args(at) -> tuple[dict, int]:
    """The map component's arguments, its whole script (base map and the feature groups
    streamlit-folium swaps in place) under "script", and their size in bytes."""
    raw = at.get("component_instance")[0].proto.json_args
    args = json.loads(raw)
    args["script"] += args.get("feature_group") or ""
    return args, len(raw.encode("utf-8"))


def test_the_carte_payload_carries_styles_and_tooltips_not_the_geometry(app_env, monkeypatch):
    compiled: list[int] = []
    tokenize = jinja2.Environment._tokenize

    def recording(self, source, *args, **kwargs):
        compiled.append(len(source))
        return tokenize(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "_tokenize", recording)
    at = open_page("carte.py", timeout=60)
    assert not at.exception
    args, size = _component_args(at)
    script = args["script"]
    assert "coordinates" not in script and "Polygon" not in script
    assert "/geo/departements.geojson?v=" in script
    assert "Vienne (86)" in script and "Cohorte TNE" in script  # each feature's tooltip
    assert "#000091" in script  # bleu France: the pilot cohort's fill
    # 1.74 MB when the outlines were embedded; the rest is the CNFS and venue points.
    assert size < 600_000, size
    # No layer's data is compiled as a template (folium did it at each of three renders).
    assert max(compiled) < 20_000, max(compiled)


def test_a_departement_payload_points_at_its_commune_outlines(app_env):
    at = open_page("carte.py", timeout=60, dep="95", to="2023-04-17", couches="aucune")
    assert not at.exception
    args, size = _component_args(at)
    script = args["script"]
    assert "/geo/communes/95.geojson?v=" in script and "/geo/departements.geojson?v=" in script
    assert "Bezons" in script and "Année 2 — Parents Ressources" in script
    assert "coordinates" not in script
    assert size < 80_000, size  # 184 KB with the geometry


def test_names_stay_inert_in_the_outline_data():
    from tne_dash import maps

    evil = "</script><img src=x onerror=alert(1)>"
    layer = maps.OutlineLayer("/geo/x.geojson", {"95063": ("#FFFFFF", maps.tooltip_html(evil))},
                              "Communes", weight=0.6, stack=maps.COMMUNES_STACK)
    body = layer._body
    assert "<" not in body.split("var STYLES")[1].split(";")[0]  # the data: no markup at all
    data = json.loads(body.split("DATA = ")[1].split(", WEIGHT")[0])
    assert data["95063"][1] == "<b>&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</b>"


# --- Through the real server, and the browser's cache ----------------------------------------


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, \
                answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@pytest.mark.browser
def test_the_server_answers_the_outline_routes_with_cache_headers_a_304_and_french_errors(
        built_db_url):
    from browser import streamlit_server

    with streamlit_server(built_db_url) as base:
        status, headers, body = _get(f"{base}/geo/departements.geojson",
                                     **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["content-encoding"] == "gzip"
        assert headers["cache-control"] == "public, max-age=86400" and headers["etag"]
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert len(json.loads(gzip.decompress(body))["features"]) == 101  # gzipped once
        status, again, body = _get(f"{base}/geo/departements.geojson",
                                   **{"Accept-Encoding": "gzip",
                                      "If-None-Match": headers["etag"]})
        assert status == 304 and body == b"" and again["etag"] == headers["etag"]
        status, headers, body = _get(f"{base}/geo/communes/abc.geojson")
        assert status == 400
        assert "Code de département invalide : « abc »" in body.decode("utf-8")
        assert headers["x-content-type-options"] == "nosniff"
        status, _, body = _get(f"{base}/geo/communes/99.geojson")
        assert status == 404 and body.decode("utf-8").startswith("Département inconnu")


@pytest.mark.browser
def test_the_next_view_takes_the_outlines_from_the_browser_cache(built_db_url):
    """Playwright's request routing turns the HTTP cache off, so this browser does not route:
    it records every request instead, and none may leave 127.0.0.1."""
    from browser import (
        CHROMIUM,
        CHROMIUM_ARGS,
        LOCAL_PREFIXES,
        MAP_FRAME,
        require_playwright_and_chromium,
        streamlit_server,
        wait_until_rendered,
    )

    require_playwright_and_chromium()
    from playwright.sync_api import sync_playwright

    fetches = """() => performance.getEntriesByType('resource')
        .filter(e => new URL(e.name).pathname.startsWith('/geo/'))
        .map(e => [new URL(e.name).pathname, e.transferSize])"""
    drawn = """() => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        let n = 0;
        map.eachLayer(l => { if (l.feature && l._pxBounds) n += 1; });
        return n;
    }"""
    with streamlit_server(built_db_url) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        page = browser.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            views = []
            for link, count in (("/carte?couches=aucune", 101),
                                ("/carte?dep=95&couches=aucune", 184),
                                ("/carte?dep=95&couches=aucune&phase=autonomie", 1)):
                page.goto(base + link)
                wait_until_rendered(page)
                page.wait_for_selector(MAP_FRAME, timeout=60_000)
                frame = page.locator(MAP_FRAME).element_handle().content_frame()
                frame.wait_for_function(f"() => window.L && ({drawn})() >= {count}",
                                        timeout=30_000)
                views.append(dict(frame.evaluate(fetches)))
        finally:
            browser.close()
    france, val_d_oise, autonomous = views
    assert france["/geo/departements.geojson"] > 0  # fetched once…
    assert val_d_oise["/geo/departements.geojson"] == 0  # …then from the browser's cache
    assert val_d_oise["/geo/communes/95.geojson"] > 0
    assert autonomous == {"/geo/departements.geojson": 0, "/geo/communes/95.geojson": 0}
    assert [u for u in requests if not u.startswith(LOCAL_PREFIXES)] == []
    assert errors == []


def test_the_server_start_leaves_streamlit_folium_to_the_first_script_run():
    """streamlit-folium declares its component when first imported; imported by serve.py,
    before Streamlit's runtime exists, the component is never served ("Component not
    found") and every map frame stays empty."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    check = ("import sys, serve; "
             "sys.exit('streamlit_folium' in sys.modules and 'importé au démarrage')")
    done = subprocess.run([sys.executable, "-c", check], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def _import_serve_then(check: str, **env: str):
    """Run ``import serve`` (the server's start) in a fresh interpreter, then ``check``."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    return subprocess.run([sys.executable, "-c", "import serve\n" + check], cwd=root,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})


def test_the_server_start_reads_the_outlines_before_the_first_map_asks():
    """The first viewer of a département's map waited 0.3 s for the communes' file to be
    read, and its browser as long again for the served file to be made: serve.py does both
    at start. Here the reading is broken after the start, and the map's outlines and the
    served files are still there."""
    done = _import_serve_then(
        "import json\n"
        "from tne_dash.config import Settings\n"
        "from tne_dash.ui import data, outlines\n"
        "def broken(*args, **kwargs):\n"
        "    raise AssertionError('lu après le démarrage')\n"
        "json.load = broken\n"
        "settings = Settings.from_env()\n"
        "assert len(data.commune_outlines(settings, '95')) > 100\n"
        "assert len(data.departement_outlines(settings)['features']) == 101\n"
        "assert outlines.communes_file(settings.reference_dir, '95').gzipped\n"
        "assert outlines.departements_file(settings.reference_dir).gzipped\n")
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_server_without_its_reference_files_still_starts(tmp_path):
    """A missing reference folder is the pages' to report, in French, not a failed start."""
    done = _import_serve_then("print('démarré')", TNE_DASH_REFERENCE_DIR=str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "démarré" in done.stdout
