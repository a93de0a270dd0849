"""The client's address: one answer for login throttling, the reset limit and the audit log.

Behind a reverse proxy every request comes from the proxy's address, so a lockout keyed on it
locks everybody and a limit keyed on it is site-wide. The client's own address is then in
``X-Forwarded-For``, but that header is whatever the client sent plus what each proxy appended:
only the hops added by proxies we trust can be believed. So the header is read only when the
direct peer is in ``settings.TRUSTED_PROXIES``, from the right, skipping trusted proxies; the
first address that is not one of ours is the client (the right-most untrusted hop). Anything a
client put further left is ignored, so a spoofed header cannot pick the address it is limited by.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(v, strict=False) for v in values)


def trusted_networks() -> tuple[IPNetwork, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def parse_address(text: str) -> IPAddress | None:
    """An address from a header hop or REMOTE_ADDR; ports and brackets are dropped."""
    text = text.strip().strip('"')
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # 203.0.113.5:51234
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_ip(request: Any) -> str:
    """The address of the client that sent ``request`` ("" when none is known)."""
    meta = getattr(request, "META", {})
    peer = parse_address(meta.get("REMOTE_ADDR", "") or "")
    networks = trusted_networks()
    if peer is None or not networks or not _is_trusted(peer, networks):
        return str(peer) if peer is not None else ""
    hops = [h for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break  # a malformed hop was not written by our proxies: stop at the last good one
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
