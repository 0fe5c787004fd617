"""Outbound links: links to other hosts, and whether they are official."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import OutboundLink
from .dom import absolute, attr, clean_text, host_of, in_platform_part, registrable_domain
from .vocab import OFFICIAL_SUFFIXES

if TYPE_CHECKING:
    from ..transport.http import Page

__all__ = ["is_official", "merge_links", "outbound_links"]


def is_official(url: str, space_host: str, extra: tuple[str, ...] = ()) -> bool:
    """Official: the space's own platform, government and education domains, national platforms."""
    host = host_of(url)
    if not host:
        return False
    if registrable_domain(host) == registrable_domain(space_host):
        return True
    return any(
        host == s.lstrip(".") or host.endswith(s if s.startswith(".") else "." + s) or host == s
        for s in OFFICIAL_SUFFIXES + extra
    )


def merge_links(first: list[OutboundLink], *more: OutboundLink) -> list[OutboundLink]:
    """Distinct by URL, the first page a link was seen on wins."""
    links = {link.url: link for link in reversed([*first, *more])}
    ordered = list(dict.fromkeys(link.url for link in [*first, *more]))
    return [links[url] for url in ordered]


def outbound_links(pages: list[Page], space_url: str, official_domains: tuple[str, ...] = ()) -> list[OutboundLink]:
    """Links to other hosts, but not the platform's own: none from a layer floating over
    the page (客服 QQ, an app) or from the page's footer (技术支持, ICP, 主办单位)."""
    space_host = host_of(space_url)
    links: dict[str, OutboundLink] = {}
    for page in pages:
        for a in page.soup.find_all("a"):
            url = absolute(page.final_url, attr(a, "href"))
            if not url or host_of(url) == space_host or url in links or in_platform_part(a):
                continue
            host = host_of(url)
            links[url] = OutboundLink(
                url=url,
                text=clean_text(a) or (attr(a, "title") or ""),
                domain=host,
                official=is_official(url, space_host, official_domains),
                page_url=page.final_url,
            )
    return list(links.values())
