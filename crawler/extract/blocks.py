"""Answers that keep a robot out: WAF, captcha and rate-limit pages, recognised by meaning.

A platform's firewall often answers HTTP 200 with a page of its own (安全验证, 请完成验证,
访问过于频繁 …). Read as a space, such a page is an empty one and becomes a false
"不合格", so it is told apart by what it is:

- a status that refuses a robot (403, 405, 418, 429, 503);
- a header by which a firewall says it challenged or denied the request;
- a page with little text that asks to prove a human is there (a captcha or slider
  widget, or wording: 安全验证, 拖动滑块, 请输入验证码 …), that says the visits were too
  frequent, or that the request was intercepted.

A page that shows content, or a login form (a password field: that is a login wall,
see :mod:`.walls`), is no block.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bs4 import BeautifulSoup, Tag

from .dom import clean_text

__all__ = ["BLOCK_STATUSES", "detect_block"]

BLOCK_STATUSES: dict[int, str] = {
    403: "平台拒绝访问（HTTP 403）",
    405: "平台拒绝了这种访问方式（HTTP 405），多为防火墙拦截",
    418: "平台的防火墙拦截了访问（HTTP 418）",
    429: "平台限制访问频率（HTTP 429），重试后仍被拒绝",
    503: "平台暂时不可用（HTTP 503），重试后仍未恢复",
}

_MAX_TEXT = 600  # a block page says little; a space's own page says more

_MAX_BARE = 200  # a page that is nothing but a code box (a comment form's box sits in more text)

_VERIFY = re.compile(
    r"(安全|人机|滑块|滑动|拼图|点选|行为|访问)验证|(请|需要?)[^，。,.!！]{0,6}完成[^，。,.!！]{0,6}验证|"
    r"拖动[^，。,.!！]{0,6}滑块|向右(滑动|拖动)|滑动[^，。,.!！]{0,6}(验证|完成|解锁)|"
    r"不是机器人|(证明|确认)[^，。,.!！]{0,4}(真人|人类)"
)
_CODE = re.compile(r"验证码")
_TOO_OFTEN = re.compile(
    r"(访问|请求|操作|刷新|查询)[^，。,.!！]{0,2}(过于|太过?|过度|过)频繁|频率过(高|快)|"
    r"(访问|请求)[^，。,.!！]{0,4}(超过|超出|达到)[^，。,.!！]{0,4}(限制|上限)"
)
_DENIED = re.compile(
    r"(访问|请求|连接)[^，。,.!！]{0,4}(被|遭到|已被)[^，。,.!！]{0,4}(拦截|阻断|阻止|拒绝|禁止|限制)|"
    r"(拦截|阻断)了?[^，。,.!！]{0,4}(访问|请求)|已被[^，。,.!！]{0,12}(拦截|阻断|屏蔽)|"
    r"(防火墙|安全防护)[^，。,.!！]{0,8}(拦截|阻断|阻止|拒绝)|(不合法|非法)的?(参数|请求)|"
    r"疑似[^，。,.!！]{0,4}(攻击|恶意|机器人|爬虫|自动)|(非法|恶意|异常)的?(请求|访问|流量)|"
    r"检测到[^，。,.!！]{0,10}(异常|攻击|威胁|风险|自动化)|IP[^，。,.!！]{0,6}(封禁|限制|拉黑|禁止)"
)
_ENGLISH = re.compile(
    r"access denied|checking (if the site connection is secure|your browser)|just a moment|attention required|"
    r"request (was )?(rejected|blocked)|are you a (robot|human)|unusual traffic|too many requests|"
    r"verify (that )?you are (a )?human|captcha",
    re.IGNORECASE,
)
# Captcha and slider widgets as their makers name them (in ids, classes, names and sources).
_WIDGET = re.compile(
    r"captcha|geetest|yidun|turnstile|verify[-_]?code|check[-_]?code|v[-_]?code|valid[-_]?code|"
    r"slide[-_]?verify|slider[-_]?(verify|check)|nc[-_](wrapper|container|scale)",
    re.IGNORECASE,
)
# Headers by which a firewall says it challenged or denied this very request.
_CHALLENGE_HEADERS = {"cf-mitigated": "Cloudflare", "x-amzn-waf-action": "AWS WAF", "x-datadome": "DataDome"}


def _widget(soup: BeautifulSoup) -> str | None:
    for tag in soup.find_all(["input", "img", "iframe", "div", "span", "form", "canvas", "button"]):
        if not isinstance(tag, Tag):
            continue
        for attribute in ("id", "class", "name", "src"):
            value = tag.get(attribute)
            text = " ".join(value) if isinstance(value, list) else str(value or "")
            if text and _WIDGET.search(text):
                return f"{tag.name} {attribute}={text[:40]}"
    return None


def _sentences(soup: BeautifulSoup) -> list[str]:
    """Short texts the page itself says; link texts (item titles such as "防火墙的原理") are not."""
    out: list[str] = []
    for tag in soup.find_all(["title", "h1", "h2", "h3", "h4", "p", "div", "span", "td", "li", "strong", "b", "label"]):
        if tag.find("a") is not None or tag.find_parent("a") is not None:
            continue
        text = clean_text(tag)
        if 0 < len(text) <= 120 and text not in out:
            out.append(text)
    return out


def detect_block(
    soup: BeautifulSoup, status: int, headers: Mapping[str, str] | None = None, *, has_content: bool = False
) -> str | None:
    """Why this answer is a firewall's, captcha's or rate limit's rather than the page asked
    for (a Chinese sentence), or None."""
    if status in BLOCK_STATUSES:
        return BLOCK_STATUSES[status]
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    for name, maker in _CHALLENGE_HEADERS.items():
        if name in lowered and (name != "x-datadome" or status >= 400):
            return f"平台的防火墙（{maker}）要求人机验证，未能读取空间"
    if has_content or soup.find("input", attrs={"type": "password"}) is not None:
        return None
    size = len(clean_text(soup.body or soup))
    if size > _MAX_TEXT:
        return None
    whole = clean_text(soup)  # every sentence is a piece of it (the title too)
    bare = size <= _MAX_BARE and len(soup.find_all("a", href=True)) <= 1
    if not any(p.search(whole) for p in (_VERIFY, _TOO_OFTEN, _DENIED, _ENGLISH)) and not bare:
        return None
    sentences = _sentences(soup)
    for pattern, what in ((_VERIFY, "要求人机验证"), (_TOO_OFTEN, "提示访问过于频繁"), (_DENIED, "拦截了访问")):
        said = next((s for s in sentences if pattern.search(s)), None)
        if said:
            return f"平台的安全防护{what}（页面提示：{said[:60]}），未能读取空间"
    said = next((s for s in sentences if _ENGLISH.search(s)), None)
    if said:
        return f"平台的安全防护要求人机验证（页面提示：{said[:60]}），未能读取空间"
    if bare:  # a space's page links somewhere
        said = next((s for s in sentences if _CODE.search(s)), None)
        if said or _widget(soup):
            shown = f"页面提示：{said[:60]}" if said else "页面只有验证控件"
            return f"平台的安全防护要求人机验证（{shown}），未能读取空间"
    return None
