"""A generated platform of N small 天喻-style spaces, for sweeps and the benchmark.

Space ``i`` has a few resources and articles (so every crawl follows a listing), no
videos; ``robots_disallow`` makes some spaces forbidden by robots.txt, and
``throttle_first`` answers the first request for some home pages with 429 + Retry-After.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .server import FarmServer, Request, Response
from .spec import ArticleSpec, ModuleSpec, ResourceSpec, SpaceSpec
from .tianyu import TianyuApp


def bulk_spaces(n: int, rich: bool = False) -> tuple[SpaceSpec, ...]:
    """``rich`` spaces have listings of two to three pages, like real teachers' spaces."""
    spaces = []
    for i in range(n):
        n_resources = (8 + i % 13) if rich else (3 + i % 4)
        n_articles = (12 + i % 19) if rich else (2 + i % 3)
        resources = tuple(
            ResourceSpec(
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
                ),
                resources=resources,
                articles=articles,
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
        rich: bool = False,
    ) -> None:
        super().__init__(bulk_spaces(n, rich), {}, platform_name="批量测试平台")
        self.server: FarmServer | None = None
        self.robots_disallow = robots_disallow
        self.throttle_first = set(throttle_first)
        self.retry_after = retry_after
        self.throttled: dict[str, float] = {}  # sid → time of the 429
        self.lock = threading.Lock()

    def __call__(self, req: Request) -> Response:
        if req.path == "/__stats" and self.server is not None:  # for the benchmark, in another process
            import json

            paths = self.server.requests if req.q("paths") else []
            body = {"requests": len(self.server.requests) - 1, "max_inflight": self.server.max_inflight, "paths": paths}
            return Response(200, json.dumps(body).encode(), "application/json")
        if req.path == "/robots.txt":
            lines = (
                ["User-agent: *"]
                + [f"Disallow: /index.php?r=space/person/index&sid={sid}" for sid in self.robots_disallow]
                + ["Allow: /"]
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


if __name__ == "__main__":  # python -m tests.farm.bulk N [LATENCY]: serve N rich spaces until killed
    import sys
    import time

    count = int(sys.argv[1])
    server, app = start_bulk(count, rich=True)
    server.latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    print(server.base_url, flush=True)
    while True:
        time.sleep(3600)
