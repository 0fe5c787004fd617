"""Find the module boxes of a space's home page from their titles, on any platform.

A module is a box whose first thing is a short title (a heading, or an element whose
class says title/hd/head) followed by content; the box is the largest ancestor of that
title that holds no other module title. Whether it is builtin or custom comes from the
markup first (``mod-custom``, ``data-custom``, ``diy`` …), then from the platform's own
kind words in class/id/data-*, then from the title words; a title no builtin kind
claims is a custom module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from .dom import absolute, attr, attr_tokens, clean_text, data_attr_tokens, in_chrome
from .vocab import BUILTIN_MODULE_WORDS, CUSTOM_MARKERS, MARKUP_KINDS, MORE_WORDS

__all__ = ["ModuleBox", "find_modules"]

_TITLE_TOKENS = ("title", "tit", "hd", "head", "header", "caption", "heading", "name")
_COUNT_RE = re.compile(r"^(?P<name>.*?)[\s·:：\-]*[（(\[【]?\s*(?P<n>\d+)\s*[)）\]】]?\s*(篇|个|张|条|项|份)?$")
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


def _is_title(tag: Tag) -> bool:
    if tag.name in ("h2", "h3", "h4", "h5"):
        pass
    elif tag.name in ("div", "span", "p", "header", "strong", "b", "h6", "dt", "legend", "caption"):
        tokens = attr_tokens(tag)
        if not any(t in _TITLE_TOKENS or t.endswith(("title", "-hd", "_hd", "head")) for t in tokens):
            return False
        if any("avatar" in t or "pic" in t or t in ("nm", "username") for t in tokens):
            return False
    else:
        return False
    if tag.find_parent(["li", "tr", "td", "dd", "a", "header"]) is not None:
        return False
    text = _title_text(tag)
    if not text or len(_COUNT_RE.sub(r"\g<name>", text)) > _MAX_TITLE:
        return False
    # An item title (a link to a detail page) is not a module title.
    links = [a for a in tag.find_all("a") if not _is_more_link(a)]
    return not any(len(clean_text(a)) >= max(4, len(text) // 2) for a in links)


def _classify(box: Tag, name: str) -> tuple[str, str | None]:
    node_tokens = data_attr_tokens(box)
    for node in box.find_all(True, limit=3):  # the box's own header may carry the kind
        node_tokens += [t for t in data_attr_tokens(node) if t in CUSTOM_MARKERS]
    if any(any(m in t for m in CUSTOM_MARKERS) for t in node_tokens):
        return "custom", None
    for kind, words in MARKUP_KINDS.items():
        if any(t in words for t in node_tokens):
            return "builtin", kind
    for kind, words in BUILTIN_MODULE_WORDS.items():
        if name in words:
            return "builtin", kind
    for kind, words in BUILTIN_MODULE_WORDS.items():
        if any(len(w) >= 2 and w in name for w in words):
            return "builtin", kind
    return "custom", None


def find_modules(soup: BeautifulSoup, base_url: str) -> list[ModuleBox]:
    """The modules of a home page, in page order."""
    body = soup.body or soup
    titles = [t for t in body.find_all(True) if _is_title(t) and not in_chrome(t)]
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


def _inside(tag: Tag, ancestor: Tag) -> bool:
    return any(p is ancestor for p in tag.parents)
