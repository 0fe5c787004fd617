"""Outbound links: links to other hosts, and whether they are official."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bs4 import BeautifulSoup, Tag

from ..model import OutboundLink
from .dom import absolute, attr, clean_text, host_of, in_floating, registrable_domain
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


# What a page's footer says: the platform's copyright, its ICP licence, who runs it.
_FOOTER_MARK = re.compile(r"©|版权所有|copyright|ICP\s*备|技术支持|主办单位|承办单位|运营单位", re.IGNORECASE)
_FOOTER_MAX = 400  # characters: a footer is a few short lines


_NOT_FOOTER = ("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "img", "video", "iframe")
_AFTER_FOOTER = 200  # characters of text a footer may still have after it (a floating layer)


def _footers(soup: BeautifulSoup) -> list[Tag]:
    """The page's footer blocks: a <footer>, and around each footer line at the end of the
    page the largest block of a few such lines (never one that holds a heading, a list or
    a longer text)."""
    lengths: dict[int, int] = {}

    def length(tag: Tag) -> int:  # each element's text measured once
        if id(tag) not in lengths:
            lengths[id(tag)] = len(clean_text(tag))
        return lengths[id(tag)]

    def line(tag: Tag) -> bool:  # a line a footer may hold: naming the platform, or short (客服电话 …)
        if _FOOTER_MARK.search(clean_text(tag)):
            return True
        return length(tag) <= 60 and tag.name not in _NOT_FOOTER and tag.find(_NOT_FOOTER) is None

    def at_end(tag: Tag) -> bool:  # little text after it, up to the end of the page
        after = 0
        node: Tag | None = tag
        while node is not None and node.name not in ("body", "html", "[document]"):
            for sibling in node.next_siblings:
                after += length(sibling) if isinstance(sibling, Tag) else len(str(sibling).strip())
                if after > _AFTER_FOOTER:
                    return False
            node = node.parent
        return True

    blocks = list(soup.find_all("footer"))
    found: set[int] = set()
    for piece in soup.find_all(string=_FOOTER_MARK):
        block = piece.parent
        if not isinstance(block, Tag) or block.name in ("body", "html", "[document]"):
            continue
        if id(block) in found or any(id(parent) in found for parent in block.parents):
            continue
        while (parent := block.parent) is not None and parent.name not in ("body", "html", "[document]"):
            others = [child for child in parent.find_all(True, recursive=False) if child is not block]
            if length(parent) > _FOOTER_MAX or not all(line(child) for child in others):
                break
            block = parent
        if length(block) <= _FOOTER_MAX and block.find(_NOT_FOOTER[:6]) is None and at_end(block):
            blocks.append(block)
            found.add(id(block))
    return blocks


def outbound_links(pages: list[Page], space_url: str, official_domains: tuple[str, ...] = ()) -> list[OutboundLink]:
    """Links to other hosts, but not the platform's own: none from a layer floating over
    the page (客服 QQ, an app) or from the page's footer (技术支持, ICP, 主办单位)."""
    space_host = host_of(space_url)
    links: dict[str, OutboundLink] = {}
    for page in pages:
        soup = page.soup
        footers = {id(block) for block in _footers(soup)}
        for a in soup.find_all("a"):
            url = absolute(page.final_url, attr(a, "href"))
            if not url or host_of(url) == space_host or url in links or in_floating(a):
                continue
            if footers and any(id(parent) in footers for parent in a.parents):
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
