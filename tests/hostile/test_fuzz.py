"""Property-based tests: no exception escapes the URL checks, the target readers or the
extractors, whatever the input (random, malformed, hostile)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler import check_target_url, read_targets, single_url
from crawler.extract.blocks import detect_block
from crawler.extract.dom import parse_html
from crawler.extract.modules import find_modules
from crawler.extract.pages import find_declared_video, find_video_urls, pagination_links
from crawler.extract.profile import extract_profile
from crawler.extract.records import find_records
from crawler.extract.vocab import parse_date, parse_size
from crawler.extract.walls import detect_wall
from crawler.targets import urls_in_cell
from errors import TargetError

TAGS = ["div", "span", "a", "ul", "li", "table", "tr", "td", "h3", "p", "script", "video", "source", "img", "dl", "dt"]
WORDS = [
    "资源",
    "文章",
    "相册",
    "更多",
    "下一页",
    "原创",
    "转载",
    "2022-03-01",
    "12张",
    "1.5MB",
    "姓名：",
    "学校",
    "仅好友可见",
    "请登录",
    "共 3 页",
    "微课",
    "<",
    ">",
    "&amp;",
    "\x00",
    "😀",
    "javascript:alert(1)",
    ".mp4",
]


@st.composite
def html_documents(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        tag = draw(st.sampled_from(TAGS))
        attrs = draw(
            st.sampled_from(
                [
                    "",
                    ' class="mod-hd"',
                    ' class="title"',
                    ' href="/x?page=2"',
                    ' src="v.mp4"',
                    ' href="javascript:void(0)"',
                    ' class="custom" data-x="1"',
                    ' href="http://[::1"',
                ]
            )
        )
        text = draw(st.sampled_from(WORDS)) + draw(st.text(max_size=8))
        closing = draw(st.booleans())
        parts.append(f"<{tag}{attrs}>{text}" + (f"</{tag}>" if closing else ""))
    return "".join(parts)


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_url_checks_raise_only_target_errors(raw: str) -> None:
    try:
        check_target_url(raw, allow_private=True)
    except TargetError:
        pass


@given(
    st.sampled_from(["http://", "https://", "ftp://", "", "//", "http://[", "http://例子.中国/"]), st.text(max_size=80)
)
@settings(max_examples=200, deadline=None)
def test_url_checks_with_url_like_prefixes(prefix: str, rest: str) -> None:
    try:
        check_target_url(prefix + rest, allow_private=True)
    except TargetError:
        pass


@given(st.binary(max_size=2000), st.sampled_from([".csv", ".txt", ".xlsx", ".xls", ".dat"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_target_readers_raise_only_target_errors(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"targets{suffix}"
        path.write_bytes(data)
        try:
            read_targets(path, allow_private=True)
        except TargetError:
            pass


@given(st.lists(st.lists(st.text(max_size=30), max_size=6), max_size=15))
@settings(max_examples=100, deadline=None)
def test_csv_rows_of_anything(rows: list[list[str]]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["姓名", "空间网址"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        try:
            result = read_targets(path, allow_private=True)
        except TargetError:
            return
        assert all(t.url.startswith(("http://", "https://")) for t in result.targets)


_CELL_PIECES = st.sampled_from(
    [
        "http://",
        "https：／／",
        "www.",
        "x.edu.cn",
        "127.0.0.1",
        ":8080",
        "／",
        "/",
        "？id＝",
        "&",
        "，",
        "；",
        " ",
        "\n",
        "空间网址：",
        "点击访问",
        "（",
        "）",
        "javascript:",
        "3.5",
        "a",
        "中",
    ]
)


@given(st.lists(st.one_of(_CELL_PIECES, st.text(max_size=8)), max_size=12).map("".join))
@settings(max_examples=400, deadline=None)
def test_cell_addresses_are_http_or_left_for_refusal(text: str) -> None:
    found = urls_in_cell(text)
    assert len(found) == len(set(found))
    for url in found:
        assert url.lower().startswith(("http://", "https://")) or ":" in url
        assert not any(ch.isspace() for ch in url)
    try:
        check_target_url(single_url(text), allow_private=True)
    except TargetError:
        pass


@given(
    st.lists(st.lists(st.one_of(_CELL_PIECES, st.text(max_size=20)), min_size=1, max_size=4), max_size=10),
    st.sampled_from(["utf-16", "utf-16-le", "utf-8-sig", "gb18030"]),
    st.sampled_from(["\t", ","]),
)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_unicode_text_and_csv_rows_of_anything(rows: list[list[str]], encoding: str, delimiter: str) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["姓名", "空间网址"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.txt"
        try:
            path.write_bytes(buffer.getvalue().encode(encoding))
        except UnicodeEncodeError:
            return
        try:
            result = read_targets(path, allow_private=True)
        except TargetError:
            return
        assert all(t.url.startswith(("http://", "https://")) for t in result.targets)


@given(st.lists(st.tuples(st.text(max_size=20), st.one_of(st.none(), st.text(max_size=40))), min_size=1, max_size=6))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_xlsx_and_xls_cells_with_links_of_anything(cells: list[tuple[str, str | None]]) -> None:
    import xlwt
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "空间网址"])
    old = xlwt.Workbook(encoding="utf-8")
    old_sheet = old.add_sheet("t")
    old_sheet.write(0, 0, "姓名")
    old_sheet.write(0, 1, "空间网址")
    for number, (shown, link) in enumerate(cells, start=2):
        clean = "".join(ch for ch in shown if ch.isprintable())
        sheet.append(["某", clean])
        old_sheet.write(number - 1, 1, clean)
        if link:
            try:
                sheet.cell(number, 2).hyperlink = link
            except ValueError:
                pass
    with tempfile.TemporaryDirectory() as tmp:
        for path in (Path(tmp) / "t.xlsx", Path(tmp) / "t.xls"):
            try:
                book.save(path) if path.suffix == ".xlsx" else old.save(str(path))
            except (ValueError, TypeError, UnicodeError, Exception):  # the writers' own limits
                continue
            try:
                result = read_targets(path, allow_private=True)
            except TargetError:
                continue
            assert all(t.url.startswith(("http://", "https://")) for t in result.targets)


@given(html_documents())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_extractors_never_raise(html: str) -> None:
    base = "http://space.example.edu.cn/index.php?r=space/person/index&sid=1"
    soup = parse_html(html)
    modules = find_modules(soup, base)
    find_records(soup, base)
    extract_profile(soup, [], base)
    detect_wall(soup, 200, base, has_content=len(modules) >= 2)
    detect_block(soup, 200, {"Server": "x"}, has_content=len(modules) >= 2)
    find_video_urls(soup, html, base, html)
    find_declared_video(soup)
    pagination_links(soup, base)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_label_parsers_never_raise(text: str) -> None:
    parse_date(text)
    parse_size(text)
