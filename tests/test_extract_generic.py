"""The extractors on markup the farm does not use: thumbnails with captions beside them,
原创 as an icon, dl lists, year headings, module boxes titled by place, a banner name, the
platform's video widget, profiles in pipes and tables, apps' JSON, script pagers, tabs.
Class names here are arbitrary on purpose: none of them may matter."""

from __future__ import annotations

import json
from datetime import datetime

from crawler.extract.detail import album_photos, read_detail
from crawler.extract.dom import parse_html
from crawler.extract.items import to_album
from crawler.extract.jsondata import find_json_lists, record_from_json
from crawler.extract.links import outbound_links
from crawler.extract.modules import find_modules
from crawler.extract.pages import category_tabs, in_app_entry, pagination_links, stated_counts
from crawler.extract.profile import extract_profile, profile_page_url
from crawler.extract.records import find_records
from crawler.extract.vocab import BEIJING, READ_AT
from crawler.transport.http import Page

BASE = "http://p.example.cn/u/7/"


def _soup(body: str):  # type: ignore[no-untyped-def]
    return parse_html(f"<html><body>{body}</body></html>")


def test_albums_as_thumbnails_with_name_and_count_beside_the_link() -> None:
    cells = "".join(
        f'<div class="qx"><a href="/u/7/al/{n}"><img src="/c/{n}.jpg" alt=""></a><p class="zz">{name}</p>'
        f'<span class="vv">共 {count} 张</span></div>'
        for n, (name, count) in enumerate([("春游", 12), ("运动会", 8), ("毕业季", 30)])
    )
    records = find_records(_soup(f'<h2 class="hh">相册</h2><div class="gg">{cells}</div>'), BASE)
    albums = [to_album(r) for r in records]
    assert [(a.name, a.photos, a.url) for a in albums] == [
        ("春游", 12, "http://p.example.cn/u/7/al/0"),
        ("运动会", 8, "http://p.example.cn/u/7/al/1"),
        ("毕业季", 30, "http://p.example.cn/u/7/al/2"),
    ]


def test_album_name_with_its_count_and_photos_counted_on_the_album_page() -> None:
    cells = "".join(
        f'<li><a href="/al/{n}"><img src="/c.jpg" alt="{name}（{c}）"></a></li>'
        for n, (name, c) in enumerate([("读书节", 5), ("家长会", 9)])
    )
    albums = [to_album(r) for r in find_records(_soup(f"<ul>{cells}</ul>"), BASE)]
    assert [(a.name, a.photos) for a in albums] == [("读书节", 5), ("家长会", 9)]
    pictures = "".join(f'<div class="k"><img src="/p/{n}.jpg"></div>' for n in range(7))
    page = _soup(f'<nav><a href="/">首页</a></nav><h3>读书节</h3><div class="w">{pictures}</div>')
    assert album_photos(page, "读书节") == 7


def test_originality_shown_only_as_an_icon_title_and_dates_under_a_year_heading() -> None:
    rows = (
        '<li class="y"><b>2022年</b></li>'
        '<li class="r"><a href="/a/1">单元整体教学的思考</a><i class="o" title="原创"></i><span>03-01</span></li>'
        '<li class="r"><a href="/a/2">读《给教师的建议》有感</a><i class="o" title="转载"></i><span>02-14</span></li>'
    )
    records = find_records(_soup(f"<ul>{rows}</ul>"), BASE)
    assert [(r.title, r.original, r.date) for r in records] == [
        ("单元整体教学的思考", True, "2022-03-01"),
        ("读《给教师的建议》有感", False, "2022-02-14"),
    ]


def test_a_size_such_as_8_16_mb_is_no_month_day_date() -> None:
    rows = (
        "<li><b>2019年</b></li>"
        '<li>【原创】<a href="/r/188">平行四边形的面积学案</a> <span>(8.16MB)</span> <span>时间：03-22</span></li>'
        '<li>【原创】<a href="/r/189">分数的认识课件</a> <span>12.5%</span> <span>v2.1</span> <span>01-08</span></li>'
    )
    records = find_records(_soup(f"<ul>{rows}</ul>"), BASE)
    assert [(r.title, r.date) for r in records] == [
        ("平行四边形的面积学案", "2019-03-22"),
        ("分数的认识课件", "2019-01-08"),
    ]


