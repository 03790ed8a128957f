"""The map outlines as files the browser fetches once and caches: ``/geo/departements.geojson``
and ``/geo/communes/<dep>.geojson``, routes of the server (``serve.py``).

Outlines are static reference data: the map embeds only their URL, versioned by the
reference file (``?v=…``), and each feature's style and tooltip. The answers carry an ETag
(a matching ``If-None-Match`` gets a 304), ``Cache-Control: public``, and are gzipped once
per process. A bad département code gets a French message (400 malformed, 404 unknown).

Plain Starlette (no streamlit import).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tne_dash.config import Settings
from tne_dash.store.reference import COMMUNES_TNE_GEOJSON, DEPARTEMENTS_GEOJSON

PREFIX = "/geo"
DEPARTEMENTS_PATH = f"{PREFIX}/departements.geojson"
COMMUNES_PATH = f"{PREFIX}/communes/{{dep}}.geojson"
# A day in the browser's cache; the map asks for ?v=<version of the reference file>, so a
# new reference pack is a new URL and is fetched at once.
CACHE_CONTROL = "public, max-age=86400"
# Part of every version: change it when the served form of the outlines changes.
FORMAT = "1"
# Métropole (01–95, 2A, 2B) and outre-mer (971–976).
DEPARTEMENT_CODE = re.compile(r"(?:\d{2}|2[AB]|97\d)")
GEOJSON_TYPE = "application/geo+json"
TEXT_TYPE = "text/plain; charset=utf-8"


class OutlinesUnavailable(Exception):
    """A reference file of outlines is missing or unreadable (French message)."""


@dataclass(frozen=True)
class OutlineFile:
    """One served file: its bytes, gzipped once, and its version (the ETag's value)."""

    body: bytes
    gzipped: bytes
    version: str


def file_version(path: Path) -> str:
    """A short version of a reference file, from its size and modification time (no read)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise OutlinesUnavailable(f"Fichier de contours introuvable : {path.name}") from exc
    key = f"{FORMAT}:{path.name}:{stat.st_size}:{stat.st_mtime_ns}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def departements_url(reference_dir: Path) -> str:
    """The versioned URL of every département's outline."""
    return f"{DEPARTEMENTS_PATH}?v={file_version(reference_dir / DEPARTEMENTS_GEOJSON)}"


def communes_url(reference_dir: Path, departement: str) -> str:
    """The versioned URL of the commune outlines of one (TNE) département."""
    version = file_version(reference_dir / COMMUNES_TNE_GEOJSON)
    return f"{COMMUNES_PATH.format(dep=departement)}?v={version}"


def _read(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise OutlinesUnavailable(f"Fichier de contours illisible : {path.name}") from exc


def _outline_file(features: list[dict], version: str) -> OutlineFile:
    """The features with only what the map reads (code, name), compact, gzipped once."""
    body = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature",
         "properties": {"code": f["properties"]["code"], "nom": f["properties"]["nom"]},
         "geometry": f["geometry"]} for f in features]},
        separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return OutlineFile(body, gzip.compress(body, compresslevel=6, mtime=0), version)


# The parsed GeoJSON is dropped once serialised: a process keeps only the bytes.
@functools.lru_cache(maxsize=2)
def _departements(path: Path, version: str) -> tuple[OutlineFile, frozenset[str]]:
    features = _read(path)["features"]
    return (_outline_file(features, version),
            frozenset(f["properties"]["code"] for f in features))


@functools.lru_cache(maxsize=2)
def _communes(path: Path, version: str) -> dict[str, OutlineFile]:
    by_dep: dict[str, list[dict]] = {}
    for feature in _read(path)["features"]:
        by_dep.setdefault(feature["properties"]["dep_code"], []).append(feature)
    return {dep: _outline_file(features, f"{version}-{dep}")
            for dep, features in by_dep.items()}


def departements_file(reference_dir: Path) -> OutlineFile:
    """Every département's outline (101 features)."""
    path = reference_dir / DEPARTEMENTS_GEOJSON
    return _departements(path, file_version(path))[0]


