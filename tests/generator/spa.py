"""Single-page-app platforms: an almost empty HTML shell and one inline script that reads
the space from the URL (``#/space/<sid>``, ``?id=<sid>`` or ``/<shell>/<sid>``), asks the
JSON APIs and builds the DOM. Navigation is by hash routes, by ``pushState`` entries that
carry a data attribute and no href, or by tabs whose click swaps the view in place."""

from __future__ import annotations

from typing import Any

from . import boxes
from .markup import Markup, esc
from .model import ModuleBox
from .scripts import JS_LIB, display_config, js_source, script_tag, template
from .site import Site

__all__ = ["shell_page"]

SLOTS = (
    "profile",
    "resources",
    "articles",
    "albums",
    "guestbook",
    "visitors",
    "friends",
    "notice",
    "video",
    "stats",
    "custom",
)

APP_JS = js_source("app.js")


def _row_keys(site: Site, kind: str) -> list[str]:
    s = site.s
    keys = ["link", "title", "short", "thumb", "views"]
    if kind == "res" or s.article_date_where == "listing":
        keys.append("date")
    if s.original_display in ("text", "bracket", "icon", "column"):
        keys.append("orig")
    if (kind == "res" and s.category_display == "label") or (kind == "art" and s.article_category_where == "row"):
        keys.append("cat")
    if kind == "res" and s.res_meta == "listing":
        keys += ["fmt", "size"]
    return keys


def _link(site: Site, kind: str, view: str) -> list[str]:
    """How an item of a list opens: a server detail page, a hash route, or a data attribute."""
    if site.s.spa_items == "detail_pages":
        if kind == "alb":
            return ["href", site.abs_path(site.urls.album("__SID__", 0)).replace("id=0", "id=__ID__")]
        return ["href", site.abs_path(site.urls.detail("__SID__", kind, "__ID__"))]
    if site.s.spa_routing == "hash":
        base = "#/space/__SID__/" if site.s.url_style == "hash" else "#/"
        return ["href", f"{base}{view}/__ID__"]
    return [f"data-{site.v.w('navattr')}", f"{view}:__ID__"]


