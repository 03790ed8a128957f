"""Cached access to the database for the pages: the only place that caches."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from tne_dash import offline
from tne_dash.config import Settings
from tne_dash.figures import map_frames
from tne_dash.figures.comparison import (
    Comparison,
    commune_profiles,
    compare_communes,
    comparison_filters,
    departement_ranking,
    monthly_series,
)
from tne_dash.figures.filters import Filters
from tne_dash.figures.freshness import freshness
from tne_dash.figures.indicators import (
    IndicatorValues,
    compute_breakdown,
    compute_indicator_table,
    compute_indicators,
)
from tne_dash.figures.live_figures import LiveFigures, data_version, live_figures
from tne_dash.figures.map_frames import MapFrames
from tne_dash.figures.map_view import MapView
from tne_dash.figures.objectives import ObjectivesProgress, objective_shares, objectives_progress
from tne_dash.figures.progression import month_ends, progress_frame, progress_point
from tne_dash.figures.rollout import (
    phase_funnel,
    phases_at,
    plan_starts,
    rollout_plan,
    territory_codes,
)
from tne_dash.figures.scope import COMMUNE, InvalidScope, Scope, check_scope_exists, scope_label
from tne_dash.figures.search import with_folded_names
from tne_dash.figures.timeline import departement_rollout
from tne_dash.figures.vigilance import vigilance_points, with_follow_ups
from tne_dash.figures.vigilance_ground import VigilanceGround, read_ground
from tne_dash.periods import Period
from tne_dash.store import db, queries
from tne_dash.store.build import build_database
from tne_dash.store.build_lock import follow_the_sqlite_file, is_ready
from tne_dash.store.follow_ups import follow_ups
from tne_dash.store.reference import COMMUNES_TNE_GEOJSON, DEPARTEMENTS_GEOJSON, ReferenceDataError

# Bounded caches: memory stays flat however many viewers and filter combinations.
MAX_ENTRIES = 256
# How long activity figures are kept (TNE_DASH_CACHE_TTL_SECONDS, read once at start).
ACTIVITY_TTL = Settings.from_env().cache_ttl_seconds
# Reference pickers (départements, communes) change only with a rebuild.
REFERENCE_TTL = 600
# The presentation's data fingerprint is shared by every viewer for this long: a room of
# projectors costs one tiny query per tick, and a new workshop still shows within a tick.
VERSION_TTL = 2

T = TypeVar("T")


def settings() -> Settings:
    """The settings of this process (environment variables, defaults elsewhere)."""
    return Settings.from_env()


@st.cache_resource(max_entries=4, show_spinner=False)
def get_engine(url: str) -> Engine:
    """One engine per database URL, shared by every session. The read replica's URL
    (``TNE_DASH_READ_DATABASE_URL``) gets an engine that falls back to the primary while
    the replica cannot be reached (``db.make_read_engine``)."""
    config = settings()
    if url == config.read_database_url and url != config.database_url:
        return db.make_read_engine(url, config.database_url)
    return db.make_engine(url)


def write_engine() -> Engine:
    """The primary's engine: every write (Saisie, imports, undo, objectives, follow-ups)."""
    return get_engine(settings().database_url)


# Set in a session's state by a write: that session reads from the primary from then on.
WROTE_KEY = "_tne_dash_wrote"


def read_url() -> str:
    """The URL a page reads from: the read replica (``TNE_DASH_READ_DATABASE_URL``) for the
    public, the primary for sessions that write. Read-your-writes: a signed-in editor or
    administrator — and any session once it has written (``refresh_after_write``) — reads
    from the primary, so what they just saved is on their screen whatever the replica's lag.
    Writes never go through here: they use ``settings().database_url``."""
    config = settings()
    if config.reading_url == config.database_url or st.session_state.get(WROTE_KEY):
        return config.database_url
    from tne_dash.ui import auth  # imported here: auth imports this module

    if auth.current_account().can_edit:
        return config.database_url
    return config.reading_url


