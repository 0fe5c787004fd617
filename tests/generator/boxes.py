"""Home-page pieces of a server-rendered platform: module boxes and how custom ones are
marked, the profile block, album lists, and the chrome (banner, nav, footer) with its traps."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from . import banks
from .markup import Markup, esc
from .model import AlbumItem, ModuleBox, SpaceModel

if TYPE_CHECKING:
    from .site import Site

__all__ = ["album_list", "box", "chrome", "count_text", "layout_json", "module_body", "profile_block"]

_UNITS = {"resources": "个", "articles": "篇", "albums": "个"}


def count_text(style_count: str, slot: str, count: int) -> tuple[str, str]:
    """(text appended to the title, separate element) for a header count."""
    if style_count == "paren":
        return f"({count})", ""
    if style_count == "fullparen":
        return f"（{count}）", ""
    if style_count == "pian":
        return f" {count} {_UNITS.get(slot, '个')}", ""
    if style_count == "gong":
        return "", f"共{count}{'篇' if slot == 'articles' else '个'}"
    return "", f"[{count}]"


def layout_json(site: Site, space: SpaceModel) -> str:
    """The page layout as JSON (ids of the boxes and which are custom), in one of three shapes."""
    shape = site.layout_shape
    word = site.s.custom_word
    entries: list[dict[str, object]] = []
    for number, mod in enumerate(space.modules):
        custom = mod.kind == "custom"
        box_id = f"{site.v.w('boxid')}{number}"
        if shape == 0:
            entries.append({"id": box_id, "title": mod.name, "type": word if custom else "system"})
        elif shape == 1:
            entries.append({"wid": box_id, "name": mod.name, "isCustom": 1 if custom else 0})
        else:
            entries.append({"moduleId": box_id, "moduleName": mod.name, "moduleType": word if custom else "sys"})
    key = ("modules", "widgets", "layout")[shape]
    return json.dumps({"data": {key: entries}} if shape == 1 else {key: entries}, ensure_ascii=False)


def box(
    site: Site, m: Markup, number: int | str, mod: ModuleBox, body: str, more: str | None, head_extra: str | None = None
) -> str:
    s = site.s
    custom = mod.kind == "custom"
    attrs = [m.c("bx")]
    marking = s.module_marking
    if marking == "data_attr":
        attrs.append(f'data-{site.v.w("dmark")}="{s.custom_word if custom else "system"}"')
    elif marking == "data_type_attr":
        attrs.append(f'data-{site.v.w("dmark")}-type="{s.custom_word if custom else "sys"}"')
    elif marking == "class_word":
        marker = site.v.w("cmark")
        token = f"{s.custom_word}-{marker}" if custom else f"{marker}-{site.v.w('slot:' + mod.slot)}"
        attrs[0] = attrs[0][:-1] + f' {token}"'
    if marking in ("layout_json", "layout_api"):
        attrs.append(f'id="{site.v.w("boxid")}{number}"')
    title = esc(mod.name)
    extra = ""
    if mod.count is not None:
        inline, separate = count_text(s.count_style, mod.slot, mod.count)
        title += inline
        extra = f" <span {m.c('bxcount')}>{separate}</span>" if separate else ""
    more_html = ""
    if more:
        more_html = f' <a href="{esc(more)}" {m.c("bxmore")}>{m.more_text}</a>'
    elif mod.slot in ("guestbook",) and mod.count is None:
        more_html = f' <a href="javascript:;" {m.c("bxmore")}>{m.more_text}</a>'
    if head_extra is not None:
        extra, more_html = head_extra, ""
    tag = m.title_tag
    if site.title_icons:
        title = f"<i {m.c('ico')}>&#x{0xE600 + len(mod.name) * 37 % 256:x};</i>{title}"
    head = f"<div {m.c('bxh')}><{tag} {m.c('bxt')}>{title}</{tag}>{extra}{more_html}</div>"
    return m.wrap(f"<div {' '.join(attrs)}>{head}<div {m.c('bxb')}>{body}</div></div>")


def profile_block(site: Site, m: Markup, space: SpaceModel, with_avatar: bool) -> str:
    t = space.teacher
    s = site.s
    pairs = [(m.rng.choice(("姓名", "教师姓名")), t.name)]
    if t.show["school"]:
        pairs.append((m.rng.choice(("学校", "单位", "所在学校")), t.school))
    if t.show["subject"]:
        pairs.append((m.rng.choice(("学科", "任教学科")), t.subject))
    if t.show["classes"]:
        pairs.append((m.rng.choice(("任教班级", "班级")), site.classes_sep.join(t.classes)))
    if t.show["contact"]:
        pairs.append((m.rng.choice(("联系方式", "联系电话", "邮箱")) if "@" in t.contact else "联系方式", t.contact))
    layout = s.profile_layout
    if layout == "dl":
        body = f"<dl {m.c('pf')}>" + "".join(f"<dt>{k}</dt><dd>{esc(v)}</dd>" for k, v in pairs) + "</dl>"
    elif layout == "table":
        body = f"<table {m.c('pf')}>" + "".join(f"<tr><th>{k}</th><td>{esc(v)}</td></tr>" for k, v in pairs)
        body += "</table>"
    elif layout == "span_em":
        body = "".join(f"<div {m.c('pfr')}><span>{k}</span><em>{esc(v)}</em></div>" for k, v in pairs)
    elif layout == "pipe":
        body = "".join(f"<p {m.c('pfr')}>{k} | {esc(v)}</p>" for k, v in pairs)
    else:
        body = f"<ul {m.c('pf')}>" + "".join(f"<li>{k}：{esc(v)}</li>" for k, v in pairs) + "</ul>"
    avatar = ""
    if with_avatar and t.show["avatar"]:
        src = esc(site.urls.image(f"{site.v.w('avatarfile')}{space.index}.jpg"))
        cue = s.avatar_cue
        if cue == "alt":
            avatar = f'<img src="{src}" alt="头像" {m.c("av")}>'
        elif cue == "title_attr":
            avatar = f'<img src="{src}" title="{esc(t.name)}的头像" {m.c("av")}>'
        else:
            avatar = f'<img src="{src}" width="96" height="96" {m.c("av")}><b>{esc(t.name)}</b>'
    return f"<div {m.c('pfw')}>{avatar}{body}</div>"


def album_count(fmt: str, photos: int | str) -> str:
    return {"gong": f"共 {photos} 张", "zhang": f"{photos}张", "paren": f"({photos})"}.get(fmt, "")


def album_cell(site: Site, m: Markup, d: dict[str, str]) -> str:
    """One album of a list: ``d`` holds link, cover, name (with 「（12）」 for name_paren), alt, count."""
    if site.s.album_layout == "thumb_count_beside":
        inner = (
            f'<a {d["link"]} {m.c("alink")}><img src="{d["cover"]}" alt="{d["alt"]}"></a>'
            f"<p {m.c('aname')}>{d['name']}</p>"
        )
    else:
        inner = f'<a {d["link"]} {m.c("alink")}><img src="{d["cover"]}" alt="">{d["name"]}</a>'
    if site.s.album_count_fmt in ("gong", "zhang", "paren"):
        inner += f"<span {m.c('acount')}>{d['count']}</span>"
    return f"<div {m.c('acell')}>{inner}</div>"


def album_list(site: Site, m: Markup, space: SpaceModel, albums: list[AlbumItem], url_of: dict[int, str]) -> str:
    fmt = site.s.album_count_fmt
    if not albums:
        return f"<p {m.c('empty')}>暂无相册</p>"
    cells = []
    for album in albums:
        name = esc(album.name) + (f"（{album.photos}）" if fmt == "name_paren" else "")
        d = {
            "link": f'href="{esc(url_of[album.id])}"',
            "name": name,
            "count": album_count(fmt, album.photos),
            "cover": esc(site.urls.image(f"{site.v.w('cover')}{album.id % 5}.jpg")),
            "alt": esc(album.name) if album.id % 2 else "",
        }
        cells.append(album_cell(site, m, d))
    return f"<div {m.c('agrid')}>{''.join(cells)}</div>"


def module_body(site: Site, m: Markup, space: SpaceModel, mod: ModuleBox) -> str:
    """What a box holds on the home page."""
    urls, sid = site.urls, space.sid
    fmt = "iso" if site.s.date_format == "year_heading" else site.s.date_format
    if mod.slot == "profile":
        return profile_block(site, m, space, with_avatar=True)
    if mod.slot in ("resources", "articles", "video"):
        pool = space.resources if mod.slot != "articles" else space.articles
        if mod.slot == "video":
            pool = [r for r in space.resources if r.video]
        kind = "art" if mod.slot == "articles" else "res"
        if not pool:
            return f"<p {m.c('empty')}>暂无内容</p>"
        rows = "".join(
            f'<li><a href="{esc(site.item_href(space, kind, item.id))}">{esc(item.title)}</a> '
            f"<span {m.c('hdate')}>{site.shown_date(item.published, item.clock, fmt)}</span></li>"
            for item in pool[: site.home_rows]
        )
        return f"<ul {m.c('hl')}>{rows}</ul>"
    if mod.slot == "albums":
        return album_list(site, m, space, space.albums[:4], {a.id: site.album_href(space, a.id) for a in space.albums})
    if mod.slot == "guestbook":
        return "".join(
            f"<p {m.c('msg')}>{m.rng.choice(banks.SURNAMES)}老师：{m.rng.choice(banks.MESSAGES)}</p>"
            for _ in range(m.rng.randint(1, 4))
        )
    if mod.slot in ("visitors", "friends"):
        others = [o for o in site.p.spaces if o.sid != sid] or [space]
        links = []
        for _ in range(m.rng.randint(2, 5)):
            other = m.rng.choice(others)
            who = m.rng.choice(banks.SURNAMES) + m.rng.choice(banks.GIVEN)
            links.append(f'<a href="{esc(urls.home(other.sid))}">{who}</a>')
        return f"<div {m.c('ppl')}>{' '.join(links)}</div>"
    if mod.slot == "notice":
        return f"<p>{m.rng.choice(banks.NOTICES)}</p>"
    if mod.slot == "stats":
        return (
            f"<p {m.c('st')}>资源：{len(space.resources)}</p><p {m.c('st')}>文章：{len(space.articles)}</p>"
            f"<p {m.c('st')}>访问量：{m.rng.randint(100, 90000)}</p>"
        )
    bits = [f"<p>{esc(mod.text)}</p>"] if mod.text else []
    for link in mod.links:
        bits.append(f'<p><a href="{esc(link.url)}" target="_blank">{esc(link.text)}</a></p>')
    for text, ref in mod.inner:
        bits.append(f'<p><a href="{esc(site.item_href(space, "res", int(ref.split(":")[1])))}">{esc(text)}</a></p>')
    if not bits:
        bits.append(f'<img src="{esc(site.urls.image(site.v.w("cert") + ".jpg"))}" alt="{esc(mod.name)}">')
    return "".join(bits)


# Host names of the cities' bureaus and of the vendors (their footers' links).
_PINYIN = {
    **{"泉州市鲤城区": "lc", "武汉市新洲区": "xinzhou", "成都市金牛区": "jinniu", "福州市鼓楼区": "gl"},
    **{"杭州市西湖区": "xihu", "厦门市思明区": "siming", "宜昌市西陵区": "xiling"},
    **{"天枢": "tianshu", "云帆": "yunfan", "博学": "boxue", "启明": "qiming", "慧通": "huitong"},
    **{"星火": "xinghuo", "智源": "zhiyuan"},
}
# Class names web frameworks give a dialog layer (Bootstrap, layui, Element, jQuery UI …);
# not a bare "overlay", which names a thumbnail's caption as often as a dialog.
_DIALOG_CLASSES = ("modal", "layui-layer", "el-dialog", "ui-dialog", "popup")


def floating_layer(site: Site, m: Markup) -> tuple[str, str]:
    """The platform's floating layer (``Style.float_layer``) and its <style> rule, if any."""
    s = site.s
    if s.float_layer == "none":
        return "", ""
    word = site.v.w("fl0")
    cue, rule = f'class="{word}"', ""
    if s.float_cue == "inline_fixed":
        place = m.rng.choice(("right:0;top:30%", "right: 12px; bottom: 80px", "left:0;bottom:0;width:100%"))
        cue += f' style="position:{m.rng.choice(("", " "))}fixed;{place};z-index:{m.rng.choice((99, 999, 10000))}"'
    elif s.float_cue == "style_rule":
        by_id = m.rng.random() < 0.5
        cue = f'id="{word}"' if by_id else cue
        rule = f"{'#' if by_id else '.'}{word}{{position:fixed;right:0;top:200px;z-index:999}}"
    elif s.float_cue == "aria":
        cue += f' role="{m.rng.choice(("dialog", "alertdialog"))}"'
        cue += ' aria-modal="true"' if m.rng.random() < 0.5 else ""
    else:
        cue = f'class="{m.rng.choice(_DIALOG_CLASSES)} {word}"'
    head = f"<div {m.c('fl1')}>{{}}</div>"
    if s.float_layer == "notice":
        title = m.rng.choice(("系统公告", "平台公告", "温馨提示", "通知"))
        inner = (
            head.format(title)
            + f"<p>尊敬的用户：{site.city}教育云平台将于本周六 22:00 至 24:00 进行系统维护，"
            + "届时暂停服务，敬请谅解。</p>"
            + f'<a href="javascript:;" {m.c("fl2")}>我知道了</a>'
        )
    elif s.float_layer == "service":
        title = m.rng.choice(("在线客服", "客服中心", "联系我们"))
        qq = 10000 + site.p.seed % 89999
        inner = (
            head.format(title)
            + f'<ul><li><a href="http://wpa.qq.com/msgrd?v=3&amp;uin={qq}&amp;site=qq&amp;menu=yes">QQ咨询</a></li>'
            + f"<li>服务热线：400-{site.p.seed % 9000 + 1000}-{site.p.index:03d}</li>"
            + '<li><a href="#">返回顶部</a></li></ul>'
        )
    else:
        title = m.rng.choice(("扫码下载APP", "手机端访问", "关注公众号"))
        src = esc(site.urls.image(f"{site.v.w('qrfile')}.png"))
        inner = head.format(title) + f'<img src="{src}" width="120" height="120" alt="二维码"><p>随时随地访问空间</p>'
    return f"<div {cue}>{inner}</div>", rule


