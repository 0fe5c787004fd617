"""Items of a listing page (resources, articles, albums), found by repetition.

A listing is a group of sibling elements with the same tag that each lead to one item
(one to three distinct links) and look like records: a date, 原创/转载, a size, "N张", a
format, a counter. Nav bars and tabs lose to it because their links carry none of that,
and their labels are the platform's own words (首页, 资源, 全部 …). Class names play no
part: platforms name their markup as they like. Fields come from what the record says:
its text, the ``title`` of an icon (原创 shown as an icon), the ``alt`` of a thumbnail, a
caption beside an image link, and a year heading above "03-01"-style dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, Tag

from .dom import absolute, attr, clean_text, in_chrome, url_path
from .vocab import (
    BUILTIN_MODULE_WORDS,
    CATEGORY_LABELS,
    FORMAT_CATEGORY,
    FORMAT_TOKEN_RE,
    LISTING_WORDS,
    LOAD_MORE_WORDS,
    MORE_WORDS,
    NEXT_WORDS,
    RELATIVE_DATE_RE,
    category_from_label,
    parse_date,
    parse_size,
    relative_date,
    yearless_date,
)

__all__ = ["Record", "find_records", "label_category", "originality"]

_ORIGINAL = ("原创",)
_REPOST = ("转载", "转帖", "转自", "分享自", "引用", "非原创")
_PHOTOS_RE = re.compile(
    r"共\s*(\d+)\s*张|(\d+)\s*张|照片\s*[:：(（]?\s*(\d+)|(\d+)\s*(?:photos|pics)|[(（]\s*(\d+)\s*[)）]\s*$"
)
_BRACKET_RE = re.compile(r"[【\[]([^】\]]{1,10})[】\]]")
_EXT_RE = re.compile(r"\.([a-z0-9]{2,5})$", re.IGNORECASE)
_COUNTER_RE = re.compile(r"(阅读|浏览|评论|下载|点击|收藏|点赞|回复|访问)\s*[(（:：]?\s*\d+|\d+\s*(次|人)")
_SKIP_WORDS = {
    *("下载", "预览", "详情", "查看", "收藏", "分享", "编辑", "删除", "置顶", "推荐", "播放", "打开"),
    *("原创", "转载", "评论", "点赞", "举报", "回复"),
}
# Marks a platform puts on an item's link, beside its title: 置顶, 荐, NEW …
# (A single character, 顶 荐 精 热 新, only in brackets: a highlighted 新 may begin 新课标.)
_BADGES = {"置顶", "推荐", "精华", "精选", "热门", "最新", "new", "hot", "top"} | {"顶", "荐", "精", "热", "新"}
_BRACKETED_BADGE = re.compile(r"^\s*[\[【](?:" + "|".join(sorted(_BADGES, key=len, reverse=True)) + r")[\]】]\s*", re.I)
_TEXT_TAGS = ["p", "span", "div", "h3", "h4", "h5", "em", "strong", "b", "a", "dt", "dd", "figcaption"]
# What a thumbnail's alt says when it says nothing about the item.
_GENERIC_ALT = {"封面", "图片", "缩略图", "预览图", "cover", "img", "image", "pic", "thumb", "photo", ""}
# Link labels that are the platform's navigation, never an item: 首页, 资源, 个人资料 …
_NAV_WORDS = {
    "首页",
    "主页",
    "返回",
    "返回首页",
    "全部",
    "上一页",
    "上页",
    "前一页",
    "首页»",
    *(w for words in LISTING_WORDS.values() for w in words),
    *(w for words in BUILTIN_MODULE_WORDS.values() for w in words),
}
_CATEGORY_WORDS = {w for words in CATEGORY_LABELS.values() for w in words}
# "03-22", "3/22", "3月22日"; not a size ("8.16MB"), a percentage or a version ("v2.1")
_MONTH_DAY_RE = re.compile(
    r"(?<![\dA-Za-z\-/.])(\d{1,2})\s*[-/.月]\s*(\d{1,2})日?(?![\d\-/.]|\s*(?:[KMGTkmgt]i?[Bb]|[KMGkmg]\b|%|％))"
)
_YEAR_RE = re.compile(r"^\s*((?:19|20)\d{2})\s*年?\s*$")


@dataclass
class Record:
    title: str
    url: str
    text: str  # the record's text other than the title
    block: str  # the record's whole text, title included
    date: str | None
    original: bool | None
    labels: list[str]
    format: str | None
    size_bytes: int | None
    photos: int | None
    visibility: str


class _Unit:
    """One candidate record: an element, or a ``dt`` with the ``dd`` elements after it."""

    def __init__(self, tags: list[Tag]) -> None:
        self.tags = tags
        self.head = tags[0]

    def links(self, base: str) -> list[Tag]:
        out: list[Tag] = []
        for tag in self.tags:
            found = [tag] if tag.name == "a" else tag.find_all("a")
            out.extend(a for a in found if _is_item_link(a, base))
        return out

    def text(self) -> str:
        """The visible text, plus what icons and thumbnails say only in ``title``/``alt``."""
        parts = [clean_text(tag) for tag in self.tags]
        for tag in self.tags:
            for el in tag.find_all(True):
                if el.name == "a" or clean_text(el):
                    continue
                said = attr(el, "title") or (attr(el, "alt") if el.find_parent("a") is None else None)
                if said:
                    parts.append(said.strip())
        return " ".join(p for p in parts if p)


def link_label(a: Tag) -> str:
    """What a link says: its text, else its ``title``, else its image's ``alt``/``title``."""
    text = clean_text(a) or (attr(a, "title") or "").strip()
    if text:
        return text
    img = a.find("img")
    if img is not None:
        return (attr(img, "alt") or attr(img, "title") or "").strip()
    return ""


