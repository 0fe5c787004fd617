"""An imitation of an SPA platform (网龙 网教通 builds of 湖北教育云 and the like).

Every path under ``/s/<id>`` returns the same empty shell; ``/static/app.js`` renders the
page from a JSON API (``/api/v2/space/<id>/…``). Lists show ten items and grow with a
"加载更多" button; a resource's video URL is only in the detail API.
"""

from __future__ import annotations

import json
from pathlib import Path

from .server import Request, Response, html
from .spec import SpaceSpec

PAGE_SIZE = 10

SHELL = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>教师空间</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><div id="app"><div class="app-loading">正在加载…</div></div><script src="/static/app.js"></script></body></html>"""

APP_JS = r"""
(function () {
  var app = document.getElementById('app');
  var parts = location.pathname.split('/').filter(Boolean); // ["s", id, view?, rid?]
  var id = parts[1], view = parts[2] || 'home', rid = parts[3];
  var api = '/api/v2/space/' + id;
  function esc(s) { var d = document.createElement('div'); d.textContent = s == null ? '' : String(s); return d.innerHTML; }
  function get(url) {
    return fetch(url, {headers: {'Accept': 'application/json'}}).then(function (r) {
      if (r.status === 401) { throw {wall: '该空间需要登录后才能查看，请先<a href="/login">登录</a>'}; }
      if (r.status === 404) { throw {wall: '空间不存在或已关闭'}; }
      return r.json();
    });
  }
  function size(b) { return b == null ? '' : (b >= 1048576 ? (b / 1048576).toFixed(1) + 'MB' : Math.round(b / 1024) + 'KB'); }
  function shell(owner, inner) {
    var banner = owner.banner ? '<img class="sp-banner" src="' + owner.banner + '">' : '';
    var info = [['学校', owner.school], ['学科', owner.subject], ['任教班级', (owner.classes || []).join('、')], ['电话', owner.phone]]
      .filter(function (r) { return r[1]; })
      .map(function (r) { return '<p><label>' + r[0] + '：</label><span>' + esc(r[1]) + '</span></p>'; }).join('');
    return '<header class="sp-head">' + banner + '<div class="sp-owner">' +
      (owner.avatar ? '<img class="sp-avatar" src="' + owner.avatar + '">' : '') +
      '<h1>' + esc(owner.name) + '</h1></div></header>' +
      '<nav class="sp-tabs"><a href="/s/' + id + '">首页</a><a href="/s/' + id + '/resources">资源</a>' +
      '<a href="/s/' + id + '/articles">文章</a><a href="/s/' + id + '/albums">相册</a></nav>' +
      '<main class="sp-main">' + inner.replace('%INFO%', info) + '</main>';
  }
  function resItem(r) {
    return '<li class="res-item"><a href="/s/' + id + '/resource/' + r.id + '">' + esc(r.title) + '</a>' +
      (r.type_name ? '<span class="tag">' + esc(r.type_name) + '</span>' : '') +
      (r.is_original === true ? '<span class="orig">原创</span>' : r.is_original === false ? '<span class="orig">转载</span>' : '') +
      '<span class="meta">' + esc(r.ext) + ' · ' + size(r.size) + ' · ' + esc(r.publish_time) + '</span></li>';
  }
  function artItem(a) {
    return '<li class="art-item"><a href="/s/' + id + '/article/' + a.id + '">' + esc(a.title) + '</a>' +
      (a.is_original === true ? '<i>原创</i>' : a.is_original === false ? '<i>转载</i>' : '') +
      (a.category ? '<em>' + esc(a.category) + '</em>' : '') + '<time>' + esc(a.publish_time) + '</time></li>';
  }
  function albumItem(a) {
    return '<div class="album-card"><a href="/s/' + id + '/album/' + a.id + '"><img src="' + a.cover + '"><b>' +
      esc(a.name) + '</b></a><span>' + a.photo_count + ' 张</span></div>';
  }
  function wall(e) { app.innerHTML = '<div class="login-wall">' + (e.wall || '加载失败') + '</div>'; }
  get(api + '/home').then(function (home) {
    if (view === 'home') {
      var cards = home.widgets.map(function (w) {
        var head = '<div class="card-title"><span>' + esc(w.title) + (w.count != null ? ' · ' + w.count : '') + '</span>' +
          (w.more ? '<a class="card-more" href="/s/' + id + '/' + w.more + '">查看全部</a>' : '') + '</div>';
        var body = w.type === 'profile' ? '%INFO%' : (w.html || '') +
          (w.links || []).map(function (l) { return '<a class="link" href="' + l.url + '">' + esc(l.text) + '</a>'; }).join('') +
          (w.items || []).map(function (t) { return '<p class="line">' + esc(t) + '</p>'; }).join('');
        return '<section class="card" data-widget="' + w.type + '"' + (w.custom ? ' data-custom="true"' : '') + '>' +
          head + '<div class="card-body">' + body + '</div></section>';
      }).join('');
      app.innerHTML = shell(home.owner, cards);
      return;
    }
    if (view === 'resource') {
      return get(api + '/resource/' + rid).then(function (r) {
        app.innerHTML = shell(home.owner, '<article class="res-detail"><h2>' + esc(r.title) + '</h2>' +
          (r.play_url ? '<video controls preload="none" src="' + r.play_url + '"></video>' : '') + '</article>');
      });
    }
    var kinds = {resources: ['resources', resItem, 'ul'], articles: ['articles', artItem, 'ul'], albums: ['albums', albumItem, 'div']};
    var k = kinds[view];
    if (!k) { app.innerHTML = shell(home.owner, '<p>页面不存在</p>'); return; }
    app.innerHTML = shell(home.owner, '<' + k[2] + ' class="list list-' + view + '"></' + k[2] + '><div class="list-foot"></div>');
    var list = app.querySelector('.list'), foot = app.querySelector('.list-foot'), page = 0;
    function more() {
      page += 1;
      get(api + '/' + k[0] + '?page=' + page + '&size=10').then(function (d) {
        list.insertAdjacentHTML('beforeend', d.items.map(k[1]).join(''));
        foot.innerHTML = d.has_more ? '<button class="btn-more" type="button">加载更多</button>' :
          (d.total ? '<span class="no-more">没有更多了</span>' : '<span class="empty">暂无内容</span>');
        var b = foot.querySelector('button'); if (b) { b.onclick = more; }
      });
    }
    more();
  }).catch(wall);
})();
"""


class SpaApp:
    def __init__(self, spaces: tuple[SpaceSpec, ...], videos: dict[str, Path]) -> None:
        self.spaces = {s.sid: s for s in spaces}
        self.videos = videos

    @staticmethod
    def home_path(sid: str) -> str:
        return f"/s/{sid}"

    @staticmethod
    def list_path(kind: str, sid: str) -> str:
        return f"/s/{sid}/{kind}"

    @staticmethod
    def item_path(kind: str, sid: str, item_id: str) -> str:
        return f"/s/{sid}/{ {'resources': 'resource', 'articles': 'article', 'albums': 'album'}[kind] }/{item_id}"

    @staticmethod
    def video_path(resource) -> str:  # type: ignore[no-untyped-def]
        return f"/media/{resource.rid}/{resource.video}"

    def __call__(self, req: Request) -> Response:
        if req.path == "/static/app.js":
            return Response(200, APP_JS.encode(), "application/javascript; charset=utf-8")
        if req.path == "/static/app.css":
            return Response(200, b".card{border:1px solid #eee}", "text/css")
        if req.path.startswith("/media/"):
            name = req.path.rsplit("/", 1)[-1]
            if name in self.videos:
                return Response(200, content_type="video/mp4", file=self.videos[name])
            return Response(404, b"not found", "text/plain")
        if req.path.startswith("/img/"):
            return Response(200, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif")
        if req.path == "/login":
            return html(
                '<!DOCTYPE html><html><head><meta charset="utf-8"><title>登录</title></head><body>'
                '<form><input name="u"><input type="password" name="p"><button>登录</button></form></body></html>'
            )
        if req.path.startswith("/s/"):
            return html(SHELL)
        if req.path.startswith("/api/v2/space/"):
            return self.api(req)
        return html("<h1>404</h1>", 404)

    def api(self, req: Request) -> Response:
        parts = req.path.split("/")[4:]  # [id, endpoint, rid?]
        space = self.spaces.get(parts[0])
        if space is None or space.wall == "not_found":
            return _json({"code": 404, "msg": "空间不存在"}, 404)
        if space.wall == "login_required":
            return _json({"code": 401, "msg": "请先登录"}, 401)
        endpoint = parts[1] if len(parts) > 1 else ""
        page = int(req.q("page", "1") or 1)
        size = int(req.q("size", str(PAGE_SIZE)) or PAGE_SIZE)
        if endpoint == "home":
            return _json(self.home(space))
        if endpoint in ("resources", "articles", "albums"):
            items = {"resources": space.resources, "articles": space.articles, "albums": space.albums}[endpoint]
            chunk = items[(page - 1) * size : page * size]
            return _json(
                {
                    "total": len(items),
                    "page": page,
                    "has_more": page * size < len(items),
                    "items": [self.item(endpoint, space, x) for x in chunk],
                }
            )
        if endpoint == "resource" and len(parts) > 2:
            r = next((x for x in space.resources if x.rid == parts[2]), None)
            if r is None:
                return _json({"code": 404, "msg": "资源不存在"}, 404)
            return _json({**self.item("resources", space, r), "play_url": self.video_path(r) if r.video else None})
        return _json({"code": 404, "msg": "接口不存在"}, 404)

    def home(self, s: SpaceSpec) -> dict:
        owner = {
            "name": s.name,
            "school": s.school,
            "subject": s.subject,
            "classes": list(s.classes),
            "phone": s.contact,
            "avatar": f"/img/avatar/{s.sid}.gif" if s.avatar else None,
            "banner": f"/img/banner/{s.sid}.gif" if s.header_image else None,
        }
        widgets = []
        for m in s.modules:
            w: dict = {
                "title": m.name,
                "type": {"profile": "profile", "resources": "resource", "articles": "article", "albums": "album"}.get(
                    m.type, "custom"
                ),
                "custom": m.kind == "custom",
                "count": m.items,
                "more": m.more,
            }
            if m.kind == "custom":
                w["html"] = m.html
                w["links"] = [{"url": u, "text": t} for u, t in m.links]
            elif m.type == "resources":
                w["items"] = [r.title for r in s.resources[:3]]
            elif m.type == "articles":
                w["items"] = [a.title for a in s.articles[:3]]
            widgets.append(w)
        return {"owner": owner, "widgets": widgets}

    def item(self, kind: str, s: SpaceSpec, x) -> dict:  # type: ignore[no-untyped-def]
        if kind == "resources":
            return {
                "id": x.rid,
                "title": x.title,
                "type_name": x.label,
                "is_original": x.original,
                "publish_time": x.published,
                "ext": x.fmt,
                "size": x.size_bytes,
            }
        if kind == "articles":
            return {
                "id": x.aid,
                "title": x.title,
                "is_original": x.original,
                "publish_time": x.published,
                "category": x.category,
            }
        return {"id": x.aid, "name": x.name, "photo_count": x.photos, "cover": f"/img/album/{x.aid}.gif"}


def _json(data: object, status: int = 200) -> Response:
    return Response(status, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")
