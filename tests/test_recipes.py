"""Learned platform recipes: which pages of a host are read without the browser, trusted
only after the recipe and the browser gave the same snapshot."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from crawler import Recipe, RecipeBook, shipped_recipes
from crawler.platforms.recipes import VERIFY_SPACES, Plan
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


API = {"page": "http://h/{s1}/", "api": "http://h/api?sid={s1}&p={page}", "start": 2, "link": None, "path": ["rows"]}


def _trusted_with_api() -> RecipeBook:
    book = RecipeBook()
    book.observed(HOST, {"home", "listing"})
    for _ in range(VERIFY_SPACES):
        _verify(book)
    book.apis_seen(HOST, [API])
    for _ in range(VERIFY_SPACES):  # a list API learnt is verified before it is trusted
        plan = book.plan(HOST)
        assert plan is not None and plan.mode == "verify" and plan.list_apis == (API,)
        book.verdict(HOST, plan.http_roles, True, "", [API])
        book.api_round(HOST, [API])
    return book


def test_a_list_api_is_trusted_after_agreeing_and_dropped_when_it_disagrees() -> None:
    book = _trusted_with_api()
    plan = book.plan(HOST)
    assert plan is not None and plan.mode == "trust" and plan.list_apis == (API,)
    assert "加载更多" in book.recipes[HOST].describe()
    book.verdict(HOST, plan.http_roles, False, "列表不同", [API])  # the grown list differed
    recipe = book.recipes[HOST]
    assert recipe.status == "verified" and recipe.http_roles == ("home", "listing") and not recipe.rejected
    assert recipe.list_apis == [] and recipe.apis_rejected == [API] and recipe.note == "列表不同"
    book.apis_seen(HOST, [API])  # learnt again by a visit as usual: not tried again
    assert book.plan(HOST) == Plan("trust", frozenset({"home", "listing"}), ())


def test_a_list_api_that_fits_no_listing_is_dropped_after_a_few_verifications() -> None:
    book = RecipeBook()
    book.observed(HOST, {"listing"})
    for _ in range(VERIFY_SPACES):
        _verify(book)
    book.apis_seen(HOST, [API])
    rounds = 0
    while book.plan(HOST).mode == "verify":  # type: ignore[union-attr]
        book.verdict(HOST, frozenset({"listing"}), True, "", [])
        book.api_round(HOST, [])  # the space had no list that grows
        rounds += 1
        assert rounds < 10
    assert rounds >= 2 and book.recipes[HOST].list_apis == [] and book.recipes[HOST].apis_rejected == [API]


def test_a_list_api_is_learnt_as_a_template_over_the_listing_address() -> None:
    """The space id in the listing's path goes into the API's query; the page number and
    the item id become placeholders; another space's listing fills them (its category too); a value equal to a part by
    chance (the page size 16, the category 16) and a cache buster are not parts."""
    from crawler.transport.http import Page
    from crawler.visit.grow import _binding, _fill, _link, learn_list_api

    rows = "".join(
        f'<li><a href="/space/t8812x/res/{i}.html">第{i}课 分数的意义</a><span>2024-03-{i:02d}</span></li>'
        for i in range(1, 13)
    )
    later = [{"id": i, "name": f"第{i}课 分数的意义", "date": f"2024-03-{i:02d}"} for i in range(7, 13)]
    body = json.dumps({"total": 12, "hot": [{"id": 99, "name": "热门"}], "rows": later})
    answer = ("http://h.cn/api/res?owner=t8812x&cat=16&pn=2&ps=16&_=1733000000000", body)
    url = "http://h.cn/space/t8812x/res/?cat=16"
    page = Page(url, url, 200, f"<ul>{rows}</ul>", "browser", answers=[answer])
    api = learn_list_api(page)
    assert api is not None and api.start == 2 and api.path == ("rows",)
    values = _binding(api, "http://h.cn/space/k23a9/res/?cat=19")
    assert values is not None
    assert _fill(api.api, {**values, "page": "3"}) == "http://h.cn/api/res?owner=k23a9&cat=19&pn=3&ps=16"
    assert _fill(api.link or "", {**values, "id": "40"}) == "http://h.cn/space/k23a9/res/40.html"
    assert _binding(api, "http://h.cn/elsewhere/k23a9/res/?cat=19") is None
    # The id's own place in the link, not the first equal number before it.
    assert _link([("5", "http://h.cn/v?grade=5&id=5"), ("7", "http://h.cn/v?grade=5&id=7")], {}) == (
        "http://h.cn/v?grade=5&id={id}"
    )


def test_a_list_is_grown_from_the_learnt_list_to_its_last_page() -> None:
    """The rows of the list learnt (not a bigger list beside it), every page until a short
    one, although the answer's ``count`` is the rows of one page."""
    import asyncio
    from types import SimpleNamespace

    from crawler import CrawlOptions
    from crawler.transport.http import Page
    from crawler.visit.grow import ListApi, grow_list

    names = [f"第{i}课 认识图形" for i in range(1, 21)]  # 4 drawn, then pages of 6: 6, 6, 4
    asked: list[str] = []

    async def fetch(url: str, *, fragment: bool = False) -> Page:
        asked.append(url)
        number = int(url.rsplit("pn=", 1)[1])
        chunk = names[4 + (number - 2) * 6 : 4 + (number - 1) * 6]
        rows = [{"id": 100 + names.index(n), "name": n, "time": "2024-05-01"} for n in chunk]
        hot = [{"id": 900 + i, "name": f"热门资源{i}", "time": "2024-05-02"} for i in range(8)]
        return Page(url, url, 200, json.dumps({"data": {"hot": hot, "list": rows, "count": len(rows)}}), "http")

    session = SimpleNamespace(options=CrawlOptions(), fetch=fetch)
    drawn = "".join(f'<li><a href="/s/ab12/r/{100 + i}.html">{n}</a> 2024-05-01</li>' for i, n in enumerate(names[:4]))
    page = Page(
        "http://h.cn/s/ab12/r/", "http://h.cn/s/ab12/r/", 200, f"<ul>{drawn}</ul><a href='#'>加载更多</a>", "http"
    )
    api = ListApi(
        "http://h.cn/s/{s2}/r/",
        "http://h.cn/api?u={s2}&pn={page}",
        2,
        "http://h.cn/s/{s2}/r/{id}.html",
        ("data", "list"),
    )
    grown = asyncio.run(grow_list(session, page, (api,)))  # type: ignore[arg-type]
    assert grown is not None and [r.title for r in grown.grown] == names[4:]
    assert grown.grown[0].url == "http://h.cn/s/ab12/r/104.html"
    assert asked == [f"http://h.cn/api?u=ab12&pn={n}" for n in (2, 3, 4)]  # page 4 was short: the last


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
    _lists_read_from_the_api_once_trusted(scripted_host)


