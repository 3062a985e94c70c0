"""Sign-in throttling: after repeated failures for an address (or from a client), wait a while.

Kept in memory, per web process: it slows online guessing to a crawl without a shared store; with
several web processes each one counts on its own, which still bounds guesses per process.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from nexus_core.errors import NotAuthenticated

MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_CLIENT = 20
WINDOW_SECONDS = 15 * 60


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, *, email: str, client: str) -> None:
        """Raise NotAuthenticated, saying how long to wait, when either key has failed too often."""
        with self._lock:
            for key, limit in (
                (f"account:{email}", MAX_FAILURES_PER_ACCOUNT),
                (f"client:{client}", MAX_FAILURES_PER_CLIENT),
            ):
                failures = self._recent(key)
                if len(failures) >= limit:
                    minutes = max(1, round((failures[0] + WINDOW_SECONDS - self._clock()) / 60))
                    raise NotAuthenticated(
                        f"Too many failed sign-ins; try again in {minutes} minute{'s' * (minutes != 1)}."
                    )

    def failed(self, *, email: str, client: str) -> None:
        with self._lock:
            now = self._clock()
            self._failures[f"account:{email}"].append(now)
            self._failures[f"client:{client}"].append(now)

    def succeeded(self, *, email: str) -> None:
        with self._lock:
            self._failures.pop(f"account:{email}", None)

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= self._clock() - WINDOW_SECONDS:
            failures.popleft()
        return failures


login_throttle = LoginThrottle()
