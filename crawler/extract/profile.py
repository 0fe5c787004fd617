"""The teacher's profile from label/value pairs (姓名：…, 学校 …) and image roles."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from ..model import Profile
from .dom import absolute, attr, attr_tokens, clean_text, in_chrome

__all__ = ["extract_profile", "name_from_heading"]

# Longest labels first so 任教学科 is a subject, not classes.
_LABELS: tuple[tuple[str, str], ...] = (
    ("任教学科", "subject"),
    ("教授学科", "subject"),
    ("所教学科", "subject"),
    ("学科", "subject"),
    ("任教班级", "classes"),
    ("所带班级", "classes"),
    ("班级", "classes"),
    ("任教", "classes"),
    ("教师姓名", "name"),
    ("真实姓名", "name"),
    ("姓名", "name"),
    ("所在学校", "school"),
    ("工作单位", "school"),
    ("任职学校", "school"),
    ("学校", "school"),
    ("单位", "school"),
    ("电子邮箱", "contact"),
    ("联系电话", "contact"),
    ("联系方式", "contact"),
    ("邮箱", "contact"),
    ("电话", "contact"),
    ("手机", "contact"),
    ("email", "contact"),
    ("e-mail", "contact"),
    ("qq", "contact"),
)
_LABEL_RE = re.compile(
    r"^\s*(" + "|".join(re.escape(label) for label, _ in _LABELS) + r")\s*[：:]?\s*(.*)$", re.IGNORECASE
)
_OWNER_RE = re.compile(
    r"^\s*([\u4e00-\u9fa5·]{2,8}?)(?:老师)?的(?:个人)?(?:空间|主页|博客|工作室|教学空间|网络学习空间)"
)
_CJK_NAME = re.compile(r"^[\u4e00-\u9fa5·]{2,5}$")
_SPLIT = re.compile(r"[、，,；;\s/]+")
_URL_IN_CSS = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
_AVATAR = (
    "avatar",
    "head-pic",
    "headpic",
    "headimg",
    "head-img",
    "userpic",
    "user-pic",
    "portrait",
    "face",
    "touxiang",
)
_BANNER = ("banner", "header", "head", "top", "cover", "hero", "sp-head")
_BG = ("bg", "background", "canvas", "skin", "wrap", "wrapper", "container", "page", "main")


def _value_after(tag: Tag, inline: str) -> str:
    if inline:
        return inline
    sibling = tag.find_next_sibling()
    return clean_text(sibling) if sibling is not None else ""


def _pairs(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all(["dt", "th", "label", "span", "td", "p", "li", "div", "b", "strong", "em"]):
        if tag.find(["div", "p", "li", "dl", "table", "ul"]) is not None or in_chrome(tag):
            continue
        text = clean_text(tag)
        if len(text) > 60:
            continue
        match = _LABEL_RE.match(text)
        if not match:
            continue
        label = match.group(1).lower()
        field = next(f for lab, f in _LABELS if lab.lower() == label)
        inline = match.group(2).strip()
        if label in ("任教", "班级") and inline and not re.search(r"[班级年]", inline):
            continue
        value = _value_after(tag, inline)
        if value and len(value) <= 80 and field not in found:
            found[field] = value
    return found


def name_from_heading(soup: BeautifulSoup) -> str | None:
    """The owner's name from "X的个人空间"-style headings or the page title."""
    candidates = [
        clean_text(t) for t in soup.find_all(["h1", "h2", "span", "div", "a"], limit=400) if len(clean_text(t)) <= 20
    ]
    if soup.title:
        candidates.insert(0, clean_text(soup.title))
    for text in candidates:
        match = _OWNER_RE.match(text)
        if match:
            return match.group(1)
    return None


def _image(soup: BeautifulSoup, base: str, words: tuple[str, ...], exclude: set[str]) -> str | None:
    for img in soup.find_all("img"):
        src = absolute(base, attr(img, "src") or attr(img, "data-src"))
        if not src or src in exclude or "default" in src.lower():
            continue
        tokens = attr_tokens(img, ("class", "id", "alt"))
        node = img.parent
        for _ in range(2):
            if node is None:
                break
            tokens += attr_tokens(node)
            node = node.parent
        if any(any(w in t for w in words) for t in tokens) or (words is _AVATAR and img.get("alt") == "头像"):
            return src
    return None


def _style_url(style: str | None) -> str | None:
    if not style or "background" not in style:
        return None
    match = _URL_IN_CSS.search(style)
    return match.group(1) if match else None


def _background(soup: BeautifulSoup, raw_styles: list[str], base: str) -> str | None:
    for tag in [soup.body, *soup.find_all(True, style=True)]:
        if tag is None:
            continue
        url = _style_url(attr(tag, "style"))
        if url and (tag.name in ("body", "html") or any(any(w in t for w in _BG) for t in attr_tokens(tag))):
            return absolute(base, url)
    for css in raw_styles:
        for selector, block in re.findall(r"([^{}]+)\{([^}]*)\}", css):
            sel = selector.strip().lower()
            if re.search(r"(^|[\s,])(html|body)\b", sel) or any(w in sel for w in ("bg", "skin", "wrap")):
                url = _style_url(block)
                if url:
                    return absolute(base, url)
    return None


def extract_profile(soup: BeautifulSoup, raw_styles: list[str], base: str) -> Profile:
    """Everything the public home page shows about the teacher."""
    pairs = _pairs(soup)
    name = pairs.get("name") or name_from_heading(soup)
    if not name:
        for tag in soup.find_all(["h1", "h2"]):
            text = clean_text(tag)
            if _CJK_NAME.match(text):
                name = text
                break
    avatar = _image(soup, base, _AVATAR, set())
    header = _image(soup, base, _BANNER, {avatar} if avatar else set())
    if header is None:
        for tag in soup.find_all(True, style=True):
            url = _style_url(attr(tag, "style"))
            if url and any(any(w in t for w in _BANNER) for t in attr_tokens(tag)):
                header = absolute(base, url)
                break
    classes = tuple(c for c in _SPLIT.split(pairs.get("classes", "")) if c)
    return Profile(
        name=name or None,
        avatar=avatar,
        school=pairs.get("school"),
        subject=pairs.get("subject"),
        classes=classes,
        contact=pairs.get("contact"),
        header_image=header,
        background=_background(soup, raw_styles, base),
    )
