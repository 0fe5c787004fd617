"""Walls that keep an anonymous visitor out, recognised by meaning, not by sentences.

- a login: the visit ended on a login/SSO address (path or host), the page is a login
  form (a password field), the platform answers 401, or the page asks to log in
  (请先登录, 登录后查看 …) and shows no content;
- an owner's setting: the page says the space is for friends (仅好友…可见, 好友…才能访问)
  or for the owner alone (仅自己可见, 私密, 不对外开放, 无权访问 …) and shows no content;
- a missing space: 404/410, or a page with no content saying 不存在 / 已关闭 / 已删除 ….

A page whose script or ``<meta refresh>`` sends the visitor elsewhere at once is not a
wall itself: :func:`script_redirect` gives the address, and the visit follows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from .dom import absolute, clean_text

__all__ = ["Wall", "detect_wall", "is_login_address", "script_redirect"]

_LOGIN_WORDS = r"(?:login|log_in|logon|signin|sign_in|sso|cas|passport|oauth2?|authorize|authserver|denglu)"
# The word, then an end, a separator or a capital ("uc/loginToken"), not more small letters.
_LOGIN_PATH = re.compile(r"(?:^|[/_.\-=?&])(?i:" + _LOGIN_WORDS + r")(?![a-z0-9])")
_LOGIN_HOST = re.compile(r"^(?:sso|cas|passport|login|auth|account|accounts|uc|oauth|ids|idp)\d*\.", re.IGNORECASE)

# Meanings, each a small pattern over a short sentence of the page.
_ASKS_LOGIN = re.compile(r"(请|需要?|须|必须)\s*(先)?\s*登录|登录后|未登录|登录(才能|方可|即可|以)|没有登录|尚未登录")
_FRIENDS = re.compile(
    r"(仅|只)[^，。,.!！]{0,8}好友|好友[^，。,.!！]{0,8}(可见|可以?访问|才能|方可|可查看|开放)|加为好友"
)
_PRIVATE = re.compile(
    r"(仅|只)[^，。,.!！]{0,8}(自己|本人|主人)[^，。,.!！]{0,6}(可见|访问|查看)|私密|不对外|未公开|暂不公开|"
    r"(设置|设定)了?(访问)?权限|无权(访问|查看)|没有(访问|查看)权限|已隐藏"
)
_MISSING = re.compile(r"不存在|已(被)?(关闭|删除|注销|停用|冻结)|找不到|无此(用户|空间)|已失效")

_SCRIPT_REDIRECT = re.compile(
    r"""(?:(?:window|top|self|document|parent)\.)?location(?:\.href)?\s*=\s*["']([^"']+)["']|"""
    r"""location\.(?:replace|assign)\(\s*["']([^"']+)["']""",
    re.IGNORECASE,
)
_META_REFRESH = re.compile(
    r"""<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["'][^"']*url\s*=\s*([^"'>\s]+)""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Wall:
    status: str  # crawl status: ok | login_required | not_found
    visibility: str
    evidence: str


def is_login_address(url: str) -> bool:
    """True for an address that is a login or single sign-on page."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    query = parts.query.split("return", 1)[0].split("service=", 1)[0].split("redirect", 1)[0]
    return bool(_LOGIN_PATH.search(parts.path + "?" + query) or _LOGIN_HOST.match(parts.hostname or ""))


def script_redirect(raw_html: str, soup: BeautifulSoup, base: str) -> str | None:
    """Where a page with no content of its own sends the visitor at once (script or
    ``<meta refresh>``), or None."""
    if len(clean_text(soup.body or soup)) > 200:
        return None
    meta = _META_REFRESH.search(raw_html)
    scripts = " ".join(re.findall(r"<script\b[^>]*>(.*?)</script>", raw_html, re.IGNORECASE | re.DOTALL))
    found = meta.group(1) if meta else None
    if found is None:
        match = _SCRIPT_REDIRECT.search(scripts)
        found = (match.group(1) or match.group(2)) if match else None
    return absolute(base, found) if found else None


def _sentences(soup: BeautifulSoup) -> list[str]:
    out = []
    for tag in soup.find_all(["div", "p", "h1", "h2", "h3", "h4", "span", "td", "section", "strong", "li", "em"]):
        text = clean_text(tag)
        if 0 < len(text) <= 80:
            out.append(text)
    return out


def detect_wall(soup: BeautifulSoup, status: int, final_url: str, has_content: bool) -> Wall | None:
    """A wall that keeps an anonymous visitor out, or None when the space is open."""
    whole = clean_text(soup)  # every sentence is a piece of it: most pages need not be split
    sentences: list[str] | None = None

    def first(pattern: re.Pattern[str]) -> str | None:
        nonlocal sentences
        if not pattern.search(whole):
            return None
        if sentences is None:
            sentences = _sentences(soup)
        return next((s for s in sentences if pattern.search(s)), None)

    if is_login_address(final_url):
        return Wall("login_required", "login_required", f"匿名访问被重定向到登录页 {final_url}")
    if status in (404, 410) or (not has_content and status < 400 and first(_MISSING)):
        evidence = first(_MISSING) or f"HTTP {status}"
        return Wall("not_found", "unknown", f"空间不存在：{evidence}")
    if status == 401:
        return Wall("login_required", "login_required", "平台返回 401，需要登录")
    if has_content:
        return None
    login_form = soup.find("input", attrs={"type": "password"}) is not None
    if login_form or (status in (200, 403) and first(_ASKS_LOGIN)):
        return Wall("login_required", "login_required", f"页面要求登录：{first(_ASKS_LOGIN) or '登录表单'}")
    text = first(_FRIENDS)
    if text and status in (200, 403):
        return Wall("ok", "friends_only", f"页面提示：{text}")
    text = first(_PRIVATE)
    if text and status in (200, 403):
        return Wall("ok", "private", f"页面提示：{text}")
    return None