def chrome(site: Site, m: Markup, space: SpaceModel, title: str, body: str, scripts: str = "") -> str:
    """A whole page: head, banner (with the teacher's name: not a module), nav, body, footer."""
    s, t = site.s, space.teacher
    charset = ""
    if s.charset_where in ("meta", "both"):
        charset = (
            f'<meta charset="{s.encoding}">'
            if m.rng.random() < 0.5
            else f'<meta http-equiv="Content-Type" content="text/html; charset={s.encoding}">'
        )
    css = f".{site.v.w('bx')}{{border:1px solid #ddd;margin:8px}}"
    body_attr = ""
    if t.show["background"]:
        bg = esc(site.urls.image(f"{site.v.w('bgfile')}{space.index}.jpg"))
        if s.background_style == "body_style":
            body_attr = f' style="background:#eef url({bg}) repeat-x"'
        else:
            css += f"body{{background-image:url({bg})}}"
    else:
        css += "body{background:#f5f5f5}"
    name = esc(space.banner.format(name=t.name))
    heading = f"<h1 {m.c('bn')}>{name}</h1>"
    top = heading
    if t.show["header"]:
        src = esc(site.urls.image(f"{site.v.w('hdrfile')}{space.index}.jpg"))
        if s.header_style == "img":
            top = f'<img src="{src}" width="1200" height="200" {m.c("hi")}>' + heading
        else:
            top = f'<div {m.c("hi")} style="background-image:url({src});height:200px">{heading}</div>'
    spa = s.kind == "spa"  # an SPA's server-rendered item pages link back to the app only
    if s.profile_where == "page" and not spa:
        top += f' <a href="{esc(site.abs_path(urls_profile(site, space)))}">{s.profile_page_title}</a>'
    header_tag = "header" if s.header_tag else "div"
    nav_items = [("首页", site.abs_path(site.urls.home(space.sid)))]
    for mod in space.modules:
        if mod.slot in ("resources", "articles", "albums") and not spa:
            nav_items.append((mod.name, site.listing_href(space, mod.slot)))
    if s.profile_where == "page" and not spa:
        nav_items.append((s.profile_page_title, site.abs_path(urls_profile(site, space))))
    nav_tag = "nav" if s.nav_tag else "div"
    nav = f"<{nav_tag} {m.c('nv')}>" + "".join(f'<a href="{esc(h)}">{esc(x)}</a>' for x, h in nav_items)
    nav += f"</{nav_tag}>"
    footer_tag = "footer" if s.footer_tag else "div"
    layer, rule = floating_layer(site, m)
    css += rule
    bureau, vendor = f"{site.city}教育局", f"{site.vendor}信息技术有限公司"
    licence = f"闽ICP备{10000000 + site.p.seed % 89999999}号"
    if site.footer_links:  # the platform's own links: never the teacher's outbound links
        bureau = f'<a href="https://jyj.{_PINYIN.get(site.city, "city")}.gov.cn/">{bureau}</a>'
        vendor = f'<a href="https://www.{_PINYIN.get(site.vendor, "vendor")}tech.com/">{vendor}</a>'
        licence = f'<a href="https://beian.miit.gov.cn/">{licence}</a>'
    footer = (
        f"<{footer_tag} {m.c('ft0')}><p>{site.footer_words.format(who=bureau)}</p>"
        f"<p>技术支持：{vendor}　客服电话：400-{site.p.seed % 9000 + 1000}-{site.p.index:03d}　{licence}</p>"
        f"</{footer_tag}>"
    )
    return (
        f"<!DOCTYPE html><html><head>{charset}<title>{esc(title)}</title><style>{css}</style></head>"
        f"<body{body_attr}>{layer if site.float_first else ''}<{header_tag} {m.c('tp')}>{top}</{header_tag}>{nav}"
        f"<div {m.c('mn0')}>{body}</div>{footer}{'' if site.float_first else layer}{scripts}</body></html>"
    )


def urls_profile(site: Site, space: SpaceModel) -> str:
    return site.urls.profile(space.sid)
