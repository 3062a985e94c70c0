"""Sign-in throttling as an attacker meets it: guessing is paused, locking someone else out is not possible."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from nexus_core import accounts
from nexus_core.errors import NotAuthenticated
from nexus_core.throttle import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
    MAX_FAILURES_PER_CLIENT,
    WINDOW_SECONDS,
    LoginThrottle,
)
from tests.factories import PASSWORD, make_user

ADMIN = "admin@example.com"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fail(throttle: LoginThrottle, *, email: str, client: str, times: int) -> None:
    for _ in range(times):
        throttle.check(email=email, client=client)
        throttle.failed(email=email, client=client)


def test_an_attacker_hammering_an_account_does_not_lock_its_owner_out() -> None:
    throttle = LoginThrottle(clock=Clock())
    fail(throttle, email=ADMIN, client=ATTACKER, times=MAX_FAILURES_PER_ACCOUNT_AND_CLIENT)
    with pytest.raises(NotAuthenticated, match="Too many failed sign-ins"):
        throttle.check(email=ADMIN, client=ATTACKER)
    throttle.check(email=ADMIN, client=OWNER)  # the owner, elsewhere, may still try
    throttle.succeeded(email=ADMIN, client=OWNER)
    with pytest.raises(NotAuthenticated):  # and signing in does not clear the attacker's count
        throttle.check(email=ADMIN, client=ATTACKER)


def test_one_client_guessing_across_accounts_is_paused() -> None:
    throttle = LoginThrottle(clock=Clock())
    for number in range(MAX_FAILURES_PER_CLIENT):
        fail(throttle, email=f"person{number}@example.com", client=ATTACKER, times=1)
    with pytest.raises(NotAuthenticated, match="try again in 15 minutes"):
        throttle.check(email="someone.new@example.com", client=ATTACKER)
    throttle.check(email="someone.new@example.com", client=OWNER)


def test_guessing_spread_over_many_clients_is_bounded_per_account() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    clients = [f"192.0.2.{number}" for number in range(1, 255)]
    per_client = MAX_FAILURES_PER_ACCOUNT_AND_CLIENT
    for client in clients[: MAX_FAILURES_PER_ACCOUNT // per_client]:
        fail(throttle, email=ADMIN, client=client, times=per_client)
    with pytest.raises(NotAuthenticated):
        throttle.check(email=ADMIN, client=clients[-1])
    throttle.check(email="other@example.com", client=clients[-1])
    clock.now += WINDOW_SECONDS + 1
    throttle.check(email=ADMIN, client=clients[-1])


def test_addresses_of_one_ipv6_network_count_as_one_client() -> None:
    throttle = LoginThrottle(clock=Clock())
    for host in range(1, MAX_FAILURES_PER_ACCOUNT_AND_CLIENT + 1):
        fail(throttle, email=ADMIN, client=f"2001:db8:1:2::{host:x}", times=1)
    with pytest.raises(NotAuthenticated):
        throttle.check(email=ADMIN, client="2001:db8:1:2:ffff::1")
    throttle.check(email=ADMIN, client="2001:db8:1:3::1")  # the next /64 is someone else


def test_the_right_password_from_another_client_signs_in_during_an_attack(session: Session) -> None:
    make_user(session, "erin@example.com")
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT + 3):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate(session, email="erin@example.com", password="guess", client=ATTACKER)
    with pytest.raises(NotAuthenticated, match="Too many failed sign-ins"):
        accounts.authenticate(session, email="erin@example.com", password=PASSWORD, client=ATTACKER)
    user = accounts.authenticate(session, email="erin@example.com", password=PASSWORD, client=OWNER)
    assert user.email == "erin@example.com"
