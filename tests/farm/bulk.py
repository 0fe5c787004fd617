"""A generated platform of N 天喻-style spaces, for sweeps and the benchmark.

Two shapes:
- ``small`` (the tests): a few resources and articles, so every crawl follows a listing,
  and no videos;
- ``campaign`` (the benchmark): spaces the size the campaign rubrics ask for, meeting
  their minimums: 20–60 resources of which 5–8 are original micro-courses with a real
  12-minute 1080p H.264 file (quanzhou: at least 5), 12–40 articles, 3–5 albums, 2–4
  custom modules (wuhan: albums, custom modules), so listings run to 2–6 pages.

``robots_disallow`` makes some spaces forbidden by robots.txt, and ``throttle_first``
answers the first request for some home pages with 429 + Retry-After.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .server import FarmServer, Request, Response
from .spec import AlbumSpec, ArticleSpec, ModuleSpec, ResourceSpec, SpaceSpec
from .tianyu import TianyuApp

CAMPAIGN_VIDEO = "compliant.mp4"  # 724 s, 1920×1080, 25 fps, H.264, faststart


def bulk_spaces(n: int, shape: str = "small") -> tuple[SpaceSpec, ...]:
    campaign = shape == "campaign"
    spaces = []
    for i in range(n):
        n_resources = (20 + i % 41) if campaign else (3 + i % 4)
        n_videos = (5 + i % 4) if campaign else 0
        n_articles = (12 + i % 29) if campaign else (2 + i % 3)
        n_albums = (3 + i % 3) if campaign else 0
        n_custom = (2 + i % 3) if campaign else 0
        resources = tuple(
            ResourceSpec(
                f"b{i}r{j}",
                f"第{i}号空间的微课{j}",
                "microlecture",
                "微课",
                True,
                f"2022-{j % 9 + 1:02d}-{j % 27 + 1:02d}",
                "mp4",
                None,
                video=CAMPAIGN_VIDEO,
            )
            if j < n_videos
            else ResourceSpec(
                f"b{i}r{j}",
                f"第{i}号空间的课件{j}",
                "courseware",
                "课件",
                j % 2 == 0,
                f"2022-{j % 9 + 1:02d}-{j % 27 + 1:02d}",
                "pptx",
                1572864,
            )
            for j in range(n_resources)
        )
        articles = tuple(
            ArticleSpec(f"b{i}a{j}", f"教学反思{j}（空间{i}）", True, f"2022-{j % 9 + 1:02d}-{j % 28 + 1:02d}")
            for j in range(n_articles)
        )
        albums = tuple(AlbumSpec(f"b{i}al{j}", f"班级活动{j}", 6 + j) for j in range(n_albums))
        custom = tuple(
            ModuleSpec(
                f"教学主张{j}", "custom", "custom", html=f"<p>第{i}号空间的自定义栏目{j}：课堂实录与教学心得。</p>"
            )
            for j in range(n_custom)
        )
        spaces.append(
            SpaceSpec(
                sid=f"{700000 + i}",
                platform="tianyu",
                name=f"教师{i:04d}",
                school=f"第{i % 17}小学",
                subject="语文",
                avatar=True,
                group="小学",
                modules=(
                    ModuleSpec("个人资料", "builtin", "profile"),
                    ModuleSpec("文章", "builtin", "articles", items=len(articles), more="articles"),
                    ModuleSpec("资源", "builtin", "resources", items=len(resources), more="resources"),
                    *((ModuleSpec("相册", "builtin", "albums", items=len(albums), more="albums"),) if albums else ()),
                    *custom,
                ),
                resources=resources,
                articles=articles,
                albums=albums,
            )
        )
    return tuple(spaces)


class BulkApp(TianyuApp):
    def __init__(
        self,
        n: int,
        *,
        robots_disallow: tuple[str, ...] = (),
        throttle_first: tuple[str, ...] = (),
        retry_after: int = 1,
        shape: str = "small",
        crawl_delay: float | None = None,
    ) -> None:
        videos = {}
        if shape == "campaign":
            from . import MEDIA_DIR
            from .videos import ensure_videos

            videos = ensure_videos(MEDIA_DIR)
        super().__init__(bulk_spaces(n, shape), videos, platform_name="批量测试平台")
        self.log: list[tuple[str, str, str]] = []  # (method, path, Range) of every request, for the floor
        self.server: FarmServer | None = None
        self.robots_disallow = robots_disallow
        self.crawl_delay = crawl_delay
        self.throttle_first = set(throttle_first)
        self.retry_after = retry_after
        self.throttled: dict[str, float] = {}  # sid → time of the 429
        self.lock = threading.Lock()

    def __call__(self, req: Request) -> Response:
        if req.path == "/__stats" and self.server is not None:  # for the benchmark, in another process
            import json

            log = self.log if req.q("paths") else []
            body = {"requests": len(self.log), "max_inflight": self.server.max_inflight, "log": log}
            return Response(200, json.dumps(body).encode(), "application/json")
        with self.lock:
            self.log.append((req.method, req.raw_path, req.headers.get("Range", "")))
        if req.path == "/robots.txt":
            lines = (
                ["User-agent: *"]
                + [f"Disallow: /index.php?r=space/person/index&sid={sid}" for sid in self.robots_disallow]
                + ["Allow: /"]
                + ([f"Crawl-delay: {self.crawl_delay:g}"] if self.crawl_delay else [])
            )
            return Response(200, ("\n".join(lines) + "\n").encode(), "text/plain")
        sid = req.q("sid")
        if req.q("r") == "space/person/index" and sid in self.throttle_first:
            import time

            with self.lock:
                if sid not in self.throttled:
                    self.throttled[sid] = time.monotonic()
                    return Response(429, b"Too Many Requests", "text/plain", {"Retry-After": str(self.retry_after)})
        return super().__call__(req)


def start_bulk(n: int, **kwargs: object) -> tuple[FarmServer, BulkApp]:
    app = BulkApp(n, **kwargs)  # type: ignore[arg-type]
    server = FarmServer(app).start()
    app.server = server
    return server, app


def write_targets(server: FarmServer, app: BulkApp, path: Path) -> list[str]:
    urls = [server.base_url + app.home_path(s.sid) for s in app.spaces.values()]
    path.write_text("\n".join(urls) + "\n", encoding="utf-8")
    return urls


if __name__ == "__main__":  # python -m tests.farm.bulk N [LATENCY [SHAPE]]: serve N spaces until killed
    import sys
    import time

    count = int(sys.argv[1])
    server, app = start_bulk(count, shape=sys.argv[3] if len(sys.argv) > 3 else "campaign")
    server.latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    print(server.base_url, flush=True)
    while True:
        time.sleep(3600)
