"""``spacebot check --json`` against every farm space, compared field by field with the
farm's ground truth, through the real CLI, the real browser and real HTTP servers."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import jsonschema
import pytest

from crawler import CrawlOptions, Target, crawl_space
from reports import CHECK_SCHEMA_PATH
from tests.conftest import LOOPBACK
from tests.farm import Farm
from tests.farm.compare import diff
from tests.farm.spaces import DRAGDROP_SPACES, GBK_SPACES, SPA_SPACES, TIANYU_SPACES

KEYS = (
    [f"tianyu:{s.sid}" for s in TIANYU_SPACES]
    + [f"tianyu-gbk:{s.sid}" for s in GBK_SPACES]
    + [f"spa:{s.sid}" for s in SPA_SPACES]
    + [f"dragdrop:{s.sid}" for s in DRAGDROP_SPACES]
)
SCHEMA = json.loads(CHECK_SCHEMA_PATH.read_text(encoding="utf-8"))


def test_farm_has_the_required_variety() -> None:
    assert len(KEYS) >= 12
    walls = {s.wall for s in TIANYU_SPACES + GBK_SPACES + SPA_SPACES + DRAGDROP_SPACES}
    assert {"everyone", "login_required", "friends_only", "private", "not_found"} <= walls


@pytest.mark.parametrize("key", KEYS)
def test_check_json_matches_ground_truth(key: str, farm: Farm, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fs = farm.space(key)
    result = run_cli("check", "--json", "--allow-private", "--db", str(tmp_path / "s.db"), fs.url)
    assert result.stderr.strip() == "" or result.code == 3, result.stderr
    document = result.json()  # stdout holds the JSON object and nothing else
    jsonschema.validate(document, SCHEMA)
    problems = diff(farm.expected(fs), document)
    assert problems == [], "\n".join(problems)
    # Every farm listing is read to its end, so nothing is left for a reviewer to count.
    unfinished = {k: c["evidence"] for k, c in document["completeness"].items() if not c["complete"]}
    assert unfinished == {}
    # A guard against a check that hangs, not a speed target (benchmarks measure speed).
    assert result.seconds < 60, f"check took {result.seconds:.1f}s"
    # Exit status follows the verdict (contract): 0 pass, 1 fail/review, 3 not inspected.
    assert result.code == {"pass": 0, "fail": 1, "review": 1, "error": 3}[document["verdict"]]
    with sqlite3.connect(tmp_path / "s.db") as db:
        rows = db.execute("select url, verdict, document from snapshots").fetchall()
    assert [(r[0], r[1]) for r in rows] == [(fs.url, document["verdict"])]
    assert json.loads(rows[0][2])["counts"] == document["counts"]


@pytest.mark.parametrize("key", KEYS)
def test_generic_extractor_alone_matches_ground_truth(key: str, farm: Farm) -> None:
    """With every platform adapter switched off, label-based extraction finds the same."""
    fs = farm.space(key)
    snapshot = asyncio.run(crawl_space(Target(fs.url), CrawlOptions(generic_only=True, policy=LOOPBACK)))
    expected = farm.expected(fs)
    expected["crawl"]["platform"] = "generic"
    problems = diff(expected, {**snapshot.to_dict(), "counts": snapshot.counts}, probes=False)
    assert problems == [], "\n".join(problems)


def test_tianyu_modules_are_filled_without_a_browser(farm: Farm) -> None:
    snapshot = asyncio.run(crawl_space(Target(farm.space("tianyu:10001").url), CrawlOptions(policy=LOOPBACK)))
    assert snapshot.crawl.via == "http"
    assert {m.name for m in snapshot.modules if m.kind == "custom"} == {"活动广场", "名师工作室", "获奖证书"}


def test_spa_lists_are_loaded_to_the_end(farm: Farm) -> None:
    snapshot = asyncio.run(crawl_space(Target(farm.space("spa:u1001").url), CrawlOptions(policy=LOOPBACK)))
    assert snapshot.crawl.via in ("browser", "mixed")
    assert len(snapshot.resources) == 23  # three "加载更多" clicks past the first ten