def _is_item_link(a: Tag, base: str) -> bool:
    if not absolute(base, attr(a, "href")):
        return False
    label = link_label(a)
    if not label:
        return a.find("img") is not None  # a thumbnail whose caption sits beside it
    low = label.lower().rstrip(">»› ")
    return not (
        low in MORE_WORDS
        or low in NEXT_WORDS
        or label in LOAD_MORE_WORDS
        or label in _SKIP_WORDS
        or label in _NAV_WORDS
        or label in _CATEGORY_WORDS  # a category tab, not an item
        or label.isdigit()
        or re.match(r"^(下载|预览|查看|播放|打开)\s*[:：]", label) is not None  # "下载：标题" repeats the item
    )


def _features(text: str) -> int:
    score = 0
    if parse_date(text) or _MONTH_DAY_RE.search(text) or RELATIVE_DATE_RE.search(text):
        score += 1
    if any(w in text for w in _ORIGINAL + _REPOST):
        score += 1
    if parse_size(text) or _PHOTOS_RE.search(text) or _COUNTER_RE.search(text):
        score += 1
    if _BRACKET_RE.search(text) or FORMAT_TOKEN_RE.search(text) or "分类" in text or "类型" in text:
        score += 1
    return score


def _units(parent: Tag) -> dict[str, list[_Unit]]:
    """The parent's children by tag name; a ``dt`` takes the ``dd`` elements after it."""
    groups: dict[str, list[_Unit]] = {}
    children: list[Tag] = list(parent.find_all(True, recursive=False))
    if parent.name == "table":  # rows a script appended land in a tbody of their own: one table, one list
        children = [
            row
            for child in children
            for row in (child.find_all("tr", recursive=False) if child.name in ("tbody", "thead", "tfoot") else [child])
        ]
    for i, child in enumerate(children):
        if child.name == "dd" and any(c.name == "dt" for c in children[:i]):
            continue
        tags = [child]
        if child.name == "dt":
            for follower in children[i + 1 :]:
                if follower.name != "dd":
                    break
                tags.append(follower)
        groups.setdefault(child.name, []).append(_Unit(tags))
    return groups


