"""The request router of a generated platform (a FarmServer ``route``) and of its SSO host:
pages in the platform's encoding, JSON APIs, media with Range (MP4 and HLS), images."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

from tests.farm.server import Request, Response, html

from . import api, pages, spa
from .model import Platform, SpaceModel
from .players import PLAYER_JS
from .site import Site
from .urls import Route
from .walls import LOGIN_PATHS, login_page, login_url, wall_response

__all__ = ["PlatformApp", "SsoApp", "png"]


def png(shade: int = 200) -> bytes:
    """A valid 8×8 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes([shade]) * 8 for _ in range(8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


_PNG = png()
_HLS_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t"}


class PlatformApp:
    def __init__(self, platform: Platform, videos: dict[str, Path], hls_dir: Path) -> None:
        self.site = Site(platform)
        self.videos = videos
        self.hls_dir = hls_dir
        self.media: dict[str, str] = {}  # path → source, for every video file of every space
        for space in platform.spaces:
            for res in space.resources:
                if res.video:
                    key = res.video.path.rsplit("/", 1)[0] if res.video.source == "hls" else res.video.path
                    self.media[key] = res.video.source
        self._cache: dict[str, Response] = {}

    # -- encodings ----------------------------------------------------------------------------
    def page(self, text: str, status: int = 200) -> Response:
        s = self.site.s
        body = text.encode(s.encoding, errors="xmlcharrefreplace")
        header = f"text/html; charset={s.encoding}" if s.charset_where in ("header", "both") else "text/html"
        return Response(status, body, header)

    @staticmethod
    def json(data: Any, status: int = 200) -> Response:
        return Response(status, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    @staticmethod
    def missing() -> Response:
        return html("<!DOCTYPE html><html><body><h1>404</h1><p>页面不存在</p></body></html>", 404)

    # -- routing --------------------------------------------------------------------------------
    def __call__(self, req: Request) -> Response:
        if req.raw_path in self._cache:
            return self._cache[req.raw_path]
        response = self._route(req)
        if response.file is None and len(self._cache) < 4000:
            self._cache[req.raw_path] = response
        return response

    def _route(self, req: Request) -> Response:
        site = self.site
        static = f"/{site.s.words['static']}/"
        if req.path.startswith(static):
            if req.path.endswith(".js"):
                return Response(200, PLAYER_JS.encode(), "application/javascript")
            return Response(200, b"CWS\x0a" + bytes(64), "application/x-shockwave-flash")
        if req.path in LOGIN_PATHS:
            return html(login_page(f"{site.city}教育云 登录", "请输入账号和密码登录", site.p.seed))
        if req.path == "/" and site.s.kind == "server":
            links = "".join(
                f'<li><a href="{site.urls.home(s.sid)}">{s.teacher.name}的空间</a></li>'
                for s in site.p.spaces
                if s.wall == "open"
            )
            return html(f"<!DOCTYPE html><html><body><h1>{site.city}教育云</h1><ul>{links}</ul></body></html>")
        route = site.urls.parse(req.path, req.query)
        if route is None:
            return self.missing()
        if route.page == "image":
            return Response(200, _PNG, "image/png")
        if route.page == "media":
            return self._media(req.path)
        if route.page == "shell":
            return Response(200, spa.shell_page(site).encode(), "text/html; charset=utf-8")
        space = site.by_sid.get(route.sid)
        if space is None:
            if route.page == "api":
                return self.json({"code": 404, "msg": "该空间不存在或已关闭"})
            return html("<!DOCTYPE html><html><body><p>该空间不存在或已关闭</p></body></html>", 404)
        if route.page == "api":
            return self._api(space, route)
        wall = wall_response(site, space)
        if wall is not None:
            return wall
        if route.page == "download":
            return Response(200, b"PK\x03\x04" + bytes(200), "application/octet-stream")
        text = self._server_page(space, route)
        return self.page(text) if text is not None else self.missing()

    def _server_page(self, space: SpaceModel, route: Route) -> str | None:
        site = self.site
        if site.s.kind == "spa" and route.page not in ("detail", "album"):
            return None  # an SPA serves item pages only (in detail_pages mode)
        if route.page == "home":
            return pages.home_page(site, space)
        if route.page == "listing":
            return pages.listing_page(site, space, route.kind, route.number, route.tab)
        if route.page == "detail":
            return pages.detail_page(site, space, route.kind, route.id)
        if route.page == "album":
            return pages.album_page(site, space, route.id)
        if route.page == "profile":
            return pages.profile_page(site, space) if site.s.profile_where == "page" else None
        if route.page == "column":
            return pages.column_page(site, space, route.id)
        return None

    def _api(self, space: SpaceModel, route: Route) -> Response:
        site = self.site
        if route.kind == "space":
            return self.json(api.space_payload(site, space, login_url(site, space, on_sso=True)))
        if space.wall != "open":
            return self.json({"code": 403, "msg": space.wall_text}, 403)
        if route.kind in ("res", "art", "alb"):
            return self.json(api.list_payload(site, space, route.kind, route.number, route.size))
        if route.kind == "detail":
            data = api.detail_payload(site, space, route.rest, route.id)
        elif route.kind == "album":
            data = api.album_payload(site, space, route.id)
        else:
            from .boxes import layout_json

            return Response(200, layout_json(site, space).encode(), "application/json; charset=utf-8")
        return self.json(data) if data is not None else self.json({"code": 404, "msg": "不存在"}, 404)

    def _media(self, path: str) -> Response:
        if path in self.media and path.endswith(".mp4"):
            return Response(200, content_type="video/mp4", file=self.videos[self.media[path]])
        folder, _, name = path.rpartition("/")
        if self.media.get(folder) == "hls" and (self.hls_dir / name).is_file() and not name.startswith("enc"):
            return Response(200, content_type=_HLS_TYPES[Path(name).suffix], file=self.hls_dir / name)
        return Response(404, b"not found", "text/plain")


class SsoApp:
    """The single sign-on host login walls send visitors to."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    def __call__(self, req: Request) -> Response:
        if req.path in LOGIN_PATHS:
            return html(login_page("统一身份认证平台", "请使用教育云账号登录", self.platform.seed))
        return html("<!DOCTYPE html><html><body><p>统一身份认证平台</p></body></html>", 404)
