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
    "in_floating",
    "parse_html",
    "registrable_domain",
]

# Page chrome: navigation, headers, footers, pagers. Records and modules are never here.
CHROME_TOKENS = ("nav", "menu", "topbar", "footer", "foot", "breadcrumb", "pager", "pagination", "pages")
# Layers floating over the page (a notice dialog, a customer-service bar, an app's QR code)
# are the platform's: never a module, a record or a link of the teacher's. Style sheets are
# not fetched, so a layer is known from the markup: pinned by an inline style or by a rule
# of the page's own <style> (position: fixed), a dialog (<dialog>, an ARIA dialog role,
# aria-modal), or the class words web frameworks give such layers. Not "overlay" or
# "layer" alone: a thumbnail's caption and a layout's wrapper are named so as well.
OVERLAY_TOKENS = ("modal", "dialog", "popup", "popover", "lightbox", "toast", "layui-layer")
_FIXED_MARK = "data-spacebot-fixed"  # set by parse_html on what the page's <style> pins
_FIXED = re.compile(r"position\s*:\s*fixed", re.IGNORECASE)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_SPACE_RE = re.compile(r"\s+")
# Icon fonts draw their glyphs from Unicode's private use area: a picture, never text.
_ICON_GLYPHS = re.compile("[\ue000-\uf8ff]")
_TOKEN_SPLIT = re.compile(r"[^a-z0-9\u4e00-\u9fff]+")


def parse_html(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    dropped = soup(["script", "style", "noscript", "template"])
    _mark_pinned(soup, [tag.get_text() for tag in dropped if tag.name == "style"])
    for tag in dropped:
        tag.extract()
    return soup


def _mark_pinned(soup: BeautifulSoup, sheets: list[str]) -> None:
    """Mark the elements a rule of the page's own style sheets pins to the window
    (position: fixed), before the sheets are dropped."""
    for text in sheets:
        if "fixed" not in text.lower():
            continue
        for selectors, declarations in _CSS_RULE.findall(_CSS_COMMENT.sub("", text)):
            if not _FIXED.search(declarations):
                continue
            for selector in selectors.split(","):
                selector = selector.strip()
                if not selector or ":" in selector or selector.startswith("@"):
                    continue  # pseudo-classes and -elements pin no element of their own
                try:
                    found = soup.select(selector)
                except Exception:  # a selector soupsieve does not know (vendor hacks): not ours
                    continue
                for element in found:
                    if element.name not in ("html", "body"):
                        element[_FIXED_MARK] = ""


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


def _pinned(tag: Tag) -> bool:
    """A dialog, or an element pinned to the window (inline or by the page's <style>)."""
    if tag.name == "dialog" or tag.get(_FIXED_MARK) is not None or _FIXED.search(attr(tag, "style") or ""):
        return True
    role = (attr(tag, "role") or "").lower()
    return role in ("dialog", "alertdialog") or (attr(tag, "aria-modal") or "").lower() == "true"


def _is_floating(tag: Tag) -> bool:
    return _pinned(tag) or any(token in OVERLAY_TOKENS for token in attr_tokens(tag))


def _is_chrome(tag: Tag) -> bool:
    if tag.name in ("nav", "footer") or _pinned(tag):
        return True
    for token in attr_tokens(tag):
        if token in CHROME_TOKENS or token in OVERLAY_TOKENS:
            return True
        if token.endswith(("nav", "menu", "footer", "pager", "pagination")):
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


def in_floating(tag: Tag) -> bool:
    """True when the tag sits in a layer floating over the page (see ``OVERLAY_TOKENS``)."""
    node: Tag | None = tag
    while node is not None and node.name not in ("body", "[document]"):
        if _is_floating(node):
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