def departement_codes(reference_dir: Path) -> frozenset[str]:
    """The codes of the départements that have an outline."""
    path = reference_dir / DEPARTEMENTS_GEOJSON
    return _departements(path, file_version(path))[1]


def communes_file(reference_dir: Path, departement: str) -> OutlineFile | None:
    """The commune outlines of a département (None when the pack has none for it)."""
    path = reference_dir / COMMUNES_TNE_GEOJSON
    return _communes(path, file_version(path)).get(departement)


def prepare(reference_dir: Path) -> None:
    """Make every served file now (serve.py, at start): the first map of France or of a
    département then fetches bytes already made, instead of waiting for the reference files
    to be read and compressed (about 0.3 s)."""
    departements_file(reference_dir)
    communes_file(reference_dir, "")


# --- HTTP -----------------------------------------------------------------------------------


def _message(status: int, text: str) -> Response:
    return Response(text + "\n", status_code=status, media_type=TEXT_TYPE,
                    headers={"Cache-Control": "no-store"})


def _matches(if_none_match: str, version: str) -> bool:
    """Whether ``If-None-Match`` names this file (weak or strong, plain or gzipped tag)."""
    for tag in if_none_match.split(","):
        tag = tag.strip().removeprefix("W/").strip('"').removesuffix("-gz")
        if tag == "*" or tag == version:
            return True
    return False


def answer(request: Request, outline: OutlineFile) -> Response:
    """The file with its ETag and cache headers: 304 when the browser already has it, gzip
    when the browser accepts it."""
    zipped = "gzip" in request.headers.get("accept-encoding", "").lower()
    headers = {"Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding",
               "ETag": f'"{outline.version}-gz"' if zipped else f'"{outline.version}"'}
    if _matches(request.headers.get("if-none-match", ""), outline.version):
        return Response(status_code=304, headers=headers)
    if zipped:
        headers["Content-Encoding"] = "gzip"
    return Response(outline.gzipped if zipped else outline.body, media_type=GEOJSON_TYPE,
                    headers=headers)


def _reference_dir() -> Path:
    return Settings.from_env().reference_dir


def _printable(raw: str) -> str:
    """A code from the address, shown back: printable characters only, and short."""
    text = "".join(c for c in raw if c.isprintable())
    return text[:12] + ("…" if len(text) > 12 else "")


def departements_route(request: Request) -> Response:
    try:
        return answer(request, departements_file(_reference_dir()))
    except OutlinesUnavailable as exc:
        return _message(503, f"Contours indisponibles. {exc}")


def communes_route(request: Request) -> Response:
    raw = request.path_params["dep"]
    if not DEPARTEMENT_CODE.fullmatch(raw):
        return _message(400, f"Code de département invalide : « {_printable(raw)} ». "
                             "Attendu : deux chiffres, 2A, 2B ou 97x (par exemple 95, 2A, 971).")
    try:
        reference_dir = _reference_dir()
        if raw not in departement_codes(reference_dir):
            return _message(404, f"Département inconnu : « {raw} ».")
        outline = communes_file(reference_dir, raw)
    except OutlinesUnavailable as exc:
        return _message(503, f"Contours indisponibles. {exc}")
    if outline is None:
        return _message(404, f"Pas de contours de communes pour le département « {raw} » : "
                             "seuls les 12 départements TNE en ont.")
    return answer(request, outline)


def unknown_route(request: Request) -> Response:
    return _message(404, "Fichier de contours inconnu. Fichiers servis : "
                         f"{DEPARTEMENTS_PATH} et {PREFIX}/communes/<département>.geojson.")


# Handed to st.App by serve.py; the last one answers every other /geo/ address in French
# (otherwise Streamlit would answer it with the app's page).
ROUTES = [
    Route(DEPARTEMENTS_PATH, departements_route, methods=["GET", "HEAD"]),
    Route(COMMUNES_PATH, communes_route, methods=["GET", "HEAD"]),
    Route(f"{PREFIX}/{{rest:path}}", unknown_route, methods=["GET", "HEAD"]),
]
