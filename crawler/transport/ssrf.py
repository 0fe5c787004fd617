"""The SSRF guard: no request to loopback, private, link-local, multicast or reserved
addresses, unless allowed.

A teacher's "space URL" in a campaign form can point anywhere, including a school's
intranet or a cloud metadata service (169.254.169.254). The policy is applied to every
fetch: each httpx request (so every hop of a redirect), every request the browser makes
(route interception), robots.txt and video probes. Host names are resolved and every
address they resolve to must be public. ``--allow-private`` turns the guard off; an
allowlist of hosts (``host`` or ``host:port``) and networks (CIDR) opens it for an
intranet platform.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["AddressPolicy", "RefusedAddress", "address_class"]

_CLASSES = (
    ("is_loopback", "本机地址"),
    ("is_link_local", "链路本地地址"),
    ("is_multicast", "组播地址"),
    ("is_unspecified", "未指定地址"),
    ("is_reserved", "保留地址"),
    ("is_private", "内网地址"),
)


def address_class(address: str) -> str | None:
    """The Chinese name of the class that makes ``address`` refused, or None if it is public."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for attribute, name in _CLASSES:
        if getattr(ip, attribute):
            return name
    return None


class RefusedAddress(Exception):
    """A request was refused by the policy; the message is Chinese."""


@dataclass(frozen=True)
class AddressPolicy:
    allow_private: bool = False
    allow_hosts: tuple[str, ...] = ()  # "host" or "host:port", as written in URLs
    allow_networks: tuple[str, ...] = ()  # CIDR
    # Hosts whose TLS certificate is not verified ("host" or "host:port", --insecure-host):
    # a bureau's own platform with an expired or self-signed certificate. Never global.
    insecure_hosts: tuple[str, ...] = ()

    def _host_allowed(self, host: str, port: int | None) -> bool:
        return host in self.allow_hosts or (port is not None and f"{host}:{port}" in self.allow_hosts)

    def _network_allowed(self, address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%")[0])
        return any(ip in ipaddress.ip_network(net, strict=False) for net in self.allow_networks)

    def _judge(self, url: str, addresses: list[str]) -> None:
        for address in addresses:
            kind = address_class(address)
            if kind and not self._network_allowed(address):
                host = urlsplit(url).hostname
                shown = url.removeprefix("//")  # a host:port pinned for a connection
                raise RefusedAddress(
                    f"拒绝访问{kind} {host}（{address}）：{shown}；教师空间应在公网上，"
                    "如确需检查内网平台，请加 --allow-private 或 --allow-network"
                )

    def _split(self, url: str) -> tuple[str, int | None] | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RefusedAddress(f"不支持的网址：{url}")
        if self.allow_private or self._host_allowed(parts.hostname, parts.port):
            return None
        return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)

    @staticmethod
    def _literal(host: str) -> list[str] | None:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            return None

    def _to_resolve(self, url: str) -> tuple[str, int | None] | None:
        """The host and port of ``url`` still to be resolved and judged; None when the
        policy allows it outright. An address literal is judged here (may raise)."""
        split = self._split(url)
        if split is None:
            return None
        literal = self._literal(split[0])
        if literal is not None:
            self._judge(url, literal)
            return None
        return split

    def _judge_resolved(self, url: str, infos: list[Any]) -> None:
        self._judge(url, sorted({str(i[4][0]) for i in infos}))

    def _pin(self, host: str, port: int, infos: list[Any]) -> list[str]:
        addresses = list(dict.fromkeys(str(i[4][0]) for i in infos))
        self._judge(f"//{host}:{port}", addresses)
        return addresses

    def _settled(self, host: str, port: int) -> list[str] | None:
        """The addresses for ``host`` when no lookup is needed (allowed outright, or an
        address literal, judged here), else None."""
        if self.allow_private or self._host_allowed(host, port):
            return [host]
        literal = self._literal(host)
        if literal is not None:
            self._judge(f"//{host}:{port}", literal)
        return literal

    def addresses_sync(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for ``host``: resolved once and judged, so that the
        connection goes to an address that was checked (no second lookup a rebinding DNS
        could answer differently). ``[host]`` when the policy allows the host outright."""
        settled = self._settled(host, port)
        if settled is not None:
            return settled
        return self._pin(host, port, socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP))

    async def addresses(self, host: str, port: int) -> list[str]:
        """As :meth:`addresses_sync`, resolving without blocking the event loop."""
        settled = self._settled(host, port)
        if settled is not None:
            return settled
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        return self._pin(host, port, infos)

    def check_sync(self, url: str) -> None:
        """Raise :class:`RefusedAddress` unless ``url`` may be fetched (blocking DNS)."""
        split = self._to_resolve(url)
        if split is None:
            return
        try:
            infos = socket.getaddrinfo(*split, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return  # unresolvable: the request itself fails as unreachable
        self._judge_resolved(url, infos)

    async def check(self, url: str) -> None:
        """As :meth:`check_sync`, resolving without blocking the event loop."""
        split = self._to_resolve(url)
        if split is None:
            return
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(*split, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return
        self._judge_resolved(url, infos)
