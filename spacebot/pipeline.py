"""The check pipeline: validate → crawl → probe videos → inspect → document → store."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import contextvars
import ctypes
import functools
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from crawler import (
    METER,
    TURN_PROBES,
    AddressPolicy,
    BrowserSession,
    CrawlOptions,
    HarRecorder,
    HarReplay,
    HostGate,
    HttpFetcher,
    Meter,
    RecipeBook,
    SpaceSnapshot,
    Target,
    ThreadGate,
    Turns,
    check_target_url,
    crawl_space,
    metered,
    paused_out,
    single_url,
    stage,
    turn_from_thread,
)
from inspectors import (
    Finding,
    ProbeCache,
    Rubric,
    card_fields,
    estimate_deep_index,
    inspect_snapshot,
    load_rubric,
    probe_video,
)
from reports import card_image_role, check_document

__all__ = ["CheckResult", "GROUPS", "check_space", "inspect_target"]

GROUPS = ("幼儿园", "小学", "初中", "高中")
_PROBES_AT_ONCE = 4  # per space
# Per process: each probe decodes a video (about 50 MB of frames and decoder state at
# 1080p) and reads its card by OCR, one at a time. The probes of every space being checked
# run in these threads, not in asyncio's default pool (six threads on two cores), which
# also serves the store: probes waiting for the OCR cannot hold the thread a finished
# space needs to be saved.
_PROBE_THREADS = 3


@functools.cache
def _libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6") if sys.platform.startswith("linux") else None
    except OSError:
        return None


def _trim() -> None:
    """What the process freed handed back to the system: a probe's frames and the OCR's
    buffers stay in glibc's heap otherwise, however long the sweep goes on without needing
    them. Measured: a process that probed a 1080p lesson held 347 MB, 233 MB once trimmed;
    the sweep benchmark's peak PSS (60 spaces, OCR rubric) went from 1360 to 1291 MB."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def _trimmed(run: Callable[[], Any]) -> Any:
    try:
        return run()
    finally:
        _trim()


@contextlib.contextmanager
def _probes_turn(turns: Turns, loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """The probes' turn around a probe's decoding and OCR (in its thread), given back once
    their memory is: chromium is not started beside a probe's frames and the OCR. Taken in
    the thread, so the probes holding it are those running, never more than its pool."""
    with turn_from_thread(turns, TURN_PROBES, loop):
        try:
            yield
        finally:
            _trim()


@functools.cache
def _probe_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_PROBE_THREADS, thread_name_prefix="probe")


@dataclass(frozen=True)
class CheckResult:
    snapshot: SpaceSnapshot
    findings: list[Finding]
    verdict: str
    document: dict[str, Any]
    deep_index: int | None = None  # the estimate, for the sweep's cohort score


async def _probe_all(
    snapshot: SpaceSnapshot,
    timeout: float,
    cache: ProbeCache | None,
    policy: AddressPolicy,
    transport: Callable[..., Any] | None = None,
    gate: HostGate | None = None,
    content: bool = True,
    card: bool = True,
    turns: Turns | None = None,
) -> SpaceSnapshot:
    """Probe the videos the crawl found; those it reused from an unchanged listing keep the
    probe of the last crawl (unless it left unread the ``content`` or ``card`` wanted).
    The probes go into the crawl state for the next re-sweep. Their requests (running in
    threads) pass the crawl's host gate. With ``turns``, a probe that reads the title card by
    OCR waits for the probes' turn to decode the lesson and read it (not to reuse a probe)."""
    if not snapshot.videos:
        return snapshot
    slots = asyncio.Semaphore(_PROBES_AT_ONCE)
    loop = asyncio.get_running_loop()
    thread_gate = ThreadGate(gate, loop) if gate is not None else None
    hold = functools.partial(_probes_turn, turns, loop) if turns is not None and content else None

    async def probe(video: Any) -> Any:
        if video.probe is not None and video.probe.covers(content, card):
            return video
        run = functools.partial(
            probe_video,
            video.url,
            timeout,
            cache=cache,
            policy=policy,
            transport=transport,
            gate=thread_gate,
            content=content,
            card=card,
            hold=hold,
        )
        async with slots:
            # the caller's context goes along (as with asyncio.to_thread): the space's meter counts the probe's requests
            context = contextvars.copy_context()
            result = await loop.run_in_executor(_probe_pool(), context.run, _trimmed, run)
        return replace(video, probe=result)

    videos = [_read_card_items(v, snapshot.profile.name) for v in await asyncio.gather(*map(probe, snapshot.videos))]
    state = snapshot.state
    if state and "videos" in state:
        items = [asdict(replace(v, probe=replace(v.probe, card_image=None)) if v.probe else v) for v in videos]
        state = {**state, "videos": {**state["videos"], "items": items}}
    artifacts = dict(snapshot.artifacts)
    for video in videos:
        if video.probe is not None and video.probe.card_image:
            artifacts[card_image_role(video.url)] = base64.b64decode(video.probe.card_image)
    return replace(snapshot, videos=tuple(videos), state=state, artifacts=artifacts)


def _read_card_items(video: Any, teacher: str | None) -> Any:
    """The card's five items, now that the resource title and the profile's name are known
    to recognise a 课名 or a name written without a label (never to fill one in)."""
    probe = video.probe
    if probe is None or probe.title_card_text is None:
        return video
    fields = card_fields(probe.title_card_text, title=video.title, teacher=teacher)
    return replace(video, probe=replace(probe, title_card_fields=fields))


