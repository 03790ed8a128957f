"""The API's way to the database: the app's settings and engines, and two bounded caches.

Public answers read the read replica when one is set (``TNE_DASH_READ_DATABASE_URL``), as
the public's pages do; token checks and token answers read the primary (a token revoked a
second ago is refused at once; an editor reads what was just written). The reference rows
(départements, communes, the build's facts) are kept ``REFERENCE_TTL`` seconds, public
answers ``cache_ttl_seconds`` (as the pages keep their figures): a room of API clients
asking the same thing costs one computation.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, select

from tne_dash.config import Settings
from tne_dash.store.build_lock import follow_the_sqlite_file, sqlite_file
from tne_dash.store.db import DatabaseUnavailable, read_metadata, shared_read_engine
from tne_dash.store.models import Commune, Departement

REFERENCE_TTL = 600
MAX_ANSWERS = 256
# The public answers kept, in bytes of their bodies (a grouped answer can weigh megabytes).
MAX_ANSWER_BYTES = 48 * 1024 * 1024
NOT_BUILT = ("La base de données n'est pas encore construite : ouvrez d'abord le tableau de "
             "bord (ou tne-dash init-db), puis réessayez.")


def _usable(engine: Engine) -> Engine:
    """The engine, once its SQLite file exists (the API never creates a database file: only
    a builder does, under its lock) and is followed (a rebuilt file is read anew)."""
    path = sqlite_file(engine)
    if path is not None:
        if not path.exists():
            raise DatabaseUnavailable(f"Base SQLite absente : {path}", NOT_BUILT)
        follow_the_sqlite_file(engine)
    return engine


def read_engine(settings: Settings) -> Engine:
    """The engine public answers read from (the replica when one is set)."""
    return _usable(shared_read_engine(settings.reading_url, settings.database_url))


def primary_engine(settings: Settings) -> Engine:
    """The engine of the database itself: tokens, and the answers given to a token."""
    return _usable(shared_read_engine(settings.database_url, settings.database_url))


@dataclass(frozen=True)
class Reference:
    """The reference rows every answer checks its parameters against."""

    departements: pd.DataFrame  # code, name, tne_cohort
    communes: pd.DataFrame  # code_insee, name, departement_code, population, epci_code, …
    departement_codes: frozenset[str]
    commune_codes: frozenset[str]
    departement_of: dict[str, str]  # commune code → département code
    build: dict[str, str]  # db.read_metadata: built_at, demo, cnfs_vintage…


def _read_reference(engine: Engine) -> Reference:
    with engine.connect() as conn:
        deps = pd.read_sql(select(Departement.code, Departement.name, Departement.tne_cohort)
                           .order_by(Departement.code), conn)
        communes = pd.read_sql(select(Commune.code_insee, Commune.name, Commune.departement_code,
                                      Commune.population, Commune.epci_code, Commune.epci_name)
                               .order_by(Commune.code_insee), conn)
    return Reference(deps, communes, frozenset(deps["code"]), frozenset(communes["code_insee"]),
                     dict(zip(communes["code_insee"], communes["departement_code"],
                              strict=True)),
                     read_metadata(engine))


class TimedCache:
    """A bounded, thread-safe cache whose entries expire: ``get(key, make)``. Bounded in
    entries and, with ``size``, in bytes: an entry larger than a quarter of ``max_bytes``
    is computed every time, never kept."""

    def __init__(self, ttl: float, max_entries: int, max_bytes: int | None = None,
                 size: Callable[[object], int] = lambda _value: 0,
                 clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = size
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], object]) -> object:
        now = self.clock()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and now - found[0] < self.ttl:
                self._entries.move_to_end(key)
                return found[1]
        value = make()  # outside the lock: two first askers may both compute, never wait
        size = self.size(value)
        if self.ttl <= 0 or (self.max_bytes is not None and size > self.max_bytes // 4):
            return value
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes -= old[2] if old else 0
            self._entries[key] = (now, value, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or (
                    self.max_bytes is not None and self._bytes > self.max_bytes):
                _, (_, _, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return value

    @property
    def bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_references = TimedCache(REFERENCE_TTL, 4)
_answers: dict[int, TimedCache] = {}
_answers_lock = threading.Lock()


def reference(engine: Engine) -> Reference:
    """The reference rows of this database (kept ``REFERENCE_TTL`` seconds)."""
    return _references.get(engine.url.render_as_string(hide_password=False),
                           lambda: _read_reference(engine))


def answers(ttl: int) -> TimedCache:
    """The public answers' cache (one per TTL setting)."""
    with _answers_lock:
        return _answers.setdefault(ttl, TimedCache(
            ttl, MAX_ANSWERS, MAX_ANSWER_BYTES, size=lambda answer: len(answer.body)))


def clear_caches() -> None:
    """Forget every kept row and answer (tests)."""
    _references.clear()
    with _answers_lock:
        for cache in _answers.values():
            cache.clear()
