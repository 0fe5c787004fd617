"""Rendering pages in Debian's chromium through Playwright.

The browser is started once per crawl (or sweep) and only when a page needs it.
Images, media, fonts and stylesheets are not fetched: the crawler reads the DOM, not
pixels, and videos are probed separately without downloading them. Every request a page
makes passes the crawl's host gate in the route handler (see ``_pass``); a screenshot,
the one place pictures and styles are wanted, goes through the same gate.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import logging
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ..extract.vocab import LOAD_MORE_WORDS
from .gate import METER, BudgetExceeded, HostGate, HostPaused, Meter, Ticket
from .http import FetchError, Page
from .pinned import pinned_async_transport
from .ssrf import AddressPolicy, RefusedAddress
from .tls import certificate_message, certificate_problem
from .turns import BROWSER, PROBES, Turns

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
_BLOCKED_TYPES = {"image", "media", "font", "stylesheet"}  # the crawl reads the DOM, not pixels
_MAX_LOAD_MORE = 60
_GROW_TIMEOUTS = 4  # a list that stops growing for this many request timeouts is left as it is
_SCROLL_JS = (
    "window.scrollTo(0, document.body.scrollHeight);"
    "document.dispatchEvent(new Event('scroll', {bubbles: true}))"  # reaches window's listeners too
)
_QUIET_S = 0.25  # a page counts as settled after this long with no request in flight
# Chromium and Playwright's driver (some 450 MB together) are closed after this long with no
# page open, and started again by the next page: once a host's recipe is trusted a sweep
# reads its spaces over HTTP and may need no browser for minutes, while its video probes
# and their OCR need the memory.
IDLE_CLOSE_S = 30.0
# … and after this long when the video probes wait for their turn (see ``Turns``): long
# enough for a space's crawl to go from one rendered page to its next.
TURN_GRACE_S = 2.0


@dataclass
class _Opened:
    page: Any
    settle: Callable[..., Awaitable[None]]
    answers: list[tuple[str, str]]  # (URL, JSON text) of every JSON answer so far
    status: int
    asked: list[int]  # for each answer, the number of the request it answers (in order asked)
    requests: list[Any]  # every request of the tab, in the order it was asked

    def answers_since(self, first_request: int) -> list[tuple[str, str]]:
        """The answers to requests asked from ``first_request`` on: a late answer to what
        the page asked before a click is not the clicked view's."""
        return [a for a, n in zip(self.answers, self.asked, strict=True) if n >= first_request]


# Marks the element a visitor would click to reach one of the labels (a tab, an entry, an
# item's title): the visible element whose text is the label (counts such as "(41)" aside),
# preferring links, buttons and tabs, then elements with handlers.
_MARK_CLICK_JS = """(labels) => {
  const norm = s => (s || '').replace(/\\s+/g, '').replace(/[>»›]+$/, '')
    .replace(/[(（\\[【]?\\d+[)）\\]】]?(篇|个|张|条|项|份)?$/, '');
  const wanted = new Set(labels.map(norm).filter(Boolean));
  const exact = new Set(labels.map(l => (l || '').replace(/\\s+/g, '')));
  let best = null, bestScore = -1;
  const tags = 'a, button, li, span, div, p, td, dt, dd, h2, h3, h4, h5, em, b, strong, img';
  for (const el of document.querySelectorAll(tags)) {
    // What the element says: its text, or (a cut title, a thumbnail) its title or alt.
    const said = [el.tagName === 'IMG' ? '' : el.innerText, el.getAttribute('title'), el.getAttribute('alt')];
    const raw = said.find(t => t && wanted.has(norm(t)));
    if (!raw) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    let score = exact.has((raw || '').replace(/\\s+/g, '')) ? 10 : 0;  // the very words before a near match
    if (el.tagName === 'A' || el.tagName === 'BUTTON' || el.getAttribute('role') === 'tab') score += 4;
    if (el.getAttribute('onclick') || Array.from(el.attributes).some(a => a.name.startsWith('data-'))) score += 2;
    if (getComputedStyle(el).cursor === 'pointer') score += 1;
    if (el.children.length === 0) score += 1;
    if (score > bestScore) { best = el; bestScore = score; }
  }
  if (!best) return false;
  const acts = e => e.tagName === 'A' || e.tagName === 'BUTTON' || e.getAttribute('onclick') ||
    Array.from(e.attributes).some(a => a.name.startsWith('data-') && a.name !== 'data-spacebot-click');
  if (!acts(best)) {  // a caption beside the link (a thumbnail) that does the opening
    const near = best.closest('a, button, [onclick]') ||
      (best.parentElement && best.parentElement.querySelector('a, button, [onclick]'));
    if (near) best = near;
  }
  document.querySelectorAll('[data-spacebot-click]').forEach(e => e.removeAttribute('data-spacebot-click'));
  best.setAttribute('data-spacebot-click', '1');
  return true;
}"""

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


