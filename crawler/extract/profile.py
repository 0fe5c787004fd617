"""The teacher's profile: label/value pairs (姓名：…, 学校 | …, a table, a dl) and the roles
of images by their place and what they say, never by class names.

- avatar: an image whose ``alt`` says 头像 or the teacher's name; else the first image of
  the profile box; else an image beside the teacher's name;
- header image (页头): an image before the first module that is wide (by its size
  attributes) or says so in its ``alt``, or the first such image with no size given that
  is not the avatar; else a block before the first module painted with a background
  image and tall enough to be a banner;
- background: the page's own background (``body``/``html`` style or CSS).
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from ..model import Profile
from .dom import absolute, attr, attr_tokens, clean_text, host_of, in_chrome

__all__ = ["PROFILE_PAGE_WORDS", "extract_profile", "merge_profiles", "name_from_heading", "profile_page_url"]

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
_SEP = r"[：:|｜/·\-—]"
_LABEL_ALT = "|".join(re.escape(label) for label, _ in _LABELS)
# "学校：x", "学校 | x", "学校 x"; a label alone ("学校：") has its value in the next element.
_PAIR_RE = re.compile(rf"^\s*({_LABEL_ALT})\s*(?:{_SEP}+\s*|\s+)(\S.*)$", re.IGNORECASE)
_ALONE_RE = re.compile(rf"^\s*({_LABEL_ALT})\s*{_SEP}*\s*$", re.IGNORECASE)
_OWNER_RE = re.compile(
    r"^\s*(?:欢迎(?:来到|访问|光临)?)?\s*([\u4e00-\u9fa5·]{2,8}?)(?:老师)?的(?:个人)?"
    r"(?:空间|主页|博客|工作室|教学空间|网络学习空间|网络空间)"
)
_CJK_NAME = re.compile(r"^[\u4e00-\u9fa5·]{2,5}$")
_SPLIT = re.compile(r"[、，,；;\s/]+")
_URL_IN_CSS = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
_HEIGHT_RE = re.compile(r"height\s*:\s*(\d+)\s*px", re.IGNORECASE)
_BG = ("bg", "background", "canvas", "skin", "wrap", "wrapper", "container", "page", "main")
_AVATAR_WORDS = ("头像", "avatar", "照片")
_BANNER_WORDS = ("页头", "横幅", "banner", "头图", "题图", "封面")
# Labels of the link to a space's profile page.
PROFILE_PAGE_WORDS = (
    *("个人档案", "个人资料", "教师简介", "关于我", "个人信息", "个人简介", "我的档案", "个人介绍", "教师档案"),
    *("详细资料", "查看资料", "更多资料", "个人名片"),
)


def _clean_value(value: str) -> str:
    return re.sub(rf"^{_SEP}+\s*", "", value).strip()


def _field(label: str) -> str:
    return next(f for lab, f in _LABELS if lab.lower() == label.lower())


def _pairs(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}

    def keep(field: str, value: str, label: str) -> None:
        value = _clean_value(value)
        if label in ("任教", "班级") and not re.search(r"[班级年]", value):
            return
        if value and len(value) <= 80 and field not in found:
            found[field] = value

    for row in soup.find_all("tr"):  # 学校 | 一小 as table cells
        cells = [clean_text(c) for c in row.find_all(["th", "td"], recursive=False)]
        for i, cell in enumerate(cells[:-1]):
            alone = _ALONE_RE.match(cell)
            if alone:
                keep(_field(alone.group(1)), cells[i + 1], alone.group(1))
    for tag in soup.find_all(["dt", "th", "label", "span", "td", "p", "li", "div", "b", "strong", "em", "i", "dd"]):
        if tag.find(["div", "p", "li", "dl", "table", "ul"]) is not None or in_chrome(tag):
            continue
        text = clean_text(tag)
        if len(text) > 60:
            continue
        pair = _PAIR_RE.match(text)
        if pair:
            keep(_field(pair.group(1)), pair.group(2), pair.group(1))
            continue
        alone = _ALONE_RE.match(text)
        if alone:
            sibling = tag.find_next_sibling()
            if sibling is not None:
                keep(_field(alone.group(1)), clean_text(sibling), alone.group(1))
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


def _size(img: Tag) -> tuple[int, int] | None:
    try:
        return int(str(img.get("width", "")).rstrip("px")), int(str(img.get("height", "")).rstrip("px"))
    except ValueError:
        return None


def _wide(img: Tag) -> bool:
    size = _size(img)
    return size is not None and (size[0] >= 600 or (size[1] > 0 and size[0] / size[1] >= 3))


def _squarish(img: Tag) -> bool:
    size = _size(img)
    return size is None or (size[1] > 0 and 0.6 <= size[0] / size[1] <= 1.6 and size[0] <= 400)


def _src(img: Tag, base: str) -> str | None:
    src = absolute(base, attr(img, "src") or attr(img, "data-src"))
    return None if not src or "default" in src.lower() else src


def _says(img: Tag, words: tuple[str, ...]) -> bool:
    said = f"{attr(img, 'alt') or ''} {attr(img, 'title') or ''}".lower()
    return any(w in said for w in words)


def _beside_name(img: Tag, name: str | None) -> bool:
    if not name or img.parent is None:
        return False
    for sibling in img.parent.find_all(True, recursive=False):
        text = clean_text(sibling)
        if sibling is img or sibling.find("img") is not None:  # the name's own element, not a wrapper
            continue
        if text and (text == name or text == f"{name}老师" or _OWNER_RE.match(text)):
            return True
    return False


def _avatar(soup: BeautifulSoup, base: str, name: str | None, box: Tag | None) -> str | None:
    images = [img for img in soup.find_all("img") if _src(img, base)]
    for img in images:
        alt = (attr(img, "alt") or "").strip()
        if _says(img, _AVATAR_WORDS) or (name and alt in (name, f"{name}老师")):
            return _src(img, base)
    if box is not None:
        for img in box.find_all("img"):
            if _src(img, base) and not _wide(img):
                return _src(img, base)
    for img in images:
        if _squarish(img) and not _wide(img) and _beside_name(img, name):
            return _src(img, base)
    return None


def _style_url(style: str | None) -> str | None:
    if not style or "background" not in style:
        return None
    match = _URL_IN_CSS.search(style)
    return match.group(1) if match else None


def _header_image(soup: BeautifulSoup, base: str, avatar: str | None, first_box: Tag | None) -> str | None:
    order = {id(el): i for i, el in enumerate(soup.find_all(True))}
    limit = order.get(id(first_box), len(order)) if first_box is not None else len(order)
    top = [img for img in soup.find_all("img") if _src(img, base) and order[id(img)] < limit and not in_chrome(img)]
    for img in top:
        if _says(img, _BANNER_WORDS) or _wide(img):
            return _src(img, base)
    for img in top:
        if _size(img) is None and _src(img, base) != avatar:
            return _src(img, base)
    for tag in soup.find_all(True, style=True):
        if tag.name in ("body", "html") or order[id(tag)] >= limit:
            continue
        url = _style_url(attr(tag, "style"))
        height = _HEIGHT_RE.search(attr(tag, "style") or "")
        if url and ((height and int(height.group(1)) >= 80) or tag.find(["h1", "h2"]) is not None):
            return absolute(base, url)
    return None


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


def extract_profile(
    soup: BeautifulSoup,
    raw_styles: list[str],
    base: str,
    *,
    profile_box: Tag | None = None,
    first_box: Tag | None = None,
    not_names: frozenset[str] = frozenset(),
) -> Profile:
    """Everything a page shows about the teacher (the home page, or the profile page)."""
    pairs = _pairs(soup)
    name = pairs.get("name") or name_from_heading(soup)
    if not name:  # a bare name as the page's heading (not a box's title, which heads content)
        for tag in soup.find_all(["h1", "h2"]):
            text = clean_text(tag)
            if _CJK_NAME.match(text) and not in_chrome(tag) and text not in not_names:
                name = text
                break
    avatar = _avatar(soup, base, name, profile_box)
    classes = tuple(c for c in _SPLIT.split(pairs.get("classes", "")) if c and not re.fullmatch(_SEP, c))
    return Profile(
        name=name or None,
        avatar=avatar,
        school=pairs.get("school"),
        subject=pairs.get("subject"),
        classes=classes,
        contact=pairs.get("contact"),
        header_image=_header_image(soup, base, avatar, first_box),
        background=_background(soup, raw_styles, base),
    )


def merge_profiles(home: Profile, page: Profile) -> Profile:
    """The home page's profile, completed from the profile page where the home is silent
    (the page's look, header and background, stays the home page's)."""
    return Profile(
        name=home.name or page.name,
        avatar=home.avatar or page.avatar,
        school=home.school or page.school,
        subject=home.subject or page.subject,
        classes=home.classes or page.classes,
        contact=home.contact or page.contact,
        header_image=home.header_image,
        background=home.background,
    )


def profile_page_url(soup: BeautifulSoup, home_url: str) -> str | None:
    """The link to the space's own profile page, by its label (个人档案, 关于我 …)."""
    home_host = host_of(home_url)
    for a in soup.find_all("a"):
        label = re.sub(r"[\s>»›]+$", "", clean_text(a))
        url = absolute(home_url, attr(a, "href"))
        if label in PROFILE_PAGE_WORDS and url and host_of(url) == home_host and url != home_url:
            return url
    return None