def ensure_database(config: Settings) -> None:
    """Build the embedded database on first use, showing progress; raise if unreachable.

    Every page run checks again (a few tiny queries), and the engine never hands out a
    connection to a deleted SQLite file: a database file deleted while the app runs is
    rebuilt at the next page run, once — one session builds under the build lock, the
    others wait for it and find it built. A session that reads from the replica asks the
    replica (one query): a primary restarting does not stop the public's pages. Builds and
    migrations happen only on the primary.
    """
    reading = read_url()
    if reading != config.database_url and db.serves_current_schema(get_engine(reading)):
        return
    engine = get_engine(config.database_url)
    follow_the_sqlite_file(engine)
    if is_ready(engine):
        return
    with st.status("Première utilisation : construction de la base de données…",
                   expanded=True) as status:
        bar = st.progress(0.0)
        build_database(
            engine, config.reference_dir, demo=config.demo,
            progress=lambda label, fraction: bar.progress(min(fraction, 1.0), text=label),
        )
        status.update(label="Base de données prête.", state="complete", expanded=False)
    clear_figures()


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_indicators(url: str, scope: Scope, filters: Filters) -> IndicatorValues:
    """Indicator values of a scope (raises InvalidScope for an unknown territory)."""
    with get_engine(url).connect() as conn:
        check_scope_exists(conn, scope)
        return compute_indicators(conn, scope, filters)


