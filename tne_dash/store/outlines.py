"""The outlines of the reference pack as plain rings of (longitude, latitude), read once per
file version: what the situation report draws offline, from the very files the app's map
serves (``ui/outlines.py``) — no network, no browser.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from tne_dash.store.reference import (
    COMMUNES_TNE_GEOJSON,
    DEPARTEMENTS_GEOJSON,
    ReferenceDataError,
)

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Outline:
    """One territory's outline: its code, name, département and zone (« metro » or « drom »
    for a département, empty for a commune), and its rings — outer boundaries and holes
    alike, to be filled even-odd."""

    code: str
    name: str
    departement: str
    zone: str
    rings: tuple[Ring, ...]


def _rings(geometry: dict) -> tuple[Ring, ...]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" \
        else []
    return tuple(tuple((float(x), float(y)) for x, y, *_ in ring)
                 for polygon in polygons for ring in polygon if len(ring) >= 3)


def _version(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError as exc:
        raise ReferenceDataError(f"Fichier de contours introuvable : {path.name}") from exc
    return stat.st_size, stat.st_mtime_ns


def _features(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)["features"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReferenceDataError(f"Fichier de contours illisible : {path.name}") from exc


@functools.lru_cache(maxsize=2)
def _departements(path: Path, version: tuple[int, int]) -> tuple[Outline, ...]:
    return tuple(Outline(str(p["code"]), str(p["nom"]), str(p["code"]), str(p.get("zone", "")),
                         _rings(f["geometry"]))
                 for f in _features(path) for p in (f["properties"],))


@functools.lru_cache(maxsize=2)
def _communes(path: Path, version: tuple[int, int]) -> dict[str, tuple[Outline, ...]]:
    by_dep: dict[str, list[Outline]] = {}
    for feature in _features(path):
        p = feature["properties"]
        by_dep.setdefault(str(p["dep_code"]), []).append(
            Outline(str(p["code"]), str(p["nom"]), str(p["dep_code"]), "",
                    _rings(feature["geometry"])))
    return {dep: tuple(outlines) for dep, outlines in by_dep.items()}


def departement_outlines(reference_dir: Path) -> tuple[Outline, ...]:
    """Every département's outline (101: métropole and the 5 DROM)."""
    path = reference_dir / DEPARTEMENTS_GEOJSON
    return _departements(path, _version(path))


def commune_outlines(reference_dir: Path, departement: str) -> tuple[Outline, ...]:
    """The commune outlines of a département — empty outside the 12 TNE départements, the
    only ones the pack carries."""
    path = reference_dir / COMMUNES_TNE_GEOJSON
    return _communes(path, _version(path)).get(departement, ())
