"""A randomized imitation-platform generator (domain randomization) for the tests.

``draw_platform(seed)`` draws one platform (one host) with 1–3 teacher spaces; every way its
markup can vary (class vocabulary, list shapes, where titles sit, date formats, 原创/转载,
pagination, module declarations, walls, encodings, SPA routing, video embeds, JSON shapes,
profile layouts, album lists, declared counts) is drawn independently from the seed.
``GeneratedFarm(seed, count)`` serves platforms on their own loopback IPs and exposes each
space's entry URL, ground truth (``expected``, check-1 shaped) and the choices that drew
it; ``truth_snapshot`` turns the truth into a ``crawler.SpaceSnapshot``.

This package is written independently of the crawler: it must never import from or read
``crawler/`` internals, and the crawler must never read it.
"""

from __future__ import annotations

from .draw import DIMENSIONS, SPACE_DIMENSIONS, draw_platform, platform_seed
from .farm import GeneratedFarm, GeneratedSpace, media_dir, platform_hosts, truth_snapshot
from .model import Platform

__all__ = [
    "DIMENSIONS",
    "GeneratedFarm",
    "GeneratedSpace",
    "Platform",
    "SPACE_DIMENSIONS",
    "draw_platform",
    "media_dir",
    "platform_hosts",
    "platform_seed",
    "truth_snapshot",
]