def test_labelled_facts_and_pager_text_are_no_category_labels() -> None:
    rows = (
        "<li><b>2022年</b></li>"
        '<li><a href="/a/1">家校共育经验分享</a> <span>时间：02-27</span> <span>所属栏目：家校交流</span></li>'
        '<li><a href="/a/2">浅谈小组合作学习</a> <span>时间：03-20</span> <span>第 3/3 页</span></li>'
    )
    records = find_records(_soup(f"<ul>{rows}</ul>"), BASE)
    assert [(r.title, r.date, r.labels) for r in records] == [
        ("家校共育经验分享", "2022-02-27", ["家校交流"]),
        ("浅谈小组合作学习", "2022-03-20", []),
    ]


def test_a_single_thumbnail_takes_the_caption_beside_it() -> None:
    body = (
        '<div class="g"><div class="c"><a href="/album/700.html"><img src="/t.jpg" alt=""></a>'
        "<p>校园风景</p></div></div>"
    )
    records = find_records(_soup(body), BASE)
    assert [(r.title, r.url) for r in records] == [("校园风景", "http://p.example.cn/album/700.html")]


def test_records_as_dt_with_their_dd_and_truncated_titles_from_the_title_attribute() -> None:
    items = (
        '<dt><a href="/r/1" title="《圆的面积》第二课时教学设计">《圆的面积》第二课…</a></dt>'
        "<dd>2022/3/1 【原创】 1.5MB</dd>"
        '<dt><a href="/r/2" title="分数的初步认识微课">分数的初步认识微课</a></dt><dd>2022/3/2 【转载】 20MB</dd>'
    )
    records = find_records(_soup(f"<dl>{items}</dl>"), BASE)
    assert [(r.title, r.date, r.original, r.size_bytes) for r in records] == [
        ("《圆的面积》第二课时教学设计", "2022-03-01", True, int(1.5 * 1024**2)),
        ("分数的初步认识微课", "2022-03-02", False, 20 * 1024**2),
    ]


def test_navigation_and_category_tabs_are_not_records() -> None:
    body = (
        '<div class="t"><a href="/l?c=1">课件</a><a href="/l?c=2">教案</a><span>微课</span></div>'
        '<div class="m"><a href="/">首页</a><a href="/r">资源</a></div>'
        '<ul><li><a href="/r/1">认识时间</a> 2022-03-01</li><li><a href="/r/2">春晓</a> 2022-03-02</li></ul>'
    )
    assert [r.title for r in find_records(_soup(body), BASE)] == ["认识时间", "春晓"]
    current, tabs = category_tabs(_soup(body), BASE)
    assert current == "微课" and [label for label, _ in tabs] == ["课件", "教案"]


def test_items_with_short_titles_are_not_category_tabs() -> None:
    """A short list whose titles end in a category word (《春》课件, 观潮教案) is a list of
    items, not tabs: the listing would otherwise take each item page for a category."""
    rows = "".join(
        f'<li><a href="/r/{i}.html">{title}</a> 2022-03-0{i}</li>'
        for i, title in enumerate(("《春》课件", "观潮教案", "匆匆（微课）"), 1)
    )
    body = f"<ul>{rows}</ul>"
    records = find_records(_soup(body), BASE)
    assert len(records) == 3
    assert category_tabs(_soup(body), BASE, {r.url for r in records}) == (None, [])


def test_modules_by_their_place_not_their_class_names() -> None:
    box = '<div class="{c}"><div class="q"><div class="w">{title}</div>{more}</div><div class="e">{body}</div></div>'
    page = (
        '<div class="top"><h1>林晓梅</h1></div>'
        '<h3 class="z">欢迎来到我的空间</h3>'
        + box.format(
            c="a", title="教学随笔 共 12 篇", more='<a href="/u/7/blog">更多</a>', body='<a href="/b/1">一篇随笔</a>'
        )
        + box.format(c="b", title="视频", more="", body='<a href="/v/1">微课一</a>')
        + box.format(c="c zdy-box", title="读书分享", more="", body="<p>本学期共读三本书。</p>")
        + box.format(c="d", title="名师工作室", more="", body="<p>欢迎交流</p>")
        + box.format(c="e", title="统计", more="", body="<p>资源：34</p><p>文章：12</p>")
    )
    modules = find_modules(_soup(page), BASE)
    assert [(m.name, m.kind, m.items) for m in modules] == [
        ("教学随笔", "builtin", 12),
        ("视频", "builtin", None),
        ("读书分享", "custom", None),
        ("名师工作室", "custom", None),
        ("统计", "builtin", None),
    ]
    assert modules[0].url == "http://p.example.cn/u/7/blog"
    assert stated_counts(_soup(page)) == {"resources": (34, "资源：34"), "articles": (12, "文章：12")}


