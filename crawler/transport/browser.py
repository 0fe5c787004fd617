"""Rendering pages in Debian's chromium through Playwright.

The browser is started once per crawl (or sweep) and only when a page needs it.
Images, media and fonts are not loaded: the crawler reads the DOM, not pixels, and
videos are probed separately without downloading them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import time
from typing import Any

from ..extract.vocab import LOAD_MORE_WORDS
from .http import FetchError, Page
from .ssrf import AddressPolicy, RefusedAddress

__all__ = ["BrowserSession", "chromium_path", "CHROMIUM_ARGS"]

logger = logging.getLogger("spacebot.browser")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
_BLOCKED_TYPES = {"image", "media", "font"}
_MAX_LOAD_MORE = 60
_QUIET_S = 0.25  # a page counts as settled after this long with no request in flight

# Finds the visible "加载更多" control that does not navigate, marks it, and reports it.
_FIND_MORE_JS = """(words) => {
  const re = new RegExp('^\\\\s*(' + words.join('|') + ')\\\\s*$');
  const all = Array.from(document.querySelectorAll('button, a, span, div, p, li'));
  for (const el of all.reverse()) {
    const text = (el.innerText || '').trim();
    if (!re.test(text)) continue;
    const href = el.getAttribute('href');
    if (el.tagName === 'A' && href && !href.startsWith('#') && !href.startsWith('javascript')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || el.disabled) continue;
    document.querySelectorAll('[data-spacebot-more]').forEach(e => e.removeAttribute('data-spacebot-more'));
    el.setAttribute('data-spacebot-more', '1');
    return true;
  }
  return false;
}"""


def chromium_path() -> str:
    """Debian's chromium unless ``SPACEBOT_CHROMIUM`` says otherwise."""
    configured = os.environ.get("SPACEBOT_CHROMIUM")
    if configured:
        return configured
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium") or "/usr/bin/chromium"


