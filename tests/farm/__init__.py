"""The platform farm: local imitation platforms on 127.0.0.1 with known ground truth.

``Farm`` starts one real HTTP server per platform (天喻 UTF-8, 天喻 GBK, SPA,
drag-and-drop); ``farm.spaces`` pairs every space's URL with its spec, and
``farm.expected(space)`` gives the check-1 fields spacebot must report for it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .dragdrop import DragDropApp
from .lessons import FIELDS_A, SparseFile
from .media import MediaApp
from .server import FarmServer
from .spa import SpaApp
from .spaces import DRAGDROP_SPACES, GBK_SPACES, SPA_SPACES, TIANYU_SPACES
from .spec import SpaceSpec
from .tianyu import TianyuApp
from .videos import MEDIA_VERSION, VIDEO_FACTS, ensure_videos

__all__ = ["Farm", "FarmSpace"]

OFFICIAL_SUFFIXES = (".gov.cn", ".edu.cn")
MEDIA_DIR = Path(tempfile.gettempdir()) / f"spacebot-farm-media-{MEDIA_VERSION}"


@dataclass(frozen=True)
class FarmSpace:
    spec: SpaceSpec
    server: FarmServer
    app: Any
    family: str  # tianyu | tianyu-gbk | spa | dragdrop

    @property
    def url(self) -> str:
        return self.server.base_url + self.app.home_path(self.spec.sid)

    @property
    def key(self) -> str:
        return f"{self.family}:{self.spec.sid}"

    def abs(self, path: str) -> str:
        return self.server.base_url + path


class Farm:
    """Every imitation platform, started together; use as a context manager."""

    def __init__(self, media_dir: Path = MEDIA_DIR) -> None:
        self.videos = ensure_videos(media_dir)
        self.media_dir = media_dir
        tianyu = TianyuApp(TIANYU_SPACES, self.videos)
        gbk = TianyuApp(GBK_SPACES, self.videos, encoding="gbk", platform_name="石首教育云")
        spa = SpaApp(SPA_SPACES, self.videos)
        dragdrop = DragDropApp(DRAGDROP_SPACES, self.videos)
        self.media = MediaApp(self.videos, media_dir)
        self.servers = {
            "tianyu": FarmServer(tianyu),
            "tianyu-gbk": FarmServer(gbk),
            "spa": FarmServer(spa),
            "dragdrop": FarmServer(dragdrop),
            "media": FarmServer(self.media),
        }
        apps = {
            "tianyu": (tianyu, TIANYU_SPACES),
            "tianyu-gbk": (gbk, GBK_SPACES),
            "spa": (spa, SPA_SPACES),
            "dragdrop": (dragdrop, DRAGDROP_SPACES),
        }
        self.spaces = [
            FarmSpace(spec, self.servers[family], app, family)
            for family, (app, specs) in apps.items()
            for spec in specs
        ]

    def start(self) -> Farm:
        for server in self.servers.values():
            server.start()
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> Farm:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def lessons(self) -> dict[str, Path | SparseFile]:
        """The micro-course lessons (``lessons.LESSON_FACTS``), made on first use."""
        return self.media.lessons()

    def lesson_url(self, name: str) -> str:
        """The URL of a lesson; the lessons are made first, so no request waits for them."""
        self.media.lessons()
        return f"{self.servers['media'].base_url}/lesson/{name}"

    def space(self, key: str) -> FarmSpace:
        return next(s for s in self.spaces if s.key == key)

    # -- ground truth --------------------------------------------------------------------
    def expected(self, fs: FarmSpace) -> dict[str, Any]:
        """The check-1 fields (less timings and findings) the farm shows for this space."""
        s, app = fs.spec, fs.app
        status = {"login_required": "login_required", "not_found": "not_found"}.get(s.wall, "ok")
        visibility = "unknown" if s.wall == "not_found" else s.wall
        open_space = s.wall == "everyone"
        profile: dict[str, Any] = {
            "name": None,
            "avatar": None,
            "school": None,
            "subject": None,
            "classes": [],
            "contact": None,
            "header_image": None,
            "background": None,
        }
        if s.wall in ("friends_only", "private"):
            profile["name"] = s.name
        if open_space:
            img = {
                "tianyu": ("/upload/avatar/{}.jpg", "/upload/banner/{}.jpg", "/upload/bg/{}.jpg"),
                "spa": ("/img/avatar/{}.gif", "/img/banner/{}.gif", None),
                "dragdrop": ("/files/head/{}.png", None, "/files/bg/{}.png"),
            }[s.platform]
            profile.update(
                name=s.name,
                school=s.school,
                subject=s.subject,
                classes=list(s.classes),
                contact=s.contact,
                avatar=fs.abs(img[0].format(s.sid)) if s.avatar else None,
                header_image=fs.abs(img[1].format(s.sid)) if s.header_image and img[1] else None,
                background=fs.abs(img[2].format(s.sid)) if s.background and img[2] else None,
            )
        modules, links = [], []
        resources, articles, albums, videos = [], [], [], []
        if open_space:
            for m in s.modules:
                modules.append(
                    {
                        "name": m.name,
                        "kind": m.kind,
                        "items": m.items,
                        "url": fs.abs(app.list_path(m.more, s.sid)) if m.more else None,
                    }
                )
                for url, text in m.links:
                    if url not in [link["url"] for link in links]:
                        host = urlsplit(url).hostname or ""
                        links.append(
                            {
                                "url": url,
                                "text": text,
                                "domain": host,
                                "page_url": fs.url,
                                "official": host.endswith(OFFICIAL_SUFFIXES),
                            }
                        )
            for r in s.resources:
                url = fs.abs(app.item_path("resources", s.sid, r.rid))
                resources.append(
                    {
                        "title": r.title,
                        "url": url,
                        "category": r.category,
                        "original": r.original,
                        "published": r.published,
                        "visibility": r.visibility,
                        "format": r.fmt,
                        "size_bytes": r.size_bytes,
                    }
                )
                if r.video:
                    facts = VIDEO_FACTS[r.video]
                    videos.append(
                        {
                            "url": fs.abs(app.video_path(r)),
                            "page_url": url,
                            "title": r.title,
                            "probe": {
                                "status": "ok",
                                "codec": "h264",
                                "width": facts.width,
                                "height": facts.height,
                                "display_aspect": facts.display_aspect,
                                "fps": float(facts.fps),
                                "duration_s": facts.seconds,
                                "size_bytes": self.videos[r.video].stat().st_size,
                                "faststart": facts.faststart,
                                "title_card_s": facts.card_seconds,
                                "title_card_fields": dict(FIELDS_A),  # every farm video shows CARD_A
                                "bytes_read": ("at_most", self.videos[r.video].stat().st_size),
                            },
                        }
                    )
            articles = [
                {
                    "title": a.title,
                    "url": fs.abs(app.item_path("articles", s.sid, a.aid)),
                    "original": a.original,
                    "published": a.published,
                    "category": a.category,
                }
                for a in s.articles
            ]
            albums = [
                {"name": a.name, "url": fs.abs(app.item_path("albums", s.sid, a.aid)), "photos": a.photos}
                for a in s.albums
            ]
        platform = s.platform
        if s.platform == "dragdrop" and s.wall != "everyone":
            platform = "generic"  # a locked page shows no widgets: nothing identifies the family
        return {
            "target": {"url": fs.url},
            "crawl": {"platform": platform, "status": status},
            "visibility": {"value": visibility},
            "profile": profile,
            "modules": modules,
            "resources": resources,
            "articles": articles,
            "albums": albums,
            "videos": videos,
            "outbound_links": links,
            "counts": {
                "modules": len(modules),
                "custom_modules": sum(m["kind"] == "custom" for m in modules),
                "resources": len(resources),
                "articles": len(articles),
                "albums": len(albums),
                "photos": sum(a["photos"] for a in albums),
                "videos": len(videos),
                "outbound_links": len(links),
            },
        }
