"""The sweep: every space of a target list, politely, resumably, with a progress bar.

One browser and one HTTP fetcher (with its per-host gate and robots.txt cache) serve all
spaces; at most ``concurrency`` spaces are in progress, and each has a hard time limit
(the watchdog) so one hung page cannot stall the sweep. Each space is committed as it
finishes; the same command run again resumes the unfinished sweep of the same targets.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from crawler import BrowserSession, CrawlOptions, HostGate, HttpFetcher, RecipeBook, Target, Turns, shipped_recipes
from inspectors import Rubric, cohort_scores
from store import SnapshotStore
from store._sweeps import sweep_key

from .pipeline import CheckResult, inspect_target

__all__ = ["SweepSettings", "SweepSummary", "finish_sweep", "open_recipes", "run_sweep", "sweep_progress"]

_RECYCLE_EVERY = 40  # spaces per browser context: keeps chromium's memory flat


@dataclass(frozen=True)
class SweepSettings:
    concurrency: int = 4
    per_host: int = 2
    min_delay: float = 0.0
    options: CrawlOptions = field(default_factory=CrawlOptions)
    since: date | None = None
    until: date | None = None
    incremental: bool = True  # reuse unchanged listings of the last crawl
    recipes: bool = True  # learn and use platform recipes (pages read without the browser)
    pause_after: int = 5  # blocked answers in a row (WAF, captcha, rate limit) that pause a host …
    pause_minutes: float = 10.0  # … for this long, while other hosts go on


@dataclass
class SweepSummary:
    sweep_id: int
    total: int
    resumed: bool
    skipped: int  # already done in an earlier run of this sweep
    verdicts: Counter[str] = field(default_factory=Counter)  # this run
    earlier: Counter[str] = field(default_factory=Counter)  # spaces done by an interrupted earlier run
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, crawl error) of spaces not inspected
    blocked: Counter[str] = field(default_factory=Counter)  # host → spaces a WAF/captcha/rate limit kept out
    pauses: Counter[str] = field(default_factory=Counter)  # host → times it was paused after blocked answers
    seconds: float = 0.0
    requests: int = 0  # of every kind, summed over this run's spaces
    renders: int = 0
    bytes: int = 0

    @property
    def done(self) -> int:
        return sum(self.verdicts.values())

    @property
    def exit_code(self) -> int:
        """The contract: 0 all pass, 1 any fail/review, 3 nothing could be inspected."""
        every = self.verdicts + self.earlier
        if every and set(every) == {"error"}:
            return 3
        return 1 if every["fail"] or every["review"] or every["error"] else 0

    def text(self) -> str:
        v = self.verdicts
        parts = [
            f"本次检查 {self.done} 个空间" + (f"（另有 {self.skipped} 个在上次运行中已完成）" if self.skipped else ""),
            f"合格 {v['pass']}，不合格 {v['fail']}，需人工评审 {v['review']}，无法检查 {v['error']}",
            f"用时 {self.seconds:.0f} 秒",
        ]
        if self.blocked:
            hosts = "、".join(f"{host} {n} 个" for host, n in self.blocked.most_common(5))
            more = f" 等 {len(self.blocked)} 个平台" if len(self.blocked) > 5 else ""
            paused = f"，其间暂停访问 {sum(self.pauses.values())} 次" if self.pauses else ""
            parts.append(
                f"被平台拦截（防火墙、验证码或访问频率限制）{sum(self.blocked.values())} 个：{hosts}{more}{paused}；"
                "请稍后再检查这些空间"
            )
        if self.done:
            parts.append(
                f"平均每个空间请求 {self.requests / self.done:.1f} 次、浏览器渲染 {self.renders / self.done:.1f} 次、"
                f"接收 {self.bytes / self.done / 1024:.0f} KB"
            )
        return "；".join(parts) + "。"


async def run_sweep(
    targets: list[Target],
    rubric: Rubric,
    store: SnapshotStore,
    settings: SweepSettings,
    *,
    source: str,
    console: Console | None = None,
) -> SweepSummary:
    """Sweep ``targets``; returns the summary once every space is stored."""
    key = sweep_key([t.url for t in targets], rubric.name)
    sweep_id, done, resumed = store.open_sweep(key, rubric.name, source, len(targets))
    pending = [t for t in targets if t.url not in done]
    summary = SweepSummary(sweep_id, len(targets), resumed, len(targets) - len(pending))
    summary.earlier.update(item["verdict"] for item in store.sweep_items(sweep_id))
    started = time.monotonic()
    gate = HostGate(
        settings.per_host,
        settings.min_delay,
        pause_after=settings.pause_after,
        pause_seconds=settings.pause_minutes * 60,
    )
    policy = settings.options.policy
    fetcher = HttpFetcher(
        timeout=settings.options.timeout, gate=gate, obey_robots=settings.options.obey_robots, policy=policy
    )
    # Chromium and the probes that read title cards (the OCR) take turns, so their memory
    # is not added up (see crawler's ``Turns``); a rubric that does not judge the lessons'
    # content has no such probe.
    browser = BrowserSession(
        timeout=max(settings.options.timeout, 10.0),
        recycle_every=_RECYCLE_EVERY,
        policy=policy,
        gate=gate,
        turns=Turns(),
    )
    slots = asyncio.Semaphore(max(1, settings.concurrency))
    book = open_recipes(store, settings)
    progress = sweep_progress(console)

    # Spaces a WAF, captcha or rate limit kept out (or that met a paused host while they
    # were read) are held back, not stored yet, with the count of pauses when they started.
    # Once the round is over, if a host was paused since, they are read once more (after
    # the pause); otherwise they are stored as they are.
    held: list[tuple[Target, CheckResult, int]] = []

    async def one(target: Target, task: TaskID, *, last_try: bool = False) -> None:
        while True:  # a paused host's spaces wait without holding a slot
            await gate.unpaused(target.url)
            await slots.acquire()
            if not gate.paused(target.url):
                break
            slots.release()  # paused while this space waited for its slot
        pauses = sum(gate.pauses.values())
        try:
            previous = await asyncio.to_thread(store.crawl_state, target.url) if settings.incremental else None
            for attempt in range(2):
                relaunches = browser.relaunches
                result: CheckResult = await inspect_target(
                    target,
                    rubric,
                    options=settings.options,
                    probe_cache=store,
                    since=settings.since,
                    until=settings.until,
                    browser=browser,
                    fetcher=fetcher,
                    previous_state=previous,
                    recipes=book,
                )
                # A space caught by a browser crash is done again once, in the relaunched browser.
                crashed = result.verdict == "error" and (
                    browser.relaunches > relaunches or "closed" in (result.snapshot.crawl.error or "").lower()
                )
                if not crashed or attempt:
                    break
            if not last_try and result.snapshot.crawl.status == "blocked":
                held.append((target, result, pauses))
                return
            await save(result)
        finally:
            slots.release()
        account(target, result, task)

    async def save(result: CheckResult) -> None:
        document = {**result.document, "rubric": rubric.name}
        await asyncio.to_thread(
            store.save_check,
            document,
            sweep_id=sweep_id,
            deep_index=result.deep_index,
            state=result.snapshot.state,
            artifacts=result.snapshot.artifacts,
        )

    def account(target: Target, result: CheckResult, task: TaskID) -> None:
        if book is not None:
            crawl = result.snapshot.crawl
            book.account(urlsplit(target.url).netloc.lower(), crawl.requests, crawl.renders)
            changed = book.take_changed()
            if changed:
                store.save_recipes(changed)
        summary.verdicts[result.verdict] += 1
        summary.requests += result.snapshot.crawl.requests
        summary.renders += result.snapshot.crawl.renders
        summary.bytes += result.snapshot.crawl.bytes
        if result.snapshot.crawl.status == "blocked":
            summary.blocked[urlsplit(target.url).netloc] += 1
        if result.verdict == "error":
            summary.failures.append((target.url, result.snapshot.crawl.error or result.snapshot.crawl.status))
        elapsed = max(time.monotonic() - started, 1e-6)
        progress.update(
            task,
            advance=1,
            rate=f"{summary.done / elapsed:.2f} 个/秒",
            failed=f"失败 {len(summary.failures)}" if summary.failures else "",
        )

    try:
        with progress:
            task = progress.add_task("巡检", total=len(targets), completed=summary.skipped, rate="", failed="")
            await asyncio.gather(*(one(t, task) for t in pending))
            paused = sum(gate.pauses.values())
            again = [t for t, _, pauses in held if paused > pauses]
            for target, result, pauses in held:
                if paused <= pauses:
                    await save(result)
                    account(target, result, task)
            await asyncio.gather(*(one(t, task, last_try=True) for t in again))
    finally:
        await fetcher.aclose()
        await browser.aclose()
    finish_sweep(store, sweep_id)
    summary.pauses.update(gate.pauses)
    summary.seconds = time.monotonic() - started
    return summary


def open_recipes(store: SnapshotStore, settings: SweepSettings) -> RecipeBook | None:
    """The sweep's recipe book: the database's recipes first, shipped ones for hosts it has
    none for (``None`` with ``--no-recipes``)."""
    if not settings.recipes:
        return None
    known = store.recipes()
    hosts = {r.host for r in known}
    book = RecipeBook([*known, *(r for r in shipped_recipes() if r.host not in hosts)])
    if not settings.incremental:  # a full read checks every recipe again on its first spaces
        book.reverify()
    return book


def sweep_progress(console: Console | None, cls: type[Progress] = Progress) -> Progress:
    """The sweep's progress bar (on stderr; none without a console)."""
    return cls(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("剩余"),
        TimeRemainingColumn(),
        TextColumn("[red]{task.fields[failed]}"),
        console=console,
        transient=False,
        disable=console is None,
    )


def finish_sweep(store: SnapshotStore, sweep_id: int) -> None:
    """Close the sweep: every space's score within the cohort of this sweep."""
    items = store.sweep_items(sweep_id)
    scored = [(i["url"], i["deep_index"]) for i in items if i["deep_index"] is not None]
    cohort = dict(zip([u for u, _ in scored], cohort_scores([float(x) for _, x in scored]), strict=True))
    store.finish_sweep(sweep_id, cohort)