class BrowserSession:
    """A lazily started chromium; ``render(url)`` returns the page after its scripts ran."""

    def __init__(self, timeout: float = 15.0, recycle_every: int = 0, policy: AddressPolicy | None = None) -> None:
        self.policy = policy or AddressPolicy()
        self.refused: dict[str, str] = {}  # URL → why the browser was not let through
        self.timeout_ms = timeout * 1000
        self.recycle_every = recycle_every  # pages per context; 0 keeps one context
        self._playwright: Any = None
        self._browser: Any = None
        self._context: Any = None
        self._retired: list[Any] = []
        self.pages_rendered = 0
        self.relaunches = 0

    async def _start(self) -> None:
        from playwright.async_api import async_playwright

        path = chromium_path()
        if not os.path.exists(path):
            raise FetchError(
                "error",
                f"找不到浏览器 {path}：请先运行 make demo 或 apt-get install chromium，"
                "或用环境变量 SPACEBOT_CHROMIUM 指定 chromium 路径",
            )
        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        self._context = await self._browser.new_context(
            locale="zh-CN", java_script_enabled=True, accept_downloads=False
        )
        await self._context.route("**/*", self._filter)
        self._context.on("page", self._close_popup)

    @staticmethod
    async def _close_popup(page: Any) -> None:
        # window.open() popups: close them at once, they only cost memory.
        if await page.opener() is not None:
            await page.close()

    async def _filter(self, route: Any) -> None:
        request = route.request
        if request.resource_type in _BLOCKED_TYPES:
            await route.abort()
            return
        try:
            await self.policy.check(request.url)
        except RefusedAddress as exc:
            self.refused[request.url] = str(exc)
            await route.abort("blockedbyclient")
            return
        await route.continue_()

    async def _recycle(self) -> None:
        """A fresh context every ``recycle_every`` pages: chromium's memory stays flat in
        long sweeps. Pages still open in the old context finish first."""
        old = self._context
        self._context = await self._browser.new_context(
            locale="zh-CN", java_script_enabled=True, accept_downloads=False
        )
        await self._context.route("**/*", self._filter)
        self._context.on("page", self._close_popup)
        self._retired.append(old)
        for context in list(self._retired):
            if not context.pages:
                await context.close()
                self._retired.remove(context)

    async def screenshot(self, url: str, html: str) -> bytes:
        """A picture of a page as a visitor sees it: the page's HTML (already completed by
        the crawl) laid out at ``url`` with its images and styles, 1280×900, PNG."""
        await self._ensure_running()
        page = await self._context.new_page()
        page.set_default_timeout(self.timeout_ms)

        async def allow_images(route: Any) -> None:  # the picture needs them; the guard still applies
            try:
                await self.policy.check(route.request.url)
            except RefusedAddress:
                await route.abort("blockedbyclient")
                return
            if route.request.resource_type in ("media", "font"):
                await route.abort()
            else:
                await route.continue_()

        try:
            await page.route("**/*", allow_images)
            await page.set_viewport_size({"width": 1280, "height": 900})
            base = f'<base href="{url}">'
            await page.set_content(
                re.sub(r"(<head[^>]*>)", r"\1" + base.replace("\\", "\\\\"), html, count=1, flags=re.I)
                if re.search(r"<head[^>]*>", html, re.I)
                else base + html,
                wait_until="load",
                timeout=min(self.timeout_ms, 10000),
            )
            png: bytes = await page.screenshot(type="png", timeout=min(self.timeout_ms, 10000))
            return png
        finally:
            await page.close()

    async def _ensure_running(self) -> None:
        """Start chromium, or start it again if it died (killed, crashed, out of memory)."""
        if self._browser is not None and not self._browser.is_connected():
            logger.warning("chromium disconnected; starting it again")
            self.relaunches += 1
            try:
                if self._playwright is not None:
                    await self._playwright.stop()
            except Exception:
                pass
            self._browser = self._context = self._playwright = None
            self._retired.clear()
        if self._context is None:
            await self._start()

    async def render(self, url: str, *, load_more: bool = False) -> Page:
        if self._context is None or (self._browser is not None and not self._browser.is_connected()):
            await self._ensure_running()
        elif self.recycle_every and self.pages_rendered and self.pages_rendered % self.recycle_every == 0:
            await self._recycle()
        page = await self._context.new_page()
        page.set_default_timeout(self.timeout_ms)
        json_bodies: list[str] = []

        async def keep_json(response: Any) -> None:
            if "json" in (response.headers.get("content-type") or ""):
                try:
                    json_bodies.append(await response.text())
                except Exception:  # the page may have moved on; the DOM still has what it rendered
                    pass

        inflight: set[Any] = set()
        page.on("request", lambda request: inflight.add(request))
        page.on("requestfinished", lambda request: inflight.discard(request))
        page.on("requestfailed", lambda request: inflight.discard(request))
        page.on("response", keep_json)
        page.on("dialog", lambda dialog: dialog.dismiss())

        async def settle(limit: float = 8.0) -> None:
            # Playwright's "networkidle" waits 500 ms; this settles sooner, bounded, and
            # gives up on long-polling pages that are never idle.
            deadline = time.monotonic() + min(limit, self.timeout_ms / 1000)
            quiet_since: float | None = None
            while time.monotonic() < deadline:
                if inflight:
                    quiet_since = None
                elif quiet_since is None:
                    quiet_since = time.monotonic()
                elif time.monotonic() - quiet_since >= _QUIET_S:
                    return
                await asyncio.sleep(0.03)

        try:
            try:
                response = await page.goto(url, wait_until="load", timeout=self.timeout_ms)
            except Exception as exc:
                refusal = (
                    self.refused.get(url) or next(iter(self.refused.values()), None)
                    if "ERR_BLOCKED" in str(exc)
                    else None
                )
                if refusal:
                    raise FetchError("blocked", refusal) from None
                raise FetchError("unreachable", f"浏览器无法打开 {url}：{_first_line(exc)}") from None
            await settle()
            if load_more:
                await self._load_all(page, settle)
            html = await page.content()
            self.pages_rendered += 1
            status = response.status if response is not None else 200
            return Page(url, page.url, status, html, "browser", json_bodies)
        finally:
            try:  # a renderer stuck in an endless script must not hold the crawl
                await asyncio.wait_for(page.close(run_before_unload=False), 5)
            except Exception:
                pass

    async def _load_all(self, page: Any, settle: Any) -> None:
        """Click "加载更多" (or scroll) until the list stops growing, bounded."""
        words = [re.escape(w) for w in LOAD_MORE_WORDS]
        for _ in range(_MAX_LOAD_MORE):
            before = await page.evaluate("document.body ? document.body.innerHTML.length : 0")
            if await page.evaluate(_FIND_MORE_JS, words):
                try:
                    await page.click("[data-spacebot-more]", timeout=3000)
                except Exception:
                    return
            else:
                # Infinite scroll: scroll to the end and see whether the page grows. A page
                # that says it loads on scrolling gets longer to answer.
                hint = await page.evaluate("document.body ? document.body.innerText : ''")
                patience = 1500 if re.search(r"(下拉|滚动|上拉)加载|加载中", hint) else 600
                await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                try:
                    await page.wait_for_function(
                        f"document.body.innerHTML.length !== {before}", timeout=patience, polling=50
                    )
                except Exception:
                    return
                await settle(3.0)
                continue
            try:
                await page.wait_for_function(f"document.body.innerHTML.length !== {before}", timeout=5000, polling=50)
            except Exception:
                return
            await settle(3.0)

    async def aclose(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._context = self._playwright = None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
