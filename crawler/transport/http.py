"""Plain HTTP fetching (httpx) with timeouts, a size cap and charset detection.

Chinese platforms serve GBK as often as UTF-8, and not always with a header, so the
charset comes from the header, then the ``<meta>``, then a strict UTF-8 try, then GB18030.

Where a platform sends validators (``ETag``, ``Last-Modified``), a page seen before is
asked for conditionally; a ``304 Not Modified`` answer gives back the page as it was.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from time import time
from typing import Any

import httpx
from bs4 import BeautifulSoup

from .gate import BudgetExceeded, GatedTransport, HostGate, HostPaused
from .pinned import pinned_async_transport
from .robots import RobotsRules
from .ssrf import AddressPolicy, RefusedAddress
from .tls import certificate_message, certificate_problem

__all__ = ["CachedPage", "FetchError", "HttpFetcher", "Page", "USER_AGENT", "decode_html"]

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 spacebot/0.1"
)
MAX_PAGE_BYTES = 8 * 1024 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([a-zA-Z0-9_\-]+)""", re.IGNORECASE)


@dataclass
class Page:
    """One fetched or rendered page."""

    url: str
    final_url: str
    status: int
    html: str
    via: str  # http | browser
    json_bodies: list[str] = field(default_factory=list)  # API answers the browser saw
    answers: list[tuple[str, str]] = field(default_factory=list)  # the same with the URL that answered
    retry_after: str | None = None
    content_type: str = "text/html"
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # of the answer, names in lower case (HTTP only)
    grown: list[Any] = field(default_factory=list)  # rows a learnt list API added (records; HTTP only)
    blocked: str | None = None  # why a firewall, captcha or rate limit answered instead (set by the visit)
    grown_in_part: bool = False  # its list was still growing when the browser had to stop
    _soup: Any = field(default=None, repr=False, compare=False)

    @property
    def soup(self) -> BeautifulSoup:
        """The parsed page (scripts and styles removed), parsed once however often it is read."""
        if self._soup is None:
            from ..extract.dom import parse_html

            self._soup = parse_html(self.html)
        return self._soup


