"""How large the database grows: a year of nightly sweeps, then ``prune``.

Spaces are drawn by the platform generator (realistic check-1 documents: the ground truth
of each space, with the findings of the default rubric). Every night each space is swept;
a share of them changed since the night before (a new article, a new resource), the rest
are stored as "unchanged" rows. A changed space also gets a new home-page screenshot of
``--screenshot-kb`` (PNG does not compress further, so random bytes stand in for it). The
script prints the file size after the year and after ``prune --keep N``, per space and
extrapolated to ``--campaign`` spaces (the size grows linearly with the number of spaces).

    python -m benchmarks.retention_size --platforms 50 --nights 365
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from crawler import Article, Resource
from inspectors import inspect_snapshot, load_rubric
from reports import check_document
from store import SnapshotStore
from tests.generator import GeneratedFarm
from tests.generator.farm import truth_snapshot


def _document(snapshot: Any, rubric: Any, group: str | None) -> dict[str, Any]:
    findings, verdict = inspect_snapshot(snapshot, rubric, group)
    return {**check_document(snapshot, findings, verdict), "rubric": rubric.name}


def _on(document: dict[str, Any], night: date) -> dict[str, Any]:
    stamp = f"{night.isoformat()}T01:30:00+00:00"
    return {**document, "crawl": {**document["crawl"], "started_at": stamp, "finished_at": stamp}}


def _changed(snapshot: Any, night: date, rng: random.Random) -> Any:
    """The space a night later with one new article or resource."""
    if rng.random() < 0.5 and snapshot.articles:
        new = replace(snapshot.articles[-1], title=f"{night.isoformat()} 教学反思", published=night.isoformat())
        return replace(snapshot, articles=(*snapshot.articles, new))
    if snapshot.resources:
        new = replace(snapshot.resources[-1], title=f"{night.isoformat()} 课件", published=night.isoformat())
        return replace(snapshot, resources=(*snapshot.resources, new))
    day = night.isoformat()
    return replace(
        snapshot,
        articles=(*snapshot.articles, Article(f"{day} 随笔", f"{snapshot.target.url}#a{day}", True, day, None)),
        resources=(Resource("课件", f"{snapshot.target.url}#r", "courseware", True, day, "public", "pptx", None),),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platforms", type=int, default=50)
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--change-rate", type=float, default=0.05, help="share of spaces changed each night")
    parser.add_argument("--screenshot-kb", type=int, default=150)
    parser.add_argument("--keep", type=int, default=7)
    parser.add_argument("--campaign", type=int, default=20_000, help="spaces to extrapolate to")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    bases = [(f"http://p{i}.example.edu.cn", f"http://sso{i}.example.edu.cn") for i in range(args.platforms)]
    farm = GeneratedFarm(args.seed, args.platforms, bases=bases)
    farm.start()
    rubric = load_rubric("quanzhou-2022")
    spaces = [(truth_snapshot(space), space.group) for space in farm.spaces]
    documents_now = [_document(snapshot, rubric, group) for snapshot, group in spaces]
    mb = 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "year.db"
        store = SnapshotStore(path)
        started = time.perf_counter()
        first = date(2022, 1, 1)
        documents = 0
        for offset in range(args.nights):
            night = first + timedelta(days=offset)
            sweep_id, _, _ = store.open_sweep(f"night-{offset}", rubric.name, "bench", len(spaces))
            for index, (snapshot, group) in enumerate(spaces):
                artifacts = None
                if offset == 0 or rng.random() < args.change_rate:
                    if offset:
                        snapshot = _changed(snapshot, night, rng)
                        spaces[index] = (snapshot, group)
                        documents_now[index] = _document(snapshot, rubric, group)
                    artifacts = {"home.png": rng.randbytes(args.screenshot_kb * 1024)}
                    documents += 1
                store.save_check(_on(documents_now[index], night), sweep_id=sweep_id, artifacts=artifacts)
            store.finish_sweep(sweep_id, {})
        store.db.execute("pragma wal_checkpoint(truncate)")
        year = path.stat().st_size
        seconds = time.perf_counter() - started
        pruned = store.prune(args.keep)
        after = pruned.bytes_after
        n = len(spaces)
        scale = args.campaign / n
        print(
            f"{n} spaces × {args.nights} nights, {args.change_rate:.0%} changed a night "
            f"({documents} documents stored, {n * args.nights - documents} unchanged rows), "
            f"screenshots {args.screenshot_kb} KB; written in {seconds:.0f} s"
        )
        print(f"after {args.nights} nights: {year / mb:8.1f} MB  ({year / n / 1024:.0f} KB a space)")
        print(f"after prune --keep {args.keep}: {after / mb:6.1f} MB  ({after / n / 1024:.0f} KB a space)")
        print(
            f"extrapolated to {args.campaign} spaces: {year * scale / mb / 1024:.1f} GB after {args.nights} nights, "
            f"{after * scale / mb / 1024:.1f} GB after prune"
        )


if __name__ == "__main__":
    main()
