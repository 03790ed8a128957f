"""Offline map assets: Leaflet, its clustering plugin and jQuery from installed xstatic
packages, copied under ``static/vendor/`` (and their scripts joined in ``map.js``) and served
by Streamlit at ``/app/static/``.

folium's defaults load them (plus Bootstrap and Font Awesome) from public CDNs; one script
that cannot load stops streamlit-folium from starting the map, so every entry is replaced.
"""

from __future__ import annotations

import os
from pathlib import Path

import folium
import xstatic.pkg.jquery as xjquery
import xstatic.pkg.leaflet as xleaflet
import xstatic.pkg.leaflet_markercluster as xcluster
from folium import plugins

from tne_dash import PROJECT_ROOT

STATIC_DIR = PROJECT_ROOT / "static"
VENDOR = "vendor"
URL = f"/app/static/{VENDOR}"

# (source folder, file names) copied to static/vendor/<name>/.
_ASSETS: dict[str, tuple[Path, tuple[str, ...]]] = {
    "leaflet": (Path(xleaflet.BASE_DIR), ("leaflet.js", "leaflet.css")),
    "jquery": (Path(xjquery.BASE_DIR), ("jquery.min.js",)),
    "markercluster": (Path(xcluster.BASE_DIR), (
        "leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css")),
}
# Leaflet guesses its icon folder from its CSS before the CSS has loaded: tell it instead.
_ICON_PATH_JS = f"L.Icon.Default.imagePath = '{URL}/leaflet/images/';\n"

# The map's scripts, in the order they must run, as one file (``map.js``): the map's frame
# loads its scripts one after the other, four requests in a row cost about 0.2 s per view.
# jQuery is kept: folium's popups and GeoJson helpers use it.
BUNDLE = "map.js"
BUNDLED = ("leaflet/leaflet.js", "leaflet/icon-path.js", "jquery/jquery.min.js",
           "markercluster/leaflet.markercluster.js")
MAP_JS = [("tne_map", f"{URL}/{BUNDLE}")]
MAP_CSS = [("leaflet_css", f"{URL}/leaflet/leaflet.css")]
CLUSTER_JS: list[tuple[str, str]] = []  # in map.js, loaded with every map
CLUSTER_CSS = [
    ("markerclustercss", f"{URL}/markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{URL}/markercluster/MarkerCluster.Default.css"),
]


def _put(target: Path, content: bytes) -> None:
    """Write ``target`` only when its content differs, atomically: a browser loading it from
    another server process never reads a half-written file (a script that fails to load
    keeps the map from starting)."""
    if target.exists() and target.read_bytes() == content:
        return
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, target)


def install_assets(static_dir: Path = STATIC_DIR) -> Path:
    """Copy the assets from the installed packages (only what is missing or changed)."""
    target = static_dir / VENDOR
    for name, (source, files) in _ASSETS.items():
        folder = target / name
        folder.mkdir(parents=True, exist_ok=True)
        for file in files:
            _put(folder / file, (source / file).read_bytes())
    images = Path(xleaflet.BASE_DIR) / "images"
    (target / "leaflet" / "images").mkdir(parents=True, exist_ok=True)
    for image in images.iterdir():
        if image.is_file():
            _put(target / "leaflet" / "images" / image.name, image.read_bytes())
    _put(target / "leaflet" / "icon-path.js", _ICON_PATH_JS.encode("utf-8"))
    # Each script ends its own statement and its source-map comment before the next one.
    _put(target / BUNDLE, b"\n;\n".join((target / name).read_bytes() for name in BUNDLED))
    return target


def use_offline_assets() -> None:
    """Point folium's maps and clustering plugins at the self-served assets."""
    folium.Map.default_js = MAP_JS
    folium.Map.default_css = MAP_CSS
    plugins.MarkerCluster.default_js = CLUSTER_JS
    plugins.MarkerCluster.default_css = CLUSTER_CSS
    plugins.FastMarkerCluster.default_js = CLUSTER_JS
    plugins.FastMarkerCluster.default_css = CLUSTER_CSS
