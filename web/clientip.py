"""The client's address, believing ``X-Forwarded-For`` only from configured proxies.

Behind nginx every request comes from 127.0.0.1; rate limits need the real
client. But a header is only as trustworthy as whoever set it, so the chain
is read from the right, skipping addresses of our own trusted proxies, and
the first address that is not one of them is the client. With no trusted
proxies configured the header is ignored entirely.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientAddress:
    def __init__(self, trusted_proxies: Sequence[str]) -> None:
        self._trusted: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(p, strict=False) for p in trusted_proxies
        )

    def trusted(self, address: str | None) -> bool:
        if not address or not self._trusted:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    def of(self, peer: str | None, forwarded_for: str | None) -> str:
        """The client address given the TCP peer and the ``X-Forwarded-For`` header."""
        client = peer or "unknown"
        if not forwarded_for or not self.trusted(peer):
            return client
        for hop in reversed(forwarded_for.split(",")[-32:]):
            candidate = hop.strip()
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                return client  # garbage in the chain: stop at the last hop we could read
            client = candidate
            if not self.trusted(candidate):
                return candidate
        return client
