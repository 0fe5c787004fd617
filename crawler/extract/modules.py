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

from .dom import absolute, attr, attr_tokens, clean_text, in_chrome
from .vocab import (
    BUILTIN_DECLARATIONS,
    BUILTIN_MODULE_WORDS,
    CUSTOM_MARKERS,
    EXACT_MODULE_WORDS,
    MARKUP_KINDS,
    MORE_WORDS,
)

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