def test_layers_floating_over_the_page_are_no_modules_and_their_links_no_teachers_links() -> None:
    modules = (
        '<div class="zq main-layer"><div class="kx float-left"><h3>教学资源</h3>'
        '<ul><li><a href="/r/1">分数的意义</a></li><li><a href="/r/2">小数乘法</a></li></ul></div>'
        '<div class="kx" style="position: relative"><h3>推荐网站</h3><p><a href="https://www.zxx.edu.cn/">智慧教育平台</a></p></div>'
        '<div class="kx"><h3>扫码关注我</h3><img src="/q.png"><p class="overlay">我的班级公众号</p></div></div>'
    )
    layers = (
        '<div class="yb" style="right:0;POSITION : fixed"><h4>在线客服</h4><a href="http://wpa.qq.com/msgrd?uin=1">QQ咨询</a></div>',
        '<div id="wp"><span>客服中心</span><p><a href="https://kf.example.com/">人工客服</a></p></div>',
        '<div class="tt"><b>手机端访问</b><img src="/app.png"><a href="https://app.example.com/d">下载</a></div>',
        '<div class="pp" role="alertdialog"><div>系统公告</div><p>平台将于周六晚间维护，届时暂停服务。</p></div>',
        "<dialog open><h2>温馨提示</h2><p>欢迎访问本平台，请文明上网。</p></dialog>",
        '<div class="layui-layer mm"><div class="nn">通知</div><div>平台将于周六晚间维护，届时暂停服务。</div></div>',
    )
    style = (
        "<style>/* pinned */ #wp, .tt{position:fixed;bottom:0} .kx:hover{position:fixed} .zq>.kx{color:red}"
        "@media (max-width: 768px) { .zq { position: fixed } }</style>"  # pinned on phones only: the layout
    )
    for layer in layers:
        html = f"<html><head>{style}</head><body>{layer}{modules}</body></html>"
        assert [m.name for m in find_modules(parse_html(html), BASE)] == ["教学资源", "推荐网站", "扫码关注我"], layer
        page = Page(BASE, BASE, 200, html, "http")
        assert [link.url for link in outbound_links([page], BASE)] == ["https://www.zxx.edu.cn/"], layer
    # A column pinned by the layout and a gallery named after its script are content.
    albums = "".join(f'<li><a href="/al/{n}"><img src="/c{n}.jpg" alt="相册{n}"></a></li>' for n in range(3))
    for wrapper in ('<div style="position:fixed;top:60px;bottom:0;overflow:auto">', '<div class="popup-gallery">'):
        html = f"<html><body>{wrapper}{modules}<ul class='lightbox'>{albums}</ul></div></body></html>"
        assert [m.name for m in find_modules(parse_html(html), BASE)] == ["教学资源", "推荐网站", "扫码关注我"], wrapper


def test_dates_shown_relative_to_when_the_page_was_made() -> None:
    rows = [
        ("分数的意义", "3天前"),
        ("小数乘法", "昨天 10:20"),
        ("圆的面积", "2小时前"),
        ("三角形", "刚刚"),
        ("统计图", "05-12"),
        ("百分数", "12月30日"),
        ("长方体", "2023-11-02"),
        ("今天我们学习了乘法", "3-4年级"),
        ("正方体", "本课适合10-12岁的学生，今天，你学会了吗"),
        ("长方形", "发布于3天前"),
    ]
    html = (
        "<ul>"
        + "".join(f'<li><a href="/a/{n}">{t}</a><span>{d}</span></li>' for n, (t, d) in enumerate(rows))
        + "</ul>"
    )
    token = READ_AT.set(datetime(2024, 6, 1, 0, 30, tzinfo=BEIJING))
    try:
        dates = [r.date for r in find_records(_soup(f'<h2 class="hh">文章</h2>{html}'), BASE)]
    finally:
        READ_AT.reset(token)
    assert dates == [
        "2024-05-29",
        "2024-05-31",
        "2024-05-31",  # two hours before 00:30 is the day before
        "2024-06-01",
        "2024-05-12",
        "2023-12-30",  # no year shown, and not yet this year: last year's
        "2023-11-02",
        None,  # a title's 今天 and a grade range are no dates
        None,  # nor an age range or a 今天 in a summary
        "2024-05-29",
    ]
    token = READ_AT.set(datetime(2024, 6, 1, 0, 30, tzinfo=BEIJING))
    try:  # a module titled with such words is still a module
        titles = [m.name for m in find_modules(_soup(f"<div><h3>昨天·今天·明天</h3>{html}</div>"), BASE)]
    finally:
        READ_AT.reset(token)
    assert titles == ["昨天·今天·明天"]
    # Without a clock (nothing says when the page was made) nothing is guessed.
    assert [r.date for r in find_records(_soup(f'<h2 class="hh">文章</h2>{html}'), BASE)][:6] == [None] * 6


