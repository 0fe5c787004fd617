"""One host that serves every kind of space at once: 天喻 pages read over plain HTTP,
SPA spaces that need the browser (their scripts call a JSON API), and micro-course
videos read by Range. A sweep over it makes every kind of request to the same host,
which is what the per-host cap must hold across."""

from __future__ import annotations

from pathlib import Path

from .server import FarmServer, Request, Response
from .spa import SpaApp
from .spaces import SPA_SPACES, TIANYU_SPACES
from .tianyu import TianyuApp
from .videos import ensure_videos

__all__ = ["MixedApp", "start_mixed"]

_SPA_PREFIXES = ("/s/", "/api/", "/media/", "/img/", "/static/app.")


class MixedApp:
    def __init__(self, videos: dict[str, Path]) -> None:
        self.tianyu = TianyuApp(TIANYU_SPACES, videos)
        self.spa = SpaApp(SPA_SPACES, videos)

    def __call__(self, req: Request) -> Response:
        return self.spa(req) if req.path.startswith(_SPA_PREFIXES) else self.tianyu(req)

    def urls(self, base: str) -> list[str]:
        """The open spaces of both kinds."""
        return [base + self.tianyu.home_path(sid) for sid, s in self.tianyu.spaces.items() if s.wall == "everyone"] + [
            base + self.spa.home_path(sid) for sid, s in self.spa.spaces.items() if s.wall == "everyone"
        ]


def start_mixed() -> tuple[FarmServer, MixedApp]:
    from . import MEDIA_DIR

    app = MixedApp(ensure_videos(MEDIA_DIR))
    return FarmServer(app).start(), app
