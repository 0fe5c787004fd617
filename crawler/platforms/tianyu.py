"""天喻-style framework (武汉教育云, fjedu.cn, 之江汇 …): ``index.php?r=space/person/…&sid=``.

Its home page modules are empty boxes filled by AJAX (``GetModuleHtml`` per box,
``ajax-widget`` placeholders through ``r=widget``). Instead of starting a browser, the
adapter requests those fragments itself over plain HTTP and splices them in, which is
what makes sweeping thousands of such spaces cheap. Listings are server-rendered.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from ..extract.dom import attr
from ..extract.modules import ModuleBox
from ..transport.http import FetchError, Page
from .base import CrawlSession, PlatformAdapter

__all__ = ["TianyuAdapter"]

_ROUTES = {
    "articles": "space/person/blog/index",
    "resources": "space/person/resource/index",
    "albums": "space/person/album/index",
}


def _sid(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("sid")
    return values[0] if values else None


def _waiting(box: Tag) -> bool:
    """An empty module box, or one that shows only a loading hint, waiting for its fragment."""
    return box.find(["a", "img", "li", "tr", "dd", "p"]) is None and len(box.get_text(strip=True)) <= 12


class TianyuAdapter(PlatformAdapter):
    name = "tianyu"

    def matches(self, url: str, page: Page) -> bool:
        for candidate in (url, page.final_url):
            query = parse_qs(urlsplit(candidate).query)
            if query.get("r", [""])[0].startswith("space/person") and "sid" in query:
                return True
        return False

    async def complete_home(self, session: CrawlSession, page: Page) -> Page:
        soup = BeautifulSoup(page.html, "html.parser")
        sid = _sid(page.final_url) or _sid(page.url)
        jobs = []
        for box in soup.select("[data-name]"):
            if _waiting(box):
                query = {
                    "r": "space/person/index/GetModuleHtml",
                    "name": box["data-name"],
                    "spacetype": "space_person",
                    "sid": sid or "",
                }
                jobs.append((box, urljoin(page.final_url, "index.php?" + urlencode(query))))
        for widget in soup.select("span.ajax-widget[data-classname]"):
            query = {"r": "widget", "classname": widget["data-classname"], "kid": attr(widget, "data-kid") or ""}
            jobs.append((widget, urljoin(page.final_url, "index.php?" + urlencode(query))))
        if not jobs:
            return await super().complete_home(session, page)
        results = await asyncio.gather(*(session.fetch(url, fragment=True) for _, url in jobs), return_exceptions=True)
        for (node, _), result in zip(jobs, results, strict=False):
            if isinstance(result, FetchError) or isinstance(result, BaseException):
                continue
            if result.status == 200:
                node.clear()
                node.append(BeautifulSoup(result.html, "html.parser"))
        return Page(page.url, page.final_url, page.status, str(soup), "http", page.json_bodies)

    def listing_url(self, kind: str, home: Page, soup: BeautifulSoup, modules: list[ModuleBox]) -> str | None:
        sid = _sid(home.final_url) or _sid(home.url)
        if not sid:
            return None
        return urljoin(home.final_url, "index.php?" + urlencode({"r": _ROUTES[kind], "sid": sid}))
