"""Find the module boxes of a space's home page from their titles, on any platform.

A module is a box whose first thing is a short title (a heading, or any short text that
comes first in an element with content after it) followed by content; the box is the
largest ancestor of that title that holds no other module title. Class names play no
part in finding titles. Whether it is builtin or custom comes from the
markup first (``mod-custom``, ``data-custom``, ``diy`` …), then from the platform's own
kind words in class/id/data-*, then from the title words; a title no builtin kind
claims is a custom module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from .dom import absolute, attr, clean_text, in_chrome
from .vocab import (
    BUILTIN_DECLARATIONS,
    BUILTIN_MODULE_WORDS,
    CUSTOM_MARKERS,
    EXACT_MODULE_WORDS,
    MARKUP_KINDS,
    MORE_WORDS,
    parse_date,
)

__all__ = ["ModuleBox", "find_modules"]

_COUNT_RE = re.compile(
    r"^(?P<name>.*?)[\s·:：\-]*[（(\[【]?\s*(?:共|共有)?\s*(?P<n>\d+)\s*(?:篇|个|张|条|项|份)?\s*[)）\]】]?\s*(?:篇|个|张|条|项|份)?$"
)
_BARE_COUNT = re.compile(r"^[（(\[【]?\s*(?:共|共有)?\s*(\d+)\s*(?:篇|个|张|条|项|份)?\s*[)）\]】]?$")
_MAX_TITLE = 12


@dataclass
class ModuleBox:
    name: str
    kind: str  # builtin | custom
    type: str | None  # the builtin kind (articles, resources, albums, profile, …) or None
    url: str | None
    items: int | None
    element: Tag


def _is_more_link(a: Tag) -> bool:
    text = clean_text(a).lower().replace(" ", "")
    if not text:
        return False
    text = text.rstrip(">»›").strip() or text
    return text in MORE_WORDS or text.startswith(("更多", "查看全部", "查看更多", "more"))


def _title_text(title: Tag) -> str:
    parts = []
    for piece in title.find_all(string=True):
        parent = piece.parent
        if parent is not None and parent.name == "a" and _is_more_link(parent):
            continue
        parts.append(str(piece))
    return clean_text(" ".join(parts))


_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_TITLE_TAGS = (*_HEADINGS, "div", "span", "p", "header", "strong", "b", "em", "dt", "legend", "caption", "label", "i")
_BLOCKS = ("h1", "div", "p", "ul", "ol", "table", "dl", "img", "li", "section", "article", "form", "iframe", "video")
_NOT_BOXED = ("li", "tr", "td", "th", "dd", "a", "button", "label", "option", "figcaption")
_LABEL_VALUE = re.compile(r"[:：|｜]")
_GREETING = re.compile(r"^(欢迎|welcome)|的(个人)?(空间|主页|博客|工作室|网络学习空间|教学空间)$", re.IGNORECASE)
# Profile field labels (姓名, 学校 …) head a value, not a box.
_FIELD_LABELS = {
    *("姓名", "教师姓名", "学校", "所在学校", "单位", "学科", "任教学科", "班级", "任教班级", "职称", "邮箱", "电话"),
}


def _has_content(tag: Tag) -> bool:
    """Something a visitor sees besides a 更多 link: text, a picture, a player, a link."""
    if tag.name in ("img", "video", "iframe", "embed", "object"):
        return True
    if tag.find(["img", "video", "iframe", "embed", "object"]) is not None:
        return True
    return any(not _is_more_link(a) for a in _links(tag)) or bool(_title_text(tag))


def _links(tag: Tag) -> list[Tag]:
    return [tag] if tag.name == "a" else tag.find_all("a")


def _same_shape(a: Tag, b: Tag) -> bool:
    """Two elements of one tag with the same children's tags (two lines of a list)."""
    return a.name == b.name and [c.name for c in a.find_all(True)] == [c.name for c in b.find_all(True)]


def _lead_box(tag: Tag) -> Tag | None:
    """The ancestor the tag heads: the tag comes first in it (nothing with text or a
    picture before it on the way up) and it has content after the tag. None if none."""
    node = tag
    while node.parent is not None and node.parent.name not in ("body", "[document]", "html"):
        siblings = node.parent.find_all(True, recursive=False)
        index = next(i for i, sibling in enumerate(siblings) if sibling is node)
        if any(_has_content(before) for before in siblings[:index]):
            return None
        following = siblings[index + 1 :]
        if node is tag and following and _same_shape(tag, following[0]):
            return None  # the first of a run of like lines is an item, not a title
        if any(_has_content(after) for after in following):
            return node.parent
        if any(_is_more_link(a) for after in following for a in _links(after)):
            return node.parent  # an empty box still has its 更多 link
        node = node.parent
    return None


def _is_title(tag: Tag) -> bool:
    """A module title: short text first in a box with content under it. Headings count
    as they are; other elements by their place, not their class names."""
    if tag.name not in _TITLE_TAGS or tag.find_parent(_NOT_BOXED) is not None:
        return False
    if tag.name not in _HEADINGS and tag.find(_BLOCKS) is not None:
        return False
    text = _title_text(tag)
    name = _COUNT_RE.sub(r"\g<name>", text).strip() if _COUNT_RE.match(text) else text
    if not (2 <= len(name) <= _MAX_TITLE) or name.isdigit() or parse_date(text):
        return False
    if _LABEL_VALUE.search(text) or _GREETING.search(name) or name in _FIELD_LABELS:
        return False
    if text.endswith(("。", "！", "？", "…", ".", "!", "?")):  # a sentence, not a title
        return False
    # An item title (a link to a detail page) is not a module title; a heading may link
    # to its own listing.
    links = [a for a in tag.find_all("a") if not _is_more_link(a)]
    if links and not (tag.name in _HEADINGS and len(links) == 1 and clean_text(links[0]) == text):
        return False
    return _lead_box(tag) is not None


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9\u4e00-\u9fff]+")
_FALSE = ("false", "0", "no", "off", "n")


