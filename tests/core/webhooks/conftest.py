"""What the webhook tests share (besides tests/conftest.py's `receiver` and `private_allowed`): an admin,
a resolver that answers for made-up host names, and signature checks written out as a receiver would."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from nexus_core.policies import Actor
from nexus_core.webhooks import service
from tests.factories import admin_of, make_project
from tests.receiver import Received

ALL_EVENTS = list(service.EVENTS)


@pytest.fixture
def admin(session: Session) -> Actor:
    return admin_of(session, make_project(session))


Resolver = Callable[[dict[str, str]], None]


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    """`resolver({"hooks.example.test": "127.0.0.1"})`: from now on those names resolve to those
    addresses (any other name as usual), for the guard and for the connection alike."""
    real = socket.getaddrinfo
    names: dict[str, str] = {}

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        address = names.get(host.decode() if isinstance(host, bytes) else host)
        if address is None:
            return real(host, port, *args, **kwargs)
        family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names.update


def verified(received: Received, secret: str) -> dict[str, Any]:
    """The event document, once its signature is checked as the README tells receivers to."""
    expected = "sha256=" + hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.headers["X-Nexus-Signature"], expected), "bad signature"
    return json.loads(received.body)
