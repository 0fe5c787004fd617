"""Serve generated platforms, each on its own loopback IP (127.70.x.y; its SSO host on
127.71.x.y), and expose their spaces with the ground truth."""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from crawler import SpaceSnapshot
from tests.farm.server import FarmServer
from tests.farm.videos import MEDIA_VERSION, ensure_videos

from .app import PlatformApp, SsoApp
from .content import keep_lessons, show_file_sizes
from .draw import draw_platform, platform_seed
from .model import Platform
from .site import Site
from .truth import expected_for, truth_from_expected

__all__ = ["GeneratedFarm", "GeneratedSpace", "media_dir", "platform_hosts", "truth_snapshot"]


def media_dir() -> Path:
    """Where the real H.264 files are made once and kept (``SPACEBOT_GENERATOR_MEDIA`` overrides)."""
    default = Path(tempfile.gettempdir()) / f"spacebot-generator-media-{MEDIA_VERSION}"
    return Path(os.environ.get("SPACEBOT_GENERATOR_MEDIA", default))


def platform_hosts(index: int) -> tuple[str, str]:
    """The loopback IPs of platform ``index`` and of its SSO host (never 127.0.0.1)."""
    return f"127.70.{index // 250}.{index % 250 + 2}", f"127.71.{index // 250}.{index % 250 + 2}"


@dataclass
class GeneratedSpace:
    url: str  # the entry URL as a teacher would paste it
    expected: dict[str, Any]
    platform_index: int
    platform_seed: int
    group: str
    dimensions: dict[str, Any]
    family_summary: str


def truth_snapshot(space: GeneratedSpace) -> SpaceSnapshot:
    """The ground truth as a snapshot (probes from VIDEO_FACTS), for applying rubrics to it."""
    return truth_from_expected(space.expected, space.group)


def _summary(platform: Platform, dims: dict[str, Any]) -> str:
    s = platform.style
    kind = f"spa/{s.url_style}/{s.spa_routing}/{s.spa_items}" if s.kind == "spa" else f"server/{s.url_style}"
    return (
        f"{kind} {s.encoding}/{s.charset_where} {s.list_shape} title={s.title_place} date={s.date_format} "
        f"orig={s.original_display} cat={s.category_display} pager={s.pager}/{s.page_size} "
        f"mark={s.module_marking}:{s.custom_word} profile={s.profile_where}/{s.profile_layout} | "
        f"wall={dims['wall']} res={dims['resources']} art={dims['articles']} alb={dims['albums']} "
        f"custom={dims['custom_modules']}{' exemplary' if dims.get('exemplary') else ''}"
    )


class GeneratedFarm:
    """``count`` platforms drawn from ``seed`` (platform i from ``platform_seed(seed, i)``).

    With ``bases`` (one ``(base_url, sso_url)`` per platform) nothing is served: the farm
    describes platforms another process serves (``python -m tests.generator --json``).
    """

    def __init__(
        self,
        seed: int,
        count: int,
        bases: list[tuple[str, str]] | None = None,
        *,
        spaces: int | None = None,
        seeds: list[int] | None = None,
        lessons: int | None = None,
    ) -> None:
        """``spaces`` spaces per platform instead of 1–3 (a sweep benchmark's many spaces on
        one host); ``seeds``: the platforms' own seeds instead of ``platform_seed(seed, i)``;
        ``lessons``: at most that many micro-course videos per space (``keep_lessons``)."""
        self.seed = seed
        seeds = seeds or [platform_seed(seed, i) for i in range(count)]
        self.platforms = [draw_platform(s, i, spaces) for i, s in enumerate(seeds)]
        if lessons is not None:
            for platform in self.platforms:
                keep_lessons(platform.spaces, lessons)
        self.servers: list[FarmServer] = []
        self.apps: list[PlatformApp] = []
        self.spaces: list[GeneratedSpace] = []
        self._bases = bases
        self.media = media_dir()

    def __enter__(self) -> GeneratedFarm:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        videos = ensure_videos(self.media)
        sizes = {name: path.stat().st_size for name, path in videos.items()}
        for index, platform in enumerate(self.platforms):
            show_file_sizes(platform.spaces, platform.style, sizes)
            if self._bases is not None:
                platform.base_url, platform.sso_url = self._bases[index]
            else:
                host, sso_host = platform_hosts(index)
                app = PlatformApp(platform, videos, self.media / "hls")
                server, sso = FarmServer(app, host=host), FarmServer(SsoApp(platform), host=sso_host)
                for one in (server, sso):  # headers and body go out in separate writes: no Nagle wait between
                    one.httpd.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
                    one.start()
                platform.base_url, platform.sso_url = server.base_url, sso.base_url
                self.servers += [server, sso]
                self.apps.append(app)
                server.clock = Site(platform).server_clock()  # recent dates are shown against it
            site = Site(platform)
            for space in platform.spaces:
                expected = expected_for(site, space, sizes)
                self.spaces.append(
                    GeneratedSpace(
                        url=expected["target"]["url"],
                        expected=expected,
                        platform_index=index,
                        platform_seed=platform.seed,
                        group=space.group,
                        dimensions=space.dims,
                        family_summary=_summary(platform, space.dims),
                    )
                )

    def stop(self) -> None:
        # Each shutdown waits for its server's poll interval: stop them all at once.
        threads = [threading.Thread(target=server.stop) for server in self.servers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.servers.clear()

    def bases(self) -> list[tuple[str, str]]:
        return [(p.base_url, p.sso_url) for p in self.platforms]
