"""Items of a listing page (resources, articles, albums), found by repetition.

A listing is the group of sibling elements with the same tag and class that each hold a
link and look like records (a date, 原创/转载, a size, "N张", a format); nav bars and tabs
lose to it because their links carry none of that. Fields come from labels, not markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from .dom import absolute, attr, clean_text, in_chrome, url_path
from .vocab import (
    FORMAT_CATEGORY,
    FORMAT_TOKEN_RE,
    LOAD_MORE_WORDS,
    MORE_WORDS,
    NEXT_WORDS,
    category_from_label,
    parse_date,
    parse_size,
)

__all__ = ["Record", "find_records"]

_ORIGINAL = ("原创",)
_REPOST = ("转载", "转帖", "转自", "分享自", "引用", "非原创")
_PHOTOS_RE = re.compile(r"(?:共\s*(\d+)\s*张|(\d+)\s*张|照片\s*[:：(（]?\s*(\d+)|(\d+)\s*(?:photos|pics))")
_BRACKET_RE = re.compile(r"[【\[]([^】\]]{1,10})[】\]]")
_EXT_RE = re.compile(r"\.([a-z0-9]{2,5})$", re.IGNORECASE)
_COUNTER_RE = re.compile(r"(阅读|浏览|评论|下载|点击|收藏|点赞|回复)\s*[(（:：]?\s*\d+|\d+\s*(次|人)")
_SKIP_WORDS = {"下载", "预览", "详情", "查看", "收藏", "分享", "编辑", "删除", "置顶", "推荐"}


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


def _features(node: Tag, title: str) -> int:
    text = clean_text(node).replace(title, " ", 1)
    score = 0
    if parse_date(text):
        score += 1
    if any(w in text for w in _ORIGINAL + _REPOST):
        score += 1
    if parse_size(text) or _PHOTOS_RE.search(text) or _COUNTER_RE.search(text):
        score += 1
    if _BRACKET_RE.search(text) or FORMAT_TOKEN_RE.search(text):
        score += 1
    return score


def _item_links(node: Tag, base: str) -> list[Tag]:
    links = [node] if node.name == "a" else node.find_all("a")
    out = []
    for a in links:
        url = absolute(base, attr(a, "href"))
        text = clean_text(a) or (attr(a, "title") or "").strip()
        if not url or not text:
            continue
        low = text.lower()
        if low in MORE_WORDS or low in NEXT_WORDS or text in LOAD_MORE_WORDS or text in _SKIP_WORDS or text.isdigit():
            continue
        out.append(a)
    return out


def _signature(tag: Tag) -> tuple[str, tuple[str, ...]]:
    classes: list[str] = list(tag.get("class") or [])
    return tag.name, tuple(
        sorted(c for c in classes if c not in ("on", "active", "odd", "even", "cur", "first", "last"))
    )


def _best_group(soup: BeautifulSoup, base: str) -> list[Tag]:
    body = soup.body or soup
    best: tuple[float, int, list[Tag]] = (0.0, 0, [])
    for parent in body.find_all(True):
        if in_chrome(parent):
            continue
        groups: dict[tuple[str, tuple[str, ...]], list[Tag]] = {}
        for child in parent.find_all(True, recursive=False):
            groups.setdefault(_signature(child), []).append(child)
        for members in groups.values():
            scored = 0.0
            usable = []
            for member in members:
                links = _item_links(member, base)
                distinct = {absolute(base, attr(a, "href")) for a in links}
                if not links or len(distinct) > 3:
                    continue
                title = clean_text(max(links, key=lambda a: len(clean_text(a))))
                scored += 1 + 2 * _features(member, title)
                usable.append(member)
            if not usable:
                continue
            depth = len(list(usable[0].parents))
            if (scored, depth) > (best[0], best[1]):
                best = (scored, depth, usable)
    return best[2]


def _record(member: Tag, base: str) -> Record:
    links = _item_links(member, base)
    primary = max(links, key=lambda a: len(clean_text(a) or attr(a, "title") or ""))
    shown = clean_text(primary)
    full = (attr(primary, "title") or "").strip()
    title = full if full and (not shown or shown.endswith(("...", "…")) or len(full) > len(shown)) else shown
    url = absolute(base, attr(primary, "href")) or base
    text = clean_text(member).replace(shown, " ", 1)
    original: bool | None = None
    if any(w in text for w in _REPOST):
        original = False
    elif any(w in text for w in _ORIGINAL):
        original = True
    labels: list[str] = [m.group(1).strip() for m in _BRACKET_RE.finditer(text)]
    for leaf in member.find_all(True):
        if leaf is primary or leaf.find(True) is not None or primary in leaf.parents:
            continue
        value = clean_text(leaf)
        if value.startswith(("分类", "类别", "类型", "栏目")):
            value = re.sub(r"^(分类|类别|类型|栏目)\s*[:：]?\s*", "", value)
        value = value.strip("[]【】 ")
        if (
            1 < len(value) <= 10
            and not parse_date(value)
            and not _COUNTER_RE.search(value)
            and value not in _ORIGINAL + _REPOST
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
        block=clean_text(member),
        date=parse_date(text),
        original=original,
        labels=[
            lab
            for lab in labels
            if lab.lower() != (fmt or "") and lab not in _ORIGINAL + _REPOST and "可见" not in lab and "登录" not in lab
        ],
        format=fmt,
        size_bytes=parse_size(text),
        photos=photos,
        visibility=visibility,
    )


def find_records(soup: BeautifulSoup, base: str) -> list[Record]:
    """The records of a listing page, in page order."""
    return [_record(m, base) for m in _best_group(soup, base)]


def label_category(labels: list[str]) -> str | None:
    for label in labels:
        category = category_from_label(label)
        if category:
            return category
    return None