@st.cache_data(ttl=REFERENCE_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_scope_label(url: str, scope: Scope) -> str:
    """French name of a scope: « Vienne (86) », « Bezons (95) »."""
    with get_engine(url).connect() as conn:
        return scope_label(conn, scope)


@st.cache_data(ttl=REFERENCE_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_scope_exists(url: str, scope: Scope) -> bool:
    """Whether the scope's département or commune is in the database."""
    with get_engine(url).connect() as conn:
        try:
            check_scope_exists(conn, scope)
        except InvalidScope:
            return False
    return True


@st.cache_data(ttl=REFERENCE_TTL, max_entries=8, show_spinner=False)
def load_departements(url: str) -> pd.DataFrame:
    """Code, name and TNE cohort of every département."""
    with get_engine(url).connect() as conn:
        return queries.departements(conn)


@st.cache_data(ttl=REFERENCE_TTL, max_entries=64, show_spinner=False)
def load_communes_of(url: str, departement_code: str) -> pd.DataFrame:
    """Code and name of the communes of one département."""
    with get_engine(url).connect() as conn:
        return queries.communes_of(conn, departement_code)


@st.cache_data(ttl=REFERENCE_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_departement_of_commune(url: str, code_insee: str) -> str | None:
    """The département of a commune, None when unknown."""
    with get_engine(url).connect() as conn:
        return queries.departement_of_commune(conn, code_insee)


@st.cache_data(ttl=REFERENCE_TTL, max_entries=8, show_spinner=False)
def load_build_facts(url: str) -> dict[str, str]:
    """How the database was built: demo or not, seed, CNFS vintage."""
    return db.read_metadata(get_engine(url))


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=64, show_spinner=False)
def load_venues_of(url: str, code_insee: str) -> pd.DataFrame:
    """The workshop venues of a commune (form pickers)."""
    with get_engine(url).connect() as conn:
        return queries.venues_of(conn, code_insee)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_objectives_progress(url: str, scope: Scope, period: Period,
                             as_of: dt.date) -> ObjectivesProgress:
    """Objectives of a scope and school year, measured at ``as_of``."""
    with get_engine(url).connect() as conn:
        check_scope_exists(conn, scope)
        return objectives_progress(conn, scope, period, as_of)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=64, show_spinner=False)
def load_departement_rollout(url: str, departement: str, period: Period, as_of: dt.date,
                             exact: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plans, phases and statuses of a département's engaged communes (the timeline)."""
    with get_engine(url).connect() as conn:
        return departement_rollout(conn, departement, period, as_of, exact)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_commune_plan(url: str, code_insee: str) -> pd.DataFrame:
    """A commune's roll-out plan, year by year."""
    with get_engine(url).connect() as conn:
        return rollout_plan(conn, Scope(COMMUNE, code_insee), Filters())


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_rollout_demo(url: str, scope: Scope, as_of: dt.date) -> bool:
    """Demo roll-out years started by ``as_of`` in the territory: the engaged communes'
    indicator, its demo flag (what a funnel, a timeline or a plan of that date reads)."""
    with get_engine(url).connect() as conn:
        return compute_indicators(conn, scope, Filters(date_to=as_of),
                                  codes=("communes_engaged",)).demo


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_funnel(url: str, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Communes of the territory per stage of the roll-out at ``as_of``: ``commune_phases``
    from its two parts, the territory's communes and plan read once per territory (they do
    not depend on the date: France's are 0.1–0.2 s), its phases at a date computed once
    (France's: 25–60 ms with copying the plan out of the cache, at every rerun before)."""
    codes, plan = _load_rollout(url, scope)
    return phase_funnel(phases_at(codes, plan, as_of))


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _load_rollout(url: str, scope: Scope) -> tuple[pd.Series, pd.DataFrame]:
    with get_engine(url).connect() as conn:
        return (territory_codes(conn, scope, Filters()),
                plan_starts(conn, scope, Filters()))


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_monthly_progress(url: str, scope: Scope, period: Period, as_of: dt.date,
                          targets: tuple[tuple[str, float], ...]) -> pd.DataFrame:
    """Key indicators month by month through the school year, with their objectives: each
    month end read once (``_load_progress_point``), a date moved within the year reads only
    its own point (France in June: ten indicator tables, 0.55 s, against one). The month ends
    not read yet are read ``PARALLEL_READS`` at a time (``in_parallel``): the first date of a
    school year on France, ten month ends of June, 0.82 → 0.42 s on SQLite. The frame is kept
    too: Déploiement asks for it ahead, for its demo notice and for its charts — made once."""
    days = month_ends(period, as_of)
    points = in_parallel([partial(_load_progress_point, url, scope, period, day)
                          for day in days])
    return progress_frame(list(zip(days, points, strict=True)), period, dict(targets))


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=256, show_spinner=False)
def _load_progress_point(url: str, scope: Scope, period: Period, day: dt.date) -> dict:
    with get_engine(url).connect() as conn:
        return progress_point(conn, scope, period, day)


@st.cache_data(ttl=REFERENCE_TTL, max_entries=4, show_spinner=False)
def load_commune_index(url: str) -> pd.DataFrame:
    """Every commune with its folded name: the search list of Comparer."""
    with get_engine(url).connect() as conn:
        return with_folded_names(queries.all_communes(conn))


@st.cache_resource(ttl=REFERENCE_TTL, max_entries=4, show_spinner=False)
def load_commune_codes(url: str) -> frozenset[str]:
    """Every commune code, to check the codes of an address (shared, read-only: not copied
    at every run as a cached frame would be)."""
    with get_engine(url).connect() as conn:
        return frozenset(queries.all_communes(conn)["code_insee"])


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=8, show_spinner=False)
def load_commune_profiles(url: str) -> pd.DataFrame:
    """Population, REP presence and first year of every engaged commune (similarity)."""
    with get_engine(url).connect() as conn:
        return commune_profiles(conn)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_comparison(url: str, codes: tuple[str, ...], period: Period | None,
                    as_of: dt.date) -> Comparison:
    """Indicators, phases and objectives of a few communes side by side."""
    with get_engine(url).connect() as conn:
        return compare_communes(conn, codes, period, as_of)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_ranking(url: str, departement: str, indicator: str, period: Period | None,
                 as_of: dt.date) -> pd.DataFrame:
    """The engaged communes of a département ranked on one indicator."""
    with get_engine(url).connect() as conn:
        return departement_ranking(conn, departement, indicator,
                                   comparison_filters(period, as_of))


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_monthly_series(url: str, codes: tuple[str, ...], period: Period | None,
                        as_of: dt.date) -> pd.DataFrame:
    """Workshops and parents reached of a few communes, month by month."""
    with get_engine(url).connect() as conn:
        return monthly_series(conn, codes, comparison_filters(period, as_of))


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_indicator_table(url: str, scope: Scope, filters: Filters, level: str) -> pd.DataFrame:
    """Every indicator for each territory of ``level``."""
    with get_engine(url).connect() as conn:
        return compute_indicator_table(conn, scope, filters, level=level)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_objective_shares(url: str, scope: Scope, filters: Filters, level: str,
                          as_of: dt.date, codes: tuple[str, ...]) -> pd.DataFrame:
    """% reached of each territory's objectives of the school year."""
    with get_engine(url).connect() as conn:
        return objective_shares(conn, scope, filters, level, as_of, codes)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_breakdown(url: str, scope: Scope, filters: Filters, by: str) -> pd.DataFrame:
    """Workshop indicators by theme, format, venue kind, facilitator kind or month."""
    with get_engine(url).connect() as conn:
        return compute_breakdown(conn, scope, filters, by)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_freshness(url: str, scope: Scope, filters: Filters, as_of: dt.date) -> pd.DataFrame:
    """Latest workshop and communes without recent activity, per département."""
    with get_engine(url).connect() as conn:
        return freshness(conn, scope, filters, as_of)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=64, show_spinner=False)
def load_vigilance(url: str, scope: Scope, as_of: dt.date, exact: bool) -> pd.DataFrame:
    """The points de vigilance of a territory at a date (``vigilance_points``, demo rows
    included as on every page): ``exact`` for the viewers who see exact counts, the public's
    figures otherwise. Accueil, Déploiement and Carte share the entries."""
    with get_engine(url).connect() as conn:
        check_scope_exists(conn, scope)
        return vigilance_points(conn, scope, as_of, exact=exact,
                                ground=_load_vigilance_ground(url, scope))


@st.cache_resource(ttl=ACTIVITY_TTL, max_entries=16, show_spinner=False)
def _load_vigilance_ground(url: str, scope: Scope) -> VigilanceGround | None:
    """The territory the points read whatever the date (``read_ground``): read once per
    territory, a date changed reads only what depends on it. Shared read-only — the rules
    never change it —, not copied at each run (France's: 0.25 s to read, 0.12 s to copy).
    A write clears it with the figures (``refresh_after_write``)."""
    with get_engine(url).connect() as conn:
        return read_ground(conn, scope)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=64, show_spinner=False)