def test_the_footers_links_are_the_platforms_not_the_teachers() -> None:
    article = (
        '<div class="c"><h1>一次公开课的反思</h1><p>课前我参考了<a href="https://www.zhihu.com/q/1">知乎上的讨论</a>，'
        "学生的参与度明显提高。</p></div>"
    )
    footers = (
        '<div class="f"><p>版权所有 © <a href="https://jyj.example.gov.cn/">某区教育局</a></p>'
        '<p>技术支持：<a href="https://www.vendor-tech.com/">某某信息技术有限公司</a></p></div>',
        '<div class="f">Copyright © 2024 <a href="https://www.vendor-tech.com/">Vendor</a> '
        '<a href="https://beian.miit.gov.cn/">闽ICP备12345678号</a></div>',
        '<footer><a href="https://www.vendor-tech.com/">关于我们</a></footer>',
    )
    for footer in footers:  # nor are they the records of a listing with nothing in it
        empty = f'<html><body><div class="m"><h2>教学资源</h2><p>暂无内容</p></div>{footer}</body></html>'
        assert find_records(parse_html(empty), BASE) == [], footer
        for html in (
            f"<html><body>{article}{footer}</body></html>",
            f"<html><body><div>{article}{footer}</div></body></html>",
        ):
            page = Page(BASE, BASE, 200, html, "http")
            assert [link.url for link in outbound_links([page], BASE)] == ["https://www.zhihu.com/q/1"], footer


def test_an_icon_fonts_glyph_is_no_part_of_a_title() -> None:
    boxes = "".join(
        f'<div class="q"><h3><i class="w">{glyph}</i>{name}</h3><ul><li><a href="/r/{n}">分数的意义</a></li></ul></div>'
        for n, (glyph, name) in enumerate((("\ue601", "教学资源"), ("\ue602", "我的书架"), ("\uf8ff", "教学随笔")))
    )
    modules = find_modules(_soup(boxes), BASE)
    assert [(m.name, m.kind) for m in modules] == [
        ("教学资源", "builtin"),
        ("我的书架", "custom"),
        ("教学随笔", "builtin"),
    ]


def test_marks_on_an_items_link_are_no_part_of_its_title() -> None:
    links = (
        '<a href="/r/0"><span class="x">置顶</span>分数的意义</a>',
        '<a href="/r/1">小数乘法<em class="y">NEW</em></a>',
        '<a href="/r/2">【推荐】圆的面积</a>',
        '<a href="/r/3">新课标解读</a>',  # a title that begins with 新 keeps it
        '<a href="/r/5"><span class="hl">新</span>课标下的作业设计</a>',  # so does a highlighted 新
    )
    rows = "".join(f"<li>{link}<span>2023-0{n + 1}-02</span></li>" for n, link in enumerate(links))
    records = find_records(_soup(f'<h2 class="hh">资源</h2><ul class="zz">{rows}</ul>'), BASE)
    assert [(r.title.replace(" ", ""), r.labels) for r in records] == [
        ("分数的意义", []),
        ("小数乘法", []),
        ("圆的面积", []),
        ("新课标解读", []),
        ("新课标下的作业设计", []),
    ]


def test_a_count_beside_a_module_title() -> None:
    page = (
        '<div class="a"><div class="b"><b>我的相册</b> <span>共5个</span> <a data-k="alb">more</a></div>'
        '<div class="c"><img src="/1.jpg"></div></div>'
    )
    [album] = find_modules(_soup(page), BASE)
    assert (album.name, album.items, album.type) == ("我的相册", 5, "albums")