@dataclass(frozen=True)
class CachedPage:
    """A page from an earlier crawl with the validators it was served with."""

    html: str
    final_url: str
    etag: str | None = None
    last_modified: str | None = None
    date: str | None = None  # its Date header: when the server drew it (3天前 counts from there)

    def conditions(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class FetchError(Exception):
    """A page could not be fetched; ``kind`` is a crawl status (unreachable, error)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def decode_html(body: bytes, header_charset: str | None) -> str:
    candidates = []
    if header_charset:
        candidates.append(header_charset)
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    for charset in candidates:
        name = charset.lower()
        if name in ("gbk", "gb2312", "gb_2312-80"):
            name = "gb18030"  # a superset: real GBK pages contain GB18030-only characters
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace")


_RETRY_STATUSES = (429, 503)


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError):
        return None


class HttpFetcher:
    """An httpx client that turns every failure into :class:`FetchError` with a Chinese message.

    With a ``gate`` every request (each redirect hop, robots.txt) waits for a per-host
    slot; with ``robots`` a disallowed URL is a ``blocked`` failure; 429 and 503 are
    retried after Retry-After (or a growing pause), at most ``retries`` times and never
    waiting longer than ``max_wait``.
    """

    def __init__(
        self,
        timeout: float = 10.0,
        max_redirects: int = 10,
        *,
        gate: HostGate | None = None,
        obey_robots: bool = True,
        retries: int = 3,
        max_wait: float = 30.0,
        policy: AddressPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.timeout = timeout
        self.requests = 0
        self.gate = gate
        self.retries = retries
        self.max_wait = max_wait
        self.policy = policy or AddressPolicy()
        # Connections go to the addresses the guard judged (resolved once: no rebinding).
        network = transport if transport is not None else pinned_async_transport(self.policy)
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=max_redirects,
            headers={"User-Agent": USER_AGENT, "Accept-Language": "zh-CN,zh;q=0.9"},
            event_hooks={"request": [self._guard]},
            # Every request holds a slot of the host gate until its answer is read: each
            # redirect hop and robots.txt too. The inner transport is a HAR recorder or
            # replay, else the network.
            transport=GatedTransport(gate, network) if gate is not None else network,
            # A bureau's own platform with a bad certificate (--insecure-host): that host only.
            mounts={
                f"https://{host}": GatedTransport(gate, self._unverified()) if gate is not None else self._unverified()
                for host in (self.policy.insecure_hosts if transport is None else ())
            },
        )
        self.robots = RobotsRules(self.client, gate) if obey_robots else None

    def _unverified(self) -> httpx.AsyncHTTPTransport:
        return pinned_async_transport(self.policy, verify=False)

    async def _guard(self, request: httpx.Request) -> None:
        # Runs for every request this client sends, each redirect hop and robots.txt included.
        await self.policy.check(str(request.url))

    async def check_robots(self, url: str) -> None:
        try:
            allowed = self.robots is None or await self.robots.allowed(url)
        except HostPaused as exc:
            raise FetchError("blocked", str(exc)) from None
        except BudgetExceeded as exc:
            raise FetchError("error", str(exc)) from None
        if not allowed:
            raise FetchError("blocked", f"该平台的 robots.txt 不允许抓取 {url}，已按规定跳过")

    async def get(self, url: str, cached: CachedPage | None = None) -> Page:
        """Fetch ``url``; with ``cached`` (the page as an earlier crawl saw it) the request is
        conditional, and a 304 answer returns that page as it was."""
        await self.check_robots(url)
        headers = cached.conditions() if cached is not None else {}
        for attempt in range(self.retries + 1):
            page = await self._get_once(url, headers)
            if page.status == 304 and cached is not None:
                return Page(
                    url,
                    cached.final_url,
                    200,
                    cached.html,
                    "http",
                    etag=page.etag or cached.etag,
                    last_modified=page.last_modified or cached.last_modified,
                    headers={"date": cached.date} if cached.date else {},
                )
            if page.status == 304:  # "not modified" without having been asked: there is no page
                raise FetchError("error", f"平台返回 304（未修改）却没有可用的页面内容：{url}")
            if page.status not in _RETRY_STATUSES or attempt == self.retries:
                return page
            wait = retry_after_seconds(page.retry_after)
            wait = min(wait if wait is not None else 2.0**attempt, self.max_wait)
            if page.retry_after and (retry_after_seconds(page.retry_after) or 0) > self.max_wait:
                return page  # the host asks for a longer pause than a sweep can give this space
            await asyncio.sleep(wait)
        return page

    async def _get_once(self, url: str, headers: dict[str, str] | None = None) -> Page:
        self.requests += 1
        try:
            async with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    page = Page(url, str(response.url), 304, "", "http")
                    page.etag = response.headers.get("ETag")
                    page.last_modified = response.headers.get("Last-Modified")
                    return page
                kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if kind and not (kind.startswith("text/") or "html" in kind or "xml" in kind or "json" in kind):
                    raise FetchError("error", f"该网址返回的不是网页（{kind}），可能是文件下载链接：{url}")
                chunks = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_PAGE_BYTES:
                        raise FetchError(
                            "error", f"页面过大（超过 {MAX_PAGE_BYTES // 1024 // 1024} MB），已停止读取：{url}"
                        )
                    chunks.append(chunk)
                body = b"".join(chunks)
                html = decode_html(body, response.charset_encoding)
                page = Page(url, str(response.url), response.status_code, html, "http")
                page.retry_after = response.headers.get("Retry-After")
                page.content_type = response.headers.get("Content-Type", "text/html")
                page.etag = response.headers.get("ETag")
                page.last_modified = response.headers.get("Last-Modified")
                page.headers = {k.lower(): v for k, v in response.headers.items()}
                return page
        except FetchError:
            raise
        except HostPaused as exc:
            raise FetchError("blocked", str(exc)) from None
        except BudgetExceeded as exc:
            raise FetchError("error", str(exc)) from None
        except RefusedAddress as exc:
            raise FetchError("blocked", str(exc)) from None
        except httpx.TooManyRedirects:
            raise FetchError("error", f"重定向次数过多：{url}") from None
        except httpx.TimeoutException:
            raise FetchError("unreachable", f"访问超时（{self.timeout:g} 秒内无响应）：{url}") from None
        except (httpx.ConnectError, httpx.NetworkError, httpx.RemoteProtocolError, OSError) as exc:
            problem = certificate_problem(exc)
            if problem is not None:
                failed = str(exc.request.url) if isinstance(exc, httpx.RequestError) else url
                raise FetchError("error", certificate_message(problem, failed)) from None
            raise FetchError("unreachable", f"无法连接到 {url}：{_reason(exc)}") from None
        except httpx.HTTPError as exc:
            raise FetchError("error", f"访问 {url} 出错：{_reason(exc)}") from None

    async def aclose(self) -> None:
        await self.client.aclose()


def _reason(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    if "refused" in text.lower():
        return "连接被拒绝（服务器未开放或地址有误）"
    if "name or service not known" in text.lower() or "nodename" in text.lower():
        return "域名无法解析"
    return text