def test_lists_grown_by_scrolling_are_read_from_the_api_once_trusted() -> None:
    """The same where the listings grow as the visitor scrolls, with no control on the
    page to say so: over HTTP the first page looks whole, and only the learnt API says
    that the list goes on."""
    with GeneratedFarm(0, 1, spaces=6, seeds=[first_seed("server", pager="infinite")]) as farm:
        assert farm.platforms[0].style.scroll_hint is False  # nothing on the page says 加载更多
        _lists_read_from_the_api_once_trusted(farm)


def _lists_read_from_the_api_once_trusted(host: GeneratedFarm) -> None:
    import asyncio

    from crawler import CrawlOptions, Target, crawl_space
    from crawler.transport.ssrf import AddressPolicy
    from crawler.visit.visit import same_content

    options = CrawlOptions(policy=AddressPolicy(allow_private=True))

    async def run() -> None:
        book = RecipeBook()
        usual = {}
        for space in host.spaces:  # learning and verifying
            usual[space.url] = await crawl_space(Target(space.url), options)
            await crawl_space(Target(space.url), options, recipes=book)
        [recipe] = book.recipes.values()
        assert recipe.status == "verified" and "listing" in recipe.http_roles and recipe.list_apis, recipe
        server = host.servers[0]
        route, asked = server.route, []
        server.route = lambda request: (asked.append(request.raw_path), route(request))[1]
        rendered = 0
        before = (recipe.trusted_spaces, recipe.trusted_rendered)
        try:
            for space in host.spaces:  # trusted
                snapshot = await crawl_space(Target(space.url), options, recipes=book)
                assert same_content(snapshot, usual[space.url]), space.url
                if snapshot.crawl.status == "ok":  # a login wall is another host's page
                    assert snapshot.crawl.renders == 0, space.url
                rendered += snapshot.crawl.renders > 0
        finally:
            server.route = route
        trusted = book.recipes[recipe.host]  # what `spacebot platforms` reports
        assert (trusted.trusted_spaces - before[0], trusted.trusted_rendered - before[1]) == (
            len(host.spaces),
            rendered,
        )
        page_key = next(k for k, v in parse_qsl(urlsplit(recipe.list_apis[0]["api"]).query) if v == "{page}")
        grown = [path for path in asked if f"{page_key}=" in path]
        assert grown, asked[:20]  # lists were grown from the API, page by page
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