def test_profiles_in_pipes_and_tables_with_images_by_place() -> None:
    page = (
        '<div class="x"><img src="/b.jpg" width="1200" height="180"><h1>陈静</h1></div>'
        '<div class="y"><div class="h">个人资料</div><div class="i">'
        '<img src="/a.jpg" width="90" height="90"><p>学校 | 实验小学</p><p>学科 | 数学</p>'
        "<table><tr><th>任教班级</th><td>三(1)班、三(2)班</td></tr><tr><th>联系电话</th><td>0595-1234567</td></tr></table>"
        "</div></div>"
    )
    soup = _soup(page)
    modules = find_modules(soup, BASE)
    box = next(m.element for m in modules if m.type == "profile")
    profile = extract_profile(soup, [], BASE, profile_box=box, first_box=modules[0].element)
    assert (profile.name, profile.school, profile.subject) == ("陈静", "实验小学", "数学")
    assert profile.classes == ("三(1)班", "三(2)班") and profile.contact == "0595-1234567"
    assert profile.avatar == "http://p.example.cn/a.jpg" and profile.header_image == "http://p.example.cn/b.jpg"


def test_the_profile_page_is_found_by_its_label() -> None:
    soup = _soup('<a href="/u/7/">首页</a><a href="/u/7/about.html">关于我</a>')
    assert profile_page_url(soup, BASE) == "http://p.example.cn/u/7/about.html"


def test_item_pages_state_what_listings_leave_out() -> None:
    page = _soup(
        '<div class="s"><a href="/x">最新文章 2021-01-01</a></div>'
        '<div class="m"><div class="t">岩石与矿物</div><div class="n"><span>发布时间：2022年8月11日</span> '
        "<span>来源：转载</span> <span>分类：课例</span> <span>格式：MP4</span> <span>大小：6.5M</span></div></div>"
    )
    facts = read_detail(page, "岩石与矿物")
    assert (facts.date, facts.original, facts.category, facts.format, facts.size_bytes) == (
        "2022-08-11",
        False,
        "lesson_video",
        "mp4",
        int(6.5 * 1024**2),
    )


def test_app_json_records_by_shape_with_totals_and_epoch_dates() -> None:
    answer = {
        "code": 0,
        "data": {
            "records": [
                {
                    "resId": 439,
                    "resName": "《岩石与矿物》课件",
                    "createTime": 1646100000000,
                    "tag_list": [{"tag_name": "课件"}],
                    "ti_items": [{"ti_format": "pptx", "ti_size": 4582277}],
                    "source": "原创",
                },
                {
                    "resId": 440,
                    "resName": "声音的产生",
                    "createTime": "2022-03-02 10:00:00",
                    "typeName": "微课",
                    "ext": "mp4",
                    "size": 18664653,
                    "original_type": 0,
                },
            ],
            "total": 41,
            "pages": 6,
        },
    }
    [found] = find_json_lists([("http://p/api/res?page=1", json.dumps(answer, ensure_ascii=False))])
    assert (found.total, found.pages, len(found.records)) == (41, 6, 2)
    first, second = (record_from_json(item, "http://p/", "http://p/") for item in found.records)
    assert (first.title, first.date, first.labels, first.format, first.size_bytes, first.original) == (
        "《岩石与矿物》课件",
        "2022-03-01",
        ["课件"],
        "pptx",
        4582277,
        True,
    )
    assert (second.date, second.labels, second.format, second.original) == ("2022-03-02", ["微课"], "mp4", False)


def test_script_pagers_and_in_app_entries() -> None:
    html = (
        "<script>function turn(p){ window.location.href = '/u/7/list.php?cat=2&pg=' + p; }</script>"
        '<a href="javascript:turn(2)">2</a><a href="javascript:void(0);turn(3)">下一页</a>'
    )
    assert pagination_links(parse_html(html), "http://p.example.cn/u/7/list.php?cat=2&pg=1", html) == [
        "http://p.example.cn/u/7/list.php?cat=2&pg=2",
        "http://p.example.cn/u/7/list.php?cat=2&pg=3",
    ]
    assert in_app_entry(_soup('<nav><a data-v="res">我的资源</a></nav>'), ["我的资源"])
    assert not in_app_entry(_soup("<h3>我的资源</h3>"), ["我的资源"])
