"""What an item's own page says about it: date, 原创/转载, category, format, size.

Listings often show only a title; the item's page shows the rest as "label：value" lines
near its title (发布时间：…, 来源：转载, 分类：课件, 格式：MP4, 大小：6.5M). The lines are read
in the part of the page that holds the title, so a sidebar's dates are not taken for the
item's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from .dom import attr, clean_text, in_chrome
from .records import originality
from .vocab import FORMATS, category_from_label, parse_date, parse_size, relative_date, yearless_date

__all__ = ["DetailFacts", "album_photos", "read_detail"]

_DATE_LABELS = (
    *("发布时间", "发表时间", "发布日期", "上传时间", "上传日期", "创建时间", "时间", "日期", "发布于", "发表于"),
)
_ORIGIN_LABELS = ("来源", "类型", "性质", "原创性", "作品类型", "出处")
_CATEGORY_LABELS = ("分类", "类别", "栏目", "资源类型", "资源分类", "所属分类", "所属栏目", "类型")
_FORMAT_LABELS = ("格式", "文件格式", "文件类型", "类型", "扩展名")
_SIZE_LABELS = ("大小", "文件大小", "资源大小")
_PAIR = re.compile(r"^\s*([\u4e00-\u9fa5]{1,6})\s*[:：]\s*(.+?)\s*$")


@dataclass(frozen=True)
class DetailFacts:
    date: str | None = None
    original: bool | None = None
    category: str | None = None  # the contract category the page's label names
    label: str | None = None  # the category label as shown (an article's 栏目 too)
    format: str | None = None
    size_bytes: int | None = None


def _plain_label(value: str) -> bool:
    """A category name, not a file type (类型：MP4) or 原创/转载 (类型：转载)."""
    return value.strip(". ").lower() not in FORMATS and originality(value) is None


def _title_element(body: Tag, title: str) -> Tag | None:
    """The deepest element whose text is the item's title (or starts like a cut title)."""
    want = title.strip()
    best: Tag | None = None
    for el in body.find_all(True):
        if in_chrome(el) or el.name in ("a", "title", "option"):
            continue
        text = clean_text(el)
        if text == want or (len(want) > 6 and text.rstrip("…. ") and want.startswith(text.rstrip("…. "))):
            if len(text) >= 2:
                best = el  # find_all walks parents before children: the last match is the deepest
    return best


def _region(body: Tag, title: str) -> Tag:
    """The block around the title: up from it until the block says more than the title."""
    node = _title_element(body, title)
    if node is None:
        return body
    for _ in range(4):
        if node.parent is None or node.parent.name in ("body", "[document]", "html"):
            break
        node = node.parent
        if _pairs(node):
            break
    return node


def _pairs(region: Tag) -> list[tuple[str, str]]:
    out = []
    for el in region.find_all(["span", "p", "li", "div", "em", "i", "b", "label", "dd", "td", "small", "time"]):
        if el.find(["div", "p", "li", "ul", "table"]) is not None:
            continue
        match = _PAIR.match(clean_text(el))
        if match:
            out.append((match.group(1), match.group(2)))
    for row in region.find_all("tr"):  # 大小 | 6.5M in a table
        cells = [clean_text(c) for c in row.find_all(["th", "td"], recursive=False)]
        if len(cells) == 2 and cells[0] and len(cells[0]) <= 6:
            out.append((cells[0].rstrip(":："), cells[1]))
    return out


def _icons(region: Tag) -> str:
    """What textless icons in the block say (``<i title="原创">``)."""
    said = [attr(el, "title") or attr(el, "alt") or "" for el in region.find_all(True) if not clean_text(el)]
    return " ".join(s for s in said if s)


def read_detail(soup: BeautifulSoup, title: str) -> DetailFacts:
    """The facts an item's page states about the item."""
    body = soup.body or soup
    region = _region(body, title)
    date = original = category = label = fmt = size = None
    for name, value in _pairs(region):
        if date is None and name in _DATE_LABELS:
            date = parse_date(value) or relative_date(value) or yearless_date(value)
        if original is None and name in _ORIGIN_LABELS and len(value) <= 8:
            original = originality(value)
        if category is None and name in _CATEGORY_LABELS:
            found = category_from_label(value)
            if found:
                category, label = found, value
            elif (
                label is None
                and len(value) <= 12
                and value.strip(". ").lower() not in FORMATS
                and originality(value) is None
            ):
                label = value  # an article's 栏目 (家校交流), no resource category
        if fmt is None and name in _FORMAT_LABELS and value.strip(". ").lower() in FORMATS:
            fmt = value.strip(". ").lower()
        if size is None and name in _SIZE_LABELS:
            size = parse_size(value)
    if original is None:
        short = [clean_text(el) for el in region.find_all(["span", "em", "i", "b", "sup", "small"])]
        original = originality(" ".join(s for s in short if len(s) <= 6) + " " + _icons(region))
    return DetailFacts(date=date, original=original, category=category, label=label, format=fmt, size_bytes=size)


_COUNT_PHOTOS = re.compile(r"共\s*(\d+)\s*张|(\d+)\s*张照片|照片\s*[:：(（]\s*(\d+)")


def album_photos(soup: BeautifulSoup, name: str) -> int | None:
    """How many photos an album's own page shows: the count it states near its name
    (共 14 张), else the pictures of its largest run of like elements."""
    body = soup.body or soup
    region: Tag = _title_element(body, name) or body
    for _ in range(5):  # up from the name to the block that holds the pictures
        if len(region.find_all("img")) >= 2 or region.parent is None or region is body:
            break
        region = region.parent
    match = _COUNT_PHOTOS.search(clean_text(region))
    if match:
        return int(next(g for g in match.groups() if g))
    best = 0
    for parent in region.find_all(True):
        if in_chrome(parent):
            continue
        children = parent.find_all(True, recursive=False)
        pictures = [c for c in children if c.name == "img" or len(c.find_all("img")) == 1]
        if len(pictures) >= 2 and len(pictures) * 2 >= len(children):
            best = max(best, len(pictures))
    return best or None
