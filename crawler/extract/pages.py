"""Page-level facts: whether a page needs the browser, pagination and declared totals,
and the videos a page plays."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from bs4 import BeautifulSoup

from ..model import DeclaredVideo
from .dom import absolute, attr, clean_text, host_of, url_path
from .vocab import NEXT_WORDS, VIDEO_EXTENSIONS, category_from_label, parse_size

__all__ = [
    "category_tabs",
    "in_app_entry",
    "find_declared_video",
    "find_video_urls",
    "needs_browser",
    "pagination_links",
    "script_page_url",
    "declared_total",
    "stated_counts",
    "total_pages",
]

_DYNAMIC_JS = (
    "XMLHttpRequest",
    "fetch(",
    "$.ajax",
    "$.get",
    "$.post",
    ".load(",
    "axios",
    "$.getJSON",
    "createApp",
    "ReactDOM",
    "new Vue",
    "innerHTML",
)
_LIBRARY_JS = re.compile(
    r"(jquery|bootstrap|layer|swiper|html5shiv|respond|analytics|hm\.baidu|cnzz|gtag|"
    r"ckplayer|video\.js|videojs|flowplayer)",
    re.IGNORECASE,
)
# "共 5 页", "第 1/5 页", "1/5 页"; a bare "1/5" only beside a pager word (dates are "2022/4/1").
_PAGES_RE = re.compile(r"共\s*(\d+)\s*页|(?<![\d/.\-])\d{1,4}\s*/\s*(\d{1,4})\s*页")
_BARE_PAGES_RE = re.compile(r"(?<![\d/.\-:])(\d{1,4})\s*/\s*(\d{1,4})(?![\d/.\-:])")
_PAGER_WORDS = ("上一页", "下一页", "首页", "尾页", "末页", "上页", "下页", "跳转", "前一页", "后一页")
_EXT_ALT = "|".join(VIDEO_EXTENSIONS)
# A quoted (or bracketed) absolute, protocol-relative or root-relative URL of a video file.
_VIDEO_IN_TEXT = re.compile(
    r"""["'(=\s](?P<url>(?:(?:https?:)?//|/)[^"'\s()<>]+?\.(?:""" + _EXT_ALT + r""")(?:\?[^"'\s()<>]*)?)["')\s]""",
    re.IGNORECASE,
)


def needs_browser(html: str) -> bool:
    """True when the page's content is (or may be) filled by scripts after load."""
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.IGNORECASE | re.DOTALL)
    for attrs, body in scripts:
        src = re.search(r"""src\s*=\s*["']?([^"'\s>]+)""", attrs)
        if src and not _LIBRARY_JS.search(src.group(1)):
            return True
        if any(marker in body for marker in _DYNAMIC_JS):
            return True
    return False


def total_pages(soup: BeautifulSoup) -> int | None:
    """The page count a listing's pager states, or None."""
    text = clean_text(soup.body or soup)
    match = _PAGES_RE.search(text)
    if match:
        return int(match.group(1) or match.group(2))
    for bare in _BARE_PAGES_RE.finditer(text):
        near = text[max(0, bare.start() - 12) : bare.end() + 12]
        current, last = int(bare.group(1)), int(bare.group(2))
        if 1 <= current <= last and any(w in near for w in _PAGER_WORDS):
            return last
    return None


_TOTAL_RE = re.compile(
    r"(?:共|共有|总共|合计|总数[:：]?)\s*(\d+)\s*(?:条|篇|个|项|份|本|部|件)(?:记录|资源|文章|日志|相册|作品|内容)?"
)


_STAT_RE = re.compile(
    r"^\s*(资源|文章|日志|博文|随笔|相册|照片|图片)(?:数|总数|数量)?\s*[:：]\s*(\d+)\s*(?:个|篇|张|条|本)?\s*$"
)
_STAT_KINDS = {"资源": "resources", "文章": "articles", "日志": "articles", "博文": "articles", "随笔": "articles"}
_STAT_KINDS.update({"相册": "albums", "照片": "photos", "图片": "photos"})


def stated_counts(soup: BeautifulSoup) -> dict[str, tuple[int, str]]:
    """Counts a space states as "资源：34", "文章：26" (a statistics box), by collection."""
    found: dict[str, tuple[int, str]] = {}
    for tag in soup.find_all(["p", "li", "span", "div", "dd", "td", "em", "b"]):
        if tag.find(["p", "li", "div", "table", "ul"]) is not None:
            continue
        match = _STAT_RE.match(clean_text(tag))
        if match:
            found.setdefault(_STAT_KINDS[match.group(1)], (int(match.group(2)), clean_text(tag)))
    return found


