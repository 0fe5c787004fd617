"""Connections to the address that was checked (DNS rebinding closed).

Checking a host's address and then letting the HTTP library resolve it again leaves a gap:
a hostile DNS can answer a public address to the check and 127.0.0.1 to the connection.
Here the httpx transports connect through a network backend that resolves the host once,
judges every address with the :class:`AddressPolicy`, and connects to those addresses
only. The request keeps the host name (its ``Host`` header, and the TLS SNI and
certificate check), so virtual hosts and HTTPS work as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from .ssrf import AddressPolicy

__all__ = ["pinned_async_transport", "pinned_sync_transport"]


class _PinnedAsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend) -> None:
        self.policy = policy
        self.inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self.policy.addresses(host, port)
        except (OSError, UnicodeError) as exc:  # the name does not resolve: the request fails as unreachable
            raise httpcore.ConnectError(str(exc) or "域名无法解析") from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"{host} 没有可用的地址")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("不允许连接本机套接字")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class _PinnedSyncBackend(httpcore.NetworkBackend):
    def __init__(self, policy: AddressPolicy, inner: httpcore.NetworkBackend) -> None:
        self.policy = policy
        self.inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self.policy.addresses_sync(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(str(exc) or "域名无法解析") from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                return self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"{host} 没有可用的地址")

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("不允许连接本机套接字")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def pinned_async_transport(policy: AddressPolicy, **kwargs: Any) -> httpx.AsyncHTTPTransport:
    """An httpx transport (``kwargs`` as for ``httpx.AsyncHTTPTransport``) whose connections
    go only to addresses the policy has judged."""
    transport = httpx.AsyncHTTPTransport(**kwargs)
    pool = transport._pool  # httpx builds its httpcore pool; its backend is what connects
    _require_backend(pool)
    pool._network_backend = _PinnedAsyncBackend(policy, pool._network_backend)
    return transport


def pinned_sync_transport(policy: AddressPolicy, **kwargs: Any) -> httpx.HTTPTransport:
    """The same for the synchronous client of the video probes."""
    transport = httpx.HTTPTransport(**kwargs)
    pool = transport._pool
    _require_backend(pool)
    pool._network_backend = _PinnedSyncBackend(policy, pool._network_backend)
    return transport


def _require_backend(pool: Any) -> None:
    """Fail loudly (not open silently) if httpx/httpcore ever move the backend elsewhere."""
    if not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpcore 的连接池结构已变化，无法固定连接地址：请固定 httpx/httpcore 版本或更新 spacebot")
