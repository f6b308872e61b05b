"""The address guard: which URLs and peers a fetch may reach (server-side request forgery defence).

Sources come from configuration and from redirects chosen by remote servers, so a feed URL, or a hop it
redirects to, could point at the radar's own network: a database admin page, a cloud metadata endpoint.
Unless private addresses are allowed, every hop is resolved first and refused when any address it
resolves to is not public; the fetcher checks the connected peer again, which closes most of the gap
left by DNS answers that change between the check and the connection (rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from radar.errors import FetchError, FetchRefused

ALLOWED_SCHEMES = frozenset({"http", "https"})
# Cloud metadata endpoints hand out credentials; no source has a reason to live there, so they are
# refused even when private addresses are allowed.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)

Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the same lookup the connection will make)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # IPv6 link-local answers carry a zone ("fe80::1%eth0") that ipaddress does not parse.
    return [str(info[4][0]).split("%")[0] for info in infos]


def address_problem(address: str, *, allow_private: bool) -> str | None:
    """Why ``address`` may not be reached, or None when it may."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip in METADATA_ADDRESSES:
        return f"{ip} is a cloud metadata address"
    if allow_private:
        return None
    for label, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("unspecified", ip.is_unspecified),
        ("non-public", not ip.is_global),  # catches the rest: carrier-grade NAT, documentation ranges...
    ):
        if flag:
            return f"{ip} is a {label} address"
    return None


def check_url(url: str, *, allow_private: bool, resolve: Resolver = resolve_host) -> None:
    """Refuse (:class:`FetchRefused`) a URL whose scheme is not http(s) or whose host resolves to an
    address that :func:`address_problem` rejects. Raises :class:`FetchError` when the host does not resolve.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused(f"malformed URL: {exc}", url=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise FetchRefused(f"scheme {scheme or '(none)'!r} is not allowed; only http and https", url=url)
    host = parts.hostname
    if not host:
        raise FetchRefused("URL has no host", url=url)
    try:
        addresses = [str(ipaddress.ip_address(host))]  # a literal address needs no lookup
    except ValueError:
        try:
            addresses = resolve(host, port or (443 if scheme == "https" else 80))
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"cannot resolve host {host!r}: {exc}", url=url) from exc
    for address in addresses:
        problem = address_problem(address, allow_private=allow_private)
        if problem:
            # The hint only where it helps: allow_private never opens a metadata address.
            fixable = not allow_private and address_problem(address, allow_private=True) is None
            hint = " (set allow_private on the source to fetch it)" if fixable else ""
            raise FetchRefused(f"host {host!r} refused: {problem}{hint}", url=url)
