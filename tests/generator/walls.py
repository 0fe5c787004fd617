"""Walls in front of a space: redirects to an SSO host or a login path, 200 pages with a
login form, JS redirects with an empty body, 401/403, friends-only and private notices,
and missing spaces (404 or a 200 "该空间不存在" page)."""

from __future__ import annotations

import random
from urllib.parse import quote

from tests.farm.server import Response, html, redirect

from .markup import esc
from .model import SpaceModel
from .site import Site

__all__ = ["LOGIN_PATHS", "login_page", "login_url", "wall_response"]

LOGIN_PATHS = ("/login", "/sso/login", "/cas/login", "/user/login.do")


def login_url(site: Site, space: SpaceModel, on_sso: bool) -> str:
    """Where a login wall sends the visitor (with the space's address as the service)."""
    service = quote(site.abs_url(site.urls.home(space.sid)), safe="")
    rng = random.Random(f"{site.p.seed}:login")
    path = rng.choice(LOGIN_PATHS)
    param = "service" if "cas" in path else rng.choice(("service", "redirect", "returnUrl"))
    base = site.p.sso_url if on_sso else site.base
    return f"{base}{path}?{param}={service}"


def login_page(title: str, words: str, seed: int) -> str:
    """A login form with a password field (the SSO host's and a platform's own)."""
    rng = random.Random(seed)
    user = rng.choice(("username", "loginName", "account"))
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(title)}</title></head><body>'
        f"<h2>{esc(title)}</h2><p>{esc(words)}</p>"
        f'<form method="post" action="{rng.choice(LOGIN_PATHS)}"><input name="{user}" placeholder="用户名/手机号">'
        '<input type="password" name="password" placeholder="密码"><input name="captcha" placeholder="验证码">'
        '<button type="submit">登 录</button></form></body></html>'
    )


def _notice(site: Site, space: SpaceModel, status: int, show_name: bool) -> Response:
    rng = random.Random(f"{site.p.seed}:{space.sid}:wall")
    name = f"<h2>{esc(space.teacher.name)}的空间</h2>" if show_name else ""
    body = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{site.city}教育云</title></head><body>'
        f'<div class="{site.v.w("wallbox")}">{name}<p>{esc(space.wall_text)}</p>'
        f'<a href="/">{rng.choice(("返回首页", "返回平台首页"))}</a></div></body></html>'
    )
    return html(body, status)


def wall_response(site: Site, space: SpaceModel) -> Response | None:
    """The answer to any page of a walled space, or None for an open one."""
    wall = space.wall
    if wall == "open":
        return None
    if wall == "login_302_sso":
        return redirect(login_url(site, space, on_sso=True))
    if wall == "login_302_path":
        return redirect(login_url(site, space, on_sso=False))
    if wall == "login_form":
        return html(login_page(f"{site.city}教育云 统一身份认证", space.wall_text, site.p.seed))
    if wall == "js_redirect":
        target = login_url(site, space, on_sso=True)
        return html(f"<html><head><script>location.href='{target}'</script></head><body></body></html>")
    if wall == "http_401":
        return html(login_page("请登录", space.wall_text, site.p.seed), 401)
    if wall == "http_403":
        return html(
            f"<!DOCTYPE html><html><body><h1>403 Forbidden</h1><p>您无权访问该空间，{esc(space.wall_text)}</p>"
            f'<a href="{login_url(site, space, on_sso=False)}">登录</a></body></html>',
            403,
        )
    if wall in ("friends_only", "private"):
        return _notice(site, space, 200, space.wall_name)
    if wall == "not_found_404":
        return _notice(site, space, 404, False)
    return _notice(site, space, 200, False)
