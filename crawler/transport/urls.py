"""Target URL checks: only http(s), and no private-network targets unless allowed.

A teacher's "space URL" in a campaign form can point anywhere, including a school's
intranet, so the default refuses loopback, private, link-local, multicast and reserved
addresses, also when a host name resolves to one of them.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

from errors import TargetError

from .ssrf import AddressPolicy, RefusedAddress

__all__ = ["MAX_URL_LENGTH", "check_target_url", "is_private_address", "normalize_url"]

MAX_URL_LENGTH = 2048


def normalize_url(url: str) -> str:
    """Strip blanks and the fragment's absence; lower-case scheme and host."""
    url = url.strip()
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.hostname:
        host = parts.hostname.lower()
        if ":" in host:
            host = f"[{host}]"
        netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, parts.fragment))


def is_private_address(address: str) -> bool:
    """True for any address a public space cannot live on."""
    ip = ipaddress.ip_address(address)
    return ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified


def check_target_url(url: str, *, allow_private: bool = False, policy: AddressPolicy | None = None) -> str:
    """Return the normalized URL, or raise :class:`TargetError` with a Chinese message."""
    raw = url.strip()
    if not raw:
        raise TargetError("网址为空：请给出教师空间的完整网址，例如 https://example.edu.cn/space/123", url)
    if len(raw) > MAX_URL_LENGTH:
        raise TargetError(f"网址过长（{len(raw)} 个字符，上限 {MAX_URL_LENGTH}）：请检查是否粘贴错误", url)
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise TargetError(f"网址格式不正确：{raw}；请给出以 http:// 或 https:// 开头的完整网址", url) from None
    if parts.scheme.lower() not in ("http", "https"):
        shown = parts.scheme or "（无）"
        raise TargetError(f"不支持的网址协议 {shown}：{raw}；只能检查以 http:// 或 https:// 开头的网址", url)
    host = parts.hostname
    if not host:
        raise TargetError(f"网址缺少主机名：{raw}；请给出完整网址", url)
    if allow_private:
        return normalize_url(raw)
    if policy is not None:
        try:
            policy.check_sync(raw)
        except RefusedAddress as exc:
            raise TargetError(str(exc), url) from None
        return normalize_url(raw)
    addresses: list[str]
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            # Unresolvable names are a crawl failure (unreachable), not bad input.
            return normalize_url(raw)
        addresses = sorted({str(info[4][0]) for info in infos})
    for address in addresses:
        if is_private_address(address.split("%")[0]):
            raise TargetError(
                f"拒绝访问内网或本机地址 {host}（{address}）：教师空间应在公网上；"
                "如确需检查内网平台，请加 --allow-private",
                url,
            )
    return normalize_url(raw)