_SCRIPT_CLICK_JS = """() => {
  const el = document.querySelector('[data-spacebot-more]');
  if (!el || !el.isConnected) return false;
  el.click();
  return true;
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
    """A lazily started chromium; ``render(url)`` returns the page after its scripts ran.

    It is closed again after ``idle_close_s`` seconds with no page open (0: kept until
    ``aclose``), unless it records or replays a HAR file. With ``turns`` chromium holds the
    browser's turn while it is up, and is closed ``TURN_GRACE_S`` after its last page when
    the probes wait for theirs."""

    def __init__(
        self,
        timeout: float = 15.0,
        recycle_every: int = 0,
        policy: AddressPolicy | None = None,
        *,
        gate: HostGate | None = None,
        har_record: Path | None = None,
        har_replay: Path | None = None,
        idle_close_s: float = IDLE_CLOSE_S,
        turns: Turns | None = None,
    ) -> None:
        self.policy = policy or AddressPolicy()
        self.gate = gate  # every request the pages make waits for its host's slot
        self._meters: dict[Any, Meter] = {}  # open page → the meter of the space it serves
        self._queued: Counter[Any] = Counter()  # open page → its requests waiting for a gate slot
        self.har_record = har_record  # the browser's own requests are written here (HAR)
        self.har_replay = har_replay  # … or answered from here, offline
        self.refused: dict[str, str] = {}  # URL → why the browser was not let through
        self.bad_certificates: dict[str, str] = {}  # URL → its host's certificate problem
        self._client: httpx.AsyncClient | None = None  # makes every request of the pages
        self.timeout_ms = timeout * 1000
        self.recycle_every = recycle_every  # pages per context; 0 keeps one context
        self._playwright: Any = None
        self._browser: Any = None
        self._context: Any = None
        self._retired: list[Any] = []
        self.pages_rendered = 0
        self.relaunches = 0
        # One start, relaunch or recycle at a time: spaces read at once all open their first
        # tab together, and each would otherwise launch a chromium of its own (measured: 8
        # browsers, 1.7 GB, for a sweep at --concurrency 8, all but one left running).
        self._lock = asyncio.Lock()
        self._tabs_in_context = 0
        self.idle_close_s = 0.0 if har_record is not None or har_replay is not None else idle_close_s
        self.idle_closes = 0  # times chromium was closed for want of pages
        self._open_pages = 0
        self._last_closed = 0.0  # time.monotonic() when the last page closed
        self._idle: asyncio.Task[None] | None = None
        self._idle_closing = False  # the idle task is closing chromium: let it finish
        self._closed = False  # aclose ran: no watcher is started any more
        # A chromium kept until ``aclose`` would keep the probes from their turn for good.
        self.turns = turns if self.idle_close_s > 0 else None
        self._turns_held = 0  # chromiums started and not yet closed, each holding the turn

    async def _start(self) -> None:
        from playwright.async_api import async_playwright

        path = chromium_path()
        if not os.path.exists(path):
            raise FetchError(
                "error",
                f"找不到浏览器 {path}：请先运行 make demo 或 apt-get install chromium，"
                "或用环境变量 SPACEBOT_CHROMIUM 指定 chromium 路径",
            )
        self._closed = False
        if self.turns is not None:
            await self.turns.acquire(BROWSER)
            self._turns_held += 1
        try:
            self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            self._context = await self._new_context()
        except BaseException:  # the driver started is not left running behind a failed launch
            playwright, browser = self._playwright, self._browser
            self._browser = self._context = self._playwright = None
            try:
                await _shut(browser, playwright)
            finally:
                await self._let_go()
            raise

    async def _let_go(self) -> None:
        """A chromium this session started is closed: its turn is over."""
        if self.turns is not None and self._turns_held > 0:
            self._turns_held -= 1
            await asyncio.shield(self.turns.release(BROWSER))

    def _idle_limit(self) -> float:
        """Seconds with no page open after which chromium is closed."""
        if self.turns is not None and self.turns.wanted_by(PROBES):
            return min(self.idle_close_s, TURN_GRACE_S)
        return self.idle_close_s

    async def _new_context(self) -> Any:
        """A browser context with the guard on every request; recording or replaying a
        HAR file when the session was made for it."""
        extra: dict[str, Any] = {}
        if self.har_record is not None:
            extra = {"record_har_path": str(self.har_record), "record_har_content": "embed"}
        context = await self._browser.new_context(
            locale="zh-CN", java_script_enabled=True, accept_downloads=False, **extra
        )
        await context.route("**/*", self._filter)
        # WebSockets are not routed like requests: a space needs none, so none is opened.
        await context.route_web_socket("**/*", _no_websocket)
        if self.har_replay is not None:  # routes added later answer first: nothing reaches the network
            await context.route_from_har(str(self.har_replay), not_found="abort")
        context.on("page", self._close_popup)
        return context

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
        await self._pass(route)

    def _meter_of(self, request: Any) -> Meter | None:
        return self._meters.get(_page_of(request))

    @asynccontextmanager
    async def _slot(self, request: Any) -> AsyncIterator[Ticket | None]:
        """The gate slot for one of a page's requests. While it waits for the slot the
        page counts as waiting on the crawl itself (see ``settle``): a busy gate must not
        make a list look finished."""
        if self.gate is None:
            yield None
            return
        page = _page_of(request)
        self._queued[page] += 1
        try:
            ticket = await self.gate.acquire(request.url)
        finally:
            self._queued[page] -= 1
            if self._queued[page] <= 0:
                del self._queued[page]
        try:
            yield ticket
        finally:
            ticket.release()

    def _track(self, page: Any) -> None:
        meter = METER.get()
        if meter is not None:
            self._meters[page] = meter

    def _http(self) -> httpx.AsyncClient:
        """The client that makes the pages' requests: connections only to addresses the
        guard judged (no DNS rebinding), certificates checked but for ``--insecure-host``."""
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=pinned_async_transport(self.policy),
                mounts={
                    f"https://{host}": pinned_async_transport(self.policy, verify=False)
                    for host in self.policy.insecure_hosts
                },
                timeout=httpx.Timeout(self.timeout_ms / 1000),
                follow_redirects=False,  # each hop goes back through the route handler
                cookies=httpx.Cookies(_NoCookies()),  # the page's own cookies are sent with each request
                trust_env=True,
            )
        return self._client

    async def _pass(self, route: Any) -> None:
        """Let a request through: it is made here (by httpx, to the checked address, while
        its host's gate slot is held) and its answer handed to the page, so a page's scripts
        can never have more requests in flight than the gate allows, nor reach an address
        the guard did not judge. Redirects are answered as such, so the browser follows each
        hop through this handler again."""
        request = route.request
        meter = self._meter_of(request)
        if meter is not None:
            try:
                meter.request()
            except BudgetExceeded:
                await route.abort("blockedbyclient")
                return
        url = request.url
        try:
            headers = {
                k: v
                for k, v in (await request.all_headers()).items()
                if not k.startswith(":") and k.lower() not in _HOP_HEADERS
            }
            outgoing = httpx.Request(request.method, url, headers=headers, content=request.post_data_buffer)
            async with self._slot(request) as ticket:
                if ticket is not None:
                    ticket.sent()  # it goes out now
                # One deadline for the whole answer: a host that trickles bytes must not hold its slot.
                async with asyncio.timeout(self.timeout_ms / 1000):
                    response = await self._http().send(outgoing, stream=True)
                    try:
                        body = await _read_capped(response)
                    finally:
                        await response.aclose()
            if meter is not None:
                meter.received(len(body))
        except (RefusedAddress, HostPaused) as exc:
            if isinstance(exc, HostPaused) and meter is not None:
                meter.paused_out = True
            self.refused[url] = str(exc)
            await _abort(route, "blockedbyclient")
            return
        except Exception as exc:  # unreachable, timed out, a bad certificate, or the page went away
            problem = certificate_problem(exc)
            if problem is not None:
                self.bad_certificates[url] = certificate_message(problem, url)
            logger.info("browser request %s failed: %s", url, _first_line(exc))
            await _abort(route, "failed")
            return
        answer: dict[str, str] = {}
        for name, value in response.headers.multi_items():
            if name.lower() in _HOP_HEADERS or name.lower() == "content-encoding":
                continue  # the body is handed over decoded, with its own length
            answer[name] = f"{answer[name]}\n{value}" if name in answer else value  # set-cookie: one per line
        try:
            await route.fulfill(status=response.status_code, headers=answer, body=body)
        except Exception:  # the page went away meanwhile
            pass

    async def _new_page(self) -> Any:
        """A new tab; chromium started (or started again) first, and its context renewed
        every ``recycle_every`` tabs."""
        async with self._lock:
            if self._context is None or (self._browser is not None and not self._browser.is_connected()):
                await self._ensure_running()
                self._tabs_in_context = 0
            elif self.recycle_every and self._tabs_in_context >= self.recycle_every:
                await self._recycle()
                self._tabs_in_context = 0
            self._tabs_in_context += 1
            try:
                page = await self._context.new_page()
            except BaseException:  # a chromium started for this tab is watched like an idle one
                self._last_closed = time.monotonic()
                self._watch_idle()
                raise
            self._open_pages += 1
            return page

    def _page_closed(self) -> None:
        """A page this session opened is closed: with none left open, chromium is closed
        once ``idle_close_s`` passes without a new one."""
        self._open_pages -= 1
        self._last_closed = time.monotonic()
        self._watch_idle()

    def _watch_idle(self) -> None:
        """With no page open, chromium is closed after the idle wait (one watcher at a time)."""
        if self._open_pages == 0 and self.idle_close_s > 0 and not self._closed:
            if self._idle is None or self._idle.done():
                self._idle = asyncio.get_running_loop().create_task(self._close_when_idle())

    async def _close_when_idle(self) -> None:
        while True:
            while (wait := self._last_closed + self._idle_limit() - time.monotonic()) > 0:
                # a page opened and closed meanwhile moves the moment on; the probes starting
                # to wait for their turn bring it nearer
                await asyncio.sleep(min(wait, 0.5) if self.turns is not None else wait)
            async with self._lock:  # no page is being opened meanwhile
                if self._open_pages or self._browser is None:
                    return  # in use again: the last page to close starts the wait anew
                if time.monotonic() - self._last_closed < self._idle_limit():
                    continue  # a page came and went while this waited for the lock
                browser, playwright = self._browser, self._playwright
                self._browser = self._context = self._playwright = None
                self._retired.clear()
                self.idle_closes += 1
                break
        logger.info("no page open for %.0f s: chromium closed until the next one", self._idle_limit())
        # Outside the lock: a page wanted meanwhile starts a chromium of its own at once.
        self._idle_closing = True
        try:
            await _shut(browser, playwright)
        finally:
            self._idle_closing = False
            await self._let_go()
        if self._browser is not None and not self._open_pages:
            # A chromium started while this one was shut, its pages already gone: this
            # watcher ends, so a new one watches it (else probes waiting would wait on).
            self._idle = None
            self._watch_idle()

    async def _recycle(self) -> None:
        """A fresh context every ``recycle_every`` pages: chromium's memory stays flat in
        long sweeps. Pages still open in the old context finish first."""
        old = self._context
        self._context = await self._new_context()
        self._retired.append(old)
        for context in list(self._retired):
            if not context.pages:
                await context.close()
                self._retired.remove(context)

    async def screenshot(self, url: str) -> bytes:
        """A picture of the live page as a visitor sees it, 1280×900, PNG: opened again at
        ``url`` with its images and styles (through the gate and the guard, like every
        request), its scripts run. Not a re-render of stored HTML: a layout drawn by
        scripts, a canvas or a slideshow would come out wrong there, and mislead."""
        page = await self._new_page()
        page.set_default_timeout(self.timeout_ms)
        self._track(page)

        async def allow_images(route: Any) -> None:  # the picture needs them; the guard still applies
            try:
                await self.policy.check(route.request.url)
            except RefusedAddress:
                await route.abort("blockedbyclient")
                return
            if route.request.resource_type in ("media", "font"):
                await route.abort()
            else:
                await self._pass(route)

        try:
            await page.route("**/*", allow_images)
            await page.set_viewport_size({"width": 1280, "height": 900})
            await page.goto(url, wait_until="load", timeout=min(self.timeout_ms, 15000))
            try:  # let the scripts draw (bounded: some pages are never idle)
                await page.wait_for_load_state("networkidle", timeout=3000)
            except Exception:
                pass
            png: bytes = await page.screenshot(type="png", timeout=min(self.timeout_ms, 10000))
            return png
        finally:
            self._meters.pop(page, None)
            try:  # bounded: a stuck renderer must not keep chromium up (and the probes waiting)
                await asyncio.wait_for(page.close(run_before_unload=False), 5)
            except Exception:
                pass
            finally:
                self._page_closed()

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
            await self._let_go()
        if self._context is None:
            await self._start()

    @asynccontextmanager
    async def _opened(self, url: str) -> AsyncIterator[_Opened]:
        """A new tab at ``url`` after its scripts ran, with the JSON answers it receives."""
        page = await self._new_page()
        page.set_default_timeout(self.timeout_ms)
        self._track(page)
        answers: list[tuple[str, str]] = []
        asked: list[int] = []
        requests: list[Any] = []
        number: dict[Any, int] = {}

        async def keep_json(response: Any) -> None:
            if "json" in (response.headers.get("content-type") or ""):
                try:
                    text = await response.text()
                except Exception:  # the page may have moved on; the DOM still has what it rendered
                    return
                answers.append((response.url, text))
                asked.append(number.get(response.request, 0))

        def on_request(request: Any) -> None:
            number[request] = len(requests)
            requests.append(request)
            inflight.add(request)

        inflight: set[Any] = set()
        page.on("request", on_request)
        page.on("requestfinished", lambda request: inflight.discard(request))
        page.on("requestfailed", lambda request: inflight.discard(request))
        page.on("response", keep_json)
        page.on("dialog", lambda dialog: dialog.dismiss())

        async def settle(limit: float = 8.0) -> None:
            # Playwright's "networkidle" waits 500 ms; this settles sooner, bounded, and
            # gives up on long-polling pages that are never idle. Time a request of the
            # page spends waiting for the crawl's own host gate is not the page's: the
            # deadline moves on by it (up to the request timeout), so a busy gate does not
            # end a list that is still growing.
            last = time.monotonic()
            deadline = last + min(limit, self.timeout_ms / 1000)
            latest = last + self.timeout_ms / 1000
            quiet_since: float | None = None
            while (now := time.monotonic()) < deadline:
                if self._queued.get(page):
                    deadline = min(latest, deadline + now - last)
                last = now
                if inflight:
                    quiet_since = None
                elif quiet_since is None:
                    quiet_since = time.monotonic()
                elif time.monotonic() - quiet_since >= _QUIET_S:
                    return
                await asyncio.sleep(0.03)

        try:
            status = await self._goto(page, url)
            await settle()
            yield _Opened(page, settle, answers, status, asked, requests)
        finally:
            meter = self._meters.pop(page, None)
            if meter is not None:
                meter.rendered()
            try:  # a renderer stuck in an endless script must not hold the crawl
                await asyncio.wait_for(page.close(run_before_unload=False), 5)
            except Exception:
                pass
            finally:  # counted as closed even when the space is cancelled (its watchdog) meanwhile
                self._page_closed()

    async def _goto(self, page: Any, url: str) -> int:
        try:
            response = await page.goto(url, wait_until="load", timeout=self.timeout_ms)
        except Exception as exc:
            refusal = (
                self.refused.get(url) or next(iter(self.refused.values()), None) if "ERR_BLOCKED" in str(exc) else None
            )
            if refusal:
                raise FetchError("blocked", refusal) from None
            if url in self.bad_certificates:
                raise FetchError("error", self.bad_certificates[url]) from None
            raise FetchError("unreachable", f"浏览器无法打开 {url}：{_first_line(exc)}") from None
        return response.status if response is not None else 200

    async def _content(self, page: Any) -> str:
        """The page's HTML; a page that is navigating (a script sends it on) is read where it lands."""
        for _ in range(3):
            try:
                return str(await page.content())
            except Exception as exc:
                if "navigating" not in str(exc):
                    raise
                try:
                    await page.wait_for_load_state("load", timeout=self.timeout_ms)
                except Exception:
                    pass
        return str(await page.content())

    async def render(self, url: str, *, load_more: bool = False) -> Page:
        """The page after its scripts ran (with ``load_more``, its list grown to the end)."""
        async with self._opened(url) as opened:
            whole = await self._load_all(opened.page, opened.settle) if load_more else True
            html = await self._content(opened.page)
            self.pages_rendered += 1
            answers = list(opened.answers)
            page = Page(url, opened.page.url, opened.status, html, "browser", [t for _, t in answers], answers=answers)
            page.grown_in_part = not whole
            return page

    async def explore(self, url: str, paths: list[list[list[str]]]) -> tuple[Page, list[Page | None]]:
        """The page at ``url``, and for each path the view its clicks lead to.

        A path is a list of steps; a step is the labels one of which the element to click
        shows (a tab 资源, then an item's title). Each path starts again from ``url``. The
        view is the page after the last click, its lists grown to the end, with the JSON
        answers that came after that click. A path whose element is not there gives None.
        """
        views: list[Page | None] = []
        async with self._opened(url) as opened:
            page = opened.page
            first = list(opened.answers)
            html = await self._content(page)
            home = Page(url, page.url, opened.status, html, "browser", [t for _, t in first], answers=first)
            if paths:  # the first path starts from this very tab
                views.append(await self._follow(url, opened, paths[0]))
        for path in paths[1:]:  # each further path from a tab of its own
            try:
                async with self._opened(url) as fresh:
                    views.append(await self._follow(url, fresh, path))
            except FetchError:
                views.append(None)
        self.pages_rendered += 1 + len(paths)
        return home, views

    async def _follow(self, url: str, opened: _Opened, path: list[list[str]]) -> Page | None:
        """The view one path of clicks leads to, or None (an element not there, a view that
        went away)."""
        page = opened.page
        mark = len(opened.requests)
        try:
            for step in path:
                if not await page.evaluate(_MARK_CLICK_JS, step):
                    return None
                mark = len(opened.requests)
                # A script click: no waiting for pictures the crawl does not load.
                await page.evaluate("document.querySelector('[data-spacebot-click]').click()")
                await opened.settle()
                await page.wait_for_load_state("load", timeout=self.timeout_ms)  # a click may open a page
            whole = await self._load_all(page, opened.settle)
            answers = opened.answers_since(mark)
            html = await self._content(page)
        except Exception as exc:  # the view went away (a navigation, a crash): no view
            logger.info("exploring %s by %s failed: %s", url, path, _first_line(exc))
            return None
        view = Page(url, page.url, 200, html, "browser", [t for _, t in answers], answers=answers)
        view.grown_in_part = not whole
        return view

    async def _load_all(self, page: Any, settle: Any) -> bool:
        """Click "加载更多" (or scroll) until the list stops growing, bounded; a page that
        navigates away meanwhile keeps what it had. False when the list was left still
        growing (out of time or steps): it was read in part."""
        try:
            return await self._grow(page, settle)
        except Exception as exc:
            logger.info("growing the list of %s stopped: %s", page.url, _first_line(exc))
            return True

    async def _grow(self, page: Any, settle: Any) -> bool:
        words = [re.escape(w) for w in LOAD_MORE_WORDS]
        # Bounded by progress: settling waits out the gate, and a page that polls its host
        # all the time would wait the longest at every step. A list that keeps growing is
        # read on (a busy machine makes each step slow, not the list shorter).
        patience_s = _GROW_TIMEOUTS * self.timeout_ms / 1000
        deadline = time.monotonic() + patience_s
        by_script = False
        for _ in range(_MAX_LOAD_MORE):
            if time.monotonic() > deadline:
                logger.info("growing the list of %s stopped: time is up", page.url)
                return False
            before = await page.evaluate("document.body ? document.body.innerHTML.length : 0")
            if await page.evaluate(_FIND_MORE_JS, words):
                # A control Playwright's checks do not pass in time (a busy renderer draws
                # no frames, a floating layer covers it) is clicked by script, from then on
                # at once; one no longer there (the list redrawn meanwhile) is looked for again.
                clicked = False
                if not by_script:
                    try:
                        await page.click("[data-spacebot-more]", timeout=3000)
                        clicked = True
                    except Exception:
                        by_script = True
                if not clicked and not await page.evaluate(_SCRIPT_CLICK_JS):
                    continue
                patience = 5000
            else:
                # Infinite scroll: scroll to the end and see whether the page grows. A page
                # that says it loads on scrolling gets longer to answer.
                hint = await page.evaluate("document.body ? document.body.innerText : ''")
                patience = 1500 if re.search(r"(下拉|滚动|上拉)加载|加载中", hint) else 600
                # The scroll event a real scroll fires waits for the renderer's next frame,
                # which may come late in a busy browser: one is sent at once as well.
                await page.evaluate(_SCROLL_JS)
            try:
                await page.wait_for_function(
                    f"document.body.innerHTML.length !== {before}", timeout=patience, polling=50
                )
            except Exception:
                # Not grown yet: a request the click or scroll started may still be waiting
                # (for the host gate, a slow API). Only a page with nothing in flight is done.
                await settle(3.0)
                if await page.evaluate("document.body ? document.body.innerHTML.length : 0") == before:
                    return True
            await settle(3.0)
            deadline = time.monotonic() + patience_s  # it grew: the time starts again
        logger.info("growing the list of %s stopped after %d steps", page.url, _MAX_LOAD_MORE)
        return False

    async def aclose(self) -> None:
        self._closed = True
        if self._idle is not None:
            if self._idle_closing:
                await asyncio.shield(self._idle)  # chromium is being closed: not left half closed
            else:
                self._idle.cancel()
            self._idle = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        try:
            if self._context is not None and self.har_record is not None:
                await self._context.close()  # writes the recorded HAR
        finally:
            browser, playwright = self._browser, self._playwright
            self._browser = self._context = self._playwright = None
            try:
                await _shut(browser, playwright)
            finally:
                while self._turns_held:
                    await self._let_go()


async def _shut(browser: Any, playwright: Any, timeout: float = 10.0) -> None:
    """Close chromium (bounded: one stuck under memory pressure must not hold the crawl),
    then stop Playwright's driver whatever happened, which ends what it launched."""
    try:
        if browser is not None:
            async with asyncio.timeout(timeout):
                await browser.close()
    except Exception as exc:  # already gone (killed, crashed), or stuck
        logger.info("closing chromium: %s", _first_line(exc))
    finally:
        if playwright is not None:
            try:
                await playwright.stop()
            except Exception as exc:
                logger.info("stopping Playwright's driver: %s", _first_line(exc))


class _NoCookies(http.cookiejar.CookieJar):
    """Keeps nothing: chromium holds the cookies (handed back with each answer)."""

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        pass

    def extract_cookies(self, response: Any, request: Any) -> None:
        pass


def _page_of(request: Any) -> Any:
    try:
        return request.frame.page
    except Exception:  # a request without a page (a service worker's)
        return None


_HOP_HEADERS = {
    "host",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "te",
    "trailer",
    "content-length",
    "accept-encoding",  # httpx asks for what it can decode, and decodes it
}
_MAX_BODY = 32 * 1024 * 1024  # one answer handed to a page (media are not fetched at all)


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > _MAX_BODY:
            raise FetchError("error", f"浏览器请求的内容过大（超过 {_MAX_BODY // 1024 // 1024} MB）：{response.url}")
        chunks.append(chunk)
    return b"".join(chunks)


async def _no_websocket(socket: Any) -> None:
    try:
        await socket.close()
    except Exception:  # the page went away meanwhile
        pass


async def _abort(route: Any, reason: str) -> None:
    try:
        await route.abort(reason)
    except Exception:  # the page went away meanwhile
        pass


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
