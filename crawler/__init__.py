"""Visit a teacher space and extract what is on it, as a plain-data SpaceSnapshot."""

from __future__ import annotations

from ._browser import CHROMIUM_ARGS, BrowserSession, chromium_path
from ._crawl import CrawlOptions, crawl_space
from ._exceptions import RubricError, SpacebotError, StoreError, TargetError
from ._model import (
    Album,
    Article,
    CrawlInfo,
    Module,
    OutboundLink,
    Profile,
    Resource,
    SpaceSnapshot,
    Target,
    Video,
    VideoProbe,
    Visibility,
)
from ._ssrf import AddressPolicy, RefusedAddress, address_class
from ._targets import BadRow, TargetList, read_targets
from ._urls import check_target_url

__all__ = [
    "AddressPolicy",
    "Album",
    "Article",
    "BadRow",
    "BrowserSession",
    "CHROMIUM_ARGS",
    "CrawlInfo",
    "CrawlOptions",
    "Module",
    "OutboundLink",
    "Profile",
    "RefusedAddress",
    "Resource",
    "RubricError",
    "SpaceSnapshot",
    "SpacebotError",
    "StoreError",
    "Target",
    "TargetError",
    "TargetList",
    "Video",
    "VideoProbe",
    "Visibility",
    "address_class",
    "check_target_url",
    "chromium_path",
    "crawl_space",
    "read_targets",
]