def load_followed_vigilance(url: str, scope: Scope, as_of: dt.date, exact: bool,
                            with_notes: bool) -> pd.DataFrame:
    """``load_vigilance`` with each commune's follow-up (``with_follow_ups``): « suivie »
    for everyone, the note ``with_notes`` (signed-in viewers). A follow-up written clears
    the caches (``refresh_after_write``). A cached frame is copied out at each run: France's
    12 000 points in 4.5 ms (pandas' Arrow strings pickle whole columns; measured)."""
    points = load_vigilance(url, scope, as_of, exact)
    with get_engine(url).connect() as conn:
        return with_follow_ups(conn, points, with_notes=with_notes)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def load_follow_ups(url: str, communes: tuple[str, ...]) -> dict:
    """The follow-ups of ``communes`` as stored (who, when): the editors' form."""
    with get_engine(url).connect() as conn:
        return follow_ups(conn, communes)


@st.cache_data(ttl=VERSION_TTL, max_entries=8, show_spinner=False)
def load_data_version(url: str) -> tuple:
    """The activity's fingerprint (``live_figures.data_version``), read at most every 2 s."""
    with get_engine(url).connect() as conn:
        return data_version(conn)


@st.cache_data(ttl=REFERENCE_TTL, max_entries=64, show_spinner=False)
def load_live_figures(url: str, scope: Scope, as_of: dt.date, honour: str | None,
                      version: tuple) -> LiveFigures:
    """Every figure of the presentation. ``version`` is only part of the cache key: when the
    activity changes, so does the version, and the figures are read again at once."""
    with get_engine(url).connect() as conn:
        return live_figures(conn, scope, as_of, honour)


PREFETCH_THREAD = "tne-dash-prefetch"


def prefetch(*loads: Callable[[], object]) -> None:
    """Start cached loads the page asks for further down, each in a thread of its own, so that
    their work overlaps the page's (two cores: the database reads for one while Python words
    another). The page then calls the same loader with the same arguments: Streamlit's cache
    waits for the computation under way and hands its result over — nothing is computed
    twice. A load that fails here is left to that call, which shows the error as the page
    does. Accueil's points of France at the end of a school year, read while its headline
    figures are: a date changed 1 094 → 957 ms in Chromium (two servers side by side).
    Déploiement's month ends, read while its points are computed: France's first date of a
    school year 1.95–2.05 → 1.47–1.63 s in process (its points ahead instead gained
    nothing: the page has little work of its own beside them)."""
    context = get_script_run_ctx(suppress_warning=True)
    for load in loads:
        thread = threading.Thread(target=_quietly, args=(load,), name=PREFETCH_THREAD,
                                  daemon=True)
        if context is not None:
            add_script_run_ctx(thread, context)
        thread.start()


# Loads read at once by ``in_parallel``: the machine's two cores.
PARALLEL_READS = 2
PARALLEL_THREAD = "tne-dash-parallel"


