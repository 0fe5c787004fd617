"""Learned platform recipes: which pages of a host are read without the browser, trusted
only after the recipe and the browser gave the same snapshot."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler import Recipe, RecipeBook, shipped_recipes
from crawler.platforms.recipes import VERIFY_SPACES
from errors import RecipeError
from store import SnapshotStore
from tests.generator import GeneratedFarm
from tests.generator.draw import first_seed

HOST = "space.example.edu.cn"


def _verify(book: RecipeBook, agree: bool = True) -> None:
    plan = book.plan(HOST)
    assert plan is not None and plan.mode == "verify"
    book.verdict(HOST, plan.http_roles, agree, "" if agree else "内容不同")


def test_a_recipe_is_trusted_only_after_agreeing_with_the_browser() -> None:
    book = RecipeBook()
    assert book.plan(HOST) is None  # nothing known: a visit as usual
    book.observed(HOST, {"home", "detail"})
    for _ in range(VERIFY_SPACES - 1):
        _verify(book)
        assert book.plan(HOST).mode == "verify"  # type: ignore[union-attr]
    _verify(book)
    plan = book.plan(HOST)
    assert plan is not None and plan.mode == "trust" and plan.http_roles == {"home", "detail"}
    assert book.recipes[HOST].describe() == "主页、详情页不用浏览器"


def test_a_candidate_that_disagrees_gives_way_to_its_roles_one_at_a_time() -> None:
    book = RecipeBook()
    book.observed(HOST, {"home", "listing"})
    _verify(book, agree=False)
    assert book.plan(HOST) is not None and book.plan(HOST).http_roles == {"home"}  # type: ignore[union-attr]
    _verify(book)
    _verify(book, agree=False)  # one disagreement resets the count
    assert book.plan(HOST).http_roles == {"listing"}  # type: ignore[union-attr]
    _verify(book, agree=False)
    assert book.plan(HOST) is None and book.recipes[HOST].status == "failed"
    assert book.recipes[HOST].describe() == "脚本生成的内容需要浏览器读取"
    assert book.recipes[HOST].note == "内容不同"


def test_a_trusted_recipe_that_goes_wrong_is_learnt_again() -> None:
    book = RecipeBook()
    book.observed(HOST, {"home", "detail"})
    for _ in range(VERIFY_SPACES):
        _verify(book)
    book.verdict(HOST, frozenset({"home", "detail"}), False, "列表不同")
    recipe = book.recipes[HOST]
    assert recipe.status == "observing" and book.plan(HOST) is None  # the next space is read as usual …
    book.observed(HOST, {"home", "detail"})
    assert book.plan(HOST).http_roles == {"home"}  # type: ignore[union-attr]  # … and the rejected candidate is not tried again
    assert ("home", "detail") in recipe.rejected


def test_a_full_read_verifies_every_recipe_again() -> None:
    book = RecipeBook([Recipe(HOST, "verified", ("home",)), Recipe("b.cn", "failed", (), rejected=[("home",)])])
    book.reverify()
    assert book.plan(HOST) is not None and book.plan(HOST).mode == "verify"  # type: ignore[union-attr]
    assert book.recipes["b.cn"].status == "observing" and not book.recipes["b.cn"].rejected
    assert {r.host for r in book.take_changed()} == {HOST, "b.cn"}


def test_a_late_verdict_about_an_older_candidate_is_ignored() -> None:
    book = RecipeBook()
    book.observed(HOST, {"home", "listing"})
    _verify(book, agree=False)  # now ("home",)
    book.verdict(HOST, frozenset({"home", "listing"}), True)  # a space that started earlier
    assert book.recipes[HOST].agreed == 0


def test_a_list_api_that_disagrees_is_dropped_and_the_roles_verified_without_it() -> None:
    book = RecipeBook()
    book.observed(HOST, {"home", "listing"})
    api = {"page": "http://h/{s1}/", "api": "http://h/api?sid={s1}&p={page}", "start": 2, "link": None}
    book.apis_seen(HOST, [api])
    for _ in range(VERIFY_SPACES):
        _verify(book)
    plan = book.plan(HOST)
    assert plan is not None and plan.mode == "trust" and plan.list_apis == (api,)
    assert "加载更多" in book.recipes[HOST].describe()
    book.verdict(HOST, plan.http_roles, False, "列表不同", [api])  # the grown list differed
    recipe = book.recipes[HOST]
    assert recipe.status == "learning" and recipe.http_roles == ("home", "listing") and not recipe.rejected
    assert recipe.list_apis == [] and recipe.apis_rejected == [api]
    book.apis_seen(HOST, [api])  # learnt again by a visit as usual: not tried again
    assert book.plan(HOST).list_apis == ()  # type: ignore[union-attr]


def test_a_list_api_is_learnt_as_a_template_over_the_listing_address() -> None:
    """The space id in the listing's path goes into the API's query; the page number and
    the item id become placeholders; another space's listing fills them."""
    from crawler.transport.http import Page
    from crawler.visit.grow import _binding, _fill, learn_list_api

    rows = "".join(
        f'<li><a href="/space/t8812x/res/{i}.html">第{i}课 分数的意义</a><span>2024-03-{i:02d}</span></li>'
        for i in range(1, 13)
    )
    later = [{"id": i, "name": f"第{i}课 分数的意义", "date": f"2024-03-{i:02d}"} for i in range(7, 13)]
    answer = ("http://h.cn/api/res?owner=t8812x&pn=2&ps=6", json.dumps({"total": 12, "rows": later}))
    url = "http://h.cn/space/t8812x/res/"
    page = Page(url, url, 200, f"<ul>{rows}</ul>", "browser", answers=[answer])
    api = learn_list_api(page)
    assert api is not None and api.start == 2
    values = _binding(api, "http://h.cn/space/k23a9/res/")
    assert values is not None
    assert _fill(api.api, {**values, "page": "3"}) == "http://h.cn/api/res?owner=k23a9&pn=3&ps=6"
    assert _fill(api.link or "", {**values, "id": "40"}) == "http://h.cn/space/k23a9/res/40.html"
    assert _binding(api, "http://h.cn/elsewhere/k23a9/res/") is None


