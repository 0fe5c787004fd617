"""Small DOM helpers shared by the extractors (BeautifulSoup, html.parser)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

__all__ = [
    "CHROME_TOKENS",
    "absolute",
    "attr",
    "url_path",
    "attr_tokens",
    "clean_text",
    "host_of",
    "in_chrome",
    "in_platform_part",
    "parse_html",
    "registrable_domain",
]

# Page chrome: navigation, headers, footers, pagers. Records and modules are never here.
CHROME_TOKENS = ("nav", "menu", "topbar", "footer", "foot", "breadcrumb", "pager", "pagination", "pages")
# Layers floating over the page (a notice dialog, a customer-service bar, an app's QR code)
# are the platform's: never a module, a record or a link of the teacher's. Style sheets are
# not fetched, so a layer is known from the markup: pinned by an inline style or by a rule
# of the page's own <style> (position: fixed, not only on small screens), a dialog
# (<dialog>, an ARIA dialog role, aria-modal), or a class web frameworks give a dialog
# (whole class names: popup-gallery or overlay are a gallery's and a caption's). And it is
# small (a few lines, at most one heading, a few links): a fixed column of the layout, or a
# wrapper that scrolls the page, holds the content.
OVERLAY_CLASSES = frozenset(
    ("modal", "modal-dialog", "modal-content", "dialog", "popup", "popover", "toast", "layui-layer", "el-dialog")
    + ("el-dialog__wrapper", "ui-dialog", "ant-modal", "van-popup", "weui-dialog")
)
_LAYER_MAX = 300  # characters of text: a notice, a few service lines
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_LAYER_MARK = "data-spacebot-layer"  # set by parse_html on the page's floating layers
_FIXED = re.compile(r"position\s*:\s*fixed", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_BRACES = re.compile(r"[{}]")
_SPACE_RE = re.compile(r"\s+")
# Icon fonts draw their glyphs from Unicode's private use area: a picture, never text.
_ICON_GLYPHS = re.compile("[\ue000-\uf8ff]")
_TOKEN_SPLIT = re.compile(r"[^a-z0-9\u4e00-\u9fff]+")


def parse_html(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    dropped = soup(["script", "style", "noscript", "template"])
    pinned = _pinned_by_sheets(soup, [tag.get_text() for tag in dropped if tag.name == "style"])
    for tag in dropped:
        tag.extract()
    _mark_layers(soup, pinned)
    _mark_footers(soup)
    return soup


def _sheet_rules(text: str) -> list[tuple[str, str]]:
    """(selectors, declarations) of a style sheet's top-level rules, read brace by brace (no
    regular expression to backtrack over a sheet without braces); rules inside @media,
    @supports … are left out: they hold only on some screens."""
    text = _CSS_COMMENT.sub("", text)
    rules: list[tuple[str, str]] = []
    depth, start, opened = 0, 0, 0
    for brace in _BRACES.finditer(text):
        at = brace.start()
        if brace.group() == "{":
            if depth == 0:
                opened = at
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                selectors = text[start:opened]
                if not selectors.lstrip().startswith("@"):
                    rules.append((selectors, text[opened + 1 : at]))
                start = at + 1
        else:  # a stray closing brace
            start = at + 1
    return rules


def _pinned_by_sheets(soup: BeautifulSoup, sheets: list[str]) -> list[Tag]:
    """The elements a top-level rule of the page's own style sheets pins to the window."""
    found: list[Tag] = []
    for text in sheets:
        if "fixed" not in text.lower():
            continue
        for selectors, declarations in _sheet_rules(text):
            if not _FIXED.search(declarations):
                continue
            for selector in selectors.split(","):
                selector = selector.strip()
                if not selector or ":" in selector or selector.startswith("@"):
                    continue  # pseudo-classes and -elements pin no element of their own
                try:
                    found += soup.select(selector)
                except Exception:  # a selector soupsieve does not know (vendor hacks): not ours
                    continue
    return found


def _mark_layers(soup: BeautifulSoup, pinned: list[Tag]) -> None:
    """Mark the small layers floating over the page (see ``OVERLAY_CLASSES``)."""
    candidates = {id(tag): tag for tag in pinned}
    for tag in soup.find_all(True):
        value = tag.get("class")
        classes = value if isinstance(value, list) else str(value or "").split()
        if (
            tag.name == "dialog"
            or _FIXED.search(attr(tag, "style") or "")
            or (attr(tag, "role") or "").lower() in ("dialog", "alertdialog")
            or (attr(tag, "aria-modal") or "").lower() == "true"
            or any(name.lower() in OVERLAY_CLASSES for name in classes)
        ):
            candidates[id(tag)] = tag
    for tag in candidates.values():
        if tag.name in ("html", "body") or len(clean_text(tag)) > _LAYER_MAX:
            continue
        if len(tag.find_all(_HEADINGS, limit=2)) < 2 and len(tag.find_all("a", limit=6)) < 6:
            tag[_LAYER_MARK] = ""


