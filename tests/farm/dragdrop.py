"""An imitation of a drag-and-drop module space (东师理想 style).

All widgets are on one server-rendered page, absolutely positioned by a small layout
script; the teacher adds 相册/视频/资源/导航/富文本 widgets and names them freely. A widget's
"更多" opens a server-rendered list, eight a page, with 上一页/下一页 links.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from .server import Request, Response, html
from .spec import ResourceSpec, SpaceSpec

PAGE_SIZE = 8
WIDGET_TYPES = {
    "profile": "card",
    "resources": "resource",
    "albums": "photo",
    "articles": "blog",
    "guestbook": "message",
    "custom": "richtext",
}
LAYOUT_JS = b"""document.querySelectorAll('.dd-widget').forEach(function (w, i) {
  w.style.order = w.getAttribute('data-order') || i; });"""


class DragDropApp:
    def __init__(self, spaces: tuple[SpaceSpec, ...], videos: dict[str, Path]) -> None:
        self.spaces = {s.sid: s for s in spaces}
        self.videos = videos

    @staticmethod
    def home_path(sid: str) -> str:
        return f"/space/{sid}"

    @staticmethod
    def list_path(kind: str, sid: str, page: int | None = None) -> str:
        tail = f"?p={page}" if page else ""
        return f"/space/{sid}/list/{ {'resources': 'resource', 'articles': 'blog', 'albums': 'photo'}[kind] }{tail}"

    @staticmethod
    def item_path(kind: str, sid: str, item_id: str) -> str:
        return f"/space/{sid}/{ {'resources': 'res', 'articles': 'blog', 'albums': 'photo'}[kind] }/{item_id}.html"

    @staticmethod
    def video_path(resource: ResourceSpec) -> str:
        return f"/files/{resource.rid}/{resource.video}"

    def __call__(self, req: Request) -> Response:
        if req.path == "/static/dd-layout.js":
            return Response(200, LAYOUT_JS, "application/javascript")
        if req.path.startswith("/files/"):
            name = req.path.rsplit("/", 1)[-1]
            if name in self.videos:
                return Response(200, content_type="video/mp4", file=self.videos[name])
            return Response(200, b"\x89PNG\r\n\x1a\n", "image/png")
        parts = req.path.strip("/").split("/")
        if len(parts) < 2 or parts[0] != "space":
            return self.page("<h1>404</h1>", 404)
        space = self.spaces.get(parts[1])
        if space is None or space.wall == "not_found":
            return self.page("<p>您访问的空间不存在</p>", 404)
        if space.wall == "private":
            return self.page(
                f'<div class="dd-locked"><h2>{escape(space.name)}的空间</h2>'
                "<p>该空间仅主人自己可见，暂不对外开放。</p></div>"
            )
        if len(parts) == 2:
            return self.home(space)
        if len(parts) == 4 and parts[2] == "list":
            page = int(req.q("p", "1") or 1)
            return {"resource": self.resource_list, "blog": self.blog_list, "photo": self.photo_list}[parts[3]](
                space, page
            )
        if len(parts) == 4 and parts[2] == "res":
            return self.resource_view(space, parts[3].removesuffix(".html"))
        return self.page("<p>页面不存在</p>", 404)

    def page(self, body: str, status: int = 200, title: str = "教师空间", extra: str = "", style: str = "") -> Response:
        return html(
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>{style}</head>'
            f'<body>{body}<footer class="dd-foot">理想空间 · 金牛区教育资源公共服务平台</footer>{extra}</body></html>',
            status,
        )

    def home(self, s: SpaceSpec) -> Response:
        widgets = []
        for order, m in enumerate(s.modules):
            more = f'<a class="dd-more" href="{self.list_path(m.more, s.sid)}">更多</a>' if m.more else ""
            if m.type == "profile":
                rows = [("学校", s.school), ("学科", s.subject), ("任教", "，".join(s.classes) or None)]
                body = (
                    (f'<img class="head-pic" src="/files/head/{s.sid}.png">' if s.avatar else "")
                    + f'<div class="nm">{escape(s.name)}</div>'
                    + "".join(
                        f'<div class="row"><span class="k">{k}</span><span class="v">{escape(v)}</span></div>'
                        for k, v in rows
                        if v
                    )
                )
            elif m.type == "resources":
                body = "".join(
                    f'<div class="r"><a href="{self.item_path("resources", s.sid, r.rid)}">{escape(r.title)}</a></div>'
                    for r in s.resources[:4]
                )
            elif m.type == "articles":
                body = "".join(
                    f'<div class="r"><a href="{self.item_path("articles", s.sid, a.aid)}">{escape(a.title)}</a></div>'
                    for a in s.articles[:4]
                )
            elif m.type == "albums":
                body = "".join(f'<img src="/files/cover/{a.aid}.png" alt="{escape(a.name)}">' for a in s.albums)
            elif m.type == "guestbook":
                body = '<div class="msg">暂无留言</div>'
            else:
                body = m.html + "".join(f'<a class="nav-link" href="{escape(u)}">{escape(t)}</a>' for u, t in m.links)
            widgets.append(
                f'<div class="dd-widget" data-type="{WIDGET_TYPES[m.type]}" data-order="{order}" '
                f'style="position:absolute;left:{(order % 3) * 330}px;top:{(order // 3) * 260}px;width:320px">'
                f'<div class="dd-widget-title">{escape(m.name)}{more}</div>'
                f'<div class="dd-widget-body">{body}</div></div>'
            )
        canvas_style = f' style="background:url(/files/bg/{s.sid}.png) repeat"' if s.background else ""
        body = (
            f'<div class="dd-top"><span class="owner">{escape(s.name)}的空间</span></div>'
            f'<div class="dd-canvas"{canvas_style}>{"".join(widgets)}</div>'
        )
        return self.page(body, title=f"{s.name}的空间", extra='<script src="/static/dd-layout.js"></script>')

    def _pager(self, kind: str, s: SpaceSpec, page: int, pages: int) -> str:
        prev = f'<a href="{self.list_path(kind, s.sid, page - 1)}">上一页</a>' if page > 1 else "<span>上一页</span>"
        nxt = f'<a href="{self.list_path(kind, s.sid, page + 1)}">下一页</a>' if page < pages else "<span>下一页</span>"
        return f'<div class="pagination">{prev}<span class="cur">{page}/{pages}</span>{nxt}</div>'

    def _list_page(self, s: SpaceSpec, title: str, rows: list[str], pager: str) -> Response:
        body = (
            f'<div class="dd-top"><a href="{self.home_path(s.sid)}">返回{escape(s.name)}的空间</a></div>'
            f'<div class="dd-list"><h3>{title}</h3><div class="items">{"".join(rows)}</div>{pager}</div>'
        )
        return self.page(body, title=title)

    def resource_list(self, s: SpaceSpec, page: int) -> Response:
        pages = max(1, -(-len(s.resources) // PAGE_SIZE))
        rows = []
        for r in s.resources[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
            label = f"【{escape(r.label)}】" if r.label else ""
            orig = {True: '<span class="yc">原创</span>', False: '<span class="zz">转载</span>', None: ""}[r.original]
            mb = f"{r.size_bytes / 1024 / 1024:.1f} MB" if r.size_bytes else ""
            rows.append(
                f'<div class="item">{label}<a href="{self.item_path("resources", s.sid, r.rid)}">{escape(r.title)}.{r.fmt}</a>'
                f'{orig}<span class="info">{mb} | {r.published.replace("-", "/")}</span></div>'
            )
        return self._list_page(s, "资源列表", rows, self._pager("resources", s, page, pages))

    def blog_list(self, s: SpaceSpec, page: int) -> Response:
        pages = max(1, -(-len(s.articles) // PAGE_SIZE))
        rows = []
        for a in s.articles[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
            orig = {True: '<span class="yc">原创</span>', False: '<span class="zz">转载</span>', None: ""}[a.original]
            y, mth, d = a.published.split("-")
            cat = f'<span class="c">[{escape(a.category)}]</span>' if a.category else ""
            rows.append(
                f'<div class="item">{orig}<a href="{self.item_path("articles", s.sid, a.aid)}">{escape(a.title)}</a>'
                f'{cat}<span class="info">{y}年{int(mth)}月{int(d)}日</span></div>'
            )
        return self._list_page(s, "日志列表", rows, self._pager("articles", s, page, pages))

    def photo_list(self, s: SpaceSpec, page: int) -> Response:
        rows = [
            f'<div class="item"><a href="{self.item_path("albums", s.sid, a.aid)}">{escape(a.name)}</a>'
            f'<span class="info">共{a.photos}张</span></div>'
            for a in s.albums
        ]
        return self._list_page(s, "相册列表", rows, "")

    def resource_view(self, s: SpaceSpec, rid: str) -> Response:
        r = next((x for x in s.resources if x.rid == rid), None)
        if r is None:
            return self.page("<p>资源不存在</p>", 404)
        src = (
            f'<video controls><source src="{self.video_path(r)}" type="video/mp4"></video>'
            if r.video
            else f'<a href="/files/{r.rid}.{r.fmt}">下载</a>'
        )
        return self.page(f'<div class="dd-res"><h2>{escape(r.title)}</h2>{src}</div>', title=r.title)