def _words(value: str) -> list[str]:
    """Lower-case words of an attribute name or value, split at separators and case changes."""
    return [w.lower() for w in _WORD_SPLIT.split(_CAMEL.sub(" ", value)) if w]


def _is_custom_marker(value: str) -> bool:
    low = value.lower()
    if any(m in low for m in CUSTOM_MARKERS if len(m) > 3):
        return True
    # Short markers (diy, zdy) only at a word's edge: "mod-diy", "diyBox", not inside a word.
    return any(w.startswith(m) or w.endswith(m) for w in _words(value) for m in CUSTOM_MARKERS if len(m) <= 3)


def _declared(box: Tag) -> tuple[str | None, str | None]:
    """What the markup says: ("custom" | "builtin" | None, the kind its words name or None).

    Looked for on the box and its header (its first few elements): class and id words,
    data-* names and values (``data-custom="true"``, ``data-type="diy"``, ``data-sys="system"``).
    """
    declared: str | None = None
    kind: str | None = None
    for node in [box, *box.find_all(True, limit=3)]:
        for name, raw in node.attrs.items():
            if name not in ("class", "id") and not name.startswith("data-"):
                continue
            values = [str(v) for v in raw] if isinstance(raw, list) else [str(raw)]
            data_name = name[5:] if name.startswith("data-") else ""
            if data_name and _is_custom_marker(data_name):
                declared = "builtin" if values[0].strip().lower() in _FALSE else "custom"
            for value in values:
                if _is_custom_marker(value):
                    declared = "custom"
                elif data_name and value.strip().lower() in BUILTIN_DECLARATIONS and declared is None:
                    declared = "builtin"
                if kind is None and node is box:
                    words = set(_words(value)) | set(_words(data_name))
                    kind = next((k for k, ws in MARKUP_KINDS.items() if words & set(ws)), None)
        if declared == "custom":
            break
    return declared, kind


def _title_kind(name: str) -> str | None:
    """The builtin kind a module title names (教学随笔 is articles), or None."""
    for kind, words in {**BUILTIN_MODULE_WORDS, **EXACT_MODULE_WORDS}.items():
        if name in words:
            return kind
    for kind, words in BUILTIN_MODULE_WORDS.items():
        if any(len(w) >= 2 and w in name for w in words):
            return kind
    return None


def _classify(box: Tag, name: str) -> tuple[str, str | None]:
    """builtin or custom, and the builtin kind: the markup's declaration first, then the
    title's words, then the markup's kind words; a title no builtin kind claims is custom."""
    declared, markup_kind = _declared(box)
    if declared == "custom":
        return "custom", None
    kind = _title_kind(name)
    if kind is not None:
        return "builtin", kind
    if declared == "builtin" or markup_kind is not None:
        return "builtin", markup_kind
    return "custom", None


def find_modules(soup: BeautifulSoup, base_url: str) -> list[ModuleBox]:
    """The modules of a home page, in page order."""
    body = soup.body or soup
    titles = _nested_titles_dropped([t for t in body.find_all(True) if _is_title(t) and not in_chrome(t)])
    title_ids = {id(t) for t in titles}
    boxes: list[ModuleBox] = []
    claimed: set[int] = set()
    for title in titles:
        if id(title) in claimed:
            continue
        box: Tag = title
        node = title.parent
        while node is not None and node.name not in ("body", "[document]", "main"):
            others = [t for t in node.find_all(True) if id(t) in title_ids and t is not title and not _inside(t, title)]
            if others:
                break
            box = node
            node = node.parent
        if box is title or len(clean_text(box)) <= len(clean_text(title)) and not box.find(["img", "a", "video"]):
            if box is title:
                continue
        for inner in box.find_all(True):
            if id(inner) in title_ids:
                claimed.add(id(inner))
        text = _title_text(title)
        match = _COUNT_RE.match(text)
        name, items = text, None
        if match and match.group("name").strip():
            name, items = match.group("name").strip(), int(match.group("n"))
        else:  # the count beside the title: <b>相册</b> <span>共5个</span>
            beside = title.find_next_sibling()
            count = _BARE_COUNT.match(clean_text(beside)) if beside is not None else None
            items = int(count.group(1)) if count else None
        kind, type_ = _classify(box, name)
        more = next((a for a in box.find_all("a") if _is_more_link(a)), None)
        boxes.append(
            ModuleBox(
                name=name,
                kind=kind,
                type=type_,
                items=items,
                url=absolute(base_url, attr(more, "href") if more else None),
                element=box,
            )
        )
    return boxes


def _nested_titles_dropped(titles: list[Tag]) -> list[Tag]:
    """A title with two or more titles in the box it heads is a section heading over
    modules (dropped); one deeper title inside a box is a line of that box (the name in
    a profile card), not a module of its own."""
    depth = {id(t): len(list(t.parents)) for t in titles}
    dropped: set[int] = set()
    for title in titles:
        box = _lead_box(title)
        if box is None:
            continue
        inner = [t for t in titles if t is not title and _inside(t, box) and not _inside(t, title)]
        if len(inner) >= 2:
            dropped.add(id(title))
        elif len(inner) == 1 and depth[id(inner[0])] > depth[id(title)]:
            dropped.add(id(inner[0]))
    return [t for t in titles if id(t) not in dropped]


def _inside(tag: Tag, ancestor: Tag) -> bool:
    return any(p is ancestor for p in tag.parents)