# What a page's footer says: the platform's copyright, its ICP licence, who runs it.
_FOOTER_WORDS = re.compile(r"©|版权所有|copyright|ICP\s*备|技术支持|主办单位|承办单位|运营单位", re.IGNORECASE)
_FOOTER_MAX = 400  # characters: a footer is a few short lines
_FOOTER_ATTR = "data-spacebot-footer"  # set by parse_html on the page's footer
_NOT_FOOTER = ("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "img", "video", "iframe")
_AFTER_FOOTER = 200  # characters of text a footer may still have after it (a floating layer)


def _mark_footers(soup: BeautifulSoup) -> None:
    """Mark the page's footer: a <footer>, and around each footer line at the end of the
    page the largest block of a few such lines (never one that holds a heading, a list or
    a longer text)."""
    lengths: dict[int, int] = {}

    def length(tag: Tag) -> int:  # each element's text measured once
        if id(tag) not in lengths:
            lengths[id(tag)] = len(clean_text(tag))
        return lengths[id(tag)]

    def line(tag: Tag) -> bool:  # a line a footer may hold: naming the platform, or short (客服电话 …)
        if _FOOTER_WORDS.search(clean_text(tag)):
            return True
        return length(tag) <= 60 and tag.name not in _NOT_FOOTER and tag.find(_NOT_FOOTER) is None

    def at_end(tag: Tag) -> bool:  # little text after it, up to the end of the page
        after = 0
        node: Tag | None = tag
        while node is not None and node.name not in ("body", "html", "[document]"):
            for sibling in node.next_siblings:
                after += length(sibling) if isinstance(sibling, Tag) else len(str(sibling).strip())
                if after > _AFTER_FOOTER:
                    return False
            node = node.parent
        return True

    found: set[int] = set()
    for piece in soup.find_all(string=_FOOTER_WORDS):
        block = piece.parent
        if not isinstance(block, Tag) or block.name in ("body", "html", "[document]"):
            continue
        if id(block) in found or any(id(parent) in found for parent in block.parents):
            continue
        while (parent := block.parent) is not None and parent.name not in ("body", "html", "[document]"):
            others = [child for child in parent.find_all(True, recursive=False) if child is not block]
            if length(parent) > _FOOTER_MAX or not all(line(child) for child in others):
                break
            block = parent
        if length(block) <= _FOOTER_MAX and block.find(_NOT_FOOTER[:6]) is None and at_end(block):
            block[_FOOTER_ATTR] = ""
            found.add(id(block))


def clean_text(node: Tag | str | None) -> str:
    if node is None:
        return ""
    text = node if isinstance(node, str) else node.get_text(" ")
    return _SPACE_RE.sub(" ", _ICON_GLYPHS.sub(" ", text)).strip()


def attr_tokens(tag: Tag, names: tuple[str, ...] = ("class", "id")) -> list[str]:
    """Lower-case tokens of a tag's class/id (and given attributes), split at dashes etc."""
    tokens: list[str] = []
    for name in names:
        value = tag.get(name)
        if value is None:
            continue
        values = value if isinstance(value, list) else [str(value)]
        for item in values:
            low = item.lower()
            tokens.append(low)
            tokens.extend(t for t in _TOKEN_SPLIT.split(low) if t)
    return tokens


def data_attr_tokens(tag: Tag) -> list[str]:
    names = tuple(k for k in tag.attrs if k.startswith("data-"))
    tokens = attr_tokens(tag, ("class", "id", *names))
    tokens.extend(n.lower() for n in names)
    tokens.extend(t for n in names for t in _TOKEN_SPLIT.split(n.lower()) if t)
    return tokens


def _is_floating(tag: Tag) -> bool:
    return tag.get(_LAYER_MARK) is not None


def _is_chrome(tag: Tag) -> bool:
    if tag.name in ("nav", "footer") or _is_floating(tag) or tag.get(_FOOTER_ATTR) is not None:
        return True
    for token in attr_tokens(tag):
        if token in CHROME_TOKENS or token.endswith(("nav", "menu", "footer", "pager", "pagination")):
            return True
    return False


def in_chrome(tag: Tag) -> bool:
    """True when the tag sits in navigation, a footer, a pager or a floating layer."""
    node: Tag | None = tag
    while node is not None and node.name not in ("body", "[document]"):
        if _is_chrome(node):
            return True
        node = node.parent
    return False


def in_platform_part(tag: Tag) -> bool:
    """True when the tag sits in a layer floating over the page or in the page's footer:
    the platform's, whatever its links or words."""
    node: Tag | None = tag
    while node is not None and node.name not in ("body", "[document]"):
        if node.name == "footer" or _is_floating(node) or node.get(_FOOTER_ATTR) is not None:
            return True
        node = node.parent
    return False


def attr(tag: Tag, name: str) -> str | None:
    """An attribute as one string (bs4 gives lists for multi-valued ones like class)."""
    value = tag.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else " ".join(value)


def absolute(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        url = urljoin(base, href)
        scheme = urlsplit(url).scheme
    except ValueError:  # malformed (e.g. an unclosed IPv6 bracket) in untrusted markup
        return None
    return url.split("#", 1)[0] if scheme in ("http", "https") else None


def url_path(url: str) -> str:
    """The path of a URL, or "" for a malformed one."""
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


_SECOND_LEVEL = ("com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn")


def registrable_domain(host: str) -> str:
    """``www.wuhaneduyun.cn`` → ``wuhaneduyun.cn``; ``a.b.edu.cn`` → ``b.edu.cn``; IPs as they are."""
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return host
    labels = host.split(".")
    keep = 3 if ".".join(labels[-2:]) in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])
