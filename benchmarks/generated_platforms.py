"""Benchmark: how well spacebot reads platforms it has never seen (randomized imitations).

Draws ``--platforms`` imitation platforms from a seed (tests/generator), serves them in a
separate process on their own loopback IPs, runs the whole check of every space once
(crawl + video probe + inspect, ``spacebot.pipeline.inspect_target``), and compares:

1. every field class with the ground truth (right / total / %);
2. the rubric findings on the robot's snapshot with the findings on the true snapshot:
   false fails, false passes, and needless reviews, per rubric and per item;
3. the most frequent misses, each with a space URL and the dimensions that drew it, so
   the crawler's developer can reproduce it (``python -m tests.generator --seed S --count N``).

    .venv/bin/python -m benchmarks.generated_platforms [--seed S] [--platforms 200] [--jobs 4]
        [--rubrics quanzhou-2022,wuhan-2022,jinniu-2015] [--show-misses 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from crawler import AddressPolicy, CrawlOptions, Target
from inspectors import inspect_snapshot, load_rubric
from spacebot.pipeline import inspect_target
from tests.generator import GeneratedFarm, GeneratedSpace, truth_snapshot
from tests.generator.score import FieldResult, RubricComparison, compare_findings, score_document

ROOT = Path(__file__).resolve().parent.parent
SPACE_TIMEOUT = 240.0


def _serve(seed: int, count: int) -> tuple[subprocess.Popen[str], list[tuple[str, str]]]:
    """Serve the platforms in their own process (the crawler's CPU work stays out of their way)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.generator", "--seed", str(seed), "--count", str(count), "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise SystemExit("the generated farm did not start")
    return process, [tuple(pair) for pair in json.loads(line)["bases"]]  # type: ignore[misc]


async def _check(space: GeneratedSpace, rubric: Any, slots: asyncio.Semaphore) -> tuple[Any, str | None, float]:
    async with slots:
        started = time.perf_counter()
        options = CrawlOptions(policy=AddressPolicy(allow_private=True))
        try:
            result = await asyncio.wait_for(
                inspect_target(Target(url=space.url, group=space.group), rubric, options=options), SPACE_TIMEOUT
            )
        except Exception as exc:  # a crash of one space is a result, not the end of the run
            return None, f"{type(exc).__name__}: {exc}"[:300], time.perf_counter() - started
        return result, None, time.perf_counter() - started


async def _run_all(spaces: list[GeneratedSpace], rubric: Any, jobs: int, console: Console) -> list[Any]:
    slots = asyncio.Semaphore(jobs)
    tasks = [asyncio.ensure_future(_check(space, rubric, slots)) for space in spaces]
    done = 0
    for future in asyncio.as_completed(tasks):
        await future
        done += 1
        if done % 10 == 0 or done == len(tasks):
            console.print(f"  checked {done}/{len(tasks)} spaces", highlight=False)
    return [task.result() for task in tasks]


def _field_table(results: list[list[FieldResult]], has_completeness: bool) -> Table:
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for fields in results:
        for f in fields:
            tally[f.cls][0] += f.right
            tally[f.cls][1] += 1
    table = Table(title="Field accuracy against the ground truth")
    for column in ("class", "right", "total", "%"):
        table.add_column(column, justify="left" if column == "class" else "right")
    order = [
        "crawl.status",
        "visibility",
        "profile.",
        "modules.",
        "resources.",
        "articles.",
        "albums.",
        "videos.",
        "outbound_links.",
        "counts.",
        "completeness.",
    ]
    right_all = total_all = 0
    for prefix in order:
        for cls in sorted(c for c in tally if c.startswith(prefix)):
            right, total = tally[cls]
            right_all, total_all = right_all + right, total_all + total
            table.add_row(cls, str(right), str(total), f"{100 * right / total:.1f}" if total else "—")
    if not has_completeness:
        table.add_row("completeness.declared", "—", "—", "not reported")
    table.add_row(
        "[b]all fields[/b]", str(right_all), str(total_all), f"{100 * right_all / total_all:.1f}" if total_all else "—"
    )
    return table


def _rubric_tables(comparisons: dict[str, list[RubricComparison]]) -> tuple[Table, Table]:
    summary = Table(title="Rubric items: robot vs truth (same rubric, same group)")
    for column in ("rubric", "compared", "agree", "false fail", "false pass", "review (truth not)", "no finding"):
        summary.add_column(column, justify="right" if column != "rubric" else "left")
    worst: Counter[tuple[str, str, str]] = Counter()
    for name, items in comparisons.items():
        merged = RubricComparison([row for c in items for row in c.rows])
        summary.add_row(
            name,
            str(merged.compared),
            str(merged.agree),
            str(merged.false_fail),
            str(merged.false_pass),
            str(merged.review),
            str(merged.missing),
        )
        for (rubric, item, rule), truth, robot in merged.rows:
            if robot == "fail" and truth not in (None, "fail"):
                worst[(f"{rubric}/{item}/{rule}", "false fail", f"{truth}→{robot}")] += 1
            elif robot == "pass" and truth == "fail":
                worst[(f"{rubric}/{item}/{rule}", "false pass", f"{truth}→{robot}")] += 1
            elif robot == "review" and truth not in (None, "review"):
                worst[(f"{rubric}/{item}/{rule}", "review", f"{truth}→{robot}")] += 1
            elif truth is not None and robot is not None and truth != robot:  # warn ↔ pass, fail → review …
                worst[(f"{rubric}/{item}/{rule}", "other", f"{truth}→{robot}")] += 1
    table = Table(title="Worst rubric items")
    for column in ("item", "kind", "truth→robot", "spaces"):
        table.add_column(column)
    for (item, kind, change), count in worst.most_common(15):
        table.add_row(item, kind, change, str(count))
    return summary, table


def _dimension_table(spaces: list[GeneratedSpace], results: list[list[FieldResult]]) -> Table:
    """The dimension values whose spaces the robot reads worst (values drawn for ≥ 3 spaces)."""
    score: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for space, fields in zip(spaces, results, strict=True):
        right, total = sum(f.right for f in fields), len(fields)
        for key, value in space.dimensions.items():
            if isinstance(value, list | dict) or key in ("resources", "articles", "albums", "custom_modules"):
                continue
            entry = score[(key, str(value))]
            entry[0], entry[1], entry[2] = entry[0] + right, entry[1] + total, entry[2] + 1
    rows = sorted((r / t, k, v, n) for (k, v), (r, t, n) in score.items() if t and n >= 3)
    table = Table(title="Dimension values read worst (field accuracy of the spaces drawn with them)")
    for column in ("dimension", "value", "%", "spaces"):
        table.add_column(column)
    for share, key, value, spaces_with in rows[:12]:
        table.add_row(key, value, f"{100 * share:.1f}", str(spaces_with))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=None, help="default: a fresh random seed (printed)")
    parser.add_argument("--platforms", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=4, help="spaces checked at once")
    parser.add_argument("--rubrics", default="quanzhou-2022,wuhan-2022,jinniu-2015")
    parser.add_argument("--show-misses", type=int, default=20)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    console = Console(width=160)
    console.print(
        f"seed {seed}: {args.platforms} platforms (reproduce: python -m tests.generator --seed {seed} "
        f"--count {args.platforms})",
        highlight=False,
    )
    rubrics = [load_rubric(name) for name in args.rubrics.split(",") if name]
    started = time.perf_counter()
    process, bases = _serve(seed, args.platforms)
    try:
        farm = GeneratedFarm(seed, args.platforms, bases=bases)
        farm.start()
        console.print(
            f"{len(farm.spaces)} spaces on {args.platforms} platforms; checking with {args.jobs} jobs", highlight=False
        )
        outcomes = asyncio.run(_run_all(farm.spaces, rubrics[0], args.jobs, console))
    finally:
        process.terminate()
        process.wait(timeout=10)
    wall = time.perf_counter() - started
    field_results: list[list[FieldResult]] = []
    comparisons: dict[str, list[RubricComparison]] = defaultdict(list)
    errors: list[tuple[GeneratedSpace, str]] = []
    has_completeness = False
    false_verdicts: list[tuple[GeneratedSpace, str, str]] = []
    for space, (result, error, _) in zip(farm.spaces, outcomes, strict=True):
        if result is None:
            errors.append((space, error or "?"))
            field_results.append(score_document(space.expected, {}))
            continue
        has_completeness |= "completeness" in result.document
        field_results.append(score_document(space.expected, result.document))
        truth = truth_snapshot(space)
        for index, rubric in enumerate(rubrics):
            truth_findings, _ = inspect_snapshot(truth, rubric, space.group)
            robot = result.findings if index == 0 else inspect_snapshot(result.snapshot, rubric, space.group)[0]
            compared = compare_findings(truth_findings, robot)
            comparisons[rubric.name].append(compared)
            for (name, item, rule), truth_verdict, robot_verdict in compared.rows:
                if (robot_verdict == "fail" and truth_verdict not in (None, "fail")) or (
                    robot_verdict == "pass" and truth_verdict == "fail"
                ):
                    false_verdicts.append((space, f"{name}/{item}/{rule}", f"{truth_verdict}→{robot_verdict}"))
    console.print(_field_table(field_results, has_completeness))
    summary, worst = _rubric_tables(comparisons)
    console.print(summary)
    console.print(worst)
    console.print(_dimension_table(farm.spaces, field_results))
    if false_verdicts:
        console.print(f"[b]False verdicts[/b] ({len(false_verdicts)}), with the space to reproduce each:")
        for space, item, change in false_verdicts[:30]:
            console.print(f"  platform {space.platform_index} {space.url}  {item} {change}", highlight=False)
    if errors:
        console.print(f"[b]{len(errors)} spaces raised[/b] (scored as empty documents):")
        for space, error in errors[:10]:
            console.print(f"  {space.url}: {error}", highlight=False)
    if args.show_misses:
        misses: dict[tuple[str, str], list[tuple[GeneratedSpace, FieldResult]]] = defaultdict(list)
        for space, fields in zip(farm.spaces, field_results, strict=True):
            for f in fields:
                if not f.right:
                    misses[(f.cls, f.kind)].append((space, f))
        console.print(f"\n[b]The {args.show_misses} most frequent misses[/b] (count, class, kind; one example each)")
        ranked = sorted(misses.items(), key=lambda kv: -len(kv[1]))[: args.show_misses]
        for (cls, kind), cases in ranked:
            space, f = cases[0]
            console.print(f"{len(cases):5d}  {cls}: {kind}", highlight=False)
            console.print(
                f"       e.g. {space.url}  item={f.item[:60]!r} expected={str(f.expected)[:80]!r} "
                f"got={str(f.actual)[:80]!r}",
                highlight=False,
            )
            console.print(f"       platform {space.platform_index}: {space.family_summary}", highlight=False)
    console.print(
        f"\nseed {seed}; {args.platforms} platforms, {len(farm.spaces)} spaces; wall clock {wall:.0f} s "
        f"({wall / max(len(farm.spaces), 1):.1f} s per space at {args.jobs} jobs)",
        highlight=False,
    )


if __name__ == "__main__":
    main()