def test_a_wall_read_by_a_trusted_recipe_is_the_space_s_answer() -> None:
    """A friends-only space read with the home page over HTTP shows its wall and no module:
    that is what the space shows, not a sign that the recipe missed something (which an
    open space with no module would be)."""
    from dataclasses import replace

    from crawler import Visibility
    from crawler.visit.visit import _looks_wrong
    from tests.snapshots import good

    roles = frozenset({"home", "listing"})
    walled = replace(good(), modules=(), visibility=Visibility("friends_only", "仅好友可见"))
    # Till the recipe and the browser have read one of the host's walls alike, a wall read
    # over HTTP is checked (a page its scripts would fill may show a wall's words) …
    assert _looks_wrong(walled, roles, None, walls_trusted=False)
    book = RecipeBook([Recipe(HOST, "verified", ("home", "listing"))])
    book.wall_verdict(HOST, same=True)
    assert book.recipes[HOST].walls_agreed == 1
    # … then it is the space's answer; an open space with no module never is.
    assert not _looks_wrong(walled, roles, None, walls_trusted=True)
    assert _looks_wrong(replace(walled, visibility=Visibility("everyone", "")), roles, None, walls_trusted=True)
    assert not _looks_wrong(good(), roles, None)
    book.wall_verdict(HOST, same=False)  # a wall read otherwise: every wall is a suspect again
    assert book.recipes[HOST].walls_agreed == 0


def test_a_scrolled_list_ends_only_where_its_api_says_so() -> None:
    """Over HTTP a list grown by scrolling shows nothing saying it goes on: an empty list in
    the API's first answer means no more rows, but an error answer (null where the list
    was) says nothing, and the page goes to the browser."""
    import asyncio
    from types import SimpleNamespace

    from crawler import CrawlOptions
    from crawler.transport.http import Page
    from crawler.visit.grow import ListApi, grow_list

    def session(answer: str) -> SimpleNamespace:
        async def fetch(url: str, *, fragment: bool = False) -> Page:
            return Page(url, url, 200, answer, "http")

        return SimpleNamespace(options=CrawlOptions(), fetch=fetch)

    page = Page(
        "http://h.cn/s/ab12/r/",
        "http://h.cn/s/ab12/r/",
        200,
        '<ul><li><a href="/s/ab12/r/1.html">春</a></li></ul>',
        "http",
    )
    api = ListApi("http://h.cn/s/{s2}/r/", "http://h.cn/api?u={s2}&pn={page}", 2, None, ("data", "list"))
    ended = asyncio.run(grow_list(session('{"data": {"list": []}}'), page, (api,), hinted=False))  # type: ignore[arg-type]
    assert ended is not None and ended.grown == []
    refused = asyncio.run(grow_list(session('{"code": 401, "data": null}'), page, (api,), hinted=False))  # type: ignore[arg-type]
    assert refused is None
    # With 加载更多 on the page the API must bring rows: an empty answer is not as learnt.
    assert asyncio.run(grow_list(session('{"data": {"list": []}}'), page, (api,))) is None  # type: ignore[arg-type]


def test_drawn_sizes_take_the_api_s_bytes_only_for_a_row_named_once() -> None:
    """A script draws 15.22M for the 15959327 bytes of its answer: the row reads the bytes
    (the list grown from the same answer over HTTP reads them too). Two rows of one title
    keep what they show: which answer row is which is not known."""
    from crawler.extract.records import Record
    from crawler.visit.listings import _exact_sizes

    answers = [
        (
            "http://h.cn/api?pn=2",
            json.dumps(
                {
                    "list": [
                        {"name": "秋天的雨（总结）", "size": 15959327, "time": "2022-04-24"},
                        {"name": "第一课时课件", "size": 2090000, "time": "2022-04-20"},
                        {"name": "第一课时课件", "size": 2100000, "time": "2022-04-19"},
                    ]
                },
                ensure_ascii=False,
            ),
        )
    ]

    def row(title: str, number: int, size: int) -> Record:
        return Record(title, f"http://h.cn/r/{number}.html", "", title, None, None, [], None, size, None, "everyone")

    drawn = [row("秋天的雨（总结）", 1, 15959326), row("第一课时课件", 2, 2097152), row("第一课时课件", 3, 2097152)]
    assert [r.size_bytes for r in _exact_sizes(drawn, answers)] == [15959327, 2097152, 2097152]
