"""The robot on platforms it has never seen: imitations drawn at random (fixed seeds) from
the generator's grammar, whose markup shares no token with the crawler. Every field class
must be read right, and no rubric item may pass or fail against the ground truth.

The generator's own tests (``test_generator.py``) check the platforms; the benchmark
(``python -m benchmarks.generated_platforms``) draws from a fresh seed and many more.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from crawler import CrawlOptions, Target
from inspectors import inspect_snapshot, load_rubric
from spacebot.pipeline import inspect_target
from tests.conftest import LOOPBACK
from tests.generator import GeneratedFarm, GeneratedSpace, truth_snapshot
from tests.generator.score import FieldResult, RubricComparison, compare_findings, score_document

SEED, PLATFORMS = 1031, 14
RUBRICS = ("quanzhou-2022", "wuhan-2022", "jinniu-2015")


@pytest.fixture(scope="module")
def generated() -> Iterator[GeneratedFarm]:
    with GeneratedFarm(SEED, PLATFORMS) as farm:
        yield farm


@pytest.fixture(scope="module")
def checked(generated: GeneratedFarm) -> list[tuple[GeneratedSpace, Any]]:
    """Every space checked once, as ``spacebot check`` does (crawl, probe, inspect)."""
    rubric = load_rubric(RUBRICS[0])

    async def run_all() -> list[Any]:
        slots = asyncio.Semaphore(3)

        async def one(space: GeneratedSpace) -> Any:
            async with slots:
                target = Target(space.url, group=space.group)  # the school level, as the campaign list gives it
                return await inspect_target(target, rubric, options=CrawlOptions(policy=LOOPBACK))

        return await asyncio.gather(*(one(space) for space in generated.spaces))

    return list(zip(generated.spaces, asyncio.run(run_all()), strict=True))


def test_the_sample_has_the_hard_cases(generated: GeneratedFarm) -> None:
    """The fixed seed draws what the robot used to miss: apps with in-app tabs, thumbnails
    with captions, profiles on their own page, script pagers, walls in many forms."""
    drawn: dict[str, set[Any]] = defaultdict(set)
    for space in generated.spaces:
        for key, value in space.dimensions.items():
            drawn[key].update(value if isinstance(value, list) else [value])
    assert "spa" in drawn["kind"] and "server" in drawn["kind"]
    assert "in_app" in drawn["spa_items"]
    assert {"caption", "alt"} & drawn["title_place"]
    assert "page" in drawn["profile_where"]
    assert len(drawn["pager"]) >= 4
    assert len(drawn["wall"]) >= 4


def test_every_field_class_is_read_right(checked: list[tuple[GeneratedSpace, Any]]) -> None:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    for space, result in checked:
        results: list[FieldResult] = score_document(space.expected, result.document)
        for field in results:
            totals[field.cls][0] += field.right
            totals[field.cls][1] += 1
            if not field.right and len(misses) < 15:
                misses.append(f"{field.cls} {field.item!r}: {field.expected!r} → {field.actual!r} ({space.url})")
    low = {cls: f"{right}/{total}" for cls, (right, total) in totals.items() if right < 0.97 * total}
    assert low == {}, "\n".join(misses)
    assert sum(right for right, _ in totals.values()) >= 0.99 * sum(total for _, total in totals.values())


def test_no_rubric_item_passes_or_fails_against_the_truth(checked: list[tuple[GeneratedSpace, Any]]) -> None:
    rows = []
    for space, result in checked:
        group = space.group
        for name in RUBRICS:
            rubric = load_rubric(name)
            truth, _ = inspect_snapshot(truth_snapshot(space), rubric, group)
            robot, _ = inspect_snapshot(result.snapshot, rubric, group)
            rows.extend((row, space.url) for row in compare_findings(truth, robot).rows)
    merged = RubricComparison([row for row, _ in rows])
    wrong = [
        f"{key}: {truth} → {robot} ({url})"
        for (key, truth, robot), url in rows
        if (robot == "fail" and truth not in (None, "fail")) or (robot == "pass" and truth == "fail")
    ]
    assert (merged.false_fail, merged.false_pass) == (0, 0), "\n".join(wrong)
    assert merged.review <= 0.05 * merged.compared
