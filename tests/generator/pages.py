"""Server-rendered pages: home, listings (with tabs and pagers), detail pages, album pages,
the profile page and custom-module pages."""

from __future__ import annotations

import math

from . import boxes
from .markup import Markup, esc
from .model import ArticleItem, ResourceItem, SpaceModel
from .players import embed
from .scripts import layout_script, loader_script
from .site import Site

__all__ = [
    "album_page",
    "article_row",
    "column_page",
    "detail_page",
    "home_page",
    "listing_page",
    "profile_page",
    "resource_row",
]


def _module(space: SpaceModel, slot: str) -> str:
    return next((m.name for m in space.modules if m.slot == slot), {"res": "资源", "art": "文章", "alb": "相册"}[slot])


def _lock(m: Markup) -> str:
    if m.lock_style == "icon":
        return f'<i {m.c("lk")} title="仅好友可见"></i>'
    return f"<span {m.c('lk')}>[仅好友可见]</span>"


def resource_row(site: Site, m: Markup, space: SpaceModel, r: ResourceItem, in_tabs: bool) -> dict[str, str]:
    s = site.s
    d = {
        "link": f'href="{esc(site.item_href(space, "res", r.id))}"',
        "title": esc(r.title),
        "short": esc(m.short(r.title)),
        "thumb": esc(site.urls.image(f"{site.v.w('thumb')}{r.id % 7}.png")),
        "date": site.shown_date(r.published, r.clock, s.date_format),
        "views": str(r.id * 7 % 300),
    }
    if s.date_format == "year_heading":
        d["year"] = str(r.published.year)
    if s.original_display in ("text", "bracket", "icon", "column"):
        d["orig"] = m.orig_word(r.original)
    if s.category_display == "label" and not in_tabs:
        d["cat"] = esc(m.cat_text(r.label))
    if s.res_meta == "listing":
        d["fmt"] = esc(m.fmt_text(r.ext))
        d["size"] = esc(r.size_text)
    if r.visibility != "everyone":
        d["lock"] = _lock(m)
    return d


def article_row(site: Site, m: Markup, space: SpaceModel, a: ArticleItem) -> dict[str, str]:
    s = site.s
    d = {
        "link": f'href="{esc(site.item_href(space, "art", a.id))}"',
        "title": esc(a.title),
        "short": esc(m.short(a.title)),
        "thumb": esc(site.urls.image(f"{site.v.w('thumb')}{a.id % 7}.png")),
        "views": str(a.id * 3 % 500),
    }
    if s.article_date_where == "listing":
        d["date"] = site.shown_date(a.published, a.clock, s.date_format)
        if s.date_format == "year_heading":
            d["year"] = str(a.published.year)
    if s.original_display in ("text", "bracket", "icon", "column"):
        d["orig"] = m.orig_word(a.original)
    if s.article_category_where == "row":
        d["cat"] = esc(m.cat_text(a.category))
    return d


def article_place(site: Site) -> str:
    """Articles have no thumbnails to hide a title in: an ``alt``-only title becomes a caption."""
    return "caption" if site.s.title_place == "alt" else site.s.title_place


def home_page(site: Site, space: SpaceModel) -> str:
    m = site.markup(f"home:{space.sid}")
    rendered = []
    for number, mod in enumerate(space.modules):
        more = None
        if mod.more and mod.slot in ("resources", "articles", "albums"):
            more = site.listing_href(space, mod.slot)
        elif mod.more and mod.slot == "custom":
            more = site.abs_path(site.urls.column(space.sid, mod.id))
        rendered.append(boxes.box(site, m, number, mod, boxes.module_body(site, m, space, mod), more))
    split = m.rng.randint(0, len(rendered)) if m.rng.random() < 0.6 else len(rendered)
    left, right = "".join(rendered[:split]), "".join(rendered[split:])
    body = f"<div {m.c('cl')}>{left}</div><div {m.c('cr')}>{right}</div>" if right else left
    if site.slogan:
        body = f"<h3 {m.c('sg')}>欢迎来到我的空间</h3>" + body
    scripts = layout_script(site, space, m)
    name = space.teacher.name
    return boxes.chrome(site, m, space, f"{name}的空间 - {site.city}教育云", body, scripts)