def in_parallel(loads: Sequence[Callable[[], T]]) -> list[T]:
    """The results of ``loads``, in their order, read ``PARALLEL_READS`` at a time. For
    cached loaders that each open their own connection: the database reads (SQLite and
    PostgreSQL leave Python free while they work) of one overlap another's. A load's error
    is raised here, as a call of it in the page would raise it; one load is read in the
    page's own thread."""
    if len(loads) <= 1:
        return [load() for load in loads]
    context = get_script_run_ctx(suppress_warning=True)

    def read(load: Callable[[], T]) -> T:
        if context is not None:  # the page's session: Streamlit's caches and their replay
            add_script_run_ctx(threading.current_thread(), context)
        return load()

    with ThreadPoolExecutor(PARALLEL_READS, thread_name_prefix=PARALLEL_THREAD) as pool:
        return list(pool.map(read, loads))


def _quietly(load: Callable[[], object]) -> None:
    try:
        load()
    except Exception:  # noqa: BLE001 — the page's own call meets it again and shows it
        pass


def refresh_after_write() -> None:
    """A write landed: every cached figure is read again on the next run, and this session
    reads from the primary from now on (``read_url``: read-your-writes)."""
    st.session_state[WROTE_KEY] = True
    clear_figures()


def clear_figures() -> None:
    """Every figure read again on the next run (a write, a build, the bench's cold run): the
    cached frames and the territory of the points shared by every session."""
    st.cache_data.clear()
    _load_vigilance_ground.clear()


def now() -> dt.datetime:
    """The current time, read at the UI edge (journal timestamps)."""
    return dt.datetime.now().replace(microsecond=0)


def today() -> dt.date:
    """Today's date, read here (the UI edge) and passed to the core as a value."""
    return dt.date.today()


@st.cache_resource(show_spinner=False)
def prepare_offline_maps() -> None:
    """Once per process: copy Leaflet & co. under static/ and point folium at them."""
    offline.install_assets()
    offline.use_offline_assets()


@st.cache_resource(max_entries=4, show_spinner=False)
def _read_geojson(path: str) -> dict:
    # Shared read-only: the map builders never mutate it (they build new features).
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise ReferenceDataError(f"Fichier de référence illisible : {path}") from exc


def departement_outlines(config: Settings) -> dict:
    """The 101 département outlines (static, read once)."""
    return _read_geojson(str(config.reference_dir / DEPARTEMENTS_GEOJSON))


@st.cache_resource(max_entries=2, show_spinner=False)
def _communes_by_departement(path: str) -> dict[str, list[dict]]:
    by_dep: dict[str, list[dict]] = {}
    for feature in _read_geojson(path)["features"]:
        by_dep.setdefault(feature["properties"]["dep_code"], []).append(feature)
    return by_dep


def prepare_reference_outlines(config: Settings) -> None:
    """Read the outlines now (serve.py, at start), not on the first map a viewer opens (the
    communes' file alone is 0.2–0.3 s)."""
    departement_outlines(config)
    commune_outlines(config, "")


def commune_outlines(config: Settings, departement: str) -> list[dict]:
    """Commune polygons of a TNE département (empty elsewhere: the pack has only those)."""
    path = str(config.reference_dir / COMMUNES_TNE_GEOJSON)
    return _communes_by_departement(path).get(departement, [])


def load_map_frames(url: str, view: MapView) -> MapFrames:
    """The frames of one map view, from caches keyed by what each part reads: turning a
    layer on or off, changing the colouring or selecting a commune reuses the table and the
    other layers (France's table alone is half a second)."""
    table = _load_map_table(url, map_frames.table_view(view))
    points = {layer: _load_map_layer(url, map_frames.layer_view(view), layer)
              for layer in map_frames.POINT_LAYERS if layer in view.layers}
    return map_frames.map_frames(view, table, points)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=64, show_spinner=False)
def _load_map_table(url: str, view: MapView) -> pd.DataFrame:
    with get_engine(url).connect() as conn:
        return map_frames.load_map_table(conn, view)


@st.cache_data(ttl=ACTIVITY_TTL, max_entries=64, show_spinner=False)
def _load_map_layer(url: str, view: MapView, layer: str) -> pd.DataFrame:
    with get_engine(url).connect() as conn:
        return map_frames.load_map_layer(conn, view, layer)