def _best_group(soup: BeautifulSoup, base: str) -> list[_Unit]:
    body = soup.body or soup
    best: tuple[float, int, list[_Unit]] = (0.0, 0, [])
    for parent in body.find_all(True):
        if in_chrome(parent):
            continue
        for units in _units(parent).values():
            usable: list[tuple[_Unit, int]] = []
            for unit in units:
                links = unit.links(base)
                distinct = {absolute(base, attr(a, "href")) for a in links}
                if not links or len(distinct) > 3:
                    continue
                usable.append((unit, _features(unit.text())))
            if not usable:
                continue
            featured = sum(1 for _, f in usable if f)
            if featured * 2 >= len(usable):  # records look alike: drop the odd plain link (a tab, a nav entry)
                usable = [(u, f) for u, f in usable if f]
            # A unit that says nothing (a bare thumbnail link) loses to the one around it
            # that holds its caption, where the depth alone would pick the thumbnail.
            scored = float(sum(1 + 2 * f + (0.5 if u.text() else 0) for u, f in usable))
            depth = len(list(usable[0][0].head.parents))
            if (scored, depth) > (best[0], best[1]):
                best = (scored, depth, [u for u, _ in usable])
    return best[2]


def originality(text: str) -> bool | None:
    """原创 → True, 转载 and its kin → False, neither shown → None."""
    if any(w in text for w in _REPOST):
        return False
    if any(w in text for w in _ORIGINAL):
        return True
    return None


def _year_above(tag: Tag) -> str | None:
    """A year heading before a record ("2022年" over a run of "03-01" dates)."""
    for text in tag.find_all_previous(string=_YEAR_RE, limit=1):
        match = _YEAR_RE.match(str(text))
        if match:
            return match.group(1)
    return None


def _date(text: str, unit: _Unit) -> str | None:
    full = parse_date(text)
    if full:
        return full
    short = _MONTH_DAY_RE.search(text)
    if short is None:
        return None
    year = _year_above(unit.head)
    if year:
        return parse_date(f"{year}-{short.group(1)}-{short.group(2)}")
    return None


def _date_line(unit: _Unit, primary: Tag) -> str | None:
    """A date that is a line of its own in the record (3天前, 昨天 10:20, 05-12 with no
    year), counted from when the page was made; never a piece of the title or a summary."""
    for tag in unit.tags:
        for piece in tag.find_all(string=True):
            if any(parent is primary for parent in piece.parents):
                continue
            line = clean_text(piece)
            found = relative_date(line) or yearless_date(line) if 1 < len(line) <= 24 else None
            if found:
                return found
    return None


_NAMED_LABEL_RE = re.compile(r"^[^:：]{0,4}(分类|类别|类型|栏目|专栏|频道)\s*[:：]?\s*")
_FACT_RE = re.compile(r"^[^:：\d]{1,6}[:：]")
_PAGER_WORDS = {"首页", "上一页", "上页", "前一页", "下一页", "下页", "后一页", "尾页", "末页"}
_PAGER_RE = re.compile(r"第\s*\d+\s*(/\s*\d+\s*)?页|共\s*\d+\s*页")


def _caption(unit: _Unit) -> str:
    """The name beside an image link: the unit's first text that is not a date, a count,
    a counter, 原创/转载 or a "label：value" line."""
    for tag in unit.tags:
        for el in tag.find_all(_TEXT_TAGS):
            if el.find(True) is not None and el.name != "a":
                continue
            value = clean_text(el)
            if (
                not value
                or parse_date(value)
                or _COUNTER_RE.search(value)
                or value.isdigit()
                or value in _ORIGINAL + _REPOST
                or re.match(r"^[^:：]{1,6}[:：]", value)
                or re.fullmatch(r"共?\s*\d+\s*张.*", value)
            ):
                continue
            return value
    return ""


def _badge_free(a: Tag) -> str:
    """A link's text without the marks beside the title (an element of its own saying
    置顶 or NEW, a leading [置顶] or 【推荐】); the text as it is when nothing else is left."""

    def badge(piece: Any) -> bool:  # the whole text of an element of its own inside the link
        parent = piece.parent
        word = clean_text(piece).lower()
        return parent is not None and parent is not a and not parent.find(True) and len(word) > 1 and word in _BADGES

    text = _BRACKETED_BADGE.sub("", clean_text(" ".join(str(p) for p in a.find_all(string=True) if not badge(p))))
    return text or clean_text(a)