def test_recipes_survive_the_database(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "r.db")
    book = RecipeBook()
    book.observed(HOST, {"home"})
    book.account(HOST, 40, 1)
    store.save_recipes(book.take_changed())
    [again] = SnapshotStore(tmp_path / "r.db", read_only=True).recipes()
    assert again == book.recipes[HOST] and again.http_roles == ("home",)
    assert not book.take_changed()


def test_shipped_recipes_are_read_and_bad_ones_named(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('host = "Space.Example.edu.cn"\nhttp_roles = ["detail", "home"]\n', "utf-8")
    [recipe] = shipped_recipes(tmp_path)
    assert recipe == Recipe(HOST, "learning", ("home", "detail"), source="shipped")  # verified before trusted
    (tmp_path / "b.toml").write_text('host = "x.cn"\nhttp_roles = ["everything"]\n', "utf-8")
    with pytest.raises(RecipeError, match="b.toml：http_roles 应为"):
        shipped_recipes(tmp_path)
    (tmp_path / "b.toml").write_text("host = ", "utf-8")
    with pytest.raises(RecipeError, match="无法读取"):
        shipped_recipes(tmp_path)
    assert shipped_recipes() == []  # the project ships none (crawler/platforms/recipes/README.md says how)


@pytest.fixture(scope="module")
def scripted_host() -> Iterator[GeneratedFarm]:
    with GeneratedFarm(0, 1, spaces=6, seeds=[first_seed("layout_api")]) as farm:
        yield farm


def test_a_sweep_learns_to_read_the_home_pages_without_the_browser(
    scripted_host: GeneratedFarm, tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    targets = tmp_path / "t.txt"
    targets.write_text("".join(s.url + "\n" for s in scripted_host.spaces), "utf-8")
    db = tmp_path / "s.db"
    sweep = ("sweep", str(targets), "--db", str(db), "--allow-private", "--concurrency", "1", "--full")
    first = run_cli(*sweep, timeout=600)
    assert first.code in (0, 1), first.stderr
    store = SnapshotStore(db, read_only=True)
    [recipe] = store.recipes()
    assert recipe.status == "verified" and "home" in recipe.http_roles, recipe
    listing = run_cli("platforms", "--db", str(db))
    assert listing.code == 0 and "已验证" in listing.stdout and "主页" in listing.stdout
    again = run_cli(*sweep[:-1], timeout=600)  # an incremental re-sweep trusts it
    assert again.code == first.code
    for space in scripted_host.spaces:
        rows = store.snapshots(space.url)
        # The same snapshot, read with the recipe: stored as "unchanged since the last one".
        assert len(rows) == 2 and rows[1]["unchanged_from"] == rows[0]["id"], space.url
    [later] = SnapshotStore(db, read_only=True).recipes()
    assert later.spaces == 2 * len(scripted_host.spaces)
    # The same re-sweep without the recipe: the home pages are rendered again.
    usual = run_cli(*sweep[:-1], "--no-recipes", timeout=600)
    with_recipe, without = _renders_per_space(again.stdout), _renders_per_space(usual.stdout)
    read = [store.snapshots(s.url)[-1]["status"] for s in scripted_host.spaces]
    assert read.count("ok") >= 2, read
    saved = read.count("ok") / len(read)  # one home page per space that shows its content
    assert without - with_recipe >= saved - 0.1, (with_recipe, without, read)


def test_lists_grown_by_load_more_are_read_from_the_api_once_trusted(scripted_host: GeneratedFarm) -> None:
    """The host's listings grow by 加载更多 from a JSON API. The first visits render them
    and learn the API; once the recipe is verified, the lists are asked page by page over
    HTTP, with no browser at all, and give the snapshot the browser gives."""
    import asyncio

    from crawler import CrawlOptions, Target, crawl_space
    from crawler.transport.ssrf import AddressPolicy
    from crawler.visit.visit import same_content

    options = CrawlOptions(policy=AddressPolicy(allow_private=True))

    async def run() -> None:
        book = RecipeBook()
        usual = {}
        for space in scripted_host.spaces:  # learning and verifying
            usual[space.url] = await crawl_space(Target(space.url), options)
            await crawl_space(Target(space.url), options, recipes=book)
        [recipe] = book.recipes.values()
        assert recipe.status == "verified" and "listing" in recipe.http_roles and recipe.list_apis, recipe
        server = scripted_host.servers[0]
        route, asked = server.route, []
        server.route = lambda request: (asked.append(request.raw_path), route(request))[1]
        try:
            for space in scripted_host.spaces:  # trusted
                snapshot = await crawl_space(Target(space.url), options, recipes=book)
                assert same_content(snapshot, usual[space.url]), space.url
                if snapshot.crawl.status == "ok":  # a login wall is another host's page
                    assert snapshot.crawl.renders == 0, space.url
        finally:
            server.route = route
        api_path = urlsplit(recipe.list_apis[0]["api"]).path.split("{")[0]
        assert any(path.startswith(api_path) for path in asked), (api_path, asked[:20])  # lists were grown
        assert book.recipes[recipe.host].status == "verified"

    asyncio.run(run())


def _renders_per_space(summary: str) -> float:
    import re

    match = re.search(r"浏览器渲染 ([\d.]+) 次", summary)
    assert match, summary
    return float(match.group(1))


def test_an_app_is_found_to_need_the_browser(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    with GeneratedFarm(0, 1, spaces=4, seeds=[first_seed("spa")]) as farm:
        targets = tmp_path / "t.txt"
        targets.write_text("".join(s.url + "\n" for s in farm.spaces), "utf-8")
        sweep = ("sweep", str(targets), "--db", str(tmp_path / "s.db"), "--allow-private", "--concurrency", "1")
        result = run_cli(*sweep, timeout=600)
    assert result.code in (0, 1), result.stderr
    [recipe] = SnapshotStore(tmp_path / "s.db", read_only=True).recipes()
    assert recipe.status == "failed" and recipe.http_roles == (), recipe
    assert json.dumps(recipe.to_json(), ensure_ascii=False).count("home") >= 1  # it tried the home page


def test_forgetting_a_platform(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """`spacebot platforms --forget HOST` (a platform changed its pages): the learnt recipe
    goes, the next sweep observes the host afresh; an unknown host is said in Chinese."""
    db = tmp_path / "s.db"
    store = SnapshotStore(db)
    store.save_recipes([Recipe("space.example.cn", status="verified", http_roles=("home",), spaces=3)])
    store.save_recipes([Recipe("other.example.cn", status="failed")])
    unknown = run_cli("platforms", "--db", str(db), "--forget", "nowhere.example.cn")
    assert unknown.code == 2 and "没有平台主机 nowhere.example.cn" in unknown.stderr
    assert "space.example.cn" in unknown.stderr and "Traceback" not in unknown.stderr
    forgot = run_cli("platforms", "--db", str(db), "--forget", "https://space.example.cn/index.php?r=space&sid=9")
    assert forgot.code == 0 and "已忘掉平台主机 space.example.cn" in forgot.stdout
    assert [r.host for r in SnapshotStore(db, read_only=True).recipes()] == ["other.example.cn"]
