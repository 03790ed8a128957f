"""Requests per client to the read API: a token bucket per client, for the whole process.

Each client (``access.client_key``: its address, with the address a reverse proxy forwarded)
has a bucket of ``per_minute`` requests that refills continuously (``per_minute`` / 60 per
second): a burst of a minute's worth is served, then one request as each comes back. The
buckets live in the process, bounded (the least recently seen clients are forgotten first).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

# The bucket of clients that cannot be told apart (a local viewer, no forwarding header).
LOCAL_CLIENT = "local"


class RateLimiter:
    """``take(client)`` → 0 when the request may go, else the seconds to wait."""

    def __init__(self, per_minute: int, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str | None) -> float:
        if self.per_minute <= 0:
            return 0.0
        key = (client or LOCAL_CLIENT)[:256]
        rate = self.per_minute / 60.0
        with self._lock:
            now = self.clock()
            tokens, seen = self._buckets.pop(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - seen) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / rate
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait


def retry_after_seconds(wait: float) -> int:
    """The ``Retry-After`` header's whole seconds (at least 1)."""
    return max(1, math.ceil(wait))


_limiters: dict[int, RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(per_minute: int) -> RateLimiter:
    """The process's limiter for this setting (one per value: a test server sets its own)."""
    with _limiters_lock:
        return _limiters.setdefault(per_minute, RateLimiter(per_minute))