def declared_total(text: str) -> int | None:
    """The item count a listing states about itself ("共 87 条", "共有 12 篇"), or None.

    Pass the page's text without its records: an album's "共 12 张" is that album's own.
    """
    match = _TOTAL_RE.search(text)
    return int(match.group(1)) if match else None


# javascript:goPage(3), javascript:void(0);goPage('3')
_JS_CALL = re.compile(
    r"""^\s*javascript\s*:\s*(?:void\s*\(?0?\)?\s*;?\s*)?([A-Za-z_$][\w$.]*)\s*\(\s*['"]?(\d+)['"]?\s*\)"""
)
_JS_TERM = r"""(?:'[^'\n]*'|"[^"\n]*"|[A-Za-z_$][\w$]*)"""
_JS_STRING_EXPR = rf"(?:{_JS_TERM}\s*\+\s*)*{_JS_TERM}"
_JS_NAVIGATE = re.compile(
    r"(?:location(?:\.href)?\s*=|location\.(?:replace|assign)\s*\(|window\.open\s*\(|\burl\s*=)\s*"
    + f"({_JS_STRING_EXPR})"
)


def _script_text(raw_html: str) -> str:
    return "\n".join(re.findall(r"<script\b[^>]*>(.*?)</script>", raw_html, re.IGNORECASE | re.DOTALL))


def script_page_url(raw_html: str, base: str, function: str, argument: str) -> str | None:
    """The address a pager function such as ``goPage(3)`` opens: the string expression its
    body sends the browser to (``location.href = 'list.php?p=' + n``), with the argument put in."""
    scripts = _script_text(raw_html)
    name = re.escape(function.rsplit(".", 1)[-1])
    definition = re.search(
        rf"(?:function\s+{name}\s*\(|{name}\s*[=:]\s*function\s*\()\s*([A-Za-z_$][\w$]*)?[^)]*\)\s*\{{(.*?)\}}",
        scripts,
        re.DOTALL,
    )
    if definition is None or definition.group(1) is None:
        return None
    param, body = definition.group(1), definition.group(2)
    navigate = _JS_NAVIGATE.search(body)
    if navigate is None:
        return None
    parts = re.findall(r"'([^'\n]*)'|\"([^\"\n]*)\"|([A-Za-z_$][\w$]*)", navigate.group(1))
    built = []
    for single, double, variable in parts:
        if variable:
            if variable != param:
                return None  # a value the page computes elsewhere: not known here
            built.append(argument)
        else:
            built.append(single or double)
    return absolute(base, "".join(built))


def pagination_links(soup: BeautifulSoup, base: str, raw_html: str = "") -> list[str]:
    """Links to further pages of the same listing (下一页, page numbers), also where a
    pager's links call a script (``javascript:goPage(3)``) that builds the address."""
    out: list[str] = []
    base_host = host_of(base)
    for a in soup.find_all("a"):
        text = clean_text(a).lower()
        if not (text in NEXT_WORDS or text.isdigit() or text in ("尾页", "末页", "最后一页", "last")):
            continue
        href = attr(a, "href") or ""
        call = _JS_CALL.match(href) or _JS_CALL.match(attr(a, "onclick") or "")
        url = script_page_url(raw_html, base, call.group(1), call.group(2)) if call and raw_html else None
        url = url or absolute(base, href)
        if url and host_of(url) == base_host and url != base and url not in out:
            out.append(url)
    return out


_COUNT_TAIL = re.compile(r"[\s(（\[【]*(?:共)?\d+[)）\]】]?\s*(?:篇|个|张|条|项|份)?$")


def in_app_entry(soup: BeautifulSoup, labels: Iterable[str]) -> bool:
    """True when the page has an entry named by one of the labels that opens in the app:
    a link without an address (``#``, ``javascript:``, none) or an element with a handler
    or a data attribute; a plain heading is not an entry."""
    wanted = set(labels)
    for tag in soup.find_all(["a", "button", "li", "span", "div", "p", "em", "b"]):
        text = _COUNT_TAIL.sub("", clean_text(tag)).rstrip(">»› ")
        if text not in wanted:
            continue
        href = (attr(tag, "href") or "").strip()
        if tag.name == "a" and (not href or href.startswith(("#", "javascript"))):
            return True
        if tag.name == "button" or attr(tag, "onclick") or attr(tag, "role") == "tab":
            return True
        if any(name.startswith("data-") for name in tag.attrs):
            return True
    return False


