"""Sign-in throttling: after repeated failures, wait a while — without letting a stranger lock you out.

Failures are counted three ways. Per account *and* client: five wrong passwords for an address from
one client pause that pair only, so an attacker hammering a known admin's address does not refuse the
admin's own sign-in from elsewhere. Per client: one client guessing across many accounts is paused.
Per account, from everywhere: a much higher bound stops a guessing run spread over many clients.

Kept in memory, per web process: it slows online guessing to a crawl without a shared store; with
several web processes each one counts on its own, which still bounds guesses per process.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from nexus_core.errors import NotAuthenticated

MAX_FAILURES_PER_ACCOUNT_AND_CLIENT = 5
MAX_FAILURES_PER_CLIENT = 20
MAX_FAILURES_PER_ACCOUNT = 100
WINDOW_SECONDS = 15 * 60
IPV6_CLIENT_PREFIX = 64


def client_key(address: str) -> str:
    """Who is signing in: an IPv4 address, or an IPv6 /64 (one subscriber's network hands out many)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_CLIENT_PREFIX), strict=False))
    return str(ip)


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, *, email: str, client: str) -> None:
        """Raise NotAuthenticated, saying how long to wait, when any of the counts is at its limit."""
        with self._lock:
            for key, limit in self._limits(email, client):
                failures = self._recent(key)
                if len(failures) >= limit:
                    minutes = max(1, round((failures[0] + WINDOW_SECONDS - self._clock()) / 60))
                    raise NotAuthenticated(
                        f"Too many failed sign-ins; try again in {minutes} minute{'s' * (minutes != 1)}."
                    )

    def failed(self, *, email: str, client: str) -> None:
        with self._lock:
            now = self._clock()
            for key, _ in self._limits(email, client):
                self._failures[key].append(now)

    def succeeded(self, *, email: str, client: str) -> None:
        """The right password clears that client's count for the account, not what others have tried."""
        with self._lock:
            self._failures.pop(_pair(email, client_key(client)), None)

    @staticmethod
    def _limits(email: str, client: str) -> tuple[tuple[str, int], ...]:
        who = client_key(client)
        return (
            (_pair(email, who), MAX_FAILURES_PER_ACCOUNT_AND_CLIENT),
            (f"client:{who}", MAX_FAILURES_PER_CLIENT),
            (f"account:{email}", MAX_FAILURES_PER_ACCOUNT),
        )

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= self._clock() - WINDOW_SECONDS:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)  # forget clients that stopped failing
        return failures


def _pair(email: str, client: str) -> str:
    return f"account:{email}|client:{client}"


login_throttle = LoginThrottle()
