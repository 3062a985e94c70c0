"""Where a webhook may send: http(s) URLs whose host resolves to public addresses only, unless
NEXUS_WEBHOOK_ALLOW_PRIVATE=true.

The check runs when a webhook's URL is saved (a 422 naming the address) and again before every
delivery, on the addresses the name resolves to then; the delivery connects to one of those very
addresses (sending.py), so a name that resolved to a public address when it was saved and to
127.0.0.1 a minute later (DNS rebinding) is refused too, and no second lookup can differ from the one
checked.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
from dataclasses import dataclass

import httpx

from nexus_core.errors import InvalidInput

SCHEMES = ("http", "https")
MAX_URL_LENGTH = 2000
_HOST_NAME = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedAddress(InvalidInput):
    """The receiver's host is, or resolves to, an address webhooks may not reach."""


class UnresolvedHost(Exception):
    """The receiver's host name resolves to nothing (now)."""


@dataclass(frozen=True)
class Receiver:
    """A webhook URL, checked for its form: http(s), a host, no user name or password."""

    url: httpx.URL

    @property
    def host(self) -> str:
        """The host as it goes on the wire (IDNA), without brackets for an IPv6 literal."""
        return self.url.raw_host.decode("ascii")

    @property
    def port(self) -> int:
        return self.url.port or (443 if self.url.scheme == "https" else 80)

    def at(self, address: IPAddress) -> httpx.URL:
        """The same URL with `address` in place of the host: where the request really goes."""
        return self.url.copy_with(host=str(address), port=self.port)


def parse_receiver(url: str) -> Receiver:
    """The receiver of a webhook URL; InvalidInput saying what is wrong with its form."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"A webhook URL can have at most {MAX_URL_LENGTH} characters.")
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise InvalidInput("A webhook URL cannot contain spaces or control characters.")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError):
        raise InvalidInput(f"“{url}” is not a URL.") from None
    if parsed.scheme not in SCHEMES:
        raise InvalidInput("A webhook URL must start with http:// or https://.")
    if parsed.userinfo:
        raise InvalidInput(
            "A webhook URL cannot carry a user name or password: receivers check the signature instead."
        )
    receiver = Receiver(parsed)
    if not receiver.host or not (_literal(receiver.host) or _HOST_NAME.match(receiver.host)):
        raise InvalidInput(f"“{url}” has no valid host name.")
    return receiver


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL if a webhook may use it: its form, and every address its host resolves to now (a name
    that resolves to nothing yet is accepted; each delivery resolves it again). RefusedAddress names
    the address that is not public."""
    receiver = parse_receiver(url)
    if not allow_private:
        with contextlib.suppress(UnresolvedHost):
            refuse_private(receiver, resolve(receiver))
    return url


def resolve(receiver: Receiver) -> list[IPAddress]:
    """The addresses the receiver's host resolves to now, in the resolver's order of preference."""
    literal = _literal(receiver.host)
    if literal is not None:
        return [literal]
    try:
        found = socket.getaddrinfo(receiver.host, receiver.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnresolvedHost(f"{receiver.host} could not be resolved ({error}).") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not addresses:
        raise UnresolvedHost(f"{receiver.host} resolves to no address.")
    return list(dict.fromkeys(addresses))


def refuse_private(receiver: Receiver, addresses: list[IPAddress]) -> None:
    """RefusedAddress when any of the addresses is not public."""
    for address in addresses:
        kind = non_public_kind(address)
        if kind is not None:
            named = "is" if _literal(receiver.host) else f"resolves to {address},"
            raise RefusedAddress(
                f"{receiver.host} {named} {kind} address: webhooks only go to public addresses "
                "(an operator can allow others with NEXUS_WEBHOOK_ALLOW_PRIVATE=true)."
            )


def non_public_kind(address: IPAddress) -> str | None:
    """What kind of non-public address this is ("a loopback", "a private"…), or None for a public one.
    An IPv4 address carried in IPv6 (::ffff:127.0.0.1, or 6to4's 2002:7f00:1::) is judged as itself."""
    if isinstance(address, ipaddress.IPv6Address):
        address = address.ipv4_mapped or address.sixtofour or address
    kinds = (
        ("a loopback", address.is_loopback),
        ("an unspecified", address.is_unspecified),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("a reserved", address.is_reserved),
        ("a private", address.is_private),
        ("a non-public", not address.is_global),
    )
    return next((kind for kind, applies in kinds if applies), None)


def _literal(host: str) -> IPAddress | None:
    """The address a host written as one (`10.0.0.1`, `::1`) stands for; None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