def category_tabs(
    soup: BeautifulSoup, base: str, items: Collection[str] = ()
) -> tuple[str | None, list[tuple[str, str]]]:
    """A listing's category tabs (课件 | 教案 | 微课 …): the label of the tab shown, and the
    other tabs' labels and addresses. Tabs are two or more sibling links each named by a
    category; the shown one is often plain text among them. A link to one of the listing's
    ``items`` is not a tab, however short its title (《春》课件)."""
    base_host = host_of(base)
    for parent in soup.find_all(True):
        children = parent.find_all(True, recursive=False)
        if len(children) < 2 or len(children) > 30:
            continue
        links: list[tuple[str, str]] = []
        current: str | None = None
        for child in children:
            label = clean_text(child)
            if not label or len(label) > 8 or category_from_label(label) is None:
                continue
            anchor = child if child.name == "a" else child.find("a")
            url = absolute(base, attr(anchor, "href")) if anchor is not None else None
            if url and url in items:
                continue
            if url and host_of(url) == base_host:
                links.append((label, url))
            elif anchor is None:
                current = label
        if len(links) >= 2:
            return current, links
    return None, []


# A video address inside an attribute's query-like value (flashvars="file=/v/1.mp4&autostart=0").
_VIDEO_IN_ATTRIBUTE = re.compile(
    r"(?:^|[=&?\s])(?P<url>(?:https?://|/)[^\s\"'&<>]+?\.(?:" + _EXT_ALT + r")(?:\?[^\s\"'&<>]*)?)(?=$|[&\s])",
    re.IGNORECASE,
)


def find_video_urls(soup: BeautifulSoup, raw_html: str, base: str, extra_text: str = "") -> list[str]:
    """Video files the page plays: <video>/<source>, data attributes, player configs in
    scripts and API answers. Plain links to video files count only when the page plays
    nothing, since a player page's "下载" link is usually the same video again."""
    found: list[str] = []

    def add(value: str | None) -> None:
        url = absolute(base, value)
        if url and url not in found:
            found.append(url)

    exts = tuple("." + e for e in VIDEO_EXTENSIONS)
    for tag in soup.find_all(["video", "source"]):
        add(attr(tag, "src") or attr(tag, "data-src"))
    for tag in soup.find_all(True):
        if tag.name == "a":
            continue
        for value in tag.attrs.values():  # data-src, a Flash player's flashvars="file=…&…", <param value>
            if not isinstance(value, str):
                continue
            if url_path(value).lower().endswith(exts):
                add(value)
            elif "=" in value:
                for match in _VIDEO_IN_ATTRIBUTE.finditer(value):
                    add(match.group("url"))
    scripts = "\n".join(re.findall(r"<script\b[^>]*>(.*?)</script>", raw_html, re.IGNORECASE | re.DOTALL))
    for match in _VIDEO_IN_TEXT.finditer(scripts + "\n" + extra_text):
        url = match.group("url")
        add("http:" + url if url.startswith("//") else url)
    if not found:
        for a in soup.find_all("a"):
            href = attr(a, "href")
            if isinstance(href, str) and url_path(href).lower().endswith(exts):
                add(href)
    return found


_DECLARED_DURATION = re.compile(r"(?:时长|时间长度|播放时长)\s*[:：]?\s*(?:(\d{1,2}):)?(\d{1,3}):(\d{2})")
_DECLARED_MINUTES = re.compile(r"(?:时长|播放时长)\s*[:：]?\s*(\d+(?:\.\d+)?)\s*(分钟|分|秒)")
_DECLARED_RESOLUTION = re.compile(r"(?:分辨率|清晰度|画面尺寸)\s*[:：]?\s*(\d{3,4})\s*[x×*Xx]\s*(\d{3,4})")
_DECLARED_SIZE = re.compile(
    r"(?:大小|文件大小|视频大小)\s*[:：]?\s*(\d+(?:\.\d+)?\s*(?:GB|MB|KB|G|M|K))", re.IGNORECASE
)


def find_declared_video(soup: BeautifulSoup) -> DeclaredVideo | None:
    """时长 / 分辨率 / 大小 as the page states them, if it states any."""
    text = clean_text(soup.body or soup)
    duration = None
    match = _DECLARED_DURATION.search(text)
    if match:
        hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
        duration = float(hours * 3600 + minutes * 60 + seconds)
    else:
        match = _DECLARED_MINUTES.search(text)
        if match:
            duration = float(match.group(1)) * (1 if match.group(2) == "秒" else 60)
    resolution = _DECLARED_RESOLUTION.search(text)
    size = _DECLARED_SIZE.search(text)
    declared = DeclaredVideo(
        duration_s=duration,
        width=int(resolution.group(1)) if resolution else None,
        height=int(resolution.group(2)) if resolution else None,
        size_bytes=parse_size(size.group(1)) if size else None,
    )
    return declared if declared != DeclaredVideo() else None