def _record(unit: _Unit, base: str) -> Record:
    links = unit.links(base)
    primary = max(links, key=lambda a: len(link_label(a)))
    shown = _badge_free(primary)
    full = (attr(primary, "title") or "").strip()
    title = full if full and (not shown or shown.endswith(("...", "…")) or len(full) > len(shown)) else shown
    if not title:
        img = primary.find("img")
        alt = (attr(img, "alt") or attr(img, "title") or "").strip() if img is not None else ""
        title = alt if alt.lower() not in _GENERIC_ALT else _caption(unit) or link_label(primary)
    url = absolute(base, attr(primary, "href")) or base
    block = unit.text()
    text = block.replace(shown or title, " ", 1)
    labels: list[str] = [m.group(1).strip() for m in _BRACKET_RE.finditer(text)]
    for tag in unit.tags:
        for leaf in tag.find_all(True):
            if leaf is primary or leaf.find(True) is not None or primary in leaf.parents:
                continue
            if leaf.name == "th" or leaf.find_parent("thead") is not None:  # a column's name, not the row's
                continue
            value = clean_text(leaf)
            named = _NAMED_LABEL_RE.match(value)
            if named:  # "所属栏目：家校交流" names its label …
                value = value[named.end() :]
            elif _FACT_RE.match(value):  # … "时间：02-27", "大小：2MB" state a fact, no label
                continue
            value = value.strip("[]【】 ")
            if (
                1 < len(value) <= 10
                and value != title.strip()  # a caption that is the title is no label
                and not parse_date(value)
                and not RELATIVE_DATE_RE.search(value)  # 3天前, 昨天 10:20
                and not _MONTH_DAY_RE.search(value)  # "11-14", "发布于 12-06" under a year heading is a date
                and not _COUNTER_RE.search(value)
                and not _PAGER_RE.search(value)  # "第 3/3 页" is the pager's, not the item's
                and value.strip("<>«»‹› ") not in _PAGER_WORDS  # so are 上一页 and 下一页
                and not _YEAR_RE.match(value)  # a year heading is the dates' year
                and value not in _ORIGINAL + _REPOST
                and value.lower() not in _BADGES
                and not parse_size(value)
            ):
                labels.append(value)
    fmt = None
    ext = _EXT_RE.search(title)
    if ext and ext.group(1).lower() in FORMAT_CATEGORY:
        fmt = ext.group(1).lower()
        title = title[: ext.start()]
    if fmt is None:
        path_ext = _EXT_RE.search(url_path(url))
        token = FORMAT_TOKEN_RE.search(text)
        if token:
            fmt = token.group(1).lower()
        elif path_ext and path_ext.group(1).lower() in FORMAT_CATEGORY:
            fmt = path_ext.group(1).lower()
    photos_match = _PHOTOS_RE.search(text)
    photos = int(next(g for g in photos_match.groups() if g)) if photos_match else None
    visibility = "everyone"
    if "仅好友" in text or "好友可见" in text:
        visibility = "friends_only"
    elif "仅自己" in text or "私密" in text:
        visibility = "private"
    elif "登录后" in text or "需登录" in text:
        visibility = "login_required"
    return Record(
        title=title.strip(),
        url=url,
        text=text,
        block=block,
        date=_date(text, unit) or _date_line(unit, primary),
        original=originality(text),
        labels=[
            lab
            for lab in labels
            if lab.lower() != (fmt or "")
            and lab not in _ORIGINAL + _REPOST
            and lab.lower() not in _BADGES
            and "可见" not in lab
            and "登录" not in lab
        ],
        format=fmt,
        size_bytes=parse_size(text),
        photos=photos,
        visibility=visibility,
    )


def find_records(soup: BeautifulSoup, base: str) -> list[Record]:
    """The records of a listing page, in page order."""
    return [_record(unit, base) for unit in _best_group(soup, base)]


def label_category(labels: list[str]) -> str | None:
    for label in labels:
        category = category_from_label(label)
        if category:
            return category
    return None