def listing_page(site: Site, space: SpaceModel, kind: str, page: int, tab: str) -> str | None:
    s = site.s
    m = site.markup(f"list:{space.sid}:{kind}:{page}:{tab}")
    heading = f"<h2 {m.c('lh')}>{esc(_module(space, kind))}</h2>"
    if kind == "alb":
        albums = space.albums
        urls = {a.id: site.album_href(space, a.id) for a in albums}
        total = f"<p {m.c('lt')}>共 {len(albums)} 个相册</p>" if s.pager_items else ""
        body = heading + total + boxes.album_list(site, m, space, albums, urls)
        return boxes.chrome(site, m, space, _module(space, kind), body)
    tabs_html = ""
    items: list[ResourceItem] | list[ArticleItem]
    if kind == "res":
        items = space.resources
        if s.category_display in ("tabs_all", "tabs_only"):
            labels = site.tabs(space)
            if s.category_display == "tabs_only" and not tab:
                tab = "1"
            links = [] if s.category_display == "tabs_only" else [("", "全部")]
            links += [(str(i + 1), label) for i, label in enumerate(labels)]
            bits = [
                f"<span {m.c('tabon')}>{x}</span>"
                if code == tab
                else f'<a href="{esc(site.abs_path(site.urls.listing(space.sid, "res", 1, code)))}">{x}</a>'
                for code, x in links
            ]
            tabs_html = f"<div {m.c('tabs')}>{''.join(bits)}</div>"
            if tab:
                if not tab.isdigit() or not 1 <= int(tab) <= max(len(labels), 1):
                    return None
                label = labels[int(tab) - 1] if labels else ""
                items = [r for r in space.resources if r.label == label]
    else:
        items = space.articles
    size = s.page_size
    pages = max(1, math.ceil(len(items) / size))
    chunk = items[(page - 1) * size : page * size]
    in_tabs = bool(tabs_html)
    rows = [
        resource_row(site, m, space, r, in_tabs) if isinstance(r, ResourceItem) else article_row(site, m, space, r)
        for r in chunk
    ]
    if site.badges != "none" and page == 1:  # the first rows of the first page marked 置顶 / 推荐 / NEW
        for row in rows[: 1 + len(rows) // 8]:
            row["badge"] = site.badges
    place = s.title_place if kind == "res" else article_place(site)
    list_id = site.v.w(f"list:{kind}")
    scripts = ""
    pager = ""
    if s.pager in ("load_more", "infinite"):
        scripts = loader_script(site, space, kind, rows[-1].get("year", "") if rows else "", pages)
        if pages > 1:
            if s.pager == "load_more":
                pager = f'<a href="javascript:;" id="{site.v.w("loadbtn")}" {m.c("ldm")}>加载更多</a>'
            elif s.scroll_hint:
                pager = f"<div {m.c('ldh')}>{m.rng.choice(('下拉加载更多', '滚动加载更多'))}</div>"
    else:
        pager = m.pager(page, pages, len(items), lambda n: site.abs_path(site.urls.listing(space.sid, kind, n, tab)))
    listing = m.listing(rows, place, list_id, pager if s.list_shape == "table" else "")
    if s.list_shape != "table" or not rows:
        listing += pager
    body = heading + tabs_html + m.wrap(listing)
    return boxes.chrome(site, m, space, _module(space, kind), body, scripts)


def detail_page(site: Site, space: SpaceModel, kind: str, id_: int) -> str | None:
    s = site.s
    m = site.markup(f"detail:{space.sid}:{kind}:{id_}")
    pool = space.resources if kind == "res" else space.articles
    item = next((x for x in pool if x.id == id_), None)
    if item is None:
        return None
    fmt = "iso" if s.date_format == "year_heading" else s.date_format
    meta = [f"<span {m.c('dd0')}>发布时间：{site.shown_date(item.published, item.clock, fmt)}</span>"]
    if s.original_display != "none":
        meta.append(
            f"<span {m.c('dd1')}>{'类型' if m.rng.random() < 0.5 else '来源'}：{m.orig_word(item.original)}</span>"
        )
    body = ""
    if isinstance(item, ResourceItem):
        if s.category_display != "none":
            meta.append(f"<span {m.c('dd2')}>分类：{esc(item.label)}</span>")
        if s.res_meta != "none":
            meta.append(f"<span {m.c('dd3')}>格式：{item.ext.upper()}</span>")
            meta.append(f"<span {m.c('dd4')}>大小：{esc(item.size_text)}</span>")
        if item.visibility != "everyone":
            body = f"<p {m.c('lkd')}>该资源仅好友可见</p>"
        elif item.video:
            href = site.abs_path(item.video.path)
            body = embed(item.video, href, m, site.abs_path(f"/{site.v.w('path:static')}/player.js"), item.title)
        elif s.res_meta != "none":
            dl = site.abs_path(site.urls.download(space.sid, item.id, item.ext))
            body = f'<p><a href="{esc(dl)}" {m.c("dl")}>下载：{esc(item.title)}.{item.ext}</a></p>'
        body += f"<p>{esc(space.teacher.subject)}教学资源，欢迎下载使用。</p>"
    else:
        if s.article_category_where != "none":
            meta.append(f"<span {m.c('dd2')}>分类：{esc(item.category)}</span>")
        body = "".join(f"<p>{esc(p)}</p>" for p in item.paragraphs)
        for link in item.links:
            body += f'<p>参考：<a href="{esc(link.url)}" target="_blank">{esc(link.text)}</a></p>'
    tag = m.detail_tag
    page = (
        f"<div {m.c('dtl')}><{tag} {m.c('dtt')}>{esc(item.title)}</{tag}>"
        f"<div {m.c('dmeta')}>{' '.join(meta)}</div><div {m.c('dbody')}>{body}</div></div>"
    )
    return boxes.chrome(site, m, space, item.title, m.wrap(page))


def album_page(site: Site, space: SpaceModel, id_: int) -> str | None:
    m = site.markup(f"album:{space.sid}:{id_}")
    album = next((a for a in space.albums if a.id == id_), None)
    if album is None:
        return None
    word = site.v.w("photo")
    photos = (
        "".join(
            f'<div {m.c("ph")}><img src="{esc(site.urls.image(f"{word}{album.id}_{i}.jpg"))}" alt=""></div>'
            for i in range(album.photos)
        )
        or f"<p {m.c('empty')}>该相册暂无照片</p>"
    )
    body = f"<h2 {m.c('ah')}>{esc(album.name)}</h2><p>共 {album.photos} 张</p><div {m.c('phs')}>{photos}</div>"
    return boxes.chrome(site, m, space, album.name, m.wrap(body))


def profile_page(site: Site, space: SpaceModel) -> str:
    m = site.markup(f"profile:{space.sid}")
    body = f"<h2 {m.c('ph0')}>{site.s.profile_page_title}</h2>" + boxes.profile_block(site, m, space, True)
    return boxes.chrome(site, m, space, site.s.profile_page_title, m.wrap(body))


def column_page(site: Site, space: SpaceModel, mid: int) -> str | None:
    m = site.markup(f"column:{space.sid}:{mid}")
    mod = next((x for x in space.modules if x.slot == "custom" and x.id == mid), None)
    if mod is None:
        return None
    body = f"<h2 {m.c('ch')}>{esc(mod.name)}</h2>" + boxes.module_body(site, m, space, mod)
    return boxes.chrome(site, m, space, mod.name, m.wrap(body))