def config(site: Site) -> dict[str, Any]:
    s, v = site.s, site.v
    m = site.markup("spa")
    cfg = display_config(site, m)
    words = s.words
    home = site.urls.home("__SID__")
    cls = {
        k: v.w(k)
        for k in (
            "bn",
            "hi",
            "nv",
            "tp",
            "ft0",
            "bxcount",
            "pfw",
            "agrid",
            "hl",
            "lh",
            "cur",
            "dtt",
            "dmeta",
            "dtl",
            "phs",
            "wall",
            "more",
        )
    }
    cls["ft"] = cls.pop("ft0")
    place_art = "caption" if s.title_place == "alt" else s.title_place
    rows, opens, closes = {}, {}, {}
    for kind, place in (("res", s.title_place), ("art", place_art)):
        keys = _row_keys(site, kind)
        rows[kind] = template(lambda d, p=place: m.row(d, p), keys)
        opening, closing = m.list_open(v.w("spalist"))
        head = m.table_head({k: "x" for k in keys}) if s.list_shape == "table" else ""
        opens[kind], closes[kind] = opening + head, closing
    columns = m.table_head({k: "x" for k in _row_keys(site, "res")}).count("<th>")
    builtin = ModuleBox("x", "\x01title\x01", "builtin", None, False)
    custom = ModuleBox("custom", "\x01title\x01", "custom", None, False)
    box_tpl = [
        boxes.box(site, m, "\x01boxid\x01", mod, "\x01body\x01", None, "\x01countel\x01\x01more\x01")
        for mod in (builtin, custom)
    ]
    for index, tpl in enumerate(box_tpl):
        box_tpl[index] = tpl.replace(f'id="{v.w("boxid")}\x01boxid\x01"', 'id="\x01boxid\x01"')
    pf = _profile_templates(site, m)
    cfg.update(
        {
            "app": v.w("app"),
            "entry": s.url_style,
            "routing": s.spa_routing,
            "navAttr": f"data-{v.w('navattr')}",
            "pgAttr": f"data-{v.w('pgattr')}",
            "viewParam": words["view"],
            "hashBase": "#/space/__SID__/" if s.url_style == "hash" else "#/",
            "pushBase": home + ("&" if "?" in home else "?"),
            "v": {k: words[k] for k in ("res", "art", "alb", "album", "prof")},
            "api": {
                "space": site.urls.api("__SID__", "space"),
                "detail": site.urls.api("__SID__", "detail", type="__K__", id="__ID__"),
                "album": site.urls.api("__SID__", "album", id="__ID__"),
                **{
                    k: site.urls.api("__SID__", k, **{s.page_param: "__P__", s.size_param: "__S__"})
                    for k in ("res", "art", "alb")
                },
            },
            "link": {
                "res": _link(site, "res", words["res"]),
                "art": _link(site, "art", words["art"]),
                "alb": _link(site, "alb", words["album"]),
            },
            "rowTpl": rows,
            "listOpen": opens,
            "listClose": closes,
            "listId": v.w("spalist"),
            "yearTpl": m.year_row("\x01year\x01", columns),
            "years": s.date_format == "year_heading",
            "boxTpl": box_tpl,
            "countStyle": s.count_style,
            "moreText": m.more_text,
            "cls": cls,
            "slots": {v.w(f"slot:{slot}"): index for index, slot in enumerate(SLOTS)},
            "listSlots": {"1": "res", "2": "art", "3": "alb"},
            "homeRows": site.home_rows,
            "homeDate": "iso" if s.date_format == "year_heading" else s.date_format,
            "pf": pf,
            "profileWhere": s.profile_where,
            "profTitle": s.profile_page_title,
            "albumCell": boxes.album_cell(
                site, m, {k: f"\x01{k}\x01" for k in ("link", "cover", "name", "alt", "count")}
            ),
            "albumFmt": s.album_count_fmt,
            "pager": s.pager,
            "pageSize": s.page_size,
            "scrollHint": f"<div>{m.rng.choice(('下拉加载更多', '滚动加载'))}</div>" if s.scroll_hint else "",
            "mainId": v.w("main0"),
            "bodyId": v.w("body0"),
            "listWrap": v.w("lw"),
            "pagerId": v.w("pgr"),
            "headerStyle": s.header_style,
            "navTag": "nav" if s.nav_tag else "div",
            "headerTag": "header" if s.header_tag else "div",
            "footerTag": "footer" if s.footer_tag else "div",
            "footer": f"版权所有 © {site.city}教育云 技术支持：{site.vendor}信息技术有限公司",
            "detailTag": m.detail_tag,
        }
    )
    return cfg


def _profile_templates(site: Site, m: Markup) -> dict[str, Any]:
    layout = site.s.profile_layout
    opening, closing, pair = {
        "dl": (f"<dl {m.c('pf')}>", "</dl>", "<dt>\x01k\x01</dt><dd>\x01v\x01</dd>"),
        "table": (f"<table {m.c('pf')}>", "</table>", "<tr><th>\x01k\x01</th><td>\x01v\x01</td></tr>"),
        "span_em": ("", "", f"<div {m.c('pfr')}><span>\x01k\x01</span><em>\x01v\x01</em></div>"),
        "pipe": ("", "", f"<p {m.c('pfr')}>\x01k\x01 | \x01v\x01</p>"),
        "colon": (f"<ul {m.c('pf')}>", "</ul>", "<li>\x01k\x01：\x01v\x01</li>"),
    }[layout]
    cue = site.s.avatar_cue
    avatar = {
        "alt": f'<img src="\x01src\x01" alt="头像" {m.c("av")}>',
        "title_attr": f'<img src="\x01src\x01" title="\x01name\x01的头像" {m.c("av")}>',
        "near_name": f'<img src="\x01src\x01" width="96" height="96" {m.c("av")}><b>\x01name\x01</b>',
    }[cue]
    labels = {
        "name": "姓名",
        "school": m.rng.choice(("学校", "单位")),
        "subject": "学科",
        "classes": m.rng.choice(("任教班级", "班级")),
        "contact": "联系方式",
    }
    return {"open": opening, "close": closing, "pair": pair, "avatar": avatar, "labels": labels}


def shell_page(site: Site) -> str:
    """The HTML every SPA address answers with (the same for every space)."""
    cfg = config(site)
    title = esc(f"{site.city}教育云 · 教师空间")
    css = f"#{cfg['app']}{{min-height:400px}}"
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title><style>{css}</style></head>'
        f'<body><div id="{cfg["app"]}"><p>加载中…</p></div>{script_tag(cfg, JS_LIB, APP_JS)}</body></html>'
    )