async def check_space(
    url: str,
    *,
    rubric: str = "quanzhou-2022",
    group: str | None = None,
    allow_private: bool = False,
    options: CrawlOptions | None = None,
    target: Target | None = None,
    probe_cache: ProbeCache | None = None,
    since: date | None = None,
    until: date | None = None,
    har: Path | None = None,
    replay: Path | None = None,
) -> CheckResult:
    """Inspect one space. Bad input raises ``TargetError``/``RubricError`` before any request.

    The options' address policy (the SSRF guard) is applied to every request; with
    ``allow_private`` it is opened for loopback and private networks. With ``har`` every
    request and response of the visit (pages, the browser's, video ranges) is written
    there as a HAR 1.2 file; with ``replay`` the visit is answered from such a file,
    offline (no request leaves the machine, so the guard has nothing to refuse).
    """
    checked_rubric = load_rubric(rubric)
    options = options or CrawlOptions()
    if replay is not None:
        allow_private = True
    if allow_private and not options.policy.allow_private:
        options = replace(options, policy=replace(options.policy, allow_private=True))
    normalized = check_target_url(single_url(url), allow_private=allow_private, policy=options.policy)
    target = replace(target, url=normalized) if target else Target(url=normalized, group=group)
    if har is None and replay is None:
        return await inspect_target(
            target, checked_rubric, options=options, probe_cache=probe_cache, since=since, until=until
        )
    source = HarRecorder(normalized) if har is not None else HarReplay(replay or Path())
    browser_har = har.with_name(har.name + ".browser") if har is not None else None
    gate = HostGate(options.per_host)
    fetcher = HttpFetcher(
        timeout=options.timeout,
        obey_robots=options.obey_robots,
        policy=options.policy,
        transport=source.async_transport(),
        gate=gate,
    )
    browser = BrowserSession(
        timeout=max(options.timeout, 10.0), policy=options.policy, har_record=browser_har, har_replay=replay, gate=gate
    )
    try:
        return await inspect_target(
            target,
            checked_rubric,
            options=options,
            probe_cache=probe_cache if replay is None else None,
            since=since,
            until=until,
            browser=browser,
            fetcher=fetcher,
            probe_transport=source.sync_transport,
        )
    finally:
        await fetcher.aclose()
        await browser.aclose()
        if isinstance(source, HarRecorder) and har is not None:
            source.write(har, browser_har)
            if browser_har is not None:
                browser_har.unlink(missing_ok=True)


async def inspect_target(
    target: Target,
    rubric: Rubric,
    *,
    options: CrawlOptions,
    probe_cache: ProbeCache | None = None,
    since: date | None = None,
    until: date | None = None,
    browser: BrowserSession | None = None,
    fetcher: HttpFetcher | None = None,
    previous_state: dict[str, Any] | None = None,
    probe_transport: Callable[..., Any] | None = None,
    recipes: RecipeBook | None = None,
) -> CheckResult:
    """Crawl, probe and inspect one (already validated) target. Without a ``fetcher`` and
    ``browser`` (a sweep's) the check makes its own, behind one host gate of
    ``options.per_host`` that the video probes share."""
    own = fetcher is None
    if fetcher is None:
        gate = browser.gate if browser is not None and browser.gate is not None else HostGate(options.per_host)
        fetcher = HttpFetcher(
            timeout=options.timeout, obey_robots=options.obey_robots, policy=options.policy, gate=gate
        )
    own_browser = browser is None
    if browser is None:
        browser = BrowserSession(timeout=max(options.timeout, 10.0), policy=options.policy, gate=fetcher.gate)
    meter = Meter(options.max_requests)  # the crawl's requests and the probes' together
    token = METER.set(meter)
    try:
        snapshot = await crawl_space(
            target, options, browser=browser, fetcher=fetcher, previous_state=previous_state, recipes=recipes
        )
        if own_browser:  # done with it: chromium's memory is not held beside the probes' OCR
            await browser.aclose()
        if snapshot.videos:
            stage("videos")
        snapshot = await _probe_all(
            snapshot,
            options.timeout,
            probe_cache,
            options.policy,
            probe_transport,
            fetcher.gate,
            content=rubric.reads_video_content,
            card=rubric.reads_title_card,
            turns=browser.turns,
        )
        if meter.exceeded and snapshot.crawl.status == "ok":  # the probes went past the budget
            snapshot = replace(snapshot, crawl=replace(snapshot.crawl, status="error", error=meter.message))
        snapshot = metered(paused_out(snapshot, meter), meter)  # the probes met a paused host
    finally:
        METER.reset(token)
        if own:
            await fetcher.aclose()
        if own_browser:
            await browser.aclose()
    stage("inspect")
    findings, verdict = inspect_snapshot(snapshot, rubric, target.group, since=since, until=until)
    document = check_document(snapshot, findings, verdict)
    period = rubric.period or (None, None)
    index = None
    if snapshot.crawl.status == "ok" and snapshot.visibility.value == "everyone":
        index = estimate_deep_index(snapshot, since or period[0], until or period[1]).total
    return CheckResult(snapshot, findings, verdict, document, index)
