"""The check pipeline: validate → crawl → probe videos → inspect → document → store."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from crawler import CrawlOptions, SpaceSnapshot, Target, check_target_url, crawl_space
from inspectors import Finding, ProbeCache, inspect_snapshot, load_rubric, probe_video
from reports import check_document

__all__ = ["CheckResult", "GROUPS", "check_space"]

GROUPS = ("幼儿园", "小学", "初中", "高中")
_PROBES_AT_ONCE = 4


@dataclass(frozen=True)
class CheckResult:
    snapshot: SpaceSnapshot
    findings: list[Finding]
    verdict: str
    document: dict[str, Any]


async def _probe_all(snapshot: SpaceSnapshot, timeout: float, cache: ProbeCache | None) -> SpaceSnapshot:
    if not snapshot.videos:
        return snapshot
    slots = asyncio.Semaphore(_PROBES_AT_ONCE)

    async def probe(video: Any) -> Any:
        async with slots:
            result = await asyncio.to_thread(probe_video, video.url, timeout, cache=cache)
        return replace(video, probe=result)

    videos = await asyncio.gather(*(probe(v) for v in snapshot.videos))
    return replace(snapshot, videos=tuple(videos))


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
) -> CheckResult:
    """Inspect one space. Bad input raises ``TargetError``/``RubricError`` before any request."""
    checked_rubric = load_rubric(rubric)
    normalized = check_target_url(url, allow_private=allow_private)
    target = replace(target, url=normalized) if target else Target(url=normalized, group=group)
    options = options or CrawlOptions()
    snapshot = await crawl_space(target, options)
    snapshot = await _probe_all(snapshot, options.timeout, probe_cache)
    findings, verdict = inspect_snapshot(snapshot, checked_rubric, group, since=since, until=until)
    document = check_document(snapshot, findings, verdict)
    return CheckResult(snapshot, findings, verdict, document)
