"""Visit a teacher space and extract what is on it, as a plain-data SpaceSnapshot.

transport/   httpx, chromium, the per-host gate, robots.txt, the SSRF guard
platforms/   one adapter per platform family, behind the CrawlSession protocol
extract/     pure functions: page ─► records, modules, profile, wall, links, videos
visit/       the steps of one visit; what a re-sweep reuses
"""

from __future__ import annotations

from .model import (
    Album,
    Article,
    Completeness,
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
from .platforms.recipes import ROLE_TEXT, Recipe, RecipeBook, shipped_recipes
from .platforms.recipes import STATUS_TEXT as RECIPE_STATUS_TEXT
from .targets import BadRow, TargetList, read_targets, single_url
from .transport.browser import CHROMIUM_ARGS, BrowserSession, chromium_path
from .transport.gate import METER, BudgetExceeded, GatedSyncTransport, HostGate, Meter, ThreadGate
from .transport.har import HarRecorder, HarReplay, read_har_target
from .transport.http import HttpFetcher
from .transport.pinned import pinned_async_transport, pinned_sync_transport
from .transport.ssrf import AddressPolicy, RefusedAddress, address_class
from .transport.turns import BROWSER as TURN_BROWSER
from .transport.turns import PROBES as TURN_PROBES
from .transport.turns import Turns, turn_from_thread
from .transport.urls import check_target_url
from .visit.progress import STAGE, STAGES, stage
from .visit.session import CrawlOptions
from .visit.visit import crawl_space, metered, paused_out, same_content

__all__ = [
    "AddressPolicy",
    "Album",
    "Article",
    "METER",
    "BadRow",
    "BudgetExceeded",
    "BrowserSession",
    "CHROMIUM_ARGS",
    "Completeness",
    "CrawlInfo",
    "CrawlOptions",
    "HarRecorder",
    "HarReplay",
    "GatedSyncTransport",
    "HostGate",
    "HttpFetcher",
    "Meter",
    "Module",
    "OutboundLink",
    "Profile",
    "RECIPE_STATUS_TEXT",
    "ROLE_TEXT",
    "Recipe",
    "RecipeBook",
    "RefusedAddress",
    "STAGE",
    "STAGES",
    "Resource",
    "SpaceSnapshot",
    "Target",
    "TargetList",
    "ThreadGate",
    "TURN_BROWSER",
    "TURN_PROBES",
    "Turns",
    "Video",
    "VideoProbe",
    "Visibility",
    "address_class",
    "check_target_url",
    "chromium_path",
    "crawl_space",
    "metered",
    "paused_out",
    "read_har_target",
    "pinned_async_transport",
    "pinned_sync_transport",
    "read_targets",
    "same_content",
    "shipped_recipes",
    "single_url",
    "stage",
    "turn_from_thread",
]
