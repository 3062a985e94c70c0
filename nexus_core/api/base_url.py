"""The scheme and host that absolute URLs in API answers start with.

Taken from the request only when its Host is one of NEXUS_TRUSTED_HOSTS: built from any Host
header, a cache in front of the API could store an answer to `Host: evil.example` and hand its
links to everyone. Other requests are still answered (as Django's ALLOWED_HOSTS would not), with
URLs on NEXUS_PUBLIC_URL: refusing them would protect nothing more.
"""

from __future__ import annotations

import re

from fastapi import Request

from nexus_core.config import Settings

_HOST = re.compile(r"(?P<name>[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?")


def base_url(request: Request, settings: Settings) -> str:
    """`scheme://host` of the request when its host is trusted, else the configured public URL."""
    host = request.headers.get("host", "").lower()
    if is_trusted(host, settings.resolved_trusted_hosts):
        return f"{request.url.scheme}://{host}{request.scope.get('root_path', '')}"
    return settings.resolved_public_url


def is_trusted(host: str, trusted: tuple[str, ...]) -> bool:
    """Whether `host` (`name[:port]`) is listed: `*` any, `*.example.com` its subdomains, a name on
    any port, `name:port` on that port only."""
    match = _HOST.fullmatch(host)
    if match is None:
        return False
    name = match["name"]
    return any(
        pattern in ("*", host, name) or (pattern.startswith("*.") and name.endswith(pattern[1:]))
        for pattern in trusted
    )
