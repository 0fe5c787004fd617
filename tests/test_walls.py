"""Walls are recognised by meaning: many wordings, forms, addresses and statuses, none of
them the farm's own sentences."""

from __future__ import annotations

import pytest

from crawler.extract.dom import parse_html
from crawler.extract.walls import detect_wall, is_login_address, script_redirect


def _wall(body: str, status: int = 200, url: str = "http://p.example.cn/space/7", content: bool = False) -> str | None:
    wall = detect_wall(parse_html(f"<html><body>{body}</body></html>"), status, url, has_content=content)
    return None if wall is None else wall.visibility


@pytest.mark.parametrize(
    "sentence",
    [
        "本空间只对好友开放",
        "主人设置了访问权限，好友才能访问",
        "您不是TA的好友，仅好友可以查看",
        "请先加为好友再来看看吧",
    ],
)
def test_friends_only_in_other_words(sentence: str) -> None:
    assert _wall(f"<section><p>{sentence}</p></section>") == "friends_only"


@pytest.mark.parametrize(
    "sentence",
    ["该空间仅本人可见", "空间已被主人设为私密", "此空间暂不公开", "您无权查看该空间", "空间内容已隐藏"],
)
def test_owner_only_in_other_words(sentence: str) -> None:
    assert _wall(f"<div><span>{sentence}</span></div>") == "private"


def test_a_password_field_is_a_login_wall_whatever_the_words() -> None:
    form = '<form action="/x"><input name="u"><input type="password" name="p"><button>进入</button></form>'
    assert _wall(form) == "login_required"


@pytest.mark.parametrize("sentence", ["登录后才能浏览本空间", "您尚未登录，无法访问", "需登录方可查看教师空间"])
def test_asking_to_log_in_is_a_login_wall(sentence: str) -> None:
    assert _wall(f"<h3>{sentence}</h3>") == "login_required"


@pytest.mark.parametrize(
    "url",
    [
        "http://sso.edu.example.cn/auth?service=http%3A%2F%2Fp%2Fspace",
        "http://p.example.cn/cas/login?service=x",
        "http://p.example.cn/uc/signin.do",
        "http://passport.example.cn/?from=space",
        "http://p.example.cn/index.php?r=uc/loginToken&token=1",
    ],
)
def test_ending_on_a_login_address_is_a_login_wall(url: str) -> None:
    assert is_login_address(url)
    assert _wall("<p>欢迎</p>", url=url, content=True) == "login_required"


@pytest.mark.parametrize(
    "url",
    ["http://p.example.cn/space/index.php?r=space/person/index&sid=1", "http://p.example.cn/blog/catalog/7"],
)
def test_ordinary_addresses_are_not_logins(url: str) -> None:
    assert not is_login_address(url)


def test_an_open_space_with_a_login_link_in_its_top_bar_is_open() -> None:
    assert _wall('<div><a href="/login">登录</a> 请登录后留言</div><div>文章 资源</div>', content=True) is None


def test_401_and_403_with_wording() -> None:
    assert _wall("<p>Unauthorized</p>", status=401) == "login_required"
    assert _wall("<p>该空间仅对好友可见</p>", status=403) == "friends_only"
    assert _wall("<p>Forbidden</p>", status=403) is None  # a bare 403 is the platform refusing, not a wall


def test_missing_space() -> None:
    assert _wall("<p>该用户空间已注销</p>") == "unknown"
    assert _wall("<p>oops</p>", status=404) == "unknown"


def test_script_and_meta_redirects_of_empty_pages() -> None:
    page = "<html><head><script>window.location.href = 'https://sso.x.cn/login?service=1';</script></head><body></body></html>"
    assert script_redirect(page, parse_html(page), "http://p.x.cn/s/1") == "https://sso.x.cn/login?service=1"
    meta = '<html><head><meta http-equiv="refresh" content="0; url=/cas/login"></head><body></body></html>'
    assert script_redirect(meta, parse_html(meta), "http://p.x.cn/s/1") == "http://p.x.cn/cas/login"
    full = "<html><body>" + "<p>正文内容</p>" * 60 + "<script>location.href='/x'</script></body></html>"
    assert script_redirect(full, parse_html(full), "http://p.x.cn/s/1") is None
