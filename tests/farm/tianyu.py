"""An imitation of the 天喻-style space framework (武汉教育云, 之江汇, fjedu …).

``index.php?r=space/person/index&sid=`` is the home page; its module boxes are empty in
the HTML and filled by ``/static/space.js`` through ``GetModuleHtml`` and
``ajax-widget`` placeholders (``r=widget&classname=&kid=``), as on the real sites. Lists
(``blog/index``, ``resource/index``, ``album/index``) are server-rendered, ten a page,
with a "共 N 页" pager. The same app serves a GBK instance.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import quote

from .server import Request, Response, html, redirect
from .spec import ResourceSpec, SpaceSpec
from .videos import VIDEO_FACTS

PAGE_SIZE = 10

SPACE_JS = r"""
(function () {
  function load(url, el) {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', url);
    xhr.onload = function () { if (xhr.status === 200) { el.innerHTML = xhr.responseText; } };
    xhr.send();
  }
  var sid = document.body.getAttribute('data-sid');
  document.querySelectorAll('.mod-bd[data-name]').forEach(function (el) {
    load('index.php?r=space/person/index/GetModuleHtml&name=' + el.getAttribute('data-name') +
         '&spacetype=space_person&sid=' + sid, el);
  });
  document.querySelectorAll('span.ajax-widget').forEach(function (el) {
    load('index.php?r=widget&classname=' + el.getAttribute('data-classname') + '&kid=' +
         el.getAttribute('data-kid'), el);
  });
})();
"""

MODULE_NAMES = {
    "profile": "userinfo",
    "articles": "blog",
    "resources": "resource",
    "albums": "album",
    "guestbook": "guestbook",
    "visitors": "visitor",
}


class TianyuApp:
    def __init__(
        self,
        spaces: tuple[SpaceSpec, ...],
        videos: dict[str, Path],
        *,
        encoding: str = "utf-8",
        platform_name: str = "鲤城教育云",
    ) -> None:
        self.spaces = {s.sid: s for s in spaces}
        self.videos = videos
        self.encoding = encoding
        self.platform_name = platform_name

    # -- URLs, also used by the ground truth -------------------------------------------
    @staticmethod
    def home_path(sid: str) -> str:
        return f"/index.php?r=space/person/index&sid={sid}"

    @staticmethod
    def list_path(kind: str, sid: str, page: int | None = None) -> str:
        route = {"articles": "blog", "resources": "resource", "albums": "album"}[kind]
        tail = f"&page={page}" if page else ""
        return f"/index.php?r=space/person/{route}/index&sid={sid}{tail}"

    @staticmethod
    def item_path(kind: str, sid: str, item_id: str) -> str:
        route = {"articles": "blog", "resources": "resource", "albums": "album"}[kind]
        return f"/index.php?r=space/person/{route}/view&sid={sid}&id={item_id}"

    @staticmethod
    def video_path(resource: ResourceSpec) -> str:
        return f"/upload/video/{resource.rid}/{resource.video}"

    # -- routing -------------------------------------------------------------------------
    def __call__(self, req: Request) -> Response:
        if req.path == "/static/space.js":
            return Response(200, SPACE_JS.encode(), "application/javascript")
        if req.path == "/static/space.css":
            return Response(200, b".mod{border:1px solid #ddd;margin:8px}", "text/css")
        if req.path.startswith("/upload/video/"):
            name = req.path.rsplit("/", 1)[-1]
            return (
                Response(200, content_type="video/mp4", file=self.videos[name])
                if name in self.videos
                else self.page("<h1>404 文件不存在</h1>", 404)
            )
        if req.path.startswith("/upload/"):
            return Response(200, _PNG, "image/png")
        if req.path == "/robots.txt":
            return Response(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if req.path not in ("/index.php", "/"):
            return self.page("<h1>404 页面不存在</h1>", 404)
        route = req.q("r")
        if route == "site/login":
            return self.page(
                '<form class="login" method="post"><h2>用户登录</h2>'
                '<input name="username" placeholder="账号"><input type="password" name="password">'
                "<button>登录</button></form>",
                title="登录",
            )
        if route == "widget":
            return self.widget(req.q("classname"), req.q("kid"))
        space = self.spaces.get(req.q("sid"))
        if space is None or space.wall == "not_found":
            return self.page('<div class="error-box"><h2>抱歉，该空间不存在或已被关闭</h2></div>', 404)
        if space.wall == "login_required":
            return redirect("/index.php?r=site/login&returnUrl=" + quote(req.raw_path, safe=""))
        if route == "space/person/index":
            return self.home(space)
        if space.wall == "friends_only":
            return self.page('<div class="tip">该空间设置了访问权限：仅好友可见</div>', 403)
        if route == "space/person/index/GetModuleHtml":
            return self.module_html(space, req.q("name"))
        if route == "space/person/blog/index":
            return self.blog_list(space, int(req.q("page", "1") or 1))
        if route == "space/person/resource/index":
            return self.resource_list(space, int(req.q("page", "1") or 1))
        if route == "space/person/album/index":
            return self.album_list(space)
        if route == "space/person/resource/view":
            return self.resource_view(space, req.q("id"))
        if route == "space/person/blog/view":
            article = next((a for a in space.articles if a.aid == req.q("id")), None)
            if article is None:
                return self.page("<h2>文章不存在</h2>", 404)
            return self.page(
                f'<div class="article"><h2>{escape(article.title)}</h2><div class="content"><p>正文……</p></div></div>',
                title=article.title,
            )
        return self.page("<h2>页面不存在</h2>", 404)

    # -- pages ---------------------------------------------------------------------------
    def page(
        self, body: str, status: int = 200, title: str = "", head: str = "", body_attrs: str = "", script: bool = False
    ) -> Response:
        charset = "gbk" if self.encoding == "gbk" else "utf-8"
        text = (
            f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f'<title>{escape(title)} - {self.platform_name}</title><link rel="stylesheet" href="/static/space.css">'
            f'{head}</head><body{body_attrs}><div class="topbar"><a href="/">{self.platform_name}</a>'
            '<a href="/index.php?r=site/login">登录</a></div>'
            f'{body}<div class="footer">{self.platform_name} 版权所有 <a href="/">平台首页</a></div>'
            + ('<script src="/static/space.js"></script>' if script else "")
            + "</body></html>"
        )
        return html(text, status, self.encoding)

    def _nav(self, s: SpaceSpec) -> str:
        return (
            '<div class="space-nav"><ul>'
            f'<li><a href="{self.home_path(s.sid)}">首页</a></li>'
            f'<li><a href="{self.list_path("articles", s.sid)}">文章</a></li>'
            f'<li><a href="{self.list_path("resources", s.sid)}">资源</a></li>'
            f'<li><a href="{self.list_path("albums", s.sid)}">相册</a></li>'
            '<li><a href="#guestbook">留言</a></li></ul></div>'
        )

    def home(self, s: SpaceSpec) -> Response:
        head = f"<style>body{{background-image:url(/upload/bg/{s.sid}.jpg)}}</style>" if s.background else ""
        banner = (
            f'<div class="space-banner"><img src="/upload/banner/{s.sid}.jpg"></div>'
            if s.header_image
            else '<div class="space-banner default"></div>'
        )
        if s.wall == "friends_only":
            body = (
                f'{banner}<h1 class="space-title">{escape(s.name)}的个人空间</h1>'
                '<div class="privacy-tip">空间主人设置了访问权限，该空间仅好友可见。</div>'
            )
            return self.page(body, title=f"{s.name}的个人空间")
        boxes = []
        for index, module in enumerate(s.modules):
            count = f'<em class="num">({module.items})</em>' if module.items is not None else ""
            more = (
                f'<a class="more" href="{self.list_path(module.more, s.sid)}">更多&gt;&gt;</a>' if module.more else ""
            )
            if module.kind == "custom":
                inner = (
                    f'<span class="ajax-widget" data-classname="CustomHtml" data-kid="{s.sid}-{index}">加载中…</span>'
                )
                boxes.append(
                    f'<div class="mod mod-custom" data-module="custom" id="mod-{index}">'
                    f'<div class="mod-hd"><h3>{escape(module.name)}</h3>{more}</div>'
                    f'<div class="mod-bd">{inner}</div></div>'
                )
            else:
                name = MODULE_NAMES[module.type]
                boxes.append(
                    f'<div class="mod mod-{name}" data-module="{name}" id="mod-{index}">'
                    f'<div class="mod-hd"><h3>{escape(module.name)}{count}</h3>{more}</div>'
                    f'<div class="mod-bd" data-name="{name}"><div class="loading">加载中…</div></div></div>'
                )
        half = (len(boxes) + 1) // 2
        body = (
            f'{banner}<h1 class="space-title">{escape(s.name)}的个人空间</h1>{self._nav(s)}'
            f'<div class="space-main"><div class="col-left">{"".join(boxes[:half])}</div>'
            f'<div class="col-right">{"".join(boxes[half:])}</div></div>'
        )
        return self.page(body, title=f"{s.name}的个人空间", head=head, body_attrs=f' data-sid="{s.sid}"', script=True)

    def module_html(self, s: SpaceSpec, name: str) -> Response:
        if name == "userinfo":
            rows = [
                ("姓名", s.name),
                ("学校", s.school),
                ("学科", s.subject),
                ("任教班级", "、".join(s.classes) if s.classes else None),
                ("邮箱", s.contact),
            ]
            avatar = (
                f'<img class="avatar" src="/upload/avatar/{s.sid}.jpg" alt="头像">'
                if s.avatar
                else '<img class="avatar" src="/static/default-avatar.png" alt="">'
            )
            dl = "".join(f"<dt>{k}：</dt><dd>{escape(v)}</dd>" for k, v in rows if v)
            frag = f'<div class="userinfo">{avatar}<dl>{dl}</dl></div>'
        elif name == "blog":
            frag = (
                "<ul>"
                + "".join(
                    f'<li><a href="{self.item_path("articles", s.sid, a.aid)}">{escape(a.title)}</a>'
                    f"<span>{a.published}</span></li>"
                    for a in s.articles[:5]
                )
                + "</ul>"
            )
        elif name == "resource":
            frag = (
                "<ul>"
                + "".join(
                    f'<li><a href="{self.item_path("resources", s.sid, r.rid)}">{escape(r.title)}</a></li>'
                    for r in s.resources[:5]
                )
                + "</ul>"
                if s.resources
                else "<p>暂无资源</p>"
            )
        elif name == "album":
            frag = "".join(
                f'<a href="{self.item_path("albums", s.sid, al.aid)}"><img src="/upload/album/{al.aid}.jpg">'
                f"{escape(al.name)}</a>"
                for al in s.albums[:4]
            )
        elif name == "guestbook":
            frag = (
                '<ul class="msgs"><li>王老师：课件很实用，谢谢分享！ 2022-05-06</li>'
                "<li>家长：孩子很喜欢林老师的微课 2022-06-01</li></ul>"
            )
        elif name == "visitor":
            frag = "".join(f'<a href="{self.home_path(v)}">访客{v}</a> ' for v in ("10004", "NID555912"))
        else:
            frag = ""
        return html(frag, 200, self.encoding)

    def widget(self, classname: str, kid: str) -> Response:
        sid, _, index = kid.rpartition("-")
        space = self.spaces.get(sid)
        if classname != "CustomHtml" or space is None or not index.isdigit():
            return html("", 404, self.encoding)
        module = space.modules[int(index)]
        links = "".join(f'<li><a href="{escape(u)}" target="_blank">{escape(t)}</a></li>' for u, t in module.links)
        return html(f'<div class="custom-html">{module.html}<ul>{links}</ul></div>', 200, self.encoding)

    def _pager(self, kind: str, s: SpaceSpec, page: int, pages: int) -> str:
        links = [f"<span>共 {pages} 页</span>"]
        if page > 1:
            links.append(f'<a href="{self.list_path(kind, s.sid, page - 1)}">上一页</a>')
        for n in range(max(1, page - 2), min(pages, page + 2) + 1):
            links.append(f"<b>{n}</b>" if n == page else f'<a href="{self.list_path(kind, s.sid, n)}">{n}</a>')
        if page < pages:
            links.append(f'<a href="{self.list_path(kind, s.sid, page + 1)}">下一页</a>')
        return '<div class="pager">' + " ".join(links) + "</div>"

    def blog_list(self, s: SpaceSpec, page: int) -> Response:
        pages = max(1, -(-len(s.articles) // PAGE_SIZE))
        rows = []
        for a in s.articles[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
            tag = {
                True: '<span class="tag-orig">[原创]</span>',
                False: '<span class="tag-repost">[转载]</span>',
                None: "",
            }[a.original]
            cate = f'<span class="cate">分类：{escape(a.category)}</span>' if a.category else ""
            rows.append(
                f'<li class="blog-item">{tag}<a href="{self.item_path("articles", s.sid, a.aid)}" '
                f'title="{escape(a.title)}">{escape(a.title)}</a>{cate}'
                f'<span class="time">发表于 {a.published} 10:2{len(rows)}</span><span class="read">阅读(3)</span></li>'
            )
        body = (
            f'<h1 class="space-title">{escape(s.name)}的个人空间</h1>{self._nav(s)}'
            f'<div class="blog-box"><h2>文章列表</h2><ul class="blog-list">{"".join(rows)}</ul>'
            f"{self._pager('articles', s, page, pages)}</div>"
        )
        return self.page(body, title="文章")

    def resource_list(self, s: SpaceSpec, page: int) -> Response:
        pages = max(1, -(-len(s.resources) // PAGE_SIZE))
        rows = []
        for r in s.resources[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
            orig = {True: "原创", False: "转载", None: ""}[r.original]
            lock = ' <span class="lock">仅好友可见</span>' if r.visibility == "friends_only" else ""
            rows.append(
                f'<tr><td class="type">{escape(r.label or "")}</td>'
                f'<td class="title"><a href="{self.item_path("resources", s.sid, r.rid)}">{escape(r.title)}</a>{lock}</td>'
                f"<td>{r.fmt}</td><td>{_human(r.size_bytes)}</td><td>{r.published}</td><td>{orig}</td></tr>"
            )
        if not rows:
            table = '<p class="empty">暂无资源</p>'
        else:
            table = (
                '<table class="res-table"><thead><tr><th>类型</th><th>资源名称</th><th>格式</th><th>大小</th>'
                f"<th>上传时间</th><th>来源</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            )
        tabs = (
            '<div class="res-tabs"><a class="on" href="#">全部</a><a href="#">微课</a><a href="#">课件</a>'
            '<a href="#">教学设计</a></div>'
        )
        body = (
            f'<h1 class="space-title">{escape(s.name)}的个人空间</h1>{self._nav(s)}'
            f'<div class="res-box"><h2>我的资源</h2>{tabs}{table}{self._pager("resources", s, page, pages)}</div>'
        )
        return self.page(body, title="资源")

    def album_list(self, s: SpaceSpec) -> Response:
        items = "".join(
            f'<div class="album-item"><a href="{self.item_path("albums", s.sid, al.aid)}">'
            f'<img src="/upload/album/{al.aid}.jpg"></a><p class="name"><a href="{self.item_path("albums", s.sid, al.aid)}">'
            f'{escape(al.name)}</a></p><p class="cnt">{al.photos}张照片</p></div>'
            for al in s.albums
        )
        body = (
            f'<h1 class="space-title">{escape(s.name)}的个人空间</h1>{self._nav(s)}'
            f'<div class="album-box"><h2>相册</h2>{items or "<p>暂无相册</p>"}</div>'
        )
        return self.page(body, title="相册")

    def resource_view(self, s: SpaceSpec, rid: str) -> Response:
        r = next((x for x in s.resources if x.rid == rid), None)
        if r is None:
            return self.page("<h2>资源不存在</h2>", 404)
        player = ""
        if r.video and r.video_style == "tag":
            player = f'<video controls width="640" src="{self.video_path(r)}"></video>'
        elif r.video:
            player = (
                '<div id="player"></div><script>var player = new CKPlayer({container: "#player", '
                f'video: "{self.video_path(r)}", autoplay: false}});</script>'
            )
        if r.video:
            facts = VIDEO_FACTS[r.video]
            minutes, seconds = divmod(int(facts.seconds), 60)
            shown = r.page_resolution or f"{facts.width}×{facts.height}"
            info = f"<p>时长：{minutes:02d}:{seconds:02d} 分辨率：{shown}</p>"
        else:
            info = f"<p>格式：{r.fmt} 大小：{_human(r.size_bytes)}</p>"
        body = (
            f'<div class="res-view"><h2>{escape(r.title)}</h2>{player}{info}'
            f'<a class="download" href="/upload/file/{r.rid}.{r.fmt}">下载</a></div>'
        )
        return self.page(body, title=r.title)


def _human(size: int | None) -> str:
    if size is None:
        return "-"
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f}MB"
    return f"{size / 1024:.0f}KB"


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
