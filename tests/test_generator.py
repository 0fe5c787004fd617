"""The randomized platform generator: deterministic, varied, self-consistent ground truth,
no vocabulary shared with the crawler; and the benchmark's scorer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.farm.server import Request, Response
from tests.farm.videos import ensure_videos
from tests.generator import DIMENSIONS, SPACE_DIMENSIONS, GeneratedFarm, draw_platform, platform_seed, truth_snapshot
from tests.generator.app import PlatformApp
from tests.generator.farm import media_dir
from tests.generator.model import Platform
from tests.generator.score import compare_findings, match_items, norm_url, score_document
from tests.generator.site import Site

ROOT = Path(__file__).resolve().parent.parent
SEEDS = range(60)


def _platforms(count: int, seed: int = 0) -> list[Platform]:
    return [draw_platform(platform_seed(seed, i), i) for i in range(count)]


def _get(app: PlatformApp, path: str) -> Response:
    parts = urlsplit(path)
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    raw = parts.path + (f"?{parts.query}" if parts.query else "")
    return app(Request("GET", parts.path, query, {}, raw))


def _pages(platform: Platform) -> Iterator[str]:
    """A representative set of every platform page kind (paths)."""
    site = Site(platform)
    urls = site.urls
    for space in platform.spaces:
        yield urls.home(space.sid).split("#")[0] or "/"
        for kind in ("res", "art", "alb"):
            yield site.listing_url(space, {"res": "resources", "art": "articles", "alb": "albums"}[kind])
            yield urls.api(space.sid, kind, **{platform.style.page_param: 2})
        for res in space.resources[:3]:
            yield urls.detail(space.sid, "res", res.id)
        for art in space.articles[:2]:
            yield urls.detail(space.sid, "art", art.id)
        for album in space.albums[:1]:
            yield urls.album(space.sid, album.id)
        yield urls.profile(space.sid)
        for mod in space.modules:
            if mod.slot == "custom":
                yield urls.column(space.sid, mod.id)
        yield urls.api(space.sid, "space")


@pytest.fixture(scope="module")
def videos() -> dict[str, Path]:
    return ensure_videos(media_dir())


def _offline_app(platform: Platform, videos: dict[str, Path]) -> PlatformApp:
    platform.base_url, platform.sso_url = "http://127.70.9.9:8000", "http://127.71.9.9:8000"
    return PlatformApp(platform, videos, media_dir() / "hls")


def test_draw_is_deterministic(videos: dict[str, Path]) -> None:
    for seed in (3, 11, 12345):
        one, two = draw_platform(seed), draw_platform(seed)
        assert asdict(one.style) == asdict(two.style)
        assert [asdict(s) for s in one.spaces] == [asdict(s) for s in two.spaces]
        paths = list(_pages(one))
        app_one, app_two = _offline_app(one, videos), _offline_app(two, videos)
        bodies = {path: _get(app_one, path).body for path in paths}
        for path in reversed(paths):  # another request order renders the same bytes
            assert _get(app_two, path).body == bodies[path], path
    assert asdict(draw_platform(1).style) != asdict(draw_platform(2).style)


def test_a_benchmark_farm_keeps_few_lessons_and_counts_what_is_left() -> None:
    whole, few = GeneratedFarm(7, 6, spaces=12), GeneratedFarm(7, 6, spaces=12, lessons=1)
    videos = [sum(r.video is not None for r in s.resources) for p in whole.platforms for s in p.spaces]
    assert max(videos) > 1
    for platform in few.platforms:
        for space in platform.spaces:
            assert sum(r.video is not None for r in space.resources) <= 1
            for box in space.modules:
                if box.slot == "resources" and box.count is not None:
                    assert box.count == len(space.resources)
    kept = [sum(r.video is not None for r in s.resources) for p in few.platforms for s in p.spaces]
    assert kept == [min(n, 1) for n in videos]


def test_every_dimension_value_occurs() -> None:
    seen: dict[str, set[object]] = {}
    for platform in _platforms(len(SEEDS)):
        for space in platform.spaces:
            for key, value in space.dims.items():
                if not isinstance(value, list):
                    seen.setdefault(key, set()).add(value)
    for key, values in {**DIMENSIONS, **SPACE_DIMENSIONS}.items():
        missing = set(values) - seen.get(key, set())
        assert not missing, f"{key}: never drawn {missing}"
    for key in ("resources", "articles", "albums", "custom_modules"):
        sizes = [int(str(n)) for n in seen[key]]
        assert min(sizes) == 0 and max(sizes) >= {"resources": 40, "articles": 35}.get(key, 6), key


_MARKUP_NAMES = re.compile(r'\b(?:class|id)=\\?"([^"\\]*)|\bdata-([\w-]+)=')
_MEANINGFUL = {"custom", "diy", "zdy", "userdefined", "type"}
_MEANINGFUL |= {"modal", "layui", "layer", "el", "dialog", "ui", "popup"}  # web frameworks' dialog classes


def _name_parts(token: str) -> list[str]:
    """A class/id/data name split into its words (dashes, underscores, camel humps, trailing digits)."""
    token = re.sub(r"\d+$", "", token)
    return [p.lower() for p in re.split(r"[-_]|(?<=[a-z])(?=[A-Z])", token) if p]


def test_vocabulary_does_not_leak_into_the_crawler(videos: dict[str, Path]) -> None:
    words: set[str] = set()
    for platform in _platforms(50, seed=7):
        app = _offline_app(platform, videos)
        for path in _pages(platform):
            response = _get(app, path)
            if response.content_type.startswith("text/html"):
                text = response.body.decode(platform.style.encoding, errors="replace")
                for match in _MARKUP_NAMES.finditer(text):
                    value = match.group(1) or match.group(2) or ""
                    if "'" in value or "+" in value:
                        continue  # a piece of script that builds a name, not a name
                    for token in value.split():
                        for part in _name_parts(token):  # no fixed English token: every part is a random word
                            assert part in platform.vocab.words | platform.vocab.names | _MEANINGFUL, (token, path)
        words |= platform.vocab.words
    words = {w for w in words if len(w) >= 4}
    assert len(words) > 1000
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, words))) + r")\b", re.IGNORECASE)
    leaks: dict[str, list[str]] = {}
    references: list[str] = []
    for source in sorted((ROOT / "crawler").rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts or source.suffix in (".pyc", ".so"):
            continue
        text = source.read_text(encoding="utf-8", errors="replace")
        name = str(source.relative_to(ROOT))
        found = {m.group(1).lower() for m in pattern.finditer(text)}
        if found:
            leaks[name] = sorted(found)
        if any(ref in text for ref in ("tests/farm", "tests.farm", "tests.generator", "tests/generator")):
            references.append(name)
    assert not leaks, f"generator words found in the crawler: {leaks}"
    assert not references, f"the crawler refers to the test platforms: {references}"


@pytest.fixture(scope="module")
def farm() -> Iterator[GeneratedFarm]:
    with GeneratedFarm(seed=20240601, count=10) as running:
        yield running


def test_ground_truth_is_self_consistent(farm: GeneratedFarm) -> None:
    statuses = set()
    for space in farm.spaces:
        e = space.expected
        counts = e["counts"]
        for key in ("resources", "articles", "albums", "videos", "outbound_links", "modules"):
            assert counts[key] == len(e[key]), key
        assert counts["photos"] == sum(a["photos"] for a in e["albums"])
        assert counts["custom_modules"] == sum(m["kind"] == "custom" for m in e["modules"])
        for key, block in e["completeness"].items():
            if block["declared"] is not None:
                assert block["declared"] == counts[key], (space.url, key)
        for key in ("resources", "articles"):
            titles = [item["title"] for item in e[key]]
            assert len(set(titles)) == len(titles), "titles are unique, so items can be matched by title"
        assert set(e["profile"]) == {
            "name",
            "avatar",
            "school",
            "subject",
            "classes",
            "contact",
            "header_image",
            "background",
        }
        statuses.add(e["crawl"]["status"])
        snapshot = truth_snapshot(space)
        assert snapshot.counts == counts
    assert "ok" in statuses


def test_expected_urls_answer(farm: GeneratedFarm) -> None:
    sizes_compared = 0
    with httpx.Client(timeout=10) as client:
        for space in farm.spaces:
            e = space.expected
            shown = {item["url"]: item["size_bytes"] for item in e["resources"]}
            entry = client.get(space.url, follow_redirects=False)
            status = e["crawl"]["status"]
            if status == "ok":
                assert entry.status_code == 200, space.url
            elif status == "not_found":
                assert entry.status_code in (200, 404) and e["visibility"]["value"] == "unknown"
            for key in ("resources", "articles", "albums"):
                for item in e[key]:
                    if item["url"] is not None:
                        assert client.get(item["url"]).status_code == 200, item["url"]
            for module in e["modules"]:
                if module["url"] and "#" not in module["url"]:
                    assert client.get(module["url"]).status_code == 200, module["url"]
            for video in e["videos"]:
                answer = client.get(video["url"], headers={"Range": "bytes=0-99"})
                if video["url"].endswith(".m3u8"):
                    assert answer.status_code in (200, 206) and answer.content.startswith(b"#EXTM3U")
                else:
                    assert answer.status_code == 206 and len(answer.content) == 100, video["url"]
                    assert answer.headers["content-type"] == "video/mp4"
                    total = int(answer.headers["content-range"].rsplit("/", 1)[1])
                    assert total == video["probe"]["size_bytes"]
                    if shown.get(video["page_url"]) is not None:  # the size displayed is the file's
                        assert abs(shown[video["page_url"]] - total) <= 0.01 * total, video["url"]
                        sizes_compared += 1
    assert sizes_compared > 0


# -- the scorer ---------------------------------------------------------------------------------


def _doc(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "crawl": {"status": "ok"},
        "visibility": {"value": "everyone"},
        "profile": {
            "name": "林晓梅",
            "avatar": None,
            "school": None,
            "subject": "数学",
            "classes": [],
            "contact": None,
            "header_image": None,
            "background": None,
        },
        "modules": [{"name": "资源", "kind": "builtin", "url": None, "items": 2}],
        "resources": [],
        "articles": [],
        "albums": [],
        "videos": [],
        "outbound_links": [],
        "counts": {"modules": 1},
        "completeness": {k: {"declared": None} for k in ("resources", "articles", "albums", "photos", "videos")},
    }
    base.update(overrides)
    return base


def _res(title: str, url: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "url": url,
        "category": "courseware",
        "original": True,
        "published": "2022-03-01",
        "visibility": "everyone",
        "format": "pptx",
        "size_bytes": 2621440,
        **extra,
    }


def test_match_by_url_and_by_title() -> None:
    expected = [_res("圆的面积", "http://H:80/a?id=1&s=2"), _res("《草船借箭》课件", None)]
    actual = [
        _res("圆的面积 ", "http://h/a?s=2&id=1#top"),
        _res("《草船借箭》课件", "http://h/#/r/9"),
        _res("首页", "http://h/"),
    ]
    pairs, missing, extras = match_items(expected, actual)
    assert len(pairs) == 2 and not missing and [x["title"] for x in extras] == ["首页"]
    assert norm_url("HTTP://Example.com:80/x?b=1&a=2#f") == "http://example.com/x?a=2&b=1"


def test_score_document_counts_found_extras_and_fields() -> None:
    expected = _doc(resources=[_res("圆的面积", "http://h/1"), _res("课件二", "http://h/2")])
    actual = _doc(
        resources=[_res("圆的面积", "http://h/1", category="other", size_bytes=2621000), _res("导航", "http://h/nav")],
        modules=[{"name": "资源(2)", "kind": "custom", "items": 2}, {"name": "首页", "kind": "custom"}],
    )
    results = score_document(expected, actual)
    by: dict[str, list[bool]] = {}
    for r in results:
        by.setdefault(r.cls, []).append(r.right)
    assert by["resources.found"] == [True, False, False]  # one found, one missing, one extra
    assert by["resources.category"] == [False] and by["resources.size_bytes"] == [True]  # within 0.5 %
    assert by["modules.found"] == [True, False] and by["modules.kind"] == [False] and by["modules.items"] == [True]
    assert by["completeness.declared"] == [True] * 5
    assert "completeness.declared" not in {r.cls for r in score_document(expected, {"crawl": {"status": "ok"}})}


def test_compare_findings_counts_false_fail_false_pass_and_review() -> None:
    def f(item: str, severity: str, rule: str = "count") -> dict[str, str]:
        return {"rubric": "wuhan-2022", "item": item, "rule": rule, "severity": severity}

    truth = [
        f("albums", "pass"),
        f("photos", "fail"),
        f("courseware", "fail"),
        f("apps", "review"),
        f("x", "warn"),
        f("x", "pass"),
        f("deep_index", "review", "deep_index"),
    ]
    robot = [
        f("albums", "fail"),
        f("photos", "pass"),
        f("courseware", "review"),
        f("apps", "review"),
        f("x", "warn"),
        f("x", "fail"),
        f("deep_index", "pass", "deep_index"),
    ]
    result = compare_findings(truth, robot)
    # Items are judged by their most severe finding: x is warn in the truth, fail for the robot.
    assert (result.compared, result.agree) == (5, 1)
    assert result.false_fail == 2  # albums pass→fail and x warn→fail
    assert result.false_pass == 1  # photos fail→pass
    assert result.review == 1  # courseware fail→review
    assert compare_findings(truth, []).missing == 5
